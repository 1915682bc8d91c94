"""The console's read model of the city: numpy arrays loaded with column queries, and DTO queries.

Qt-free on purpose (it runs in a worker thread and is tested without widgets). 100,000 components as
ORM objects would cost seconds and hundreds of megabytes; as five numpy columns they cost a few
megabytes and one query. Map coordinates are *local*: the city CRS minus ``origin``, so that float
paths and pixel maths never lose precision on 7-digit northings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import LargeBinary, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session, aliased

from console.dto import (
    CameraDetails,
    CellDetails,
    CityOverview,
    CodeName,
    ComponentDetails,
    SearchHit,
    StaffEntry,
    SupervisorDetails,
    TypeCount,
)
from data.city import FINISHED_CASE_STATES, city_crs, get_meta, stats
from data.geometry import WGS84, transformer, wedge_rings
from data.models import (
    Camera,
    Case,
    Community,
    Component,
    ComponentState,
    ComponentType,
    Department,
    District,
    GridCell,
    Road,
    Staff,
    Street,
    Supervisor,
)
from data.spatial import GridIndex

COMPONENT_STATES: tuple[str, ...] = tuple(s.value for s in ComponentState)
CAMERA_STATUSES: tuple[str, ...] = ("online", "offline", "fault")

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Rings:
    """Polygon rings flattened into point arrays; ``start[i]:stop[i]`` are polygon i's points."""

    x: np.ndarray
    y: np.ndarray
    connect: np.ndarray  # int32, 1 where a point connects to the next one
    start: np.ndarray
    stop: np.ndarray

    def select(self, which: np.ndarray) -> Rings:
        """The rings of the polygons ``which`` (indices), concatenated."""
        which = np.asarray(which, dtype=np.int64)
        lengths = self.stop[which] - self.start[which]
        if len(which) == 0 or lengths.sum() == 0:
            empty = np.empty(0)
            return Rings(empty, empty, np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0, np.int64))
        offsets = np.repeat(self.start[which] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        idx = np.arange(lengths.sum()) + offsets
        stop = np.cumsum(lengths)
        return Rings(self.x[idx], self.y[idx], self.connect[idx], stop - lengths, stop)


@dataclass(frozen=True)
class AreaLayer:
    """Districts, streets or communities: codes, names, label anchors and boundary segments."""

    codes: np.ndarray
    names: tuple[str, ...]
    label_x: np.ndarray
    label_y: np.ndarray
    boundary: Rings  # the areas' outlines (each shared edge drawn from both sides) or derived edges
    bounds: np.ndarray  # (n, 4) local minx, miny, maxx, maxy


@dataclass(frozen=True)
class CellLayer:
    codes: np.ndarray  # sorted 'U15'
    rings: Rings
    centroid_x: np.ndarray
    centroid_y: np.ndarray
    bounds: np.ndarray  # (n, 4) local
    area_m2: np.ndarray
    pop_day: np.ndarray
    pop_night: np.ndarray
    supervisor_id: np.ndarray  # -1 where none
    district_idx: np.ndarray
    street_idx: np.ndarray
    community_idx: np.ndarray


@dataclass(frozen=True)
class ComponentLayer:
    ids: np.ndarray  # sorted 'U17'
    x: np.ndarray
    y: np.ndarray
    cell_idx: np.ndarray  # -1 where the cell code is unknown
    major_idx: np.ndarray  # index into ``majors``
    type_idx: np.ndarray  # index into ``type_codes``
    state_idx: np.ndarray  # index into COMPONENT_STATES
    majors: tuple[str, ...]
    type_codes: tuple[str, ...]
    type_names: tuple[str, ...]
    type_majors: np.ndarray  # major index of each type


@dataclass(frozen=True)
class CameraLayer:
    ids: np.ndarray
    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    heading_deg: np.ndarray
    fov_deg: np.ndarray
    range_m: np.ndarray
    status_idx: np.ndarray  # index into CAMERA_STATUSES


@dataclass(frozen=True)
class SupervisorLayer:
    ids: np.ndarray
    codes: tuple[str, ...]
    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    has_fix: np.ndarray  # bool: a reported position, else the centre of their patch


@dataclass
class CitySnapshot:
    """Everything the map draws, loaded once and refreshed layer by layer when the journal says so."""

    name: str
    crs: str
    origin: tuple[float, float]
    bounds: tuple[float, float, float, float]  # local
    cells: CellLayer
    districts: AreaLayer
    streets: AreaLayer
    communities: AreaLayer
    components: ComponentLayer
    cameras: CameraLayer
    supervisors: SupervisorLayer
    roads: dict[str, Rings]  # by kind: main | secondary | bridge
    grid: GridIndex
    to_lonlat: object  # a pyproj Transformer from the city CRS to WGS84 (x=lon, y=lat)
    _trees: dict = field(default_factory=dict, repr=False)

    # --- coordinates ---------------------------------------------------------------------------------

    def to_local(self, x, y):
        return np.asarray(x, dtype=float) - self.origin[0], np.asarray(y, dtype=float) - self.origin[1]

    def to_city(self, x, y):
        return np.asarray(x, dtype=float) + self.origin[0], np.asarray(y, dtype=float) + self.origin[1]

    # --- picking -------------------------------------------------------------------------------------

    def cell_at(self, x: float, y: float) -> int:
        """Index of the cell under a local point, -1 outside the city."""
        cx, cy = self.to_city([x], [y])
        return int(self.grid.locate_indices(cx, cy)[0])

    def _tree(self, kind: str) -> PointIndex:
        tree = self._trees.get(kind)
        if tree is None:
            layer = getattr(self, kind)
            tree = self._trees[kind] = PointIndex(layer.x, layer.y)
        return tree

    def nearest(self, kind: str, x: float, y: float, radius: float, mask: np.ndarray | None = None) -> int:
        """Index of the nearest ``kind`` point within ``radius`` metres (among ``mask``), else -1."""
        return self._tree(kind).nearest(x, y, radius, mask)

    # --- lookups -------------------------------------------------------------------------------------

    def area_layer(self, level: str) -> AreaLayer:
        """The districts, streets or communities, by level name (district | street | community)."""
        return {"district": self.districts, "street": self.streets, "community": self.communities}[level]

    def cell_index(self, code: str) -> int:
        return _sorted_index(self.cells.codes, code)

    def component_index(self, component_id: str) -> int:
        return _sorted_index(self.components.ids, component_id)

    def camera_index(self, camera_id: str) -> int:
        hits = np.flatnonzero(self.cameras.ids == camera_id)
        return int(hits[0]) if len(hits) else -1

    def supervisor_index(self, supervisor_id: int) -> int:
        hits = np.flatnonzero(self.supervisors.ids == supervisor_id)
        return int(hits[0]) if len(hits) else -1


class PointIndex:
    """Points bucketed on a square grid: radius queries without a tree (built in milliseconds)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, bucket_m: float = 100.0):
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.bucket = bucket_m
        if len(self.x) == 0:
            self.x0 = self.y0 = 0.0
            self.nx = 1
            self.order = np.empty(0, np.int64)
            self.keys = np.empty(0, np.int64)
            return
        self.x0, self.y0 = float(self.x.min()), float(self.y.min())
        bx = ((self.x - self.x0) // bucket_m).astype(np.int64)
        by = ((self.y - self.y0) // bucket_m).astype(np.int64)
        self.nx = int(bx.max()) + 1
        key = by * self.nx + bx
        self.order = np.argsort(key, kind="stable")
        self.keys = key[self.order]

    def within(self, x: float, y: float, radius: float) -> np.ndarray:
        if len(self.keys) == 0:
            return np.empty(0, np.int64)
        bx0 = max(int((x - radius - self.x0) // self.bucket), 0)
        bx1 = min(int((x + radius - self.x0) // self.bucket), self.nx - 1)
        by0 = max(int((y - radius - self.y0) // self.bucket), 0)
        by1 = int((y + radius - self.y0) // self.bucket)
        if bx1 < bx0 or by1 < by0:
            return np.empty(0, np.int64)
        rows = np.arange(by0, by1 + 1) * self.nx
        lo = np.searchsorted(self.keys, rows + bx0, side="left")
        hi = np.searchsorted(self.keys, rows + bx1, side="right")
        if not (hi > lo).any():
            return np.empty(0, np.int64)
        cand = self.order[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True) if b > a])]
        d2 = (self.x[cand] - x) ** 2 + (self.y[cand] - y) ** 2
        return cand[d2 <= radius * radius]

    def nearest(self, x: float, y: float, radius: float, mask: np.ndarray | None = None) -> int:
        cand = self.within(x, y, radius)
        if mask is not None and len(cand):
            cand = cand[mask[cand]]
        if not len(cand):
            return -1
        d2 = (self.x[cand] - x) ** 2 + (self.y[cand] - y) ** 2
        return int(cand[int(np.argmin(d2))])


def _sorted_index(sorted_codes: np.ndarray, code: str) -> int:
    if len(sorted_codes) == 0:
        return -1
    i = int(np.searchsorted(sorted_codes, code))
    return i if i < len(sorted_codes) and sorted_codes[i] == code else -1


# --- loading -----------------------------------------------------------------------------------------


def _flatten_rings(polygons: np.ndarray, origin: tuple[float, float]) -> Rings:
    parts, part_of = shapely.get_parts(polygons, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    owner = part_of[ring_of[point_ring]]
    n = len(polygons)
    counts = np.bincount(owner, minlength=n)
    stop = np.cumsum(counts)
    start = stop - counts
    connect = np.ones(len(coords), dtype=np.int32)
    ring_end = np.flatnonzero(np.diff(point_ring)) if len(point_ring) else np.empty(0, np.int64)
    connect[ring_end] = 0
    if len(connect):
        connect[-1] = 0
    return Rings(coords[:, 0] - origin[0], coords[:, 1] - origin[1], connect, start, stop)


@dataclass(frozen=True)
class _Edges:
    """Every distinct cell edge once, with the cells on its sides (computed once for all levels)."""

    xy: np.ndarray  # (m, 4) one row per distinct edge
    cells: np.ndarray  # cell of each edge occurrence
    edge: np.ndarray  # distinct edge of each occurrence
    counts: np.ndarray  # occurrences per distinct edge


def _cell_edges(rings: Rings) -> _Edges:
    """Neighbouring cells share their edges exactly (a proper coverage), so an edge seen twice is inner;
    rounding to a centimetre absorbs float noise."""
    if len(rings.x) < 2:
        z = np.zeros(0, np.int64)
        return _Edges(np.zeros((0, 4)), z, z, z)
    cell_of_point = np.repeat(np.arange(len(rings.start)), rings.stop - rings.start)
    a = np.flatnonzero(rings.connect[:-1] == 1)
    b = a + 1
    x0, y0, x1, y1 = rings.x[a], rings.y[a], rings.x[b], rings.y[b]
    # Canonical direction so that the two cells sharing an edge produce the same key.
    swap = (x0 > x1) | ((x0 == x1) & (y0 > y1))
    k = np.column_stack(
        [np.where(swap, x1, x0), np.where(swap, y1, y0), np.where(swap, x0, x1), np.where(swap, y0, y1)]
    )
    # Two int64 keys per edge (each end point packed as centimetres, x in the high bits): sorting them
    # is several times faster than np.unique(axis=0) on the four columns.
    cm = np.round((k - k.min(axis=0)[[0, 1, 0, 1]].min()) * 100).astype(np.int64)
    k1 = (cm[:, 0] << 31) | cm[:, 1]
    k2 = (cm[:, 2] << 31) | cm[:, 3]
    order = np.lexsort((k2, k1))
    new_edge = np.ones(len(order), dtype=bool)
    new_edge[1:] = (np.diff(k1[order]) != 0) | (np.diff(k2[order]) != 0)
    edge_sorted = np.cumsum(new_edge) - 1
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = edge_sorted
    first = order[new_edge]
    counts = np.bincount(edge_sorted)
    return _Edges(k[first], cell_of_point[a], inverse, counts)


def _boundary_segments(edges: _Edges, group_of_cell: np.ndarray) -> Rings:
    """Edges between cells of different groups, plus the city's outer edge, as pairs of points."""
    group = group_of_cell[edges.cells]
    gmin = np.full(len(edges.counts), np.iinfo(np.int64).max)
    gmax = np.full(len(edges.counts), -1)
    np.minimum.at(gmin, edges.edge, group)
    np.maximum.at(gmax, edges.edge, group)
    xy = edges.xy[(edges.counts == 1) | (gmin != gmax)]
    x = np.empty(len(xy) * 2)
    y = np.empty(len(xy) * 2)
    x[0::2], x[1::2] = xy[:, 0], xy[:, 2]
    y[0::2], y[1::2] = xy[:, 1], xy[:, 3]
    connect = np.zeros(len(x), dtype=np.int32)
    connect[0::2] = 1
    none = np.empty(0, np.int64)
    return Rings(x, y, connect, none, none)


def _area_layer(
    session: Session,
    model,
    codes_of_cells: np.ndarray,
    cells_centroids: tuple[np.ndarray, np.ndarray],
    cell_bounds: np.ndarray,
    cell_area: np.ndarray,
    rings: Rings,
    origin: tuple[float, float],
) -> tuple[AreaLayer, np.ndarray]:
    """An area level grouped by the cells' code prefixes; names and outlines come from ``model``'s table.

    Where the table lacks an outline, the boundary is derived from the cells' edges (exact only when
    neighbouring cells share their vertices).
    """
    stored = {
        code: (name, geom)
        for code, name, geom in session.execute(
            select(model.code, model.name, type_coerce(model.geometry, LargeBinary))
        ).all()
    }
    codes, group = np.unique(codes_of_cells, return_inverse=True)
    group = group.ravel()
    n = len(codes)
    cx, cy = cells_centroids
    bounds = np.column_stack(
        [
            _group_reduce(np.minimum, group, cell_bounds[:, 0], n, np.inf),
            _group_reduce(np.minimum, group, cell_bounds[:, 1], n, np.inf),
            _group_reduce(np.maximum, group, cell_bounds[:, 2], n, -np.inf),
            _group_reduce(np.maximum, group, cell_bounds[:, 3], n, -np.inf),
        ]
    )
    wkb = [stored.get(str(c), ("", None))[1] for c in codes]
    if n and all(w is not None for w in wkb):
        polys = shapely.from_wkb([bytes(w) for w in wkb])
        anchors = shapely.get_coordinates(shapely.point_on_surface(polys))
        lx, ly = anchors[:, 0] - origin[0], anchors[:, 1] - origin[1]
        boundary = _flatten_rings(polys, origin)
    else:
        # Anchor each label on the member cell nearest the area-weighted centre, inside a concave area.
        w = cell_area
        wsum = np.bincount(group, weights=w, minlength=n)
        mx = np.bincount(group, weights=cx * w, minlength=n) / wsum
        my = np.bincount(group, weights=cy * w, minlength=n) / wsum
        d = (cx - mx[group]) ** 2 + (cy - my[group]) ** 2
        order = np.lexsort((d, group))
        first_of_group = order[np.r_[0, np.flatnonzero(np.diff(group[order])) + 1]] if n else np.empty(0, int)
        lx, ly = cx[first_of_group], cy[first_of_group]
        boundary = _boundary_segments(_cell_edges(rings), group)
    layer = AreaLayer(
        codes=codes,
        names=tuple(stored.get(str(c), (str(c), None))[0] or str(c) for c in codes),
        label_x=lx,
        label_y=ly,
        boundary=boundary,
        bounds=bounds,
    )
    return layer, group


def _group_reduce(ufunc, group, values, n, fill):
    out = np.full(n, fill, dtype=float)
    ufunc.at(out, group, values)
    return out


def load_snapshot(session: Session, progress: Progress | None = None) -> CitySnapshot:
    """Read the whole map in a handful of column queries (no ORM objects for the big tables)."""
    report = progress or (lambda stage, fraction: None)
    crs = city_crs(session)
    name = get_meta(session, "city_name", "") or get_meta(session, "name", "") or ""
    # The component columns (one SQLite step, without the GIL) and the lon/lat transformer (PROJ)
    # come from a helper thread on its own connection while this one builds cells and boundaries.
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanwei-columns")
    engine = session.get_bind()
    component_columns = helper.submit(_component_columns_on, engine)
    to_lonlat = helper.submit(transformer, crs, WGS84)
    helper.shutdown(wait=False)

    report("cells", 0.0)
    rows = session.execute(
        select(
            GridCell.code,
            type_coerce(GridCell.geometry, LargeBinary),
            GridCell.area_m2,
            GridCell.pop_day,
            GridCell.pop_night,
            GridCell.supervisor_id,
        ).order_by(GridCell.code)
    ).all()
    codes = np.array([r[0] for r in rows], dtype="U15")
    polygons = shapely.from_wkb([bytes(r[1]) for r in rows])
    area = np.array([r[2] for r in rows], dtype=float)
    pop_day = np.array([r[3] or 0 for r in rows], dtype=np.int64)
    pop_night = np.array([r[4] or 0 for r in rows], dtype=np.int64)
    sup = np.array([-1 if r[5] is None else r[5] for r in rows], dtype=np.int64)
    del rows

    minx, miny, maxx, maxy = shapely.total_bounds(polygons)
    origin = (float(np.floor(minx / 1000) * 1000), float(np.floor(miny / 1000) * 1000))
    rings = _flatten_rings(polygons, origin)
    centroids = shapely.get_coordinates(shapely.centroid(polygons))
    cx, cy = centroids[:, 0] - origin[0], centroids[:, 1] - origin[1]
    cb = shapely.bounds(polygons) - np.array([origin[0], origin[1], origin[0], origin[1]])

    report("boundaries", 0.2)
    districts, d_idx = _area_layer(session, District, codes.astype("U6"), (cx, cy), cb, area, rings, origin)
    streets, s_idx = _area_layer(session, Street, codes.astype("U9"), (cx, cy), cb, area, rings, origin)
    communities, c_idx = _area_layer(
        session, Community, codes.astype("U12"), (cx, cy), cb, area, rings, origin
    )

    grid = GridIndex(
        [str(c) for c in codes], list(polygons), [None] * len(codes)
    )  # supervisors are looked up by the details query, not on hover
    cells = CellLayer(
        codes=codes,
        rings=rings,
        centroid_x=cx,
        centroid_y=cy,
        bounds=cb,
        area_m2=area,
        pop_day=pop_day,
        pop_night=pop_night,
        supervisor_id=sup,
        district_idx=d_idx,
        street_idx=s_idx,
        community_idx=c_idx,
    )

    report("components", 0.4)
    components = _load_components(session, codes, origin, component_columns.result())
    report("cameras", 0.8)
    cameras = _load_cameras(session, origin)
    supervisors = _load_supervisors(session, cells, origin)
    roads = _load_roads(session, origin)
    report("done", 1.0)
    snapshot = CitySnapshot(
        name=name,
        crs=crs,
        origin=origin,
        bounds=(
            float(minx - origin[0]),
            float(miny - origin[1]),
            float(maxx - origin[0]),
            float(maxy - origin[1]),
        ),
        cells=cells,
        districts=districts,
        streets=streets,
        communities=communities,
        components=components,
        cameras=cameras,
        supervisors=supervisors,
        roads=roads,
        grid=grid,
        to_lonlat=to_lonlat.result(),
    )
    for kind in ("components", "cameras", "supervisors"):
        snapshot._tree(kind)  # built here, in the loading thread, not on the first hover
    return snapshot


def _load_roads(session: Session, origin: tuple[float, float]) -> dict[str, Rings]:
    rows = session.execute(select(Road.kind, type_coerce(Road.geometry, LargeBinary))).all()
    out: dict[str, Rings] = {}
    for kind in sorted({r[0] for r in rows}):
        lines = shapely.from_wkb([bytes(r[1]) for r in rows if r[0] == kind])
        out[kind] = _flatten_lines(lines, origin)
    return out


def _flatten_lines(lines: np.ndarray, origin: tuple[float, float]) -> Rings:
    parts, part_of = shapely.get_parts(lines, return_index=True)
    coords, point_part = shapely.get_coordinates(parts, return_index=True)
    counts = (
        np.bincount(part_of[point_part], minlength=len(lines)) if len(coords) else np.zeros(len(lines), int)
    )
    stop = np.cumsum(counts)
    connect = np.ones(len(coords), dtype=np.int32)
    if len(coords):
        connect[np.flatnonzero(np.diff(point_part))] = 0
        connect[-1] = 0
    return Rings(coords[:, 0] - origin[0], coords[:, 1] - origin[1], connect, stop - counts, stop)


def _load_components(
    session: Session, cell_codes: np.ndarray, origin: tuple[float, float], cols: dict[str, np.ndarray]
) -> ComponentLayer:
    types = session.execute(
        select(ComponentType.code, ComponentType.name, ComponentType.major_name).order_by(ComponentType.code)
    ).all()
    type_codes = tuple(t[0] for t in types)
    type_names = tuple(t[1] for t in types)
    majors = tuple(dict.fromkeys(t[2] for t in types))
    major_of = {m: i for i, m in enumerate(majors)}
    type_majors = np.array([major_of[t[2]] for t in types], dtype=np.int16)
    ids = cols["id"]
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    x = cols["x"][order] - origin[0]
    y = cols["y"][order] - origin[1]
    type_idx = _codes_to_index(cols["type_code"][order], np.array(type_codes, dtype="U5"))
    state_idx = _codes_to_index(cols["state"][order], np.array(COMPONENT_STATES, dtype="U10"))
    type_idx = np.maximum(type_idx, 0).astype(np.int16)
    state_idx = np.maximum(state_idx, 0).astype(np.int8)
    cell_codes_of = cols["cell_code"][order]
    del cols
    cell_idx = _codes_to_index(cell_codes_of, cell_codes)
    major_idx = type_majors[type_idx] if len(type_majors) else np.zeros(len(ids), np.int16)
    return ComponentLayer(
        ids=ids,
        x=x,
        y=y,
        cell_idx=cell_idx,
        major_idx=major_idx,
        type_idx=type_idx,
        state_idx=state_idx,
        majors=majors,
        type_codes=type_codes,
        type_names=type_names,
        type_majors=type_majors,
    )


_COMPONENT_COLUMNS = {
    "id": (Component.id, "U17"),
    "x": (Component.x, float),
    "y": (Component.y, float),
    "type_code": (Component.type_code, "U5"),
    "state": (Component.state, "U10"),
    "cell_code": (Component.cell_code, "U15"),
}


def _component_columns_on(engine) -> dict[str, np.ndarray]:
    with engine.connect() as conn:
        return _component_columns(conn)


def _component_columns(conn) -> dict[str, np.ndarray]:
    """The map's columns of every component as numpy arrays, in one row order.

    100,000 rows fetched one by one cost a Python tuple per row (over a second here, holding the GIL
    that the GUI thread needs while it starts); asking the database to join each column into one
    string costs one step in C, and numpy parses the strings. Other databases fall back to rows.
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        aggregate = [func.group_concat(col, ",") for col, _ in _COMPONENT_COLUMNS.values()]
    elif dialect == "postgresql":
        # Plain SQL: importing SQLAlchemy's PostgreSQL dialect for aggregate_order_by costs startup time.
        aggregate = [
            literal_column(f"string_agg(CAST({col.name} AS TEXT), ',' ORDER BY id)")
            for col, _ in _COMPONENT_COLUMNS.values()
        ]
        joined = conn.execute(select(*aggregate).select_from(Component.__table__)).one()
        return _parse_joined(joined)
    else:
        rows = conn.execute(select(*(c for c, _ in _COMPONENT_COLUMNS.values()))).all()
        cols = list(zip(*rows, strict=False)) or [()] * len(_COMPONENT_COLUMNS)
        return {
            k: np.array(v, dtype=t) for (k, (_, t)), v in zip(_COMPONENT_COLUMNS.items(), cols, strict=True)
        }
    return _parse_joined(conn.execute(select(*aggregate)).one())


def _parse_joined(joined) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for (key, (_, dtype)), text in zip(_COMPONENT_COLUMNS.items(), joined, strict=True):
        if not text:
            out[key] = np.empty(0, dtype=dtype)
        elif dtype is float:
            out[key] = np.fromstring(text, sep=",")
        else:
            out[key] = np.array(text.split(","), dtype=dtype)
    return out


def _codes_to_index(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Position of each value in ``table`` (any order), -1 where absent; vectorised over 100,000 rows."""
    if len(table) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    sorter = np.argsort(table)
    pos = np.clip(np.searchsorted(table, values, sorter=sorter), 0, len(table) - 1)
    found = sorter[pos]
    return np.where(table[found] == values, found, -1).astype(np.int64)


def _load_cameras(session: Session, origin: tuple[float, float]) -> CameraLayer:
    rows = session.execute(
        select(
            Camera.id,
            Camera.name,
            Camera.x,
            Camera.y,
            Camera.heading_deg,
            Camera.fov_deg,
            Camera.range_m,
            Camera.status,
        ).order_by(Camera.id)
    ).all()
    status_pos = {s: i for i, s in enumerate(CAMERA_STATUSES)}
    return CameraLayer(
        ids=np.array([r[0] for r in rows], dtype=object),
        names=tuple(r[1] or "" for r in rows),
        x=np.array([r[2] for r in rows], dtype=float) - origin[0],
        y=np.array([r[3] for r in rows], dtype=float) - origin[1],
        heading_deg=np.array([r[4] for r in rows], dtype=float),
        fov_deg=np.array([r[5] for r in rows], dtype=float),
        range_m=np.array([r[6] for r in rows], dtype=float),
        status_idx=np.array([status_pos.get(r[7], 2) for r in rows], dtype=np.int8),
    )


def _load_supervisors(session: Session, cells: CellLayer, origin: tuple[float, float]) -> SupervisorLayer:
    rows = session.execute(
        select(
            Supervisor.id, Supervisor.code, Supervisor.name, Supervisor.last_x, Supervisor.last_y
        ).order_by(Supervisor.id)
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([np.nan if r[3] is None else r[3] - origin[0] for r in rows], dtype=float)
    y = np.array([np.nan if r[4] is None else r[4] - origin[1] for r in rows], dtype=float)
    has_fix = np.isfinite(x) & np.isfinite(y)
    if len(ids) and not has_fix.all():
        # No report yet: place them at the centre of their patch.
        pos = np.searchsorted(ids, cells.supervisor_id)
        pos = np.clip(pos, 0, len(ids) - 1)
        valid = (cells.supervisor_id >= 0) & (ids[pos] == cells.supervisor_id)
        n = np.bincount(pos[valid], minlength=len(ids))
        sx = np.bincount(pos[valid], weights=cells.centroid_x[valid], minlength=len(ids))
        sy = np.bincount(pos[valid], weights=cells.centroid_y[valid], minlength=len(ids))
        with np.errstate(invalid="ignore", divide="ignore"):
            fill = ~has_fix & (n > 0)
            x[fill] = sx[fill] / n[fill]
            y[fill] = sy[fill] / n[fill]
    keep = np.isfinite(x) & np.isfinite(y)
    return SupervisorLayer(
        ids=ids[keep],
        codes=tuple(r[1] for r, k in zip(rows, keep, strict=True) if k),
        names=tuple(r[2] for r, k in zip(rows, keep, strict=True) if k),
        x=x[keep],
        y=y[keep],
        has_fix=has_fix[keep],
    )


# --- per-cell measures for the choropleth ---------------------------------------------------------


def components_per_cell(snapshot: CitySnapshot) -> np.ndarray:
    idx = snapshot.components.cell_idx
    return np.bincount(idx[idx >= 0], minlength=len(snapshot.cells.codes)).astype(float)


def per_thousand_people(counts: np.ndarray, snapshot: CitySnapshot) -> np.ndarray:
    people = np.maximum(snapshot.cells.pop_night, snapshot.cells.pop_day).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(people > 0, counts * 1000.0 / people, np.nan)


# --- details (DTOs) -----------------------------------------------------------------------------------


def _code_name(session: Session, model, code: str | None) -> CodeName | None:
    if code is None:
        return None
    name = session.scalar(select(model.name).where(model.code == code))
    return CodeName(code, name or "")


def _open_cases(session: Session, *conditions) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Case).where(Case.state.not_in(FINISHED_CASE_STATES), *conditions)
        )
        or 0
    )


