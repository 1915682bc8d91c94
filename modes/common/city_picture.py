"""The city as the map draws it: numpy layers, a point index, and what is computed from them alone.

A ``CitySnapshot`` holds the cells, areas, components, cameras, supervisors and roads as a few numpy
arrays per layer (``modes.common.city_loading`` reads it in a handful of column queries). 100,000
components as ORM objects would cost seconds and hundreds of megabytes; as five numpy columns they
cost a few megabytes. Map coordinates are *local*: the city CRS minus ``origin``, so that float paths
and pixel maths never lose precision on 7-digit northings. Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from data.geometry import wedge_rings
from data.models import ComponentState
from data.spatial import GridIndex
from modes.common.views import AreaDetails, CodeName

COMPONENT_STATES: tuple[str, ...] = tuple(s.value for s in ComponentState)
CAMERA_STATUSES: tuple[str, ...] = ("online", "offline", "fault")
AREA_LEVELS = ("district", "street", "community")


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

    def point_index(self, kind: str) -> PointIndex:
        """The points of ``components``, ``cameras`` or ``supervisors``, indexed (built on first use)."""
        tree = self._trees.get(kind)
        if tree is None:
            layer = getattr(self, kind)
            tree = self._trees[kind] = PointIndex(layer.x, layer.y)
        return tree

    def nearest(self, kind: str, x: float, y: float, radius: float, mask: np.ndarray | None = None) -> int:
        """Index of the nearest ``kind`` point within ``radius`` metres (among ``mask``), else -1."""
        return self.point_index(kind).nearest(x, y, radius, mask)

    # --- lookups -------------------------------------------------------------------------------------

    def area_layer(self, level: str) -> AreaLayer:
        """The districts, streets or communities, by level name (district | street | community)."""
        return {"district": self.districts, "street": self.streets, "community": self.communities}[level]

    def cell_index(self, code: str) -> int:
        return sorted_index(self.cells.codes, code)

    def component_index(self, component_id: str) -> int:
        return sorted_index(self.components.ids, component_id)

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


def sorted_index(sorted_codes: np.ndarray, code: str) -> int:
    if len(sorted_codes) == 0:
        return -1
    i = int(np.searchsorted(sorted_codes, code))
    return i if i < len(sorted_codes) and sorted_codes[i] == code else -1


def flatten_rings(polygons: np.ndarray, origin: tuple[float, float]) -> Rings:
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


def fov_wedges(cams: CameraLayer, steps: int = 8) -> Rings:
    """Every camera's field-of-view wedge as closed rings, vectorised (apex, arc, apex)."""
    n = len(cams.x)
    xs, ys = wedge_rings(cams.x, cams.y, cams.heading_deg, cams.fov_deg, cams.range_m, steps)
    connect = np.ones(xs.shape, dtype=np.int32)
    connect[:, -1] = 0
    stop = np.arange(1, n + 1) * xs.shape[1]
    return Rings(xs.ravel(), ys.ravel(), connect.ravel(), stop - xs.shape[1], stop)


# --- per-cell measures for the choropleth ---------------------------------------------------------


def components_per_cell(snapshot: CitySnapshot) -> np.ndarray:
    idx = snapshot.components.cell_idx
    return np.bincount(idx[idx >= 0], minlength=len(snapshot.cells.codes)).astype(float)


def per_thousand_people(counts: np.ndarray, snapshot: CitySnapshot) -> np.ndarray:
    people = np.maximum(snapshot.cells.pop_night, snapshot.cells.pop_day).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(people > 0, counts * 1000.0 / people, np.nan)


# --- areas and component filters ----------------------------------------------------------------------


def area_details(snapshot: CitySnapshot, level: str, code: str) -> AreaDetails | None:
    """A district, street or community summarised from its cells (None: no such area)."""
    if level not in AREA_LEVELS:
        return None
    layer = snapshot.area_layer(level)
    j = sorted_index(layer.codes, code)
    if j < 0:
        return None
    cells = snapshot.cells
    member = getattr(cells, level + "_idx") == j
    comp_cells = snapshot.components.cell_idx
    parent = None
    if level != "district":
        up = "district" if level == "street" else "street"
        parent_layer = snapshot.area_layer(up)
        k = sorted_index(parent_layer.codes, code[: 6 if up == "district" else 9])
        if k >= 0:
            parent = CodeName(str(parent_layer.codes[k]), parent_layer.names[k])
    return AreaDetails(
        level=level,
        code=code,
        name=layer.names[j],
        cells=int(member.sum()),
        pop_day=int(cells.pop_day[member].sum()),
        pop_night=int(cells.pop_night[member].sum()),
        area_m2=float(cells.area_m2[member].sum()),
        components=int(member[comp_cells[comp_cells >= 0]].sum()),
        parent=parent,
    )


def area_outline(snapshot: CitySnapshot, level: str, code: str) -> Rings | None:
    """The outline of an area (union of its cells) for highlighting it on the map."""
    if level not in AREA_LEVELS:
        return None
    layer = snapshot.area_layer(level)
    j = sorted_index(layer.codes, code)
    if j < 0:
        return None
    member = np.flatnonzero(getattr(snapshot.cells, level + "_idx") == j)
    polys = snapshot.grid.polygons[member]
    try:
        union = shapely.coverage_union_all(polys)
    except Exception:  # noqa: BLE001 - not a clean coverage: a general union is slower but works
        union = shapely.union_all(polys)
    return flatten_rings(np.array([union], dtype=object), snapshot.origin)


def component_mask(
    snapshot: CitySnapshot, majors: set[int], states: set[int], type_code: str | None
) -> np.ndarray:
    """Which components to show: of the major classes ``majors`` (indices into ``components.majors``),
    in the states ``states`` (indices into ``COMPONENT_STATES``) and, given one, of the type ``type_code``."""
    comp = snapshot.components
    major_ok = np.zeros(max(len(comp.majors), 1), dtype=bool)
    major_ok[[m for m in majors if 0 <= m < len(major_ok)]] = True
    state_ok = np.zeros(len(COMPONENT_STATES), dtype=bool)
    state_ok[[s for s in states if 0 <= s < len(state_ok)]] = True
    mask = major_ok[comp.major_idx] & state_ok[comp.state_idx]
    if type_code:
        t = comp.type_codes.index(type_code) if type_code in comp.type_codes else -1
        mask &= comp.type_idx == t
    return mask
