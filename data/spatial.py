"""Spatial indexes over the city: which cell holds a point, built once with shapely's STRtree.

A ``GridIndex`` is built from the cells in one query and answers single and batch lookups without the
database. Rebuild it (``GridIndex.load``) after cells change.
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
            raise NoCity("the database holds no grid cells: run `python main.py seed` or import cells first")
        self.codes = np.asarray(codes, dtype=object)
        self.polygons = np.asarray(polygons, dtype=object)
        self.supervisors = supervisors
        self._index_of = {c: i for i, c in enumerate(codes)}
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        self.bounds = shapely.total_bounds(self.polygons)

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

    def locate_indices(self, xs, ys) -> np.ndarray:
        """Index of the cell holding each point, -1 where a point lies outside every cell."""
        xs = np.asarray(xs, dtype=float)
        ys = np.asarray(ys, dtype=float)
        points = shapely.points(xs, ys)
        src, hit = self.tree.query(points, predicate="intersects")
        out = np.full(len(xs), -1, dtype=np.int64)
        # A point on a shared edge touches two cells; the lower code wins, consistently.
        out[src[::-1]] = hit[::-1]
        return out

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