def cell_details(session: Session, code: str) -> CellDetails | None:
    cell = session.execute(
        select(
            GridCell.code,
            GridCell.legacy_code,
            GridCell.area_m2,
            GridCell.pop_day,
            GridCell.pop_night,
            GridCell.land_use,
            Supervisor.code,
            Supervisor.name,
        )
        .outerjoin(Supervisor, GridCell.supervisor_id == Supervisor.id)
        .where(GridCell.code == code)
    ).first()
    if cell is None:
        return None
    counts = session.execute(
        select(ComponentType.code, ComponentType.name, ComponentType.major_name, func.count())
        .join(Component, Component.type_code == ComponentType.code)
        .where(Component.cell_code == code)
        .group_by(ComponentType.code, ComponentType.name, ComponentType.major_name)
        .order_by(func.count().desc(), ComponentType.code)
    ).all()
    return CellDetails(
        code=cell[0],
        legacy_code=cell[1],
        community=_code_name(session, Community, code[:12]),
        street=_code_name(session, Street, code[:9]),
        district=_code_name(session, District, code[:6]),
        supervisor=CodeName(cell[6], cell[7]) if cell[6] else None,
        area_m2=float(cell[2] or 0),
        pop_day=int(cell[3] or 0),
        pop_night=int(cell[4] or 0),
        land_use=cell[5] or "",
        components=tuple(TypeCount(c, n, m, k) for c, n, m, k in counts),
        open_cases=_open_cases(session, Case.cell_code == code),
    )


