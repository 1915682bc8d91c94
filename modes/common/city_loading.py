"""Reading the city's picture (``modes.common.city_picture.CitySnapshot``) from the database.

A handful of column queries, no ORM objects for the big tables; it runs in a worker thread and takes
its own session. Given an executor by its caller (the console hands it one), the components' columns
come from that executor's thread on their own connection meanwhile; without one, one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import LargeBinary, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from data.city import city_crs, get_meta
from data.geometry import WGS84, transformer
from data.models import (
    Camera,
    Community,
    Component,
    ComponentType,
    District,
    GridCell,
    Road,
    Street,
    Supervisor,
)
from data.spatial import GridIndex
from modes.common.city_picture import (
    CAMERA_STATUSES,
    COMPONENT_STATES,
    AreaLayer,
    CameraLayer,
    CellLayer,
    CitySnapshot,
    ComponentLayer,
    Rings,
    SupervisorLayer,
    flatten_rings,
)

Progress = Callable[[str, float], None]


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
        boundary = flatten_rings(polys, origin)
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


class _Now:
    """A ``Future``'s ``result()`` of a call made at once: the loader without an executor."""

    def __init__(self, fn: Callable, *args) -> None:
        self._value = fn(*args)

    def result(self):
        return self._value


def load_snapshot(
    session: Session, progress: Progress | None = None, *, executor: Executor | None = None
) -> CitySnapshot:
    """Read the whole map in a handful of column queries (no ORM objects for the big tables).

    ``executor``: where the component columns (one SQLite step, without the GIL) and the lon/lat
    transformer (PROJ) are read, on their own connection, while this thread builds cells and boundaries.
    The caller owns it (the rules start no threads); without one they are read here first."""
    report = progress or (lambda stage, fraction: None)
    crs = city_crs(session)
    name = get_meta(session, "city_name", "") or get_meta(session, "name", "") or ""
    engine = session.get_bind()
    submit: Callable[..., Future | _Now] = executor.submit if executor is not None else _Now
    component_columns = submit(_component_columns_on, engine)
    to_lonlat = submit(transformer, crs, WGS84)

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
    rings = flatten_rings(polygons, origin)
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
    cameras = load_cameras(session, origin)
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
        snapshot.point_index(kind)  # built here, in the loading thread, not on the first hover
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


def load_cameras(session: Session, origin: tuple[float, float]) -> CameraLayer:
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
