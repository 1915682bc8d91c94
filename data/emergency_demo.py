"""Demo rescue units, depots and medical facilities for a seeded city.

About 1,000 units at Harbin scale (fire engines and rescue vehicles in fire stations, ambulances at
120 stations, police patrols, utility repair crews, pump trucks, civil-defence search-and-rescue teams,
heavy equipment, buses for evacuation and supply depots), fewer in proportion to the managed area in
a smaller city but never fewer than one base per capability. Vehicles of one station share its
position, as they do in life. Bases stand in populated cells (chosen with probability by night
population), so help is where people are. Every number and name is invented; the generator is
deterministic from ``seed``.

Who owns what: a unit belongs to the municipal department that runs it (fire brigade, gas company,
public security...); ambulances and supply depots belong to their district. A dispatch task goes to
that owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from data import journal
from data.emergency_models import Capability as C
from data.emergency_models import FacilityKind, MedicalFacility, RescueUnit, UnitKind, UnitStatus
from data.errors import InputError, NoCity
from data.models import Department, District, GridCell

HARBIN_AREA_KM2 = 176.0


@dataclass(frozen=True)
class UnitPlan:
    capability: C
    kind: UnitKind
    bases: int  # at Harbin scale
    per_base: int
    department: str | None  # None: the district owns it
    speed_kmh: float
    capacity: int
    base_label: str  # "{district}消防{n}中队"-style name of the base
    unit_label: str
    code: str  # short code in the unit id


# fmt: off
UNIT_PLANS: tuple[UnitPlan, ...] = (
    UnitPlan(C.FIRE, UnitKind.VEHICLE, 30, 6, "fire", 50, 6, "{d}消防{n}中队", "水罐消防车", "FIR"),
    UnitPlan(C.RESCUE, UnitKind.VEHICLE, 30, 2, "fire", 50, 6, "{d}消防{n}中队", "抢险救援车", "RSC"),
    UnitPlan(C.HAZMAT, UnitKind.VEHICLE, 6, 2, "fire", 45, 6, "{d}特勤{n}中队", "防化洗消车", "HAZ"),
    UnitPlan(C.MEDICAL, UnitKind.VEHICLE, 40, 4, None, 55, 3, "{d}120急救{n}分站", "救护车", "MED"),
    UnitPlan(C.POLICE, UnitKind.VEHICLE, 66, 2, "public_security", 55, 4, "{d}{n}派出所", "巡逻车", "POL"),
    UnitPlan(C.SEARCH_RESCUE, UnitKind.TEAM, 14, 3, "civil_defence", 40, 12, "{d}人防专业队{n}基地", "搜救分队", "SAR"),
    UnitPlan(C.GAS_REPAIR, UnitKind.TEAM, 10, 5, "gas", 45, 6, "{d}燃气抢修{n}站", "燃气抢修班", "GAS"),
    UnitPlan(C.WATER_REPAIR, UnitKind.TEAM, 10, 5, "water_supply", 45, 6, "{d}供水抢修{n}站", "供水抢修班", "WAT"),
    UnitPlan(C.HEATING_REPAIR, UnitKind.TEAM, 10, 4, "heating", 45, 6, "{d}供热抢修{n}站", "供热抢修班", "HEA"),
    UnitPlan(C.POWER_REPAIR, UnitKind.TEAM, 10, 5, "power", 45, 5, "{d}供电抢修{n}站", "电力抢修班", "PWR"),
    UnitPlan(C.PUMPING, UnitKind.VEHICLE, 12, 6, "drainage", 40, 300, "{d}排水抢险{n}站", "排水泵车", "PMP"),
    UnitPlan(C.ROAD_REPAIR, UnitKind.TEAM, 10, 5, "roads_bridges", 40, 8, "{d}道路养护{n}站", "道路抢修队", "ROD"),
    UnitPlan(C.HEAVY_EQUIPMENT, UnitKind.VEHICLE, 8, 4, "construction", 30, 1, "{d}工程机械{n}场", "起重挖掘机组", "HVY"),
    UnitPlan(C.TRANSPORT, UnitKind.VEHICLE, 6, 8, "public_transit", 40, 50, "{d}公交{n}场站", "疏散大客车", "BUS"),
    UnitPlan(C.SUPPLIES, UnitKind.DEPOT, 14, 1, None, 35, 5000, "{d}应急物资{n}库", "物资储备", "SUP"),
)
# fmt: on

# Hospitals: (number at Harbin scale, grade, beds range); plus one 120 emergency centre per district.
HOSPITALS_HARBIN = 36
HOSPITAL_GRADES = (("三级甲等", 800, 2500), ("三级乙等", 500, 1000), ("二级甲等", 200, 600))


def bases_for(plan_bases: int, area_km2: float) -> int:
    return max(1, int(round(plan_bases * area_km2 / HARBIN_AREA_KM2)))


def _short(district_name: str) -> str:
    return district_name[:-1] if district_name.endswith("区") else district_name


def _base_points(
    polys: np.ndarray, weights: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` base positions in distinct populated cells: (cell indices, x, y). Each base stands at a
    random point of its cell."""
    p = weights / weights.sum()
    chosen = rng.choice(len(polys), size=min(n, len(polys)), replace=False, p=p)
    if n > len(polys):
        chosen = np.concatenate([chosen, rng.choice(len(polys), size=n - len(polys), p=p)])
    xs, ys = np.empty(n), np.empty(n)
    for k, c in enumerate(chosen):
        minx, miny, maxx, maxy = polys[c].bounds
        for _ in range(100):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.intersects_xy(polys[c], x, y):
                break
        else:
            pt = polys[c].representative_point()
            x, y = pt.x, pt.y
        xs[k], ys[k] = round(x, 2), round(y, 2)
    return chosen, xs, ys