def component_details(session: Session, component_id: str) -> ComponentDetails | None:
    owner, prop, maint = aliased(Department), aliased(Department), aliased(Department)
    row = session.execute(
        select(Component, ComponentType, owner.name, prop.name, maint.name)
        .join(ComponentType, Component.type_code == ComponentType.code)
        .join(owner, Component.owner_code == owner.code)
        .outerjoin(prop, Component.property_code == prop.code)
        .outerjoin(maint, Component.maintenance_code == maint.code)
        .where((Component.id == component_id) | (Component.legacy_id == component_id))
    ).first()
    if row is None:
        return None
    c, t, owner_name, prop_name, maint_name = row
    return ComponentDetails(
        id=c.id,
        legacy_id=c.legacy_id,
        type_code=t.code,
        gb_type_code=t.gb_code,
        legacy_type_code=t.legacy_code,
        type_name=t.name,
        major_name=t.major_name,
        name=c.name,
        state=c.state,
        owner=CodeName(c.owner_code, owner_name or ""),
        property_owner=CodeName(c.property_code, prop_name or "") if c.property_code else None,
        maintainer=CodeName(c.maintenance_code, maint_name or "") if c.maintenance_code else None,
        cell_code=c.cell_code,
        init_date=c.init_date,
        change_date=c.change_date,
        data_source=c.data_source,
        note=c.note,
        x=c.x,
        y=c.y,
        open_cases=_open_cases(session, Case.component_id == c.id),
    )


