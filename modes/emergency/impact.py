"""What an incident touches: cordons, affected cells and people, components, cameras that see it, shelters
and hospitals nearby, open everyday cases inside.

An ``ImpactIndex`` is loaded once (like ``data.spatial.GridIndex``) with STRtrees over the cells, the
components' points and the cameras' field-of-view wedges, so one impact is a few index queries and a
vectorised intersection of the few cells involved: a 500 m cordon at Harbin scale takes a few ms
(bench/bench_impact.py, beside the full scan without an index). Reload it after the city changes.

Definitions (the tests hold the brute-force shapely version to the same ones):
- inner cordon: the drawn inner polygon, else the incident site (point or drawn area) buffered by the
  inner radius; outer cordon: the drawn outer polygon, else the site buffered by the outer radius, in
  either case joined with the inner cordon so the outer zone contains the inner one;
- a cell is affected when it overlaps a cordon by a positive area; its people count in proportion to
  the overlapped share of its area (day and night populations);
- a component or an open case is inside when its point intersects the cordon (boundary included);
- a camera covers the area when its wedge (apex at the camera, heading clockwise from north, the field
  of view's angle, the range as radius) intersects the outer cordon. The wedge's arc is a polyline
  inside the true arc, so every camera listed really sees part of the area.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from sqlalchemy import LargeBinary, inspect, or_, select, type_coerce
from sqlalchemy.orm import Session

from data.city import FINISHED_CASE_STATES
from data.emergency_models import Incident, MedicalFacility
from data.errors import InputError, NoCity
from data.geometry import wedge_rings
from data.models import Camera, Case, Community, Component, ComponentType, Department, GridCell

WEDGE_ARC_STEPS = 16  # vertices on a wedge's arc: at 90 degrees the chord sags 0.5% of the range
BUFFER_QUAD_SEGS = 16  # a buffered circle is a 64-gon: its area is 0.16% under the true circle's
NEARBY_M = 3000.0  # shelters and hospitals further than this from the site are not "nearby"
NEARBY_LIMIT = 5
DAYTIME_HOURS = range(8, 19)  # when the day population is the one to count


# --- geometry ---------------------------------------------------------------------------------------


def wedges(x, y, heading_deg, fov_deg, range_m, steps: int = WEDGE_ARC_STEPS) -> np.ndarray:
    """Field-of-view wedges as polygons (apex, arc from left to right edge); heading clockwise from north."""
    # A zero or full-circle field of view would make a degenerate ring: clip it to a valid polygon.
    fov = np.clip(np.atleast_1d(np.asarray(fov_deg, dtype=float)), 0.1, 359.0)
    ring_x, ring_y = wedge_rings(x, y, heading_deg, fov, range_m, steps)
    return shapely.polygons(np.stack([ring_x, ring_y], axis=-1))


def site_geometry(x: float, y: float, area=None):
    """The incident site: the drawn area when there is one, else the reported point."""
    return area if area is not None else shapely.Point(x, y)


def cordons(
    x: float,
    y: float,
    *,
    area=None,
    inner_radius_m: float,
    outer_radius_m: float,
    inner_cordon=None,
    outer_cordon=None,
):
    """(site, inner, outer) polygons following the module's definitions."""
    site = site_geometry(x, y, area)
    if inner_cordon is not None:
        inner = inner_cordon
    elif inner_radius_m > 0:
        inner = shapely.buffer(site, inner_radius_m, quad_segs=BUFFER_QUAD_SEGS)
    elif area is not None:
        inner = area
    else:
        raise InputError("a point incident needs an inner radius above 0 m or a drawn inner cordon")
    if outer_cordon is not None:
        outer = shapely.union(outer_cordon, inner)
    else:
        outer = shapely.union(shapely.buffer(site, outer_radius_m, quad_segs=BUFFER_QUAD_SEGS), inner)
    return site, inner, outer


