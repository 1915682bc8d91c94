"""A tiny hand-built city (two districts, four cells) for the rules of the modes: small enough to
reason about exactly, independent of the demo-city generator. Also the seeded city file and the keys
the links tests' node processes start from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from shapely.geometry import box

from comms.keys import generate_keys
from data.city import set_city_crs
from data.codes import load_types
from data.db import open_database, session_factory
from data.geometry import HARBIN_CRS
from data.models import (
    Community,
    Component,
    Department,
    District,
    EventAssignment,
    GridCell,
    Street,
    Supervisor,
)
from modes.common.clock import FixedClock

# Monday 2 March 2026, 09:00: a working morning.
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0)
X0, Y0 = 500_000.0, 5_060_000.0  # inside EPSG:4551's zone, near Harbin


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9)


@pytest.fixture
def tiny_city(session):
    """Cells are 200 m squares: 230102001001001..002 (道里) side by side, 230103001001001..002 (南岗) north."""
    load_types(session)
    set_city_crs(session, HARBIN_CRS)
    session.add_all(
        [
            District(code="230102", name="道里区", name_en="Daoli"),
            District(code="230103", name="南岗区", name_en="Nangang"),
            Department(code="sanitation", name="环卫局"),
            Department(code="water_supply", name="供水集团"),
            Department(code="enforcement", name="城管执法局"),
        ]
    )
    session.flush()
    session.add_all(
        [
            Street(code="230102001", name="兆麟街道", district_code="230102"),
            Street(code="230103001", name="花园街道", district_code="230103"),
        ]
    )
    session.flush()
    session.add_all(
        [
            Community(code="230102001001", name="甲社区", street_code="230102001"),
            Community(code="230103001001", name="乙社区", street_code="230103001"),
        ]
    )
    session.flush()
    sup_a = Supervisor(code="230102-S001", name="张三", district_code="230102")
    sup_b = Supervisor(code="230103-S001", name="李四", district_code="230103")
    session.add_all([sup_a, sup_b])
    session.flush()
    cells = []
    for row, (community, sup) in enumerate((("230102001001", sup_a), ("230103001001", sup_b))):
        for i in range(2):
            poly = box(X0 + i * 200, Y0 + row * 200, X0 + (i + 1) * 200, Y0 + (row + 1) * 200)
            cells.append(
                GridCell(
                    code=f"{community}{i + 1:03d}",
                    community_code=community,
                    geometry=poly,
                    area_m2=poly.area,
                    pop_day=1000,
                    pop_night=800,
                    supervisor_id=sup.id,
                )
            )
    session.add_all(cells)
    session.flush()
    session.add_all(
        [
            # 暴露垃圾 goes to sanitation in 道里 but to enforcement in 南岗: the table is per district.
            EventAssignment(district_code="230102", event_type_code="06010", department_code="sanitation"),
            EventAssignment(district_code="230103", event_type_code="06010", department_code="enforcement"),
            Component(
                id="23010201001000001",
                legacy_id="2301020101000001",
                type_code="01001",
                name="供水井盖",
                owner_code="water_supply",
                cell_code="230102001001002",
                init_date=dt.date(2020, 1, 1),
                x=X0 + 300,
                y=Y0 + 100,
            ),
        ]
    )
    session.flush()
    return session


# --- files for the nodes of the links tests (real processes each start on a copy) ----------------------


def seeded_city_file(path: Path, seed: Callable[..., object]) -> Path:
    """A SQLite city at ``path`` seeded once by ``seed`` (``seed_city`` or ``seed_demo``, small, seed 3)."""
    engine = open_database(f"sqlite:///{path}")
    with session_factory(engine)() as s, s.begin():
        seed(s, scale="small", seed=3)
    engine.dispose()
    return path


def node_keys(folder: Path, districts: Iterable[str], console_of: str) -> Path:
    """One folder holding every node's pair (each node reads only its own secret): the centre, the
    ``districts``' nodes, a console of the centre and one of district ``console_of``."""
    generate_keys(folder, "centre", "centre")
    for code in districts:
        generate_keys(folder, f"district-{code}", f"district:{code}")
    generate_keys(folder, "console", "console")
    generate_keys(folder, f"console-{console_of}", f"console:{console_of}")
    return folder