def fov_wedges(cams: CameraLayer, steps: int = 8) -> Rings:
    """Every camera's field-of-view wedge as closed rings, vectorised (apex, arc, apex)."""
    n = len(cams.x)
    xs, ys = wedge_rings(cams.x, cams.y, cams.heading_deg, cams.fov_deg, cams.range_m, steps)
    connect = np.ones(xs.shape, dtype=np.int32)
    connect[:, -1] = 0
    stop = np.arange(1, n + 1) * xs.shape[1]
    return Rings(xs.ravel(), ys.ravel(), connect.ravel(), stop - xs.shape[1], stop)


def camera_details(session: Session, snapshot: CitySnapshot | None, camera_id: str) -> CameraDetails | None:
    cam = session.execute(select(Camera).where(Camera.id == camera_id)).scalar_one_or_none()
    if cam is None:
        return None
    cells_seen = 0
    seen: tuple[TypeCount, ...] = ()
    if snapshot is not None:
        wx, wy = wedge_rings(cam.x, cam.y, cam.heading_deg, cam.fov_deg, cam.range_m, steps=12)
        wedge = shapely.polygons(np.column_stack([wx[0], wy[0]]))
        cells_seen = len(snapshot.grid.tree.query(wedge, predicate="intersects"))
        comp = snapshot.components
        lx, ly = snapshot.to_local(cam.x, cam.y)
        dx, dy = comp.x - lx, comp.y - ly
        near = np.flatnonzero(dx * dx + dy * dy <= cam.range_m**2)
        if len(near):
            bearing = np.degrees(np.arctan2(dx[near], dy[near]))
            off = (bearing - cam.heading_deg + 180.0) % 360.0 - 180.0
            inside = near[np.abs(off) <= cam.fov_deg / 2.0]
            kinds, counts = np.unique(comp.type_idx[inside], return_counts=True)
            order = np.argsort(-counts, kind="stable")
            seen = tuple(
                TypeCount(
                    comp.type_codes[kinds[i]],
                    comp.type_names[kinds[i]],
                    comp.majors[comp.type_majors[kinds[i]]],
                    int(counts[i]),
                )
                for i in order
            )
    return CameraDetails(
        id=cam.id,
        name=cam.name,
        status=cam.status,
        place=cam.place,
        heading_deg=cam.heading_deg,
        fov_deg=cam.fov_deg,
        range_m=cam.range_m,
        stream_url=cam.stream_url,
        cell_code=cam.cell_code,
        community=_code_name(session, Community, cam.cell_code[:12]) if cam.cell_code else None,
        cells_seen=cells_seen,
        components_seen=seen,
        x=cam.x,
        y=cam.y,
    )