def incident_cordons(incident: Incident):
    return cordons(
        incident.x,
        incident.y,
        area=incident.area,
        inner_radius_m=incident.inner_radius_m,
        outer_radius_m=incident.outer_radius_m,
        inner_cordon=incident.inner_cordon,
        outer_cordon=incident.outer_cordon,
    )


# --- the result --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellShare:
    code: str
    community: str
    fraction: float  # of the cell's area inside the zone
    pop_day: float
    pop_night: float


@dataclass(frozen=True)
class CommunityShare:
    code: str
    name: str
    cells: int
    pop_day: float
    pop_night: float


@dataclass(frozen=True)
class Zone:
    name: str  # inner | outer
    area_m2: float
    cells: tuple[CellShare, ...]
    communities: tuple[CommunityShare, ...]
    pop_day: float
    pop_night: float

    def as_dict(self, with_cells: bool = True) -> dict:
        doc = {
            "zone": self.name,
            "area_m2": round(self.area_m2, 1),
            "cell_count": len(self.cells),
            "pop_day": round(self.pop_day),
            "pop_night": round(self.pop_night),
            "communities": [
                {
                    "code": c.code,
                    "name": c.name,
                    "cells": c.cells,
                    "pop_day": round(c.pop_day),
                    "pop_night": round(c.pop_night),
                }
                for c in self.communities
            ],
        }
        if with_cells:
            doc["cells"] = [
                {
                    "code": c.code,
                    "fraction": round(c.fraction, 4),
                    "pop_day": round(c.pop_day, 1),
                    "pop_night": round(c.pop_night, 1),
                }
                for c in self.cells
            ]
        return doc


@dataclass(frozen=True)
class DepartmentComponents:
    department: str
    name: str
    count: int
    inner: int  # of them inside the inner cordon
    by_type: tuple[tuple[str, str, int], ...]  # (type code, type name, count), most first
    ids: tuple[str, ...]


@dataclass(frozen=True)
class CameraSight:
    id: str
    name: str
    status: str
    distance_m: float  # from the camera to the incident site
    sees_inner: bool
    x: float
    y: float
    heading_deg: float
    fov_deg: float
    range_m: float


@dataclass(frozen=True)
class NearbyPlace:
    id: str
    name: str
    kind: str
    distance_m: float  # from the incident site
    capacity: int
    inside_outer: bool  # inside the outer cordon: not a place to send people to
    x: float
    y: float


@dataclass(frozen=True)
class CaseInside:
    id: int
    type_code: str
    state: str
    urgent: bool
    department: str | None
    zone: str
    x: float
    y: float


