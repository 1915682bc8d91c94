"""Spatial indexes over the city: which cell holds a point.

A ``GridIndex`` is built from the cells in one query and answers single and batch lookups without the
database. Rebuild it (``GridIndex.load``) after cells change.

Batch lookups avoid making a shapely point per input: a uniform bucket grid gives each point its
candidate cells, and an even-odd ray-crossing test over the candidates' ring edges runs as a few numpy
operations (about four times the speed of ``STRtree.query(points, predicate="intersects")``, measured
in bench/bench_locate.py). Cells with very many edges, and points the ray test leaves unresolved
(on a boundary), are decided by shapely itself, so the answer matches shapely's ``intersects``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import NoCity, OutsideCity
from data.models import GridCell, Supervisor


@dataclass(frozen=True)
class Location:
    cell: str
    community: str
    street: str
    district: str
    supervisor: str | None

    def as_dict(self) -> dict:
        return {
            "cell": self.cell,
            "community": self.community,
            "street": self.street,
            "district": self.district,
            "supervisor": self.supervisor,
        }


class GridIndex:
    """Point-in-cell lookups over all grid cells."""

    def __init__(self, codes: list[str], polygons: list, supervisors: list[str | None]):
        if not codes:
            raise NoCity(
                "the database holds no grid cells: run `python main.py seed` or `import cells FILE --new-city` first"
            )
        self.codes = np.asarray(codes, dtype=object)
        self.polygons = np.asarray(polygons, dtype=object)
        self.supervisors = supervisors
        self._index_of = {c: i for i, c in enumerate(codes)}
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        self.bounds = shapely.total_bounds(self.polygons)
        self._build_edges()
        self._build_buckets()

    # Cells with more edges than this go to shapely: expanding them per candidate pair costs too much.
    MAX_RAY_EDGES = 256

    def _build_edges(self) -> None:
        """All ring edges (exterior and holes, every part) of each cell, as flat arrays with offsets."""
        parts, part_owner = shapely.get_parts(self.polygons, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring_of_coord[1:] == ring_of_coord[:-1]  # consecutive coordinates of one ring form an edge
        start = np.flatnonzero(same_ring)
        cell_of_edge = part_owner[ring_part[ring_of_coord[start]]]
        order = np.argsort(cell_of_edge, kind="stable")
        self._ex1, self._ey1 = coords[start, 0][order], coords[start, 1][order]
        self._ex2, self._ey2 = coords[start + 1, 0][order], coords[start + 1, 1][order]
        counts = np.bincount(cell_of_edge, minlength=len(self.codes))
        self._edge_count = counts
        self._edge_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._complex = counts > self.MAX_RAY_EDGES

    def _build_buckets(self) -> None:
        """A uniform grid of buckets, each listing the cells whose bounding box overlaps it."""
        minx, miny, maxx, maxy = self.bounds
        boxes = shapely.bounds(self.polygons)
        typical = float(np.median(np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])))
        # A third of a typical cell: about two candidate cells per point, at a few hundred kB of buckets.
        size = max(typical / 3, (maxx - minx) / 4096, (maxy - miny) / 4096, 1e-9)
        nx, ny = int((maxx - minx) // size) + 1, int((maxy - miny) // size) + 1
        ix0 = ((boxes[:, 0] - minx) // size).astype(np.int64)
        ix1 = ((boxes[:, 2] - minx) // size).astype(np.int64)
        iy0 = ((boxes[:, 1] - miny) // size).astype(np.int64)
        iy1 = ((boxes[:, 3] - miny) // size).astype(np.int64)
        # Every (bucket, cell) pair of every cell's bounding-box range, without a Python loop.
        w = ix1 - ix0 + 1
        n_b = w * (iy1 - iy0 + 1)
        c = np.repeat(np.arange(len(self.codes)), n_b)
        local = np.arange(len(c)) - np.repeat(np.cumsum(n_b) - n_b, n_b)
        b = (iy0[c] + local // w[c]) * nx + ix0[c] + local % w[c]
        order = np.lexsort((c, b))  # by bucket, then by cell index so the lower code comes first
        self._bucket_cells = c[order]
        counts = np.bincount(b, minlength=nx * ny)
        self._bucket_count = counts
        self._bucket_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._bucket_geom = (minx, miny, size, nx, ny)

    @classmethod
    def load(cls, session: Session) -> GridIndex:
        rows = session.execute(
            select(GridCell.code, GridCell.geometry, Supervisor.code)
            .outerjoin(Supervisor, GridCell.supervisor_id == Supervisor.id)
            .order_by(GridCell.code)
        ).all()
        return cls([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    def __len__(self) -> int:
        return len(self.codes)

    def polygon(self, code: str):
        return self.polygons[self._index_of[code]]

    def locate_indices(self, xs, ys, *, chunk: int = 50_000) -> np.ndarray:
        """Index of the cell holding each point, -1 where a point lies outside every cell.

        A point on an edge shared by two cells is given to exactly one of them, always the same one; so
        is a point where cells overlap (an imported file may hold overlapping cells, which the import
        lists): it goes to the cell with the lowest code, every time.
        """
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        if xs.shape != ys.shape:
            raise ValueError(f"{len(xs)} x values but {len(ys)} y values")
        out = np.full(len(xs), -1, dtype=np.int64)
        for lo in range(0, len(xs), chunk):
            out[lo : lo + chunk] = self._locate_chunk(xs[lo : lo + chunk], ys[lo : lo + chunk])
        return out

    def _locate_chunk(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        minx, miny, size, nx, ny = self._bucket_geom
        out = np.full(len(xs), -1, dtype=np.int64)
        with np.errstate(invalid="ignore"):
            bx = np.floor((xs - minx) / size)
            by = np.floor((ys - miny) / size)
        ok = (bx >= 0) & (bx < nx) & (by >= 0) & (by < ny)
        pts = np.flatnonzero(ok)
        bucket = by[ok].astype(np.int64) * nx + bx[ok].astype(np.int64)
        n_cand = self._bucket_count[bucket]
        # One row per (point, candidate cell) pair.
        pair_pt = np.repeat(pts, n_cand)
        first = np.repeat(self._bucket_start[bucket], n_cand)
        local = np.arange(len(pair_pt)) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
        pair_cell = self._bucket_cells[first + local]
        inside = np.zeros(len(pair_pt), dtype=bool)
        simple = ~self._complex[pair_cell]
        inside[simple] = self._ray_test(xs[pair_pt[simple]], ys[pair_pt[simple]], pair_cell[simple])
        hard = np.flatnonzero(~simple)
        if len(hard):
            inside[hard] = shapely.intersects_xy(self.polygons[pair_cell[hard]], xs[pair_pt[hard]], ys[pair_pt[hard]])
        out[pair_pt[inside][::-1]] = pair_cell[inside][::-1]
        # Points on a boundary can escape the half-open ray test: let shapely decide those few.
        unresolved = np.flatnonzero(~inside & (out[pair_pt] < 0))
        if len(unresolved):
            hit = shapely.intersects_xy(
                self.polygons[pair_cell[unresolved]], xs[pair_pt[unresolved]], ys[pair_pt[unresolved]]
            )
            got = unresolved[hit]
            out[pair_pt[got][::-1]] = pair_cell[got][::-1]
        return out

    def _ray_test(self, px: np.ndarray, py: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Even-odd rule over every ring edge of each candidate: inside when a ray to +x crosses oddly."""
        n_edge = self._edge_count[cells]
        row = np.repeat(np.arange(len(cells)), n_edge)
        local = np.arange(len(row)) - np.repeat(np.cumsum(n_edge) - n_edge, n_edge)
        e = np.repeat(self._edge_start[cells], n_edge) + local
        x1, y1, x2, y2 = self._ex1[e], self._ey1[e], self._ex2[e], self._ey2[e]
        qx, qy = px[row], py[row]
        straddles = (y1 > qy) != (y2 > qy)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_x = x1 + (qy - y1) * (x2 - x1) / (y2 - y1)
        crossings = straddles & (qx < cross_x)
        return (np.bincount(row, weights=crossings, minlength=len(cells)) % 2) == 1

    def locate_many(self, xs, ys) -> list[str | None]:
        idx = self.locate_indices(xs, ys)
        return [self.codes[i] if i >= 0 else None for i in idx]

    def locate(self, x: float, y: float) -> Location:
        i = int(self.locate_indices([x], [y])[0])
        if i < 0:
            minx, miny, maxx, maxy = self.bounds
            raise OutsideCity(
                f"point ({x:.1f}, {y:.1f}) is outside the city "
                f"(cells cover x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f} in the city CRS)"
            )
        code = self.codes[i]
        return Location(code, code[:12], code[:9], code[:6], self.supervisors[i])
