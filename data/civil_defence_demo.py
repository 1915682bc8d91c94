"""The demo city's civil air defence: shelters, sirens, receiving areas and professional teams.

``add_demo(session, seed)`` adds them to a city written by ``data.demo_city`` (either scale), in the
caller's transaction, deterministically from ``seed``. The set is meant to be realistic and to have
something to find:

- shelters (人防工程): personnel shelters sized so that the staying population (night population x
  ``STAYING_SHARE``) has 110-130 % of the places it needs at 1 m2 per person in most districts, but only
  ``SHORT_DISTRICTS`` of it in one or two (Daowai, the dense old town, and Songbei, the new town north of
  the river); placed where people live, in proportion to the night population. Each district also has a
  command post, medical works, professional-team works and support works (no places). At Harbin scale
  that is about 330 personnel shelters and 400 works in all; one personnel shelter in a hundred is
  closed for repair.
- sirens: about one per km2 of built-up area on a jittered 1 km lattice, most electronic, some
  electro-mechanical; gaps where sirens were never installed around a populated spot of Xiangfang and
  of Hulan, and a small one in Songbei (``SIREN_GAPS``); about 6 % out of service and 2 % damaged.
- receiving areas (接收安置区) for early evacuation: one per district, in a real neighbouring county
  or county-level city, sized for the people who leave.
- professional teams (防空专业队): one of each of the seven kinds per district (two rescue-repair and
  two medical teams at Harbin scale), based at the district's team works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import shapely
import shapely.affinity
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from data import journal
from data.city import city_crs, get_meta
from data.civil_defence_models import (
    SHELTER_CLASS_ZH,
    TEAM_KIND_ZH,
    ProfessionalTeam,
    ReceivingArea,
    Shelter,
    ShelterClass,
    ShelterStatus,
    Siren,
    SirenKind,
    SirenStatus,
    TeamKind,
    TeamStatus,
    capacity_for,
)
from data.errors import InputError, NoCity
from data.geometry import WGS84, transformer
from data.models import Community, District, GridCell

STAYING_SHARE = 0.6  # the share of the night population still in the city (modes' default too)
PLACES_RATIO = (1.10, 1.30)  # places / staying people, drawn per district
SHORT_DISTRICTS = {"230104": 0.70, "230109": 0.80}  # 道外, 松北: deliberate shortfalls
PERSONNEL_PER_KM2 = 1.9
CLASS_1_SHARE = 0.12  # personnel shelters for key staff (一等)
SIREN_SPACING_M = 1000.0
# (district, gap radius as a multiple of the spacing): sirens never installed around a populated spot.
SIREN_GAPS = (("230110", 1.7), ("230111", 1.2), ("230109", 0.6))
SIREN_OUT_P = 0.06
SIREN_DAMAGED_P = 0.02
SIREN_POWERS = {
    SirenKind.ELECTRONIC: ((600, 1200, 2000), (0.3, 0.5, 0.2)),
    SirenKind.ELECTRO_MECHANICAL: ((2200, 4000, 7500), (0.3, 0.5, 0.2)),
}
LAST_ANNUAL_TEST = dt.date(2025, 9, 18)

# Receiving areas: the county or county-level city each district evacuates to (lon, lat of its seat).
RECEIVING_PLACES = {
    "230102": ("双城区", 126.312, 45.383),
    "230103": ("阿城区", 126.958, 45.548),
    "230104": ("宾县", 127.485, 45.755),
    "230108": ("五常市", 127.167, 44.932),
    "230109": ("巴彦县", 127.403, 46.085),
    "230110": ("尚志市", 127.968, 45.209),
    "230111": ("木兰县", 128.043, 45.950),
}
_SUPPORT_KINDS = ("区域电站", "供水站", "物资库", "汽车库", "食品站")
# Teams per kind and district at Harbin scale (one each at small scale); sizes as (low, high) members.
_TEAMS = {
    TeamKind.RESCUE_REPAIR: (2, (60, 150)),
    TeamKind.MEDICAL: (2, (40, 100)),
    TeamKind.FIRE: (1, (40, 90)),
    TeamKind.PUBLIC_ORDER: (1, (50, 120)),
    TeamKind.CHEMICAL_DEFENCE: (1, (30, 60)),
    TeamKind.COMMUNICATIONS: (1, (20, 50)),
    TeamKind.TRANSPORT: (1, (30, 80)),
}


def _apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Whole numbers summing to ``total`` in proportion to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    base = np.full(len(w), minimum, dtype=np.int64)
    rest = total - base.sum()
    if rest < 0:
        raise ValueError(f"cannot give {minimum} each to {len(w)} parts out of {total}")
    ideal = rest * w / w.sum()
    out = base + np.floor(ideal).astype(np.int64)
    short = total - int(out.sum())
    out[np.argsort(-(ideal - np.floor(ideal)), kind="stable")[:short]] += 1
    return out


def _point_in(poly, rng: np.random.Generator) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(poly, x, y):
            return float(x), float(y)
    p = poly.representative_point()
    return float(p.x), float(p.y)


def _footprint(x: float, y: float, area: float, rng: np.random.Generator):
    """A rotated rectangle of ``area`` centred on (x, y): the works under a building or a square."""
    aspect = rng.uniform(1.0, 2.5)
    w = np.sqrt(area * aspect)
    h = area / w
    rect = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return shapely.affinity.rotate(rect, float(rng.uniform(0, 180)), origin=(x, y))


def _entrances(footprint, n: int, rng: np.random.Generator):
    """``n`` entrances at the midpoints of distinct sides (then at corners) of the footprint."""
    ring = np.asarray(footprint.exterior.coords)[:4]
    spots = np.vstack([(ring + np.roll(ring, -1, axis=0)) / 2, ring])
    order = np.r_[rng.permutation(4), 4 + rng.permutation(4)]
    return shapely.MultiPoint(spots[order[:n]])


def _blob(cx: float, cy: float, radius: float, rng: np.random.Generator):
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 5):
        r += rng.uniform(0.03, 0.08) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return shapely.Polygon(
        np.column_stack([cx + radius * r * np.cos(theta), cy + radius * r * np.sin(theta)])
    )


def add_demo(
    session: Session, seed: int = 1, *, at: dt.datetime | None = None, actor: str = "system"
) -> dict:
    """Add the demo civil-defence set to the city in the session (the caller commits). Refused when the
    city already has sirens or shelters. Returns a summary."""
    if get_meta(session, "crs") is None:
        raise NoCity("the database holds no city yet: run `python main.py seed` first")
    if session.scalar(select(func.count()).select_from(Shelter)) or session.scalar(
        select(func.count()).select_from(Siren)
    ):
        raise InputError(
            "the city already has civil-defence sirens or shelters: add the demo set to a new city"
        )
    crs = city_crs(session)
    rng = np.random.default_rng([seed, 0xCD])
    rows = session.execute(
        select(GridCell.code, GridCell.geometry, GridCell.pop_night, Community.name)
        .join(Community, Community.code == GridCell.community_code)
        .order_by(GridCell.code)
    ).all()
    if not rows:
        raise NoCity("the city has no grid cells")
    codes = np.array([r[0] for r in rows], dtype=object)
    polys = np.array([r[1] for r in rows], dtype=object)
    pop = np.array([r[2] or 0 for r in rows], dtype=float)
    place = [r[3].removesuffix("社区") for r in rows]
    districts = dict(session.execute(select(District.code, District.name).order_by(District.code)).all())
    district_of = np.array([c[:6] for c in codes], dtype=object)
    area_km2 = float(shapely.area(polys).sum()) / 1e6
    harbin_scale = len(codes) > 2000

    shelters = _shelters(rng, codes, polys, pop, place, district_of, districts, area_km2, harbin_scale)
    sirens = _sirens(rng, codes, polys, pop, place, district_of)
    areas = _receiving_areas(rng, crs, pop, district_of, districts)
    teams = _teams(rng, shelters, districts, harbin_scale)
    session.execute(insert(Shelter.__table__), shelters)
    session.execute(insert(Siren.__table__), sirens)
    session.execute(insert(ReceivingArea.__table__), areas)
    session.execute(insert(ProfessionalTeam.__table__), teams)

    personnel = [
        s for s in shelters if s["shelter_class"] in (ShelterClass.PERSONNEL_1, ShelterClass.PERSONNEL_2)
    ]
    summary = {
        "shelters": len(shelters),
        "personnel_shelters": len(personnel),
        "places": int(sum(s["capacity"] for s in personnel)),
        "staying_population": int(round(pop.sum() * STAYING_SHARE)),
        "sirens": len(sirens),
        "sirens_out_of_service": sum(s["status"] != SirenStatus.IN_SERVICE for s in sirens),
        "receiving_areas": len(areas),
        "teams": len(teams),
        "short_districts": sorted(d for d in SHORT_DISTRICTS if d in districts),
    }
    journal.append(
        session,
        journal.NewEvent(
            "civil_defence.demo_added",
            actor,
            at or dt.datetime.now(),
            "civil_defence",
            {**summary, "seed": seed},
        ),
    )
    session.flush()
    return summary


def _shelters(rng, codes, polys, pop, place, district_of, districts, area_km2, harbin_scale) -> list[dict]:
    staying = {d: float(pop[district_of == d].sum()) * STAYING_SHARE for d in districts}
    ratio = {d: SHORT_DISTRICTS.get(d, float(rng.uniform(*PLACES_RATIO))) for d in districts}
    places = {d: int(round(staying[d] * ratio[d])) for d in districts}
    n_total = max(10, int(round(area_km2 * PERSONNEL_PER_KM2)))
    n_by_d = _apportion(n_total, np.array([places[d] for d in districts]), minimum=2)
    rows: list[dict] = []
    for d, n in zip(districts, n_by_d.tolist(), strict=True):
        cells = np.flatnonzero((district_of == d) & (pop > 0))
        if not len(cells):
            continue
        # Where people live: cells drawn by night population (a big compound may hold two works).
        chosen = rng.choice(cells, size=n, replace=n > len(cells), p=pop[cells] / pop[cells].sum())
        capacity = _apportion(places[d], rng.lognormal(0.0, 0.5, n), minimum=200)
        key_staff = rng.random(n) < CLASS_1_SHARE
        # (class, usable area m2, cell); personnel works get 1 m2 per place.
        specs = [
            (ShelterClass.PERSONNEL_1 if k1 else ShelterClass.PERSONNEL_2, float(c), int(cell))
            for k1, c, cell in zip(key_staff.tolist(), capacity.tolist(), chosen.tolist(), strict=True)
        ]
        per = 2 if harbin_scale else 1
        busiest = cells[np.argsort(-pop[cells], kind="stable")]
        others = [
            (ShelterClass.COMMAND_POST, 1, (1500, 3000)),
            (ShelterClass.MEDICAL, per, (2000, 4000)),
            (ShelterClass.PROFESSIONAL_TEAM, per + 1 if harbin_scale else 1, (1000, 2500)),
            (ShelterClass.SUPPORT, per + 1 if harbin_scale else 1, (500, 3000)),
        ]
        for cls, count, (lo, hi) in others:
            for _ in range(count):
                cell = int(rng.choice(busiest[: max(5, len(busiest) // 3)]))
                specs.append((cls, float(round(rng.uniform(lo, hi), -1)), cell))
        for seq, (cls, area, cell) in enumerate(specs, start=1):
            x, y = _point_in(polys[cell], rng)
            footprint = _footprint(x, y, area * 1.15, rng)  # walls, plant rooms and stairs
            n_doors = 2 if area < 2000 else 3 if area < 6000 else 4
            label = (
                f"{place[cell]}{rng.choice(_SUPPORT_KINDS)}"
                if cls is ShelterClass.SUPPORT
                else f"{place[cell]}{SHELTER_CLASS_ZH[cls]}"
            )
            rows.append(
                {
                    "id": f"{d}-S{seq:04d}",
                    "name": f"{label}{seq}号",
                    "shelter_class": cls.value,
                    "usable_area_m2": area,
                    "capacity": capacity_for(cls.value, area),
                    "status": ShelterStatus.OPEN.value,
                    "x": x,
                    "y": y,
                    "footprint": footprint,
                    "entrances": _entrances(footprint, n_doors, rng),
                    "occupancy": 0,
                    "occupancy_at": None,
                    "cell_code": codes[cell],
                    "district_code": d,
                    "note": "",
                    "updated_at": None,
                }
            )
    # A few works under repair: closed in the demo, so a plan shows them unused.
    personnel = [r for r in rows if r["shelter_class"] == ShelterClass.PERSONNEL_2.value]
    for r in rng.choice(np.array(personnel, dtype=object), size=len(personnel) // 100, replace=False):
        r["status"] = ShelterStatus.CLOSED.value
        r["note"] = "维修中"
    return rows


def _sirens(rng, codes, polys, pop, place, district_of) -> list[dict]:
    shapely.prepare(polys)
    tree = shapely.STRtree(polys)
    minx, miny, maxx, maxy = shapely.total_bounds(polys)
    s = SIREN_SPACING_M
    gx, gy = np.meshgrid(np.arange(minx + s / 2, maxx, s), np.arange(miny + s / 2, maxy, s))
    gx = gx.ravel() + rng.uniform(-0.2, 0.2, gx.size) * s
    gy = gy.ravel() + rng.uniform(-0.2, 0.2, gy.size) * s
    pt, cell = tree.query(shapely.points(gx, gy), predicate="intersects")
    pt, first = np.unique(pt, return_index=True)
    cell = cell[first]
    xs, ys = gx[pt], gy[pt]
    keep = np.ones(len(pt), dtype=bool)
    for d, radius in SIREN_GAPS:
        cells = np.flatnonzero((district_of == d) & (pop > 0))
        if not len(cells):
            continue
        spot = shapely.centroid(polys[int(rng.choice(cells, p=pop[cells] / pop[cells].sum()))])
        keep &= np.hypot(xs - spot.x, ys - spot.y) > radius * s
    xs, ys, cell = xs[keep], ys[keep], cell[keep]
    n = len(xs)
    order = np.lexsort((xs, -ys, district_of[cell].astype(str)))
    electronic = rng.random(n) < 0.7
    status_draw = rng.random(n)
    out_p = SIREN_OUT_P
    status = np.where(
        status_draw < SIREN_DAMAGED_P,
        SirenStatus.DAMAGED.value,
        np.where(
            status_draw < SIREN_DAMAGED_P + out_p,
            SirenStatus.OUT_OF_SERVICE.value,
            SirenStatus.IN_SERVICE.value,
        ),
    )
    if n and not (status != SirenStatus.IN_SERVICE.value).any():
        status[int(rng.integers(n))] = SirenStatus.OUT_OF_SERVICE.value  # always something to repair
    rows = []
    seq: dict[str, int] = {}
    for k in order.tolist():
        c = int(cell[k])
        d = district_of[c]
        seq[d] = seq.get(d, 0) + 1
        kind = SirenKind.ELECTRONIC if electronic[k] else SirenKind.ELECTRO_MECHANICAL
        powers, p = SIREN_POWERS[kind]
        working = status[k] == SirenStatus.IN_SERVICE.value
        last = LAST_ANNUAL_TEST if working else LAST_ANNUAL_TEST.replace(year=LAST_ANNUAL_TEST.year - 2)
        rows.append(
            {
                "id": f"{d}-J{seq[d]:03d}",
                "name": f"{place[c]}警报点",
                "kind": kind.value,
                "power_w": float(rng.choice(powers, p=p)),
                "audible_radius_m": None,
                "mount": "rooftop" if rng.random() < 0.85 else "pole",
                "status": str(status[k]),
                "last_test": last,
                "x": float(xs[k]),
                "y": float(ys[k]),
                "cell_code": codes[c],
                "district_code": d,
                "updated_at": None,
            }
        )
    return rows


def _receiving_areas(rng, crs, pop, district_of, districts) -> list[dict]:
    to_city = transformer(WGS84, crs)
    rows = []
    for d, name in districts.items():
        county, lon, lat = RECEIVING_PLACES.get(d, (f"{name}郊区", None, None))
        leaving = float(pop[district_of == d].sum()) * (1 - STAYING_SHARE)
        if lon is None:
            continue
        x, y = to_city.transform(lon, lat)
        rows.append(
            {
                "id": f"{d}-R01",
                "name": f"{county}接收安置区",
                "geometry": _blob(x, y, float(rng.uniform(2500, 4000)), rng),
                "capacity": int(round(leaving * rng.uniform(1.05, 1.25), -2)),
                "district_code": d,
                "note": f"{name}早期疏散人口接收",
            }
        )
    return rows


def _teams(rng, shelters: list[dict], districts: dict[str, str], harbin_scale: bool) -> list[dict]:
    rows = []
    for d, name in districts.items():
        bases = [
            s
            for s in shelters
            if s["district_code"] == d and s["shelter_class"] == ShelterClass.PROFESSIONAL_TEAM
        ]
        if not bases:
            continue
        seq = 0
        for kind, (count, (lo, hi)) in _TEAMS.items():
            for k in range(count if harbin_scale else 1):
                seq += 1
                base = bases[(seq - 1) % len(bases)]
                rows.append(
                    {
                        "id": f"{d}-T{seq:02d}",
                        "name": f"{name}{TEAM_KIND_ZH[kind]}{'一二三'[k]}分队",
                        "kind": kind.value,
                        "size": int(rng.integers(lo, hi + 1)),
                        "status": TeamStatus.READY.value,
                        "x": base["x"],
                        "y": base["y"],
                        "district_code": d,
                        "shelter_id": base["id"],
                        "updated_at": None,
                    }
                )
    return rows


def add_demo_set(make_session: Callable[[], Session], **kw) -> dict:
    """``add_demo`` in a transaction of its own: demo data for a new city, not a command on a city,
    so the command line calls this rather than opening a write transaction itself."""
    with make_session() as s, s.begin():
        return add_demo(s, **kw)