def supervisor_details(
    session: Session, snapshot: CitySnapshot | None, supervisor_id: int
) -> SupervisorDetails | None:
    sup = session.get(Supervisor, supervisor_id)
    if sup is None:
        return None
    n_cells = (
        session.scalar(select(func.count()).select_from(GridCell).where(GridCell.supervisor_id == sup.id))
        or 0
    )
    x, y, has_fix = sup.last_x, sup.last_y, sup.last_x is not None and sup.last_y is not None
    if not has_fix and snapshot is not None:
        i = snapshot.supervisor_index(sup.id)
        if i >= 0:
            x, y = (
                float(v[0])
                for v in snapshot.to_city([snapshot.supervisors.x[i]], [snapshot.supervisors.y[i]])
            )
    return SupervisorDetails(
        id=sup.id,
        code=sup.code,
        name=sup.name,
        district=_code_name(session, District, sup.district_code),
        device_id=sup.device_id,
        last_seen=sup.last_seen,
        has_fix=has_fix,
        cells=n_cells,
        x=float(x or 0.0),
        y=float(y or 0.0),
    )


def city_overview(session: Session) -> CityOverview:
    return CityOverview(
        name=get_meta(session, "city_name", "") or "", crs=city_crs(session), counts=stats(session)
    )


def staff_list(session: Session) -> tuple[StaffEntry, ...]:
    rows = session.execute(
        select(Staff.login, Staff.name, Staff.role, Staff.district_code, Staff.department_code).order_by(
            Staff.role, Staff.login
        )
    ).all()
    return tuple(StaffEntry(*r) for r in rows)