@dataclass(frozen=True)
class Impact:
    inner: Zone
    outer: Zone
    components: tuple[DepartmentComponents, ...]
    cameras: tuple[CameraSight, ...]
    shelters: tuple[NearbyPlace, ...]
    hospitals: tuple[NearbyPlace, ...]
    open_cases: tuple[CaseInside, ...] = ()
    population_basis: str = "night"  # which population ``population`` counts at the time asked
    elapsed_ms: float = 0.0
    geometry: dict = field(default_factory=dict)  # site/inner/outer as WKT, for maps and briefings

    @property
    def population(self) -> float:
        zone = self.outer
        return zone.pop_day if self.population_basis == "day" else zone.pop_night

    @property
    def component_count(self) -> int:
        return sum(d.count for d in self.components)

    def summary(self) -> dict:
        return {
            "cells": len(self.outer.cells),
            "inner_cells": len(self.inner.cells),
            "communities": len(self.outer.communities),
            "population": round(self.population),
            "population_basis": self.population_basis,
            "pop_day": round(self.outer.pop_day),
            "pop_night": round(self.outer.pop_night),
            "inner_pop_day": round(self.inner.pop_day),
            "inner_pop_night": round(self.inner.pop_night),
            "components": self.component_count,
            "cameras": len(self.cameras),
            "cameras_online": sum(c.status == "online" for c in self.cameras),
            "shelters_nearby": len(self.shelters),
            "hospitals_nearby": len(self.hospitals),
            "open_cases": len(self.open_cases),
        }

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "inner": self.inner.as_dict(),
            "outer": self.outer.as_dict(),
            "components": {
                "total": self.component_count,
                "by_department": [
                    {
                        "department": d.department,
                        "name": d.name,
                        "count": d.count,
                        "inner": d.inner,
                        "types": [{"code": c, "name": n, "count": k} for c, n, k in d.by_type],
                        "ids": list(d.ids),
                    }
                    for d in self.components
                ],
            },
            "cameras": [
                {
                    "id": c.id,
                    "name": c.name,
                    "status": c.status,
                    "distance_m": round(c.distance_m, 1),
                    "sees_inner": c.sees_inner,
                    "heading_deg": c.heading_deg,
                    "fov_deg": c.fov_deg,
                    "range_m": c.range_m,
                }
                for c in self.cameras
            ],
            "shelters": [_place_dict(p) for p in self.shelters],
            "hospitals": [_place_dict(p) for p in self.hospitals],
            "open_cases": [
                {
                    "id": c.id,
                    "type": c.type_code,
                    "state": c.state,
                    "urgent": c.urgent,
                    "department": c.department,
                    "zone": c.zone,
                }
                for c in self.open_cases
            ],
            "geometry": self.geometry,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


def _place_dict(p: NearbyPlace) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "distance_m": round(p.distance_m, 1),
        "capacity": p.capacity,
        "inside_outer": p.inside_outer,
    }


# --- the index ----------------------------------------------------------------------------------------


@dataclass
class _Places:
    ids: np.ndarray
    names: np.ndarray
    kinds: np.ndarray
    capacity: np.ndarray
    x: np.ndarray
    y: np.ndarray

    @classmethod
    def empty(cls) -> _Places:
        e = np.array([], dtype=object)
        return cls(e, e, e, np.array([], dtype=np.int64), np.array([]), np.array([]))


def load_shelters(session: Session) -> _Places:
    """Open civil-defence shelters (人防工程) that hold people, when the civil-defence tables exist.

    Read from ``data.civil_defence_models`` (another mode's tables, on their own migration branch):
    the import is guarded so the emergency mode works on a tree or database without them.
    """
    try:
        from data.civil_defence_models import Shelter, ShelterStatus
    except ImportError:
        return _Places.empty()
    if not inspect(session.connection()).has_table(Shelter.__tablename__):
        return _Places.empty()
    rows = session.execute(
        select(Shelter.id, Shelter.name, Shelter.shelter_class, Shelter.capacity, Shelter.x, Shelter.y)
        # Open works that shelter people (support works hold none).
        .where(Shelter.status == ShelterStatus.OPEN.value, Shelter.capacity > 0)
        .order_by(Shelter.id)
    ).all()
    if not rows:
        return _Places.empty()
    return _Places(
        np.array([r.id for r in rows], dtype=object),
        np.array([r.name for r in rows], dtype=object),
        np.array([r.shelter_class for r in rows], dtype=object),
        np.array([r.capacity or 0 for r in rows], dtype=np.int64),
        np.array([r.x for r in rows], dtype=float),
        np.array([r.y for r in rows], dtype=float),
    )


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, each value's index among them)."""
    if not len(values):
        return np.array([], dtype=object), np.array([], dtype=np.int64)
    return np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)


def _columns(session: Session, stmt, n: int) -> list[list]:
    """The columns of a query's rows. Core execution: the ORM's per-row bookkeeping doubled the
    load of 108,000 components."""
    rows = session.connection().execute(stmt).all()
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in range(n)]