def generate_emergency(session: Session, *, seed: int = 1) -> tuple[list[dict], list[dict]]:
    """(unit rows, facility rows) for the city in the database, without writing them."""
    rows = session.execute(
        select(GridCell.code, GridCell.geometry, GridCell.pop_night).order_by(GridCell.code)
    ).all()
    if not rows:
        raise NoCity("the database holds no grid cells: run `python main.py seed` first")
    codes = np.array([r[0] for r in rows], dtype=object)
    polys = np.array([r[1] for r in rows], dtype=object)
    weights = np.array([max(r[2], 1) for r in rows], dtype=float)
    area_km2 = float(shapely.area(polys).sum()) / 1e6
    names = dict(session.execute(select(District.code, District.name)).all())
    departments = set(session.scalars(select(Department.code)))
    rng = np.random.default_rng([seed, 7])  # a stream of its own, apart from the city's

    units: list[dict] = []
    seq: dict[tuple[str, str], int] = {}
    for plan in UNIT_PLANS:
        n_bases = bases_for(plan.bases, area_km2)
        cells, xs, ys = _base_points(polys, weights, n_bases, rng)
        base_no: dict[str, int] = {}
        for c, x, y in zip(cells, xs, ys, strict=True):
            district = str(codes[c])[:6]
            base_no[district] = base_no.get(district, 0) + 1
            base = plan.base_label.format(d=_short(names.get(district, district)), n=base_no[district])
            for k in range(plan.per_base):
                key = (district, plan.code)
                seq[key] = seq.get(key, 0) + 1
                units.append(
                    {
                        "id": f"{district}-{plan.code}{seq[key]:03d}",
                        "name": f"{base} {plan.unit_label}{k + 1}" if plan.per_base > 1 else f"{base}",
                        "kind": plan.kind.value,
                        "capability": plan.capability.value,
                        "capacity": plan.capacity,
                        "status": UnitStatus.AVAILABLE.value,
                        "x": float(x),
                        "y": float(y),
                        "speed_kmh": plan.speed_kmh,
                        "district_code": district,
                        "department_code": plan.department if plan.department in departments else None,
                        "base_name": base,
                        "phone": "",
                        "updated_at": None,
                    }
                )

    facilities: list[dict] = []
    n_hosp = bases_for(HOSPITALS_HARBIN, area_km2) + 1
    cells, xs, ys = _base_points(polys, weights, n_hosp, rng)
    for k, (c, x, y) in enumerate(zip(cells, xs, ys, strict=True)):
        district = str(codes[c])[:6]
        grade, lo, hi = HOSPITAL_GRADES[min(k * len(HOSPITAL_GRADES) // n_hosp, len(HOSPITAL_GRADES) - 1)]
        facilities.append(
            {
                "id": f"{district}-H{k + 1:03d}",
                "name": f"哈尔滨市第{k + 1}医院",
                "kind": FacilityKind.HOSPITAL.value,
                "grade": grade,
                "beds": int(rng.integers(lo, hi + 1)),
                "x": float(x),
                "y": float(y),
                "district_code": district,
                "phone": "",
            }
        )
    districts = sorted({str(c)[:6] for c in codes})
    for d in districts:
        in_d = np.flatnonzero(np.array([str(c).startswith(d) for c in codes]))
        cells, xs, ys = _base_points(polys[in_d], weights[in_d], 1, rng)
        facilities.append(
            {
                "id": f"{d}-E001",
                "name": f"{_short(names.get(d, d))}区120急救中心",
                "kind": FacilityKind.EMERGENCY_CENTRE.value,
                "grade": "",
                "beds": 0,
                "x": float(xs[0]),
                "y": float(ys[0]),
                "district_code": d,
                "phone": "120",
            }
        )
    return units, facilities


def seed_emergency(
    session: Session, *, seed: int = 1, actor: str = "system", at: dt.datetime | None = None
) -> dict:
    """Write the demo units and facilities in the caller's transaction; returns the counts.

    Refuses a database that already holds rescue units (run it once, after ``seed_city``).
    """
    if session.scalar(select(func.count()).select_from(RescueUnit)):
        raise InputError("the database already holds rescue units: the emergency demo data is seeded once")
    units, facilities = generate_emergency(session, seed=seed)
    session.execute(insert(RescueUnit.__table__), units)
    session.execute(insert(MedicalFacility.__table__), facilities)
    by_capability: dict[str, int] = {}
    for u in units:
        by_capability[u["capability"]] = by_capability.get(u["capability"], 0) + 1
    summary = {
        "rescue_units": len(units),
        "medical_facilities": len(facilities),
        "by_capability": dict(sorted(by_capability.items())),
    }
    journal.append(
        session,
        journal.NewEvent(
            kind="emergency.seeded",
            actor=actor,
            at=at or dt.datetime.now(),
            subject="emergency",
            payload=summary,
        ),
    )
    session.flush()
    return summary


def add_demo_units(make_session: Callable[[], Session], **kw) -> dict:
    """``seed_emergency`` in a transaction of its own: demo data for a new city, not a command on a
    city, so the command line calls this rather than opening a write transaction itself."""
    with make_session() as s, s.begin():
        return seed_emergency(s, **kw)