# --- search -------------------------------------------------------------------------------------------


def _hit_from_bounds(snapshot: CitySnapshot, kind: str, key: str, label: str, b) -> SearchHit:
    minx, miny = (float(v[0]) for v in snapshot.to_city([b[0]], [b[1]]))
    maxx, maxy = (float(v[0]) for v in snapshot.to_city([b[2]], [b[3]]))
    return SearchHit(kind, key, label, (minx + maxx) / 2, (miny + maxy) / 2, (minx, miny, maxx, maxy))


def _point_hit(
    snapshot: CitySnapshot, kind: str, key: str, label: str, lx: float, ly: float, pad: float
) -> SearchHit:
    (x,), (y,) = snapshot.to_city([lx], [ly])
    return SearchHit(kind, key, label, float(x), float(y), (x - pad, y - pad, x + pad, y + pad))


# "#123", "＃123", "案123", "case 123": a case id and nothing else. A bare number is a case id only when
# it is no cell, component or area code.
_CASE_REF = re.compile(r"^(?:#|＃|案|case\s*)\s*(\d{1,18})$", re.IGNORECASE)
CASE_VIEW_PAD_M = 125.0


def _case_hit(session: Session, case_id: int) -> SearchHit | None:
    row = session.execute(select(Case.x, Case.y).where(Case.id == case_id)).first()
    if row is None:
        return None
    x, y, pad = float(row[0]), float(row[1]), CASE_VIEW_PAD_M
    return SearchHit("case", str(case_id), f"#{case_id}", x, y, (x - pad, y - pad, x + pad, y + pad))