class PointBuckets:
    """Points sorted into square buckets: the candidates for a bounding box are a few contiguous slices.

    Cheaper to build than an STRtree of 100,000 shapely points (no point objects at all) and as quick
    to query; the exact test is then one vectorised ``intersects_xy`` over the candidates.
    """

    def __init__(self, xs: np.ndarray, ys: np.ndarray, size: float = 250.0):
        self.xs, self.ys, self.size = xs, ys, size
        if not len(xs):
            self.order = np.array([], dtype=np.int64)
            return
        self.minx, self.miny = float(xs.min()), float(ys.min())
        bx = ((xs - self.minx) // size).astype(np.int64)
        by = ((ys - self.miny) // size).astype(np.int64)
        self.nx, self.ny = int(bx.max()) + 1, int(by.max()) + 1
        key = by * self.nx + bx
        self.order = np.argsort(key, kind="stable")
        self.keys = key[self.order]

    def candidates(self, bounds) -> np.ndarray:
        if not len(self.order):
            return self.order
        minx, miny, maxx, maxy = bounds
        x0 = max(int((minx - self.minx) // self.size), 0)
        x1 = min(int((maxx - self.minx) // self.size), self.nx - 1)
        y0 = max(int((miny - self.miny) // self.size), 0)
        y1 = min(int((maxy - self.miny) // self.size), self.ny - 1)
        if x0 > x1 or y0 > y1:
            return np.array([], dtype=np.int64)
        rows = np.arange(y0, y1 + 1) * self.nx
        lo = np.searchsorted(self.keys, rows + x0, side="left")
        hi = np.searchsorted(self.keys, rows + x1, side="right")
        return np.concatenate([self.order[a:b] for a, b in zip(lo, hi, strict=True)])

    def inside(self, polygon) -> np.ndarray:
        """Indices (ascending) of the points intersecting ``polygon``."""
        cand = np.sort(self.candidates(shapely.bounds(polygon)))
        return cand[shapely.intersects_xy(polygon, self.xs[cand], self.ys[cand])]


class ImpactIndex:
    """Everything an impact needs, in arrays, STRtrees and point buckets, loaded in one go."""

    def __init__(
        self,
        *,
        cells: list,  # [codes, communities, polygons, pop_day, pop_night]
        community_names: dict[str, str],
        components: list,  # [ids, xs, ys, owners, types]
        department_names: dict[str, str],
        type_names: dict[str, str],
        cameras: list,  # [ids, names, xs, ys, heading, fov, range, status]
        hospitals: _Places,
        shelters: _Places,
    ):
        codes, communities, polygons, pop_day, pop_night = cells
        if len(codes) == 0:
            raise NoCity("the database holds no grid cells: run `python main.py seed` or import cells first")
        self.cell_codes = np.asarray(codes, dtype=object)
        self.cell_communities = np.asarray(communities, dtype=object)
        self.cell_polygons = np.asarray(polygons, dtype=object)
        self.cell_area = shapely.area(self.cell_polygons)
        self.cell_pop_day = np.asarray(pop_day, dtype=float)
        self.cell_pop_night = np.asarray(pop_night, dtype=float)
        shapely.prepare(self.cell_polygons)
        self.cell_tree = shapely.STRtree(self.cell_polygons)
        self.community_names = community_names

        ids, xs, ys, owners, types = components
        self.comp_ids = np.asarray(ids, dtype=object)
        self.comp_x = np.asarray(xs, dtype=float)
        self.comp_y = np.asarray(ys, dtype=float)
        # Owners and types as small integers, so grouping the hits is integer work.
        self.owner_codes, self.comp_owner = _codes(owners)
        self.type_codes, self.comp_type = _codes(types)
        self.comp_buckets = PointBuckets(self.comp_x, self.comp_y)
        self.department_names = department_names
        self.type_names = type_names

        cam_ids, cam_names, cx, cy, heading, fov, reach, status = cameras
        self.cam_ids = np.asarray(cam_ids, dtype=object)
        self.cam_names = np.asarray(cam_names, dtype=object)
        self.cam_x = np.asarray(cx, dtype=float)
        self.cam_y = np.asarray(cy, dtype=float)
        self.cam_heading = np.asarray(heading, dtype=float)
        self.cam_fov = np.asarray(fov, dtype=float)
        self.cam_range = np.asarray(reach, dtype=float)
        self.cam_status = np.asarray(status, dtype=object)
        self.cam_wedges = (
            wedges(self.cam_x, self.cam_y, self.cam_heading, self.cam_fov, self.cam_range)
            if len(cam_ids)
            else np.array([], dtype=object)
        )
        self.cam_tree = shapely.STRtree(self.cam_wedges)

        self.hospitals = hospitals
        self.shelters = shelters

    @classmethod
    def load(cls, session: Session) -> ImpactIndex:
        cells = _columns(
            session,
            select(
                GridCell.code,
                GridCell.community_code,
                type_coerce(GridCell.geometry, LargeBinary),  # raw WKB: decoded below in one call
                GridCell.pop_day,
                GridCell.pop_night,
            ).order_by(GridCell.code),
            5,
        )
        cells[2] = shapely.from_wkb(np.array([bytes(b) for b in cells[2]], dtype=object))
        components = _columns(
            session,
            select(
                Component.id, Component.x, Component.y, Component.owner_code, Component.type_code
            ).order_by(Component.id),
            5,
        )
        cameras = _columns(
            session,
            select(
                Camera.id,
                Camera.name,
                Camera.x,
                Camera.y,
                Camera.heading_deg,
                Camera.fov_deg,
                Camera.range_m,
                Camera.status,
            ).order_by(Camera.id),
            8,
        )
        h = _columns(
            session,
            select(
                MedicalFacility.id,
                MedicalFacility.name,
                MedicalFacility.kind,
                MedicalFacility.beds,
                MedicalFacility.x,
                MedicalFacility.y,
            ).order_by(MedicalFacility.id),
            6,
        )
        hospitals = _Places(
            np.array(h[0], dtype=object),
            np.array(h[1], dtype=object),
            np.array(h[2], dtype=object),
            np.array(h[3], dtype=np.int64),
            np.array(h[4], dtype=float),
            np.array(h[5], dtype=float),
        )
        return cls(
            cells=cells,
            community_names=dict(session.execute(select(Community.code, Community.name)).all()),
            components=components,
            department_names=dict(session.execute(select(Department.code, Department.name)).all()),
            type_names=dict(session.execute(select(ComponentType.code, ComponentType.name)).all()),
            cameras=cameras,
            hospitals=hospitals,
            shelters=load_shelters(session),
        )

    # --- lookups --------------------------------------------------------------------------------

    def locate(self, x: float, y: float) -> str | None:
        """The code of the cell holding a point (the lowest code on a shared edge), or None outside."""
        hits = self.cell_tree.query(shapely.Point(x, y), predicate="intersects")
        return str(self.cell_codes[hits.min()]) if len(hits) else None

    def main_cell(self, geometry) -> str | None:
        """The cell a drawn area overlaps most (a river incident drawn over the banks gets a district)."""
        hits = self.cell_tree.query(geometry, predicate="intersects")
        if not len(hits):
            return None
        overlap = shapely.area(shapely.intersection(self.cell_polygons[hits], geometry))
        return str(self.cell_codes[hits[np.argmax(overlap)]])

    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(shapely.total_bounds(self.cell_polygons))

    # --- the impact -------------------------------------------------------------------------------

    def zone(self, name: str, polygon) -> Zone:
        shapely.prepare(polygon)
        hits = np.sort(self.cell_tree.query(polygon, predicate="intersects"))
        # Cells wholly inside need no overlay: only the cells on the cordon's edge are intersected.
        whole = np.isin(hits, self.cell_tree.query(polygon, predicate="contains_properly"))
        overlap = self.cell_area[hits].copy()
        edge = hits[~whole]
        if len(edge):
            overlap[~whole] = shapely.area(shapely.intersection(self.cell_polygons[edge], polygon))
        keep = overlap > 0  # cells that only touch the cordon's edge are not affected
        hits, overlap = hits[keep], overlap[keep]
        fraction = np.minimum(overlap / self.cell_area[hits], 1.0)
        day = self.cell_pop_day[hits] * fraction
        night = self.cell_pop_night[hits] * fraction
        cells = tuple(
            CellShare(str(self.cell_codes[i]), str(self.cell_communities[i]), float(f), float(d), float(n))
            for i, f, d, n in zip(hits, fraction, day, night, strict=True)
        )
        by_community: dict[str, list[float]] = {}
        for c in cells:
            acc = by_community.setdefault(c.community, [0, 0.0, 0.0])
            acc[0] += 1
            acc[1] += c.pop_day
            acc[2] += c.pop_night
        communities = tuple(
            CommunityShare(code, self.community_names.get(code, ""), int(n), d, p)
            for code, (n, d, p) in sorted(by_community.items(), key=lambda kv: (-kv[1][2], kv[0]))
        )
        return Zone(
            name, float(shapely.area(polygon)), cells, communities, float(day.sum()), float(night.sum())
        )

    def components_inside(self, inner, outer) -> tuple[DepartmentComponents, ...]:
        hits = self.comp_buckets.inside(outer)
        if not len(hits):
            return ()
        in_inner = shapely.intersects_xy(inner, self.comp_x[hits], self.comp_y[hits])
        owner = self.comp_owner[hits]
        # One pass over (owner, type) pairs instead of a unique() per owner.
        pairs, pair_counts = np.unique(
            owner * len(self.type_codes) + self.comp_type[hits], return_counts=True
        )
        types_of: dict[int, list[tuple[int, str]]] = {}
        for pair, count in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
            o, t = divmod(pair, len(self.type_codes))
            types_of.setdefault(o, []).append((-count, str(self.type_codes[t])))
        by_owner = np.argsort(owner, kind="stable")  # hits stay in id order within an owner
        bounds = np.flatnonzero(np.diff(owner[by_owner])) + 1
        out = []
        for part in np.split(by_owner, bounds):
            o = int(owner[part[0]])
            code = str(self.owner_codes[o])
            out.append(
                DepartmentComponents(
                    code,
                    self.department_names.get(code, code),
                    len(part),
                    int(in_inner[part].sum()),
                    tuple((t, self.type_names.get(t, ""), -c) for c, t in sorted(types_of[o])),
                    tuple(self.comp_ids[hits[part]].tolist()),
                )
            )
        out.sort(key=lambda d: (-d.count, d.department))
        return tuple(out)

    def cameras_seeing(self, site, inner, outer) -> tuple[CameraSight, ...]:
        hits = self.cam_tree.query(outer, predicate="intersects")
        if not len(hits):
            return ()
        distance = shapely.distance(site, shapely.points(self.cam_x[hits], self.cam_y[hits]))
        sees_inner = shapely.intersects(self.cam_wedges[hits], inner)
        order = np.lexsort((self.cam_ids[hits].astype(str), distance))
        return tuple(
            CameraSight(
                str(self.cam_ids[hits[k]]),
                str(self.cam_names[hits[k]]),
                str(self.cam_status[hits[k]]),
                float(distance[k]),
                bool(sees_inner[k]),
                float(self.cam_x[hits[k]]),
                float(self.cam_y[hits[k]]),
                float(self.cam_heading[hits[k]]),
                float(self.cam_fov[hits[k]]),
                float(self.cam_range[hits[k]]),
            )
            for k in order
        )

    @staticmethod
    def nearby(places: _Places, site, outer, within_m: float, limit: int) -> tuple[NearbyPlace, ...]:
        if not len(places.ids):
            return ()
        distance = shapely.distance(site, shapely.points(places.x, places.y))
        close = np.flatnonzero(distance <= within_m)
        close = close[np.lexsort((places.ids[close].astype(str), distance[close]))][:limit]
        inside = shapely.intersects_xy(outer, places.x[close], places.y[close])
        return tuple(
            NearbyPlace(
                str(places.ids[k]),
                str(places.names[k]),
                str(places.kinds[k]),
                float(distance[k]),
                int(places.capacity[k]),
                bool(inside[j]),
                float(places.x[k]),
                float(places.y[k]),
            )
            for j, k in enumerate(close)
        )

    def impact(
        self,
        site,
        inner,
        outer,
        *,
        at: dt.datetime | None = None,
        nearby_m: float = NEARBY_M,
        nearby_limit: int = NEARBY_LIMIT,
    ) -> Impact:
        """Everything but the open cases (those need the database: see ``incident_impact``)."""
        started = time.perf_counter()
        inner_zone = self.zone("inner", inner)
        outer_zone = self.zone("outer", outer)
        result = Impact(
            inner=inner_zone,
            outer=outer_zone,
            components=self.components_inside(inner, outer),
            cameras=self.cameras_seeing(site, inner, outer),
            shelters=self.nearby(self.shelters, site, outer, nearby_m, nearby_limit),
            hospitals=self.nearby(self.hospitals, site, outer, nearby_m, nearby_limit),
            population_basis="day" if at is not None and at.hour in DAYTIME_HOURS else "night",
            geometry={"site": site.wkt, "inner": inner.wkt, "outer": outer.wkt},
        )
        return replace(result, elapsed_ms=(time.perf_counter() - started) * 1000.0)


def open_cases_inside(
    session: Session, index: ImpactIndex, inner, outer, exercise_id: int | None = None
) -> tuple[CaseInside, ...]:
    """Open everyday cases whose point is inside the outer cordon: real ones, and those of the exercise
    ``exercise_id`` when it is an exercise's incident (never another exercise's).

    Looked up through ``cases.cell_code`` (indexed): a point inside the cordon lies in a cell that
    intersects the cordon, so the cells the STRtree returns hold every candidate.
    """
    touching = index.cell_tree.query(outer, predicate="intersects")
    if not len(touching):
        return ()
    cells = sorted(str(index.cell_codes[i]) for i in touching)
    real = Case.exercise_id.is_(None)
    ours = real if exercise_id is None else or_(real, Case.exercise_id == exercise_id)
    rows = session.execute(
        select(Case.id, Case.type_code, Case.state, Case.urgent, Case.department_code, Case.x, Case.y)
        .where(Case.cell_code.in_(cells), Case.state.not_in(FINISHED_CASE_STATES), ours)
        .order_by(Case.id)
    ).all()
    if not rows:
        return ()
    xs = np.array([r.x for r in rows], dtype=float)
    ys = np.array([r.y for r in rows], dtype=float)
    inside = shapely.intersects_xy(outer, xs, ys)
    in_inner = shapely.intersects_xy(inner, xs, ys)
    return tuple(
        CaseInside(
            r.id,
            r.type_code,
            r.state,
            bool(r.urgent),
            r.department_code,
            "inner" if in_inner[k] else "outer",
            r.x,
            r.y,
        )
        for k, r in enumerate(rows)
        if inside[k]
    )


def incident_impact(
    session: Session, index: ImpactIndex, incident: Incident, at: dt.datetime | None = None
) -> Impact:
    """The full impact of a stored incident, open cases included."""
    started = time.perf_counter()
    site, inner, outer = incident_cordons(incident)
    result = index.impact(site, inner, outer, at=at)
    cases = open_cases_inside(session, index, inner, outer, incident.exercise_id)
    return replace(result, open_cases=cases, elapsed_ms=(time.perf_counter() - started) * 1000.0)
