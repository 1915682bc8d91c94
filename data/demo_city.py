"""The demo city: Harbin's digital urban-management grid of the seed era (2006-2009), generated.

No openly licensed boundary of Harbin's districts exists, so the geometry is invented, at Harbin's real
place and in its metric CRS: the Songhua river runs west to east with Songbei and Hulan north of it and
the five other districts south of it. District codes and names are the seed era's; street offices take
their real codes and names from the NBS list (``standards/harbin_streets_nbs2023.csv``).

The grid is built bottom-up so every level tiles the one above exactly: a Lloyd-relaxed Voronoi
tessellation of the land gives the cells; connected groups of cells, grown over the cells' adjacency
graph from seeds (an additively weighted graph Voronoi, balanced to target sizes), give the districts,
then the streets inside each district, the communities inside each street and the supervisors' patches.
Communities, streets and districts are the coverage unions of their cells.

Everything random comes from ``numpy.random.default_rng(seed)``, and the geometry from deterministic
GEOS operations on a 1 mm grid, so one seed gives the same city byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
import shapely.affinity
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data import journal
from data.city import has_city, set_city_crs, set_meta
from data.codes import (
    STANDARDS_DIR,
    component_ids,
    component_type_rows,
    event_type_rows,
    legacy_cell_code,
    load_types,
)
from data.departments import (
    DEPARTMENTS,
    event_assignments,
    maintainer_for_component_type,
    owner_for_component_type,
)
from data.errors import CityExists, InputError
from data.geometry import HARBIN_CRS, WGS84, transformer
from data.models import (
    DEMO_STREAM_PREFIX,
    Camera,
    CameraStatus,
    Community,
    Component,
    ComponentState,
    ComponentType,
    Department,
    District,
    EventAssignment,
    GridCell,
    Road,
    Role,
    Staff,
    StaffCredential,
    Street,
    Supervisor,
)
from data.passwords import hash_password
from data.spatial import GridIndex

Progress = Callable[[str, float], None]
# The stage names ``progress`` receives, in order ("components" twice: generated, then written).
STAGES = (
    "land and river",
    "grid cells",
    "districts",
    "streets and communities",
    "cell codes",
    "roads and land use",
    "supervisors",
    "cameras",
    "components",
    "organisation",
    "departments and types",
    "supervisors and cells",
    "journal",
    "done",
)

# Every demo login's password (README, "Logging in"; printed by ``seed``). Hashed once per seeding and
# that one hash stored for every demo login: thousands of Argon2id hashes would take minutes.
DEMO_PASSWORD = "sanwei-demo"
DEPUTY_CIVIL_DEFENCE = "city_civil_defence_deputy"  # the second officer the two-person rule's alarms need
DRILL_COORDINATOR = "city_drill"  # runs the exercises (演练导调), at the municipal centre only
# The roles every centre and district has a login for; the drill coordinator is added once, last. An
# Open311 application is no person: it has an API key, not a login (modes/common/app_keys.py).
_SEAT_ROLES = tuple(r for r in Role if r not in (Role.DRILL, Role.APP))
ORIGIN_LONLAT = (126.65, 45.72)  # Harbin's built-up core
GRID_M = 0.001  # every vertex on a 1 mm grid, so neighbouring cells share their edges exactly
ROW_BAND_M = 150.0  # cells are numbered in rows of this height, north to south, then west to east
MIN_SHARED_EDGE_M = 0.5  # cells touching along less than this are not neighbours
SURVEY_START = dt.date(2006, 3, 1)  # the component census ran while the system was being built
SURVEY_END = dt.date(2007, 10, 31)
LAST_CHANGE = dt.date(2009, 9, 30)


# --- the plans -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    name_en: str
    area_km2: float  # its share of the managed area, which also sets its number of street offices
    north: bool  # north of the Songhua
    anchor: tuple[float, float]  # where it grows from, as fractions of its bank's bounding box (x, y)
    industrial: float = 0.03  # share of its cells in industrial use


@dataclass(frozen=True)
class Scale:
    name: str
    districts: tuple[DistrictPlan, ...]
    streets: int
    communities: int
    cells: int
    supervisors: int
    cameras: int
    components: int
    pop_night: int
    pop_day: int
    river_half_width_m: float
    lloyd_iterations: int

    @property
    def area_km2(self) -> float:
        return sum(d.area_km2 for d in self.districts)


_DAOLI = DistrictPlan("230102", "道里区", "Daoli", 36.0, False, (0.22, 0.78))
_NANGANG = DistrictPlan("230103", "南岗区", "Nangang", 38.0, False, (0.45, 0.5))
_SONGBEI = DistrictPlan("230109", "松北区", "Songbei", 16.0, True, (0.28, 0.5))

SCALES: dict[str, Scale] = {
    # The seed article's figures: 176 km2, 7 districts, 83 street offices, 480 communities, 7,030 cells,
    # 963 supervisors, 1,150 cameras (domain.md section 1).
    "harbin": Scale(
        name="harbin",
        districts=(
            _DAOLI,
            _NANGANG,
            DistrictPlan("230104", "道外区", "Daowai", 30.0, False, (0.74, 0.8), industrial=0.08),
            DistrictPlan("230108", "平房区", "Pingfang", 12.0, False, (0.42, 0.04), industrial=0.45),
            _SONGBEI,
            DistrictPlan("230110", "香坊区", "Xiangfang", 32.0, False, (0.8, 0.35), industrial=0.18),
            DistrictPlan("230111", "呼兰区", "Hulan", 12.0, True, (0.82, 0.6), industrial=0.1),
        ),
        streets=83,
        communities=480,
        cells=7030,
        supervisors=963,
        cameras=1150,
        components=108_000,
        pop_night=3_450_000,
        pop_day=3_900_000,
        river_half_width_m=450.0,
        lloyd_iterations=5,
    ),
    # A few km2 with the same code rules, quick enough for tests.
    "small": Scale(
        name="small",
        districts=(
            replace(_DAOLI, area_km2=2.0, anchor=(0.2, 0.6)),
            replace(_NANGANG, area_km2=1.75, anchor=(0.8, 0.4)),
            replace(_SONGBEI, area_km2=1.25, anchor=(0.5, 0.5)),
        ),
        streets=6,
        communities=12,
        cells=200,
        supervisors=20,
        cameras=30,
        components=3000,
        pop_night=110_000,
        pop_day=125_000,
        river_half_width_m=200.0,
        lloyd_iterations=5,
    ),
}


# --- small pure helpers ----------------------------------------------------------------------------


def reading_order(xs: np.ndarray, ys: np.ndarray, top: float, band: float = ROW_BAND_M) -> np.ndarray:
    """Indices putting points in reading order: rows of ``band`` metres from ``top`` down, west to east."""
    rows = np.floor((top - np.asarray(ys, dtype=float)) / band)
    return np.lexsort((np.asarray(xs, dtype=float), rows))


def apportion(total: int, weights, caps=None, minimum: int = 1) -> np.ndarray:
    """Whole numbers summing to ``total``, proportional to ``weights`` (largest remainder), each at least
    ``minimum`` and at most its cap."""
    w = np.asarray(weights, dtype=float)
    cap = np.full(len(w), total, dtype=np.int64) if caps is None else np.asarray(caps, dtype=np.int64)
    if minimum * len(w) > total or cap.sum() < total:
        raise ValueError(
            f"cannot share {total} among {len(w)} with minimum {minimum} and caps {cap.tolist()}"
        )
    ideal = total * w / w.sum()
    out = np.clip(np.floor(ideal).astype(np.int64), minimum, cap)
    while (short := total - int(out.sum())) != 0:
        # Units go to (or come from) the parts furthest from their ideal share; ties to the first.
        if short > 0:
            room = np.flatnonzero(out < cap)
            pick = room[np.argsort(-(ideal[room] - out[room]), kind="stable")][:short]
            out[pick] += 1
        else:
            room = np.flatnonzero(out > minimum)
            pick = room[np.argsort(-(out[room] - ideal[room]), kind="stable")][:-short]
            out[pick] -= 1
    return out


def _smooth_field(rng: np.random.Generator, length_m: float, waves: int = 6):
    """A smooth random field in [-1, 1] with features of about ``length_m``: a sum of plane waves."""
    angles = rng.uniform(0, 2 * np.pi, waves)
    wavelengths = length_m * rng.uniform(0.5, 1.5, waves)
    phases = rng.uniform(0, 2 * np.pi, waves)
    kx = 2 * np.pi * np.cos(angles) / wavelengths
    ky = 2 * np.pi * np.sin(angles) / wavelengths

    def field_at(x, y) -> np.ndarray:
        x = np.asarray(x, dtype=float)[..., None]
        y = np.asarray(y, dtype=float)[..., None]
        return np.sin(x * kx + y * ky + phases).sum(axis=-1) / waves

    return field_at


# --- land and river --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Land:
    south: shapely.Polygon
    north: shapely.Polygon
    river: shapely.Polygon  # the water between the banks
    centreline: shapely.LineString
    half_width_m: float
    size_m: float  # the city's radius-like length, for scaling features


def _blob(rng: np.random.Generator, ax: float, ay: float, cx: float, cy: float) -> np.ndarray:
    """The outline of a gently irregular ellipse (a few low harmonics on the radius)."""
    theta = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 6):
        radius += rng.uniform(0.04, 0.09) / (k - 1) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return np.column_stack([cx + ax * radius * np.cos(theta), cy + ay * radius * np.sin(theta)])


def _make_land(scale: Scale, rng: np.random.Generator, origin: tuple[float, float]) -> _Land:
    """Two banks of a river whose areas are the plan's north and south areas.

    The built-up area is a large blob on the south bank joined to a smaller one on the north bank (the
    core of Harbin is south of the Songhua); the river is placed between them so that the north bank
    gets its share, and the whole is scaled to the planned area.
    """
    joined = shapely.union(
        shapely.Polygon(_blob(rng, 1.45, 0.8, 0.0, 0.0)), shapely.Polygon(_blob(rng, 1.0, 0.5, 0.15, 0.95))
    )
    outline_u = shapely.buffer(shapely.buffer(joined, 0.2, quad_segs=8), -0.2, quad_segs=8)  # round the joins
    river_x_u = np.linspace(-2.2, 2.2, 221)
    wiggle = 0.05 * np.sin(2.2 * river_x_u + rng.uniform(0, 2 * np.pi)) + 0.02 * np.sin(
        4.7 * river_x_u + rng.uniform(0, 2 * np.pi)
    )
    river_y_u = 0.06 * river_x_u + wiggle  # the Songhua runs a little south-west to north-east here

    north_share = sum(d.area_km2 for d in scale.districts if d.north) / scale.area_km2
    target_m2 = scale.area_km2 * 1e6
    ox, oy = origin
    half_width = scale.river_half_width_m

    def banks(size: float, offset: float):
        outline = shapely.affinity.affine_transform(outline_u, [size, 0, 0, size, ox, oy])
        xs, ys = river_x_u * size + ox, (river_y_u + offset) * size + oy
        line = shapely.LineString(np.column_stack([xs, ys]))
        river = shapely.buffer(line, half_width, cap_style="flat")
        north, south = [shapely.Polygon()], [shapely.Polygon()]
        for part in shapely.get_parts(shapely.difference(outline, river)):
            px, py = part.representative_point().coords[0]
            (north if py > np.interp(px, xs, ys) else south).append(part)
        # Stray slivers where the river grazes the shore are dropped; the largest piece is the bank.
        pick = max(north, key=lambda p: p.area), max(south, key=lambda p: p.area)
        return pick, line, shapely.intersection(river, outline.envelope)

    size = np.sqrt(target_m2 / outline_u.area)
    for _ in range(3):
        low, high = -0.5, 1.4  # the river's offset, as a fraction of size; higher = further north
        for _ in range(20):
            mid = (low + high) / 2
            (north, south), _, _ = banks(size, mid)
            if north.area / (north.area + south.area) > north_share:
                low = mid
            else:
                high = mid
        size *= np.sqrt(target_m2 / (north.area + south.area))
    (north, south), line, river = banks(size, (low + high) / 2)
    north, south = (shapely.set_precision(p, GRID_M) for p in (north, south))
    return _Land(
        south=south, north=north, river=river, centreline=line, half_width_m=half_width, size_m=float(size)
    )


# --- cells -----------------------------------------------------------------------------------------


def _sample_in(region, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * (n - have) + 16, 2))
        xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
        found.append(xy)
        have += len(xy)
    return np.concatenate(found)[:n]


def _tessellate(region, n: int, rng: np.random.Generator, iterations: int) -> np.ndarray:
    """``n`` cells of about equal area exactly tiling ``region``: Voronoi cells relaxed by Lloyd."""
    points = _sample_in(region, n, rng)
    shapely.prepare(region)
    minx, miny, maxx, maxy = region.bounds
    frame = shapely.box(minx - 2000, miny - 2000, maxx + 2000, maxy + 2000)
    for step in range(iterations + 1):
        last = step == iterations
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
        )
        # Only cells at the shore need clipping; the others are inside the land already.
        edge = ~shapely.contains_properly(region, cells)
        cells[edge] = shapely.intersection(cells[edge], region)
        if not last:
            points = shapely.get_coordinates(shapely.centroid(cells))
    return _fold_fragments(_snap_to_grid(cells))


def _snap_to_grid(geoms: np.ndarray) -> np.ndarray:
    """Round every vertex to the 1 mm grid (as GEOS's fixed precision does), repairing what that breaks."""
    snapped = shapely.transform(geoms, lambda c: np.round(c / GRID_M) * GRID_M)
    broken = ~shapely.is_valid(snapped)
    if broken.any():
        snapped[broken] = shapely.set_precision(geoms[broken], GRID_M)
    return snapped


def _fold_fragments(cells: np.ndarray) -> np.ndarray:
    """Give the outlying pieces of a cell that the shore cut in two to the neighbour they touch most."""
    multi = np.flatnonzero(shapely.get_type_id(cells) != shapely.GeometryType.POLYGON)
    if len(multi) == 0:
        return cells
    cells = cells.copy()
    for i in multi:
        parts = sorted(shapely.get_parts(cells[i]), key=lambda p: -p.area)
        cells[i] = parts[0]
        for part in parts[1:]:
            near = shapely.STRtree(cells).query(part, predicate="intersects")
            near = near[near != i]
            if len(near) == 0:
                cells[i] = shapely.union(cells[i], part, grid_size=GRID_M)
                continue
            shared = shapely.length(shapely.intersection(cells[near], part))
            j = near[int(np.argmax(shared))]
            cells[j] = shapely.union(cells[j], part, grid_size=GRID_M)
    return cells


def _cell_graph(cells: np.ndarray, xy: np.ndarray, roughness) -> csr_matrix:
    """Neighbours are cells with a boundary segment in common. On the 1 mm grid a shared edge has the
    same vertices in both cells, so matching segments finds them without a costly overlay per pair."""
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(cells), return_index=True)
    mm = np.round(coords * 1000).astype(np.int64)
    same_ring = ring[1:] == ring[:-1]
    p, q, owner = mm[:-1][same_ring], mm[1:][same_ring], ring[:-1][same_ring]
    length = np.hypot(*(coords[1:][same_ring] - coords[:-1][same_ring]).T)
    swap = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
    lo = np.where(swap[:, None], q, p)
    hi = np.where(swap[:, None], p, q)
    order = np.lexsort((owner, hi[:, 1], hi[:, 0], lo[:, 1], lo[:, 0]))
    key = np.column_stack([lo, hi])[order]
    twin = (key[1:] == key[:-1]).all(axis=1)
    a, b = owner[order][:-1][twin], owner[order][1:][twin]
    shared = length[order][:-1][twin]
    keep = a != b
    n = len(cells)
    shared_len = coo_matrix(
        (shared[keep], (np.minimum(a, b)[keep], np.maximum(a, b)[keep])), shape=(n, n)
    ).tocsr()
    shared_len.sum_duplicates()
    upper = shared_len.tocoo()
    keep = upper.data > MIN_SHARED_EDGE_M
    a, b = upper.row[keep], upper.col[keep]
    mid = (xy[a] + xy[b]) / 2
    # A cost that varies smoothly over the city bends the boundaries grown over the graph.
    cost = np.hypot(*(xy[a] - xy[b]).T) * np.exp(1.2 * roughness(mid[:, 0], mid[:, 1]))
    both = (np.concatenate([cost, cost]), (np.concatenate([a, b]), np.concatenate([b, a])))
    return coo_matrix(both, shape=(n, n)).tocsr()