def search(session: Session, snapshot: CitySnapshot, text: str) -> SearchHit | None:
    """Resolve what the user typed: a cell code (15 or 14 digits), a component id (17 or 16 digits), a
    camera id, a supervisor code, a district, street or community code or name, or a case id ("#123",
    "案123", or a bare number that is no code)."""
    q = text.strip()
    if not q:
        return None
    case_ref = _CASE_REF.match(q)
    if case_ref:
        return _case_hit(session, int(case_ref.group(1)))
    if q.isdigit():
        if len(q) in (14, 15):
            code = (
                q if len(q) == 15 else session.scalar(select(GridCell.code).where(GridCell.legacy_code == q))
            )
            i = snapshot.cell_index(code) if code else -1
            if i >= 0:
                return _hit_from_bounds(snapshot, "cell", code, code, snapshot.cells.bounds[i])
        if len(q) in (16, 17):
            cid = q if len(q) == 17 else None
            i = snapshot.component_index(cid) if cid else -1
            if i < 0:
                cid = session.scalar(
                    select(Component.id).where((Component.id == q) | (Component.legacy_id == q))
                )
                i = snapshot.component_index(cid) if cid else -1
            if i >= 0:
                comp = snapshot.components
                return _point_hit(snapshot, "component", cid, cid, comp.x[i], comp.y[i], 60.0)
        for level, n in (("district", 6), ("street", 9), ("community", 12)):
            if len(q) == n:
                layer = snapshot.area_layer(level)
                j = _sorted_index(layer.codes, q)
                if j >= 0:
                    return _hit_from_bounds(snapshot, level, q, layer.names[j], layer.bounds[j])
        if len(q) <= 18 and (hit := _case_hit(session, int(q))) is not None:
            return hit
    i = snapshot.camera_index(q)
    if i < 0:
        upper = q.upper()
        hits = [k for k, cid in enumerate(snapshot.cameras.ids) if str(cid).upper() == upper]
        i = hits[0] if hits else -1
    if i >= 0:
        cams = snapshot.cameras
        return _point_hit(snapshot, "camera", str(cams.ids[i]), str(cams.ids[i]), cams.x[i], cams.y[i], 250.0)
    sups = snapshot.supervisors
    for k, code in enumerate(sups.codes):
        if code == q or code.upper() == q.upper():
            return _point_hit(
                snapshot, "supervisor", str(int(sups.ids[k])), sups.names[k], sups.x[k], sups.y[k], 300.0
            )
    for level in ("district", "street", "community"):
        layer = snapshot.area_layer(level)
        for j, name in enumerate(layer.names):
            if name == q:
                return _hit_from_bounds(snapshot, level, str(layer.codes[j]), name, layer.bounds[j])
    for level in ("district", "street", "community"):
        layer = snapshot.area_layer(level)
        for j, name in enumerate(layer.names):
            if q in name:
                return _hit_from_bounds(snapshot, level, str(layer.codes[j]), name, layer.bounds[j])
    return None