def _kmeans_seeds(xy: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``k`` distinct points spread evenly over ``xy`` (k-means++, then Lloyd)."""
    xy = xy - xy.mean(axis=0)  # metric coordinates are in the millions; keep the squares precise
    centres = np.empty((k, 2))
    centres[0] = xy[rng.integers(len(xy))]
    d2 = ((xy - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        total = d2.sum()
        centres[j] = xy[rng.choice(len(xy), p=d2 / total) if total > 0 else rng.integers(len(xy))]
        d2 = np.minimum(d2, ((xy - centres[j]) ** 2).sum(axis=1))
    for _ in range(10):
        # |p - c|^2 = |c|^2 - 2 p.c + |p|^2, and |p|^2 does not change the nearest centre.
        label = ((centres**2).sum(axis=1)[None, :] - 2 * xy @ centres.T).argmin(axis=1)
        count = np.bincount(label, minlength=k)
        used = count > 0
        for axis in (0, 1):
            centres[used, axis] = np.bincount(label, weights=xy[:, axis], minlength=k)[used] / count[used]
    return _nearest_distinct(xy, centres)


def _nearest_distinct(xy: np.ndarray, targets: np.ndarray) -> np.ndarray:
    taken: set[int] = set()
    out = []
    for t in targets:
        for i in np.argsort(((xy - t) ** 2).sum(axis=1), kind="stable"):
            if int(i) not in taken:
                taken.add(int(i))
                out.append(int(i))
                break
    return np.array(out, dtype=np.int64)


def _partition(
    graph: csr_matrix,
    members: np.ndarray,
    k: int,
    xy: np.ndarray,
    rng: np.random.Generator,
    *,
    targets: np.ndarray | None = None,
    anchors: np.ndarray | None = None,
) -> np.ndarray:
    """Split ``members`` (cell indices, connected) into ``k`` connected parts near the target sizes.

    Each cell joins the seed it is cheapest to reach plus that seed's offset; raising the offset of a
    part that is too big shrinks it. A cell's predecessor on its cheapest path then belongs to the
    same part, so every part is connected (ties aside, which ``_repair_connectivity`` settles).
    """
    m = len(members)
    if k == 1:
        return np.zeros(m, dtype=np.int64)
    sub = graph[members][:, members]
    local_xy = xy[members]
    seeds = _nearest_distinct(local_xy, anchors) if anchors is not None else _kmeans_seeds(local_xy, k, rng)
    want = np.full(k, m / k) if targets is None else np.asarray(targets, dtype=float)
    cost = dijkstra(sub, directed=False, indices=seeds)
    if not np.isfinite(cost).all():
        raise RuntimeError("cannot partition cells that are not connected")
    step = float(np.median(sub.data)) * np.sqrt(want.mean())
    offset = np.zeros(k)
    best, best_error = None, np.inf
    for _ in range(60):
        label = np.argmin(cost + offset[:, None], axis=0)
        size = np.bincount(label, minlength=k)
        error = (size - want) / want
        worst = float(np.abs(error).max())
        if worst < best_error:
            best, best_error = label, worst
        if worst < 0.04:
            break
        offset += step * error
        step *= 0.93
    label = best.copy()
    label[seeds] = np.arange(k)
    coo = sub.tocoo()
    return _repair_connectivity(coo.row, coo.col, label, k)


def _repair_connectivity(a: np.ndarray, b: np.ndarray, label: np.ndarray, k: int) -> np.ndarray:
    """Move every piece of a part that is cut off from the part's main piece to a neighbouring part."""
    n = len(label)
    label = label.copy()
    while True:
        same = label[a] == label[b]
        pieces, piece = connected_components(
            coo_matrix((np.ones(same.sum()), (a[same], b[same])), shape=(n, n)), directed=False
        )
        piece_size = np.bincount(piece, minlength=pieces)
        # The main piece of each part is its largest (the first such on a tie).
        order = np.lexsort((np.arange(n), -piece_size[piece], label))
        main_piece = np.full(k, -1)
        first = np.r_[True, label[order][1:] != label[order][:-1]]
        main_piece[label[order][first]] = piece[order][first]
        is_main = piece == main_piece[label]
        if is_main.all():
            return label
        moved = False
        cross = ~is_main[a] & is_main[b]
        for p in np.unique(piece[a[cross]]):
            neighbours = label[b[cross & (piece[a] == p)]]
            label[piece == p] = np.bincount(neighbours).argmax()
            moved = True
        if not moved:  # pieces that touch only other stray pieces wait for a later round
            raise RuntimeError("connectivity repair made no progress")


# --- roads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RoadPlan:
    name: str
    points: tuple[tuple[float, float], ...]  # fractions of the bank's bounding box
    north: bool = False


_ARTERIALS = (
    _RoadPlan("新阳路", ((0.02, 0.66), (0.2, 0.7), (0.36, 0.74))),
    _RoadPlan("经纬街", ((0.3, 0.98), (0.31, 0.72), (0.36, 0.5))),
    _RoadPlan("西大直街", ((0.05, 0.5), (0.25, 0.56), (0.46, 0.6))),
    _RoadPlan("东大直街", ((0.46, 0.6), (0.66, 0.62), (0.96, 0.58))),
    _RoadPlan("中山路", ((0.44, 0.72), (0.58, 0.46), (0.72, 0.22), (0.8, 0.02))),
    _RoadPlan("学府路", ((0.44, 0.6), (0.32, 0.36), (0.2, 0.1))),
    _RoadPlan("红旗大街", ((0.78, 0.98), (0.8, 0.6), (0.84, 0.2))),
    _RoadPlan("哈平路", ((0.56, 0.5), (0.5, 0.25), (0.44, 0.0))),
    _RoadPlan("长江路", ((0.1, 0.3), (0.45, 0.32), (0.95, 0.36))),
    _RoadPlan("世茂大道", ((0.0, 0.45), (0.5, 0.5), (1.0, 0.55)), north=True),
    _RoadPlan("利民大道", ((0.6, 0.0), (0.75, 0.55), (0.9, 1.0)), north=True),
)
_RINGS = (("一环路", 0.1), ("二环路", 0.2), ("三环路", 0.36))  # x radius as a share of the south bank's width
_BRIDGES = (("阳明滩大桥", 0.25), ("松花江公路大桥", 0.5), ("松浦大桥", 0.72))


def _frac_to_xy(bank, fx: float, fy: float) -> tuple[float, float]:
    minx, miny, maxx, maxy = bank.bounds
    return minx + fx * (maxx - minx), miny + fy * (maxy - miny)


def _pieces_on(line, bank, min_length: float) -> list[shapely.LineString]:
    clipped = shapely.line_merge(shapely.intersection(line, bank, grid_size=GRID_M))
    return [p for p in shapely.get_parts(clipped) if p.geom_type == "LineString" and p.length >= min_length]


def _make_roads(land: _Land, core: tuple[float, float]) -> list[dict]:
    min_length = 0.04 * land.size_m
    roads: list[dict] = []
    # The embankment road follows the south shore.
    shore = shapely.offset_curve(land.centreline, -(land.half_width_m + 0.035 * land.size_m))
    roads += [
        {"name": "友谊路", "kind": "main", "geometry": p} for p in _pieces_on(shore, land.south, min_length)
    ]
    for plan in _ARTERIALS:
        bank = land.north if plan.north else land.south
        line = shapely.LineString([_frac_to_xy(bank, *p) for p in plan.points])
        roads += [
            {"name": plan.name, "kind": "main", "geometry": p} for p in _pieces_on(line, bank, min_length)
        ]
    minx, miny, maxx, maxy = land.south.bounds
    theta = np.linspace(0, 2 * np.pi, 181)
    for name, r in _RINGS:
        ring = shapely.LineString(
            np.column_stack(
                [
                    core[0] + r * (maxx - minx) * np.cos(theta),
                    core[1] + 0.6 * r * (maxx - minx) * np.sin(theta),
                ]
            )
        )
        roads += [
            {"name": name, "kind": "main", "geometry": p} for p in _pieces_on(ring, land.south, min_length)
        ]
    # Bridges: straight across where both banks face each other, from shore road to shore road.
    nminx, _, nmaxx, _ = land.north.bounds
    lo, hi = max(minx, nminx), min(maxx, nmaxx)
    reach = land.half_width_m + 0.04 * land.size_m
    for name, f in _BRIDGES:
        x = lo + f * (hi - lo)
        y = float(np.interp(x, *land.centreline.xy))
        roads.append(
            {"name": name, "kind": "bridge", "geometry": shapely.LineString([(x, y - reach), (x, y + reach)])}
        )
    for r in roads:
        r["geometry"] = shapely.set_precision(r["geometry"], GRID_M)
    return roads


# --- people and names ------------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志海波宁辉斌帅晶博丹雪峰亮林春立新彬宇浩凯琳莉东"
_COMMUNITY_FIRST = "新和安建兴民康福光永长华东西南中文景春嘉荣胜通顺丰德平龙松江阳明清金宏红前友工曙"
_COMMUNITY_SECOND = "阳华平安乐兴和康泰园苑城林河桥江源丰盛新民福明光山湖花里府"


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    surnames = rng.integers(len(_SURNAMES), size=n)
    given = rng.integers(len(_GIVEN), size=(n, 2))
    two = rng.random(n) < 0.7
    return [
        _SURNAMES[s] + _GIVEN[g[0]] + (_GIVEN[g[1]] if t else "")
        for s, g, t in zip(surnames.tolist(), given.tolist(), two.tolist(), strict=True)
    ]


def _community_names(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [a + b for a in _COMMUNITY_FIRST for b in _COMMUNITY_SECOND if a != b]
    if n > len(pairs):
        raise ValueError(f"only {len(pairs)} community names for {n} communities")
    return [pairs[i] + "社区" for i in rng.permutation(len(pairs))[:n].tolist()]


def _imei(rng: np.random.Generator) -> str:
    """A 15-digit device id with a Luhn check digit, as the handhelds (城管通) report."""
    body = "86" + "".join(str(d) for d in rng.integers(0, 10, 12).tolist())
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def street_offices() -> dict[str, list[tuple[str, str]]]:
    """The real street offices (街道) of each district: (9-digit code, name) in code order."""
    out: dict[str, list[tuple[str, str]]] = {}
    with open(STANDARDS_DIR / "harbin_streets_nbs2023.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if int(row["code"][6:9]) < 100:  # 1xx towns, 2xx townships, 4xx/5xx special areas
                out.setdefault(row["areaCode"], []).append((row["code"], row["name"]))
    return {k: sorted(v) for k, v in out.items()}


# --- what is placed where --------------------------------------------------------------------------

# Component types by standard name: (weight per 100,000, placement). "road": along the main roads and
# the streets between cells; "edge": along the streets between cells (cells are bounded by streets);
# "area": anywhere in a cell, weighted by people; "green": in parks and on the waterfront.
_COMPONENT_MIX: dict[str, tuple[float, str]] = {
    "行道树": (21000, "road"), "路灯": (10500, "road"), "污水井盖": (7000, "edge"), "雨水箅子": (6500, "road"),
    "雨水井盖": (5500, "edge"), "垃圾箱": (5000, "edge"), "通信井盖": (4500, "edge"), "供水井盖": (4000, "edge"),
    "热力井盖": (3500, "edge"), "电力立杆": (3500, "edge"), "电力井盖": (3000, "edge"),
    "交通标志牌及标线": (2500, "road"), "牌匾标识": (2500, "edge"), "消防设施": (1800, "edge"),
    "燃气井盖": (1500, "edge"), "通信立杆": (1500, "edge"), "交通护栏": (1500, "road"), "路名牌": (1500, "edge"),
    "护树设施": (1500, "road"), "户外广告": (1500, "road"), "独立树": (1500, "green"), "街头座椅": (1200, "green"),
    "路灯井盖": (1000, "road"), "通信交接箱": (1000, "edge"), "公交站设施": (900, "road"), "变压器（箱）": (900, "area"),
    "电视井盖": (800, "edge"), "绿地": (800, "green"), "户外健身设施": (700, "green"), "交通信号灯": (600, "road"),
    "电话亭": (600, "edge"), "花架花钵": (600, "area"), "绿地护栏": (600, "green"), "监控电子眼设施": (500, "road"),
    "报刊亭": (450, "edge"), "不明井盖": (400, "edge"), "宣传栏": (400, "area"), "化粪池": (400, "area"),
    "公共厕所": (350, "area"), "邮筒": (350, "edge"), "公安井盖": (300, "edge"), "垃圾间（楼）": (300, "area"),
    "存车支架": (300, "area"), "人防工事": (300, "area"), "停车场": (250, "area"), "停车计费设备": (200, "road"),
    "燃气调压站（箱）": (200, "area"), "应急避难指示牌": (200, "edge"), "自动售货机": (150, "area"),
    "公房地下室": (150, "area"), "环卫工具间（箱）": (150, "edge"), "出租车停靠站": (100, "road"),
    "售货亭": (60, "area"), "信息亭": (60, "area"), "古树名木": (60, "green"), "雕塑": (80, "green"),
    "过街天桥": (40, "road"), "喷泉": (40, "green"), "地下通道": (25, "road"),
}  # fmt: skip

_STATES = (
    ComponentState.INTACT,
    ComponentState.DAMAGED,
    ComponentState.LOST,
    ComponentState.ABANDONED,
    ComponentState.REMOVED,
)
_STATE_P = (0.925, 0.045, 0.01, 0.01, 0.01)
_COVER_STATE_P = (0.91, 0.05, 0.025, 0.0075, 0.0075)  # manhole covers are what goes missing
_DATA_SOURCES = ("实测", "地形图", "基础地理数据", "其他")
_DATA_SOURCE_P = (0.7, 0.15, 0.1, 0.05)

# Per land use: residents (night) and people present by day per m2, relative; how much street
# furniture its streets carry; how green it is. Weights, not densities: totals come from the plan.
_LAND_USE_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    #               night  day  street  green
    "residential": (1.0,  0.55, 1.0,  0.5),
    "commercial":  (0.35, 2.6,  1.7,  0.25),
    "mixed":       (0.8,  1.3,  1.3,  0.35),
    "industrial":  (0.06, 1.2,  0.45, 0.25),
    "park":        (0.03, 0.35, 0.6,  6.0),
    "waterfront":  (0.2,  0.8,  0.8,  4.0),
    "campus":      (0.6,  1.1,  0.8,  2.0),
}  # fmt: skip


LAND_USES = tuple(_LAND_USE_WEIGHTS)


def _land_use_weight(land_use: list[str], column: int) -> np.ndarray:
    return np.array([_LAND_USE_WEIGHTS[u][column] for u in land_use])


_CAMERA_STATUS = (CameraStatus.ONLINE, CameraStatus.OFFLINE, CameraStatus.FAULT)
_CAMERA_STATUS_P = (0.92, 0.05, 0.03)

# --- the generated city ----------------------------------------------------------------------------


@dataclass
class DemoCity:
    """Rows ready to insert, and the summary. ``cells[i]["supervisor"]`` indexes ``supervisors``."""

    scale: Scale
    seed: int
    departments: list[dict]
    districts: list[dict]
    streets: list[dict]
    communities: list[dict]
    supervisors: list[dict]
    cells: list[dict]
    roads: list[dict]
    cameras: list[dict]
    components: list[dict]
    staff: list[dict]
    component_owner: dict[str, str]  # component type code -> owner department
    summary: dict = field(default_factory=dict)


def _no_progress(stage: str, fraction: float) -> None:
    return None


def generate_city(scale: str | Scale = "harbin", seed: int = 1, progress: Progress | None = None) -> DemoCity:
    """Generate the whole city in memory (no database), deterministically from ``seed``."""
    plan = _scale(scale)
    report = progress or _no_progress
    rng = np.random.default_rng(seed)
    origin = transformer(WGS84, HARBIN_CRS).transform(*ORIGIN_LONLAT)

    report("land and river", 0.0)
    land = _make_land(plan, rng, origin)
    roughness = _smooth_field(rng, 0.3 * land.size_m)

    report("grid cells", 0.05)
    north_cells = int(round(plan.cells * land.north.area / (land.north.area + land.south.area)))
    south_cells = plan.cells - north_cells
    polys = np.concatenate(
        [
            _tessellate(land.south, south_cells, rng, plan.lloyd_iterations),
            _tessellate(land.north, north_cells, rng, plan.lloyd_iterations),
        ]
    )
    on_north_bank = np.r_[np.zeros(south_cells, dtype=bool), np.ones(north_cells, dtype=bool)]
    xy = shapely.get_coordinates(shapely.centroid(polys))
    graph = _cell_graph(polys, xy, roughness)

    report("districts", 0.2)
    district_of = np.full(len(polys), -1)
    for north in (False, True):
        members = np.flatnonzero(on_north_bank == north)
        which = [i for i, d in enumerate(plan.districts) if d.north == north]
        bank = land.north if north else land.south
        anchors = np.array([_frac_to_xy(bank, *plan.districts[i].anchor) for i in which])
        targets = apportion(len(members), [plan.districts[i].area_km2 for i in which])
        label = _partition(graph, members, len(which), xy, rng, targets=targets, anchors=anchors)
        district_of[members] = np.array(which)[label]

    report("streets and communities", 0.3)
    offices = street_offices()
    street_counts = apportion(
        plan.streets,
        [d.area_km2 for d in plan.districts],
        caps=[len(offices.get(d.code, [])) for d in plan.districts],
    )
    street_of = _subdivide(graph, xy, district_of, street_counts, rng, band=1500.0)
    streets = [
        office for d, k in zip(plan.districts, street_counts, strict=True) for office in offices[d.code][:k]
    ]
    street_cells = np.bincount(street_of, minlength=len(streets))
    community_counts = apportion(plan.communities, street_cells, caps=street_cells)
    community_of = _subdivide(graph, xy, street_of, community_counts, rng, band=500.0)
    community_codes = [
        f"{code}{c + 1:03d}" for (code, _), k in zip(streets, community_counts, strict=True) for c in range(k)
    ]

    report("cell codes", 0.38)
    codes = _cell_codes(polys, xy, community_of, community_codes)
    # From here on cells are kept in code order, so a cell's index sorts like its code.
    by_code = np.argsort(codes.astype(str), kind="stable")
    polys, xy, codes = polys[by_code], xy[by_code], codes[by_code]
    district_of, street_of, community_of = district_of[by_code], street_of[by_code], community_of[by_code]
    graph = graph[by_code][:, by_code]

    report("roads and land use", 0.42)
    core = _frac_to_xy(land.south, 0.45, 0.62)
    roads = _make_roads(land, core)
    land_use, density = _land_use(plan, land, xy, district_of, roads, core, rng)
    areas = shapely.area(polys)
    night = areas * density * _land_use_weight(land_use, 0) * rng.lognormal(0, 0.3, len(polys))
    day = areas * density**1.3 * _land_use_weight(land_use, 1) * rng.lognormal(0, 0.3, len(polys))
    pop_night = apportion(plan.pop_night, night, minimum=0)
    pop_day = apportion(plan.pop_day, day, minimum=0)

    report("supervisors", 0.5)
    district_cells = np.bincount(district_of, minlength=len(plan.districts))
    supervisor_counts = apportion(plan.supervisors, district_cells, caps=district_cells)
    supervisor_of = _subdivide(graph, xy, district_of, supervisor_counts, rng, band=500.0)
    supervisors = _supervisors(plan, supervisor_counts, rng)

    report("cameras", 0.55)
    grid = GridIndex(codes.tolist(), list(polys), [None] * len(polys))
    community_names = _community_names(rng, len(community_codes))
    neighbourhood = [community_names[c].removesuffix("社区") for c in community_of]
    cameras = _cameras(plan, grid, polys, roads, land_use, codes, neighbourhood, rng)

    report("components", 0.6)
    types = {r.name: r for r in component_type_rows()}
    components = _components(plan, grid, polys, xy, codes, land_use, density, roads, types, rng)

    report("organisation", 0.7)
    wkb = shapely.to_wkb(polys)
    cells = [
        {
            "code": code,
            "legacy_code": legacy_cell_code(code),
            "community_code": code[:12],
            "geometry": wkb[i],
            "area_m2": float(areas[i]),
            "pop_night": int(pop_night[i]),
            "pop_day": int(pop_day[i]),
            "land_use": land_use[i],
            "supervisor": int(supervisor_of[i]),
        }
        for i, code in enumerate(codes.tolist())
    ]
    # Each level is the coverage union of the one below, so the levels tile each other exactly.
    community_polys = _unions(polys, community_of, len(community_codes))
    community_street = np.array([street_of[community_of == c][0] for c in range(len(community_codes))])
    street_polys = _unions(community_polys, community_street, len(streets))
    street_district = np.repeat(np.arange(len(plan.districts)), street_counts)
    district_polys = _unions(street_polys, street_district, len(plan.districts))
    city = DemoCity(
        scale=plan,
        seed=seed,
        departments=[d.as_row() for d in DEPARTMENTS],
        districts=[
            {"code": d.code, "name": d.name, "name_en": d.name_en, "geometry": shapely.to_wkb(g)}
            for d, g in zip(plan.districts, district_polys, strict=True)
        ],
        streets=[
            {"code": code, "name": name, "district_code": code[:6], "geometry": shapely.to_wkb(g)}
            for (code, name), g in zip(streets, street_polys, strict=True)
        ],
        communities=[
            {"code": code, "name": name, "street_code": code[:9], "geometry": shapely.to_wkb(g)}
            for code, name, g in zip(community_codes, community_names, community_polys, strict=True)
        ],
        supervisors=supervisors,
        cells=cells,
        roads=[{**r, "geometry": shapely.to_wkb(r["geometry"])} for r in roads],
        cameras=cameras,
        components=components,
        staff=_staff(plan, rng),
        component_owner={r.code: owner_for_component_type(r) for r in component_type_rows()},
    )
    city.summary = {
        "scale": plan.name,
        "seed": seed,
        "districts": len(city.districts),
        "streets": len(city.streets),
        "communities": len(city.communities),
        "cells": len(cells),
        "departments": len(city.departments),
        "supervisors": len(supervisors),
        "cameras": len(cameras),
        "components": len(components),
        "roads": len(city.roads),
        "staff": len(city.staff),
        "event_assignments": len(plan.districts) * len(event_type_rows()),
        "area_km2": round(float(areas.sum()) / 1e6, 3),
        "pop_night": int(pop_night.sum()),
        "pop_day": int(pop_day.sum()),
    }
    return city


def _subdivide(
    graph: csr_matrix, xy: np.ndarray, parent_of: np.ndarray, counts, rng: np.random.Generator, *, band: float
) -> np.ndarray:
    """Split each parent's cells into ``counts[parent]`` connected parts; returns each cell's part.

    Parts are numbered parent after parent and, within a parent, in reading order of their centres
    (rows ``band`` metres high), so codes handed out in that order run north to south, west to east.
    """
    part_of = np.full(len(parent_of), -1)
    first = 0
    for parent, k in enumerate(np.asarray(counts).tolist()):
        members = np.flatnonzero(parent_of == parent)
        label = _partition(graph, members, k, xy, rng)
        centres = np.array([xy[members[label == c]].mean(axis=0) for c in range(k)])
        order = reading_order(centres[:, 0], centres[:, 1], centres[:, 1].max(), band=band)
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        part_of[members] = first + rank[label]
        first += k
    return part_of


def _cell_codes(
    polys: np.ndarray, xy: np.ndarray, community_of: np.ndarray, community_codes: list[str]
) -> np.ndarray:
    """15-digit cell codes: the community code and a sequence in reading order within the community."""
    codes = np.empty(len(polys), dtype=object)
    tops = shapely.bounds(polys)[:, 3]
    for ci, community_code in enumerate(community_codes):
        members = np.flatnonzero(community_of == ci)
        if len(members) > 999:
            raise RuntimeError(
                f"community {community_code} has {len(members)} cells; a 3-digit sequence holds 999"
            )
        order = reading_order(xy[members, 0], xy[members, 1], tops[members].max())
        for seq, i in enumerate(members[order].tolist(), start=1):
            codes[i] = f"{community_code}{seq:03d}"
    return codes


def _supervisors(plan: Scale, counts: np.ndarray, rng: np.random.Generator) -> list[dict]:
    names = _person_names(rng, int(counts.sum()))
    rows = []
    for d, k in zip(plan.districts, counts.tolist(), strict=True):
        for seq in range(1, k + 1):
            rows.append(
                {
                    "code": f"{d.code}-S{seq:03d}",
                    "name": names[len(rows)],
                    "district_code": d.code,
                    "device_id": _imei(rng),
                }
            )
    return rows


def _scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        raise InputError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}") from None


def _unions(polys: np.ndarray, group: np.ndarray, n: int) -> list:
    polys = np.asarray(polys, dtype=object)
    out = []
    for g in range(n):
        merged = shapely.coverage_union_all(polys[group == g])
        if merged.geom_type != "Polygon":
            raise RuntimeError(f"group {g} of the grid is not one polygon but a {merged.geom_type}")
        out.append(merged)
    return out


def _land_use(plan, land, xy, district_of, roads, core, rng) -> tuple[list[str], np.ndarray]:
    """The land use of each cell and a relative population density (core dense, edges sparse)."""
    n = len(xy)
    size = land.size_m
    to_core = np.hypot(xy[:, 0] - core[0], xy[:, 1] - core[1])
    density = np.exp(-to_core / (0.45 * size)) + 0.12
    north = np.array([plan.districts[d].north for d in district_of])
    density[north] *= 0.6  # the north bank was still being built up
    to_river = shapely.distance(land.river, shapely.points(xy))
    road_lines = shapely.multilinestrings([r["geometry"] for r in roads if r["kind"] == "main"])
    to_road = shapely.distance(road_lines, shapely.points(xy))
    industry_field = _smooth_field(rng, 0.25 * size)(xy[:, 0], xy[:, 1])
    park_field = _smooth_field(rng, 0.08 * size)(xy[:, 0], xy[:, 1])
    campus_field = _smooth_field(rng, 0.12 * size)(xy[:, 0], xy[:, 1])
    u = rng.random(n)
    use = np.full(n, "residential", dtype=object)
    use[(to_core < 0.45 * size) & (u < 0.3)] = "mixed"
    use[(to_road < 120) & (rng.random(n) < 0.3)] = "commercial"
    use[(to_core < 0.18 * size) & (u < 0.6)] = "commercial"
    use[campus_field >= np.quantile(campus_field, 0.97)] = "campus"
    use[park_field >= np.quantile(park_field, 0.95)] = "park"
    for di, d in enumerate(plan.districts):
        members = np.flatnonzero(district_of == di)
        # The highest values of a smooth field make industrial estates, not scattered factories.
        cut = np.quantile(industry_field[members], 1 - d.industrial)
        use[members[industry_field[members] >= cut]] = "industrial"
    shore = to_river < 250
    use[shore] = np.where(rng.random(int(shore.sum())) < 0.55, "waterfront", "park")
    return use.tolist(), density


def _cameras(
    plan, grid: GridIndex, polys, roads, land_use, codes, neighbourhood: list[str], rng
) -> list[dict]:
    """About four in five cameras watch the main roads; the rest watch squares and parks, which are
    named after the neighbourhood (the community) of their cell."""
    n_road = int(round(plan.cameras * 0.8))
    mains = [r for r in roads if r["kind"] != "bridge"]
    lengths = np.array([r["geometry"].length for r in mains])
    rows: list[dict] = []
    while len(rows) < n_road:
        want = n_road - len(rows)
        which = rng.choice(len(mains), size=want + 8, p=lengths / lengths.sum())
        at = rng.random(want + 8) * lengths[which]
        lines = np.array([mains[w]["geometry"] for w in which])
        p0 = shapely.get_coordinates(shapely.line_interpolate_point(lines, at))
        ahead = shapely.get_coordinates(
            shapely.line_interpolate_point(lines, np.minimum(at + 5, lengths[which]))
        )
        behind = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.maximum(at - 5, 0)))
        dx, dy = (ahead - behind).T
        norm = np.hypot(dx, dy) + 1e-9
        side = rng.choice([-1.0, 1.0], size=len(which))
        off = rng.uniform(8, 15, len(which)) * side
        x = p0[:, 0] + off * dy / norm
        y = p0[:, 1] - off * dx / norm
        cell = grid.locate_indices(x, y)
        bearing = np.degrees(np.arctan2(dx, dy)) + np.where(rng.random(len(which)) < 0.5, 0, 180)
        heading = np.round((bearing + rng.normal(0, 15, len(which))) % 360, 1) % 360
        for k in np.flatnonzero(cell >= 0)[:want]:
            rows.append(
                {"x": float(x[k]), "y": float(y[k]), "heading_deg": float(heading[k]), "place": "road",
                 "cell": int(cell[k]), "name": mains[which[k]]["name"]}
            )  # fmt: skip
    use = np.array(land_use, dtype=object)
    green = np.flatnonzero((use == "park") | (use == "waterfront"))
    busy = np.flatnonzero((use == "commercial") | (use == "mixed"))
    n_other = plan.cameras - n_road
    n_park = n_other // 2
    for place, pool, count in (("park", green, n_park), ("square", busy, n_other - n_park)):
        if len(pool) == 0:
            pool = np.arange(len(polys))
        chosen = rng.choice(pool, size=count, replace=count > len(pool))
        x, y = _points_inside(polys, chosen, rng)
        for k, c in enumerate(chosen.tolist()):
            rows.append(
                {"x": float(x[k]), "y": float(y[k]), "heading_deg": round(float(rng.uniform(0, 359.9)), 1),
                 "place": place, "cell": c, "name": neighbourhood[c]}
            )  # fmt: skip
    # Ids are numbered per district in cell-code order.
    cell_of = np.array([r["cell"] for r in rows])
    order = np.lexsort((np.array([r["x"] for r in rows]), cell_of))
    fov = rng.uniform(40, 90, len(rows))
    reach = rng.uniform(80, 250, len(rows))
    status = rng.choice(len(_CAMERA_STATUS), size=len(rows), p=_CAMERA_STATUS_P)
    per_district: dict[str, int] = {}
    out = []
    for k in order.tolist():
        r = rows[k]
        code = codes[r["cell"]]
        seq = per_district[code[:6]] = per_district.get(code[:6], 0) + 1
        cam_id = f"{code[:6]}-C{seq:04d}"
        label = {"road": r["name"], "park": r["name"] + "公园", "square": r["name"] + "广场"}[r["place"]]
        out.append(
            {
                "id": cam_id,
                "name": f"{label} {seq:04d}",
                "x": r["x"],
                "y": r["y"],
                "heading_deg": r["heading_deg"],
                "fov_deg": round(float(fov[k]), 1),
                "range_m": round(float(reach[k]), 1),
                "status": _CAMERA_STATUS[status[k]].value,
                "stream_url": f"{DEMO_STREAM_PREFIX}cameras/{cam_id}.mjpg",
                "place": r["place"],
                "cell_code": code,
            }
        )
    return out


def _points_inside(
    polys: np.ndarray, which: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A uniformly random point strictly inside each chosen cell (rejection sampling, vectorised)."""
    bounds = shapely.bounds(polys[which])
    x = np.empty(len(which))
    y = np.empty(len(which))
    todo = np.arange(len(which))
    while len(todo):
        b = bounds[todo]
        cx = rng.uniform(b[:, 0], b[:, 2])
        cy = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(polys[which[todo]], cx, cy)
        x[todo[ok]], y[todo[ok]] = cx[ok], cy[ok]
        todo = todo[~ok]
    return x, y


def _points_on_edges(polys, rings, which, centres, rng) -> tuple[np.ndarray, np.ndarray]:
    """Points just inside the edge of each chosen cell, where the street between cells runs."""
    edge = shapely.get_coordinates(
        shapely.line_interpolate_point(rings[which], rng.random(len(which)), normalized=True)
    )
    inward = centres[which] - edge
    dist = np.hypot(*inward.T) + 1e-9
    step = np.minimum(rng.uniform(2, 8, len(which)), 0.4 * dist)
    x = edge[:, 0] + inward[:, 0] * step / dist
    y = edge[:, 1] + inward[:, 1] * step / dist
    # A cell bent by the shore may not contain the step; such points move anywhere inside the cell.
    bad = ~shapely.contains_xy(polys[which], x, y)
    if bad.any():
        x[bad], y[bad] = _points_inside(polys, which[bad], rng)
    return x, y


def _points_on_roads(roads, n, rng) -> tuple[np.ndarray, np.ndarray]:
    mains = [r["geometry"] for r in roads if r["kind"] == "main"]
    lengths = np.array([g.length for g in mains])
    which = rng.choice(len(mains), size=n, p=lengths / lengths.sum())
    lines = np.array(mains, dtype=object)[which]
    at = rng.random(n) * lengths[which]
    p = shapely.get_coordinates(shapely.line_interpolate_point(lines, at))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(lines, at + 1.0))
    d = ahead - p
    norm = np.hypot(*d.T) + 1e-9
    off = rng.uniform(6, 20, n) * rng.choice([-1.0, 1.0], size=n)
    return p[:, 0] + off * d[:, 1] / norm, p[:, 1] - off * d[:, 0] / norm


def _components(plan, grid, polys, xy, codes, land_use, density, roads, types, rng) -> list[dict]:
    """Components of the standard types by a realistic mix, each with the cell that contains it."""
    names = sorted(_COMPONENT_MIX, key=lambda k: types[k].code)  # so ids come out in ascending order
    counts = apportion(plan.components, [_COMPONENT_MIX[k][0] for k in names], minimum=1)
    areas = shapely.area(polys)
    rings = shapely.get_exterior_ring(polys)
    shapely.prepare(polys)
    street_life = areas * (0.25 + density) * _land_use_weight(land_use, 2)
    green = areas * _land_use_weight(land_use, 3)
    weight = {"road": street_life, "edge": street_life, "area": street_life * density, "green": green}
    xs, ys, cells, type_of = [], [], [], []
    for ti, name in enumerate(names):
        n = int(counts[ti])
        placement = _COMPONENT_MIX[name][1]
        w = weight[placement]
        # Sampled points lie strictly inside the sampled cell, so that cell is the one containing them.
        cell = rng.choice(len(polys), size=n, p=w / w.sum())
        if placement == "area" or placement == "green":
            x, y = _points_inside(polys, cell, rng)
        else:
            x, y = _points_on_edges(polys, rings, cell, xy, rng)
        if placement == "road":
            along = np.flatnonzero(rng.random(n) < 0.4)
            rx, ry = _points_on_roads(roads, len(along), rng)
            found = grid.locate_indices(rx, ry)
            inside = found >= 0  # off the land (a bridgehead, the shore): keep the street point instead
            x[along[inside]], y[along[inside]], cell[along[inside]] = rx[inside], ry[inside], found[inside]
        xs.append(x)
        ys.append(y)
        cells.append(cell)
        type_of.append(np.full(n, ti))
    x, y, cell, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(cells), np.concatenate(type_of)
    n = len(x)
    district_codes = sorted({c[:6] for c in codes})
    district_of_cell = np.searchsorted(district_codes, np.array([c[:6] for c in codes]))
    district = district_of_cell[cell]
    # Ids run per district and type in cell-code order, north to south within a cell.
    order = np.lexsort((x, -y, cell, t, district))
    x, y, cell, t, district = x[order], y[order], cell[order], t[order], district[order]
    group = district * len(names) + t
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    seq = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1

    is_cover = np.array(["井盖" in k or k == "雨水箅子" for k in names])[t]
    state = np.where(
        is_cover,
        rng.choice(len(_STATES), size=n, p=_COVER_STATE_P),
        rng.choice(len(_STATES), size=n, p=_STATE_P),
    )
    survey_days = (SURVEY_END - SURVEY_START).days
    init = np.datetime64(SURVEY_START) + rng.integers(0, survey_days + 1, n).astype("timedelta64[D]")
    last = np.datetime64(LAST_CHANGE)
    changed = (state != 0) | (rng.random(n) < 0.08)
    span = (last - init).astype(np.int64)
    change = init + (rng.random(n) * span).astype(np.int64).astype("timedelta64[D]") + np.timedelta64(1, "D")
    change = np.minimum(change, last)
    source = rng.choice(len(_DATA_SOURCES), size=n, p=_DATA_SOURCE_P)

    type_rows = [types[k] for k in names]
    owners = np.array([owner_for_component_type(r) for r in type_rows], dtype=object)[t].tolist()
    maintainers = np.array([maintainer_for_component_type(r) for r in type_rows], dtype=object)[t].tolist()
    type_codes = np.array([r.code for r in type_rows], dtype=object)[t].tolist()
    type_names = np.array([r.name for r in type_rows], dtype=object)[t].tolist()
    ids = [
        component_ids(district_codes[d], type_rows[ti], s)
        for d, ti, s in zip(district.tolist(), t.tolist(), seq.tolist(), strict=True)
    ]
    cell_codes = np.asarray(codes, dtype=object)[cell].tolist()
    states = np.array([s.value for s in _STATES], dtype=object)[state].tolist()
    sources = np.array(_DATA_SOURCES, dtype=object)[source].tolist()
    change_dates = np.where(changed, change.astype(object), None).tolist()
    return [
        {
            "id": cid,
            "legacy_id": legacy,
            "type_code": tc,
            "name": tn,
            "owner_code": own,
            "property_code": own,
            "maintenance_code": mnt,
            "cell_code": cc,
            "state": st,
            "init_date": d0,
            "change_date": d1,
            "data_source": src,
            "note": "",
            "x": xx,
            "y": yy,
        }
        for (cid, legacy), tc, tn, own, mnt, cc, st, d0, d1, src, xx, yy in zip(
            ids,
            type_codes,
            type_names,
            owners,
            maintainers,
            cell_codes,
            states,
            init.tolist(),
            change_dates,
            sources,
            x.tolist(),
            y.tolist(),
            strict=True,
        )
    ]


def _staff(plan: Scale, rng: np.random.Generator) -> list[dict]:
    """Logins for every role at the municipal centre, each district centre and each department."""
    rows: list[dict] = []
    centre_roles = [r for r in _SEAT_ROLES if r != Role.DEPARTMENT]
    names = _person_names(rng, len(centre_roles) + len(DEPARTMENTS) + len(plan.districts) * len(_SEAT_ROLES))
    for role in centre_roles:
        rows.append(
            {
                "login": f"city_{role.value}",
                "role": role.value,
                "district_code": None,
                "department_code": None,
            }
        )
    for dep in DEPARTMENTS:
        rows.append(
            {
                "login": f"dept_{dep.code}",
                "role": Role.DEPARTMENT.value,
                "district_code": None,
                "department_code": dep.code,
            }
        )
    for d in plan.districts:
        for role in _SEAT_ROLES:
            # A district's "department" login is the district itself as the unit of last resort (属地).
            rows.append(
                {
                    "login": f"{d.name_en.lower()}_{role.value}",
                    "role": role.value,
                    "district_code": d.code,
                    "department_code": None,
                }
            )
    for row, name in zip(rows, names, strict=True):
        row["name"] = name
    # A second civil-defence officer at the centre: under the two-person rule a city-wide air-raid alarm
    # needs one to confirm it. Named last, so every other person keeps the name the seed gave them.
    rows.append(
        {
            "login": DEPUTY_CIVIL_DEFENCE,
            "role": Role.CIVIL_DEFENCE.value,
            "district_code": None,
            "department_code": None,
            "name": _person_names(rng, 1)[0],
        }
    )
    rows.append(
        {
            "login": DRILL_COORDINATOR,
            "role": Role.DRILL.value,
            "district_code": None,
            "department_code": None,
            "name": _person_names(rng, 1)[0],
        }
    )
    return rows


# --- writing ---------------------------------------------------------------------------------------


def _insert_rows(session: Session, model, rows: list[dict]) -> None:
    """One executemany of a Core INSERT in the session's transaction. The ORM-enabled bulk insert
    (``insert(Model)``) does per-row bookkeeping that took three times as long for the components
    (measured on SQLite here: 31 s against 11 s for 108,000 rows)."""
    if rows:
        session.execute(insert(model.__table__), rows)


def write_city(
    session: Session,
    city: DemoCity,
    *,
    actor: str = "system",
    at: dt.datetime | None = None,
    progress: Progress | None = None,
    chunk: int = 20_000,
) -> dict:
    """Insert a generated city in the session's transaction (inside a savepoint, so a failure leaves
    nothing behind and the caller's transaction usable). Returns the summary."""
    if has_city(session):
        raise CityExists("the database already holds a city: seed into an empty database")
    report = progress or _no_progress
    with session.begin_nested():
        report("departments and types", 0.72)
        have = set(session.scalars(select(Department.code)))
        _insert_rows(session, Department, [d for d in city.departments if d["code"] not in have])
        load_types(session)
        for t in session.scalars(select(ComponentType)):
            t.default_owner = city.component_owner.get(t.code, t.default_owner)
        _insert_rows(session, District, city.districts)
        _insert_rows(session, Street, city.streets)
        _insert_rows(session, Community, city.communities)
        _insert_rows(
            session,
            EventAssignment,
            [
                {"district_code": d["code"], "event_type_code": code, "department_code": dep}
                for d in city.districts
                for code, dep in event_assignments(d["code"], event_type_rows())
            ],
        )

        report("supervisors and cells", 0.75)
        # Ids come back in row order (RETURNING), so nothing assumes what the sequence hands out.
        supervisor_ids = list(
            session.scalars(
                insert(Supervisor).returning(Supervisor.id, sort_by_parameter_order=True), city.supervisors
            )
        )
        cells = [
            {
                **{k: v for k, v in c.items() if k != "supervisor"},
                "supervisor_id": supervisor_ids[c["supervisor"]],
            }
            for c in city.cells
        ]
        _insert_rows(session, GridCell, cells)
        _insert_rows(session, Road, city.roads)
        _insert_rows(session, Staff, city.staff)
        demo_hash = hash_password(DEMO_PASSWORD)
        _insert_rows(
            session,
            StaffCredential,
            [
                {"login": r["login"], "password_hash": demo_hash, "password_set_at": at, "failed_count": 0}
                for r in city.staff
            ],
        )
        _insert_rows(session, Camera, city.cameras)

        total = max(len(city.components), 1)
        for start in range(0, len(city.components), chunk):
            report("components", 0.8 + 0.18 * start / total)
            _insert_rows(session, Component, city.components[start : start + chunk])

        report("journal", 0.98)
        set_city_crs(session, HARBIN_CRS)
        set_meta(session, "city_name", "哈尔滨")
        set_meta(session, "city_name_en", "Harbin")  # the English texts of its CAP alerts
        set_meta(session, "scale", city.scale.name)
        set_meta(session, "seed", str(city.seed))
        journal.append(
            session,
            journal.NewEvent(
                kind="city.seeded",
                actor=actor,
                at=at or dt.datetime.now(),
                subject="city",
                payload=dict(city.summary),
            ),
        )
        session.flush()
        report("done", 1.0)
    return dict(city.summary)


def seed_city(
    session: Session,
    *,
    scale: str | Scale = "harbin",
    seed: int = 1,
    progress: Progress | None = None,
    actor: str = "system",
    at: dt.datetime | None = None,
) -> dict:
    """Generate the demo city and write it in the caller's transaction (the caller commits).

    Raises ``CityExists`` when the database already holds a city. ``progress(stage, fraction)`` is
    called as it goes; an exception from it aborts the seeding and leaves nothing written. ``at`` is the
    time recorded on the journal event (default now); the city itself depends only on ``seed``.
    """
    if has_city(session):
        raise CityExists("the database already holds a city: seed into an empty database")
    city = generate_city(scale, seed, progress)
    return write_city(session, city, actor=actor, at=at, progress=progress)
