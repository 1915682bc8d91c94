"""Exercises on a console attached to a node (``--connect``): the EXERCISE banner and the map's watermark
come from the replica's exercise tables, the centre's own driver delivers the injects (the console never
ticks), and a console of a district node sees the exercise and its alarm marked as well.

A real ``python main.py center`` (and, for the district, ``python main.py district``) serves the small
demo city with CURVE on; the console's window is opened in this process as ``run_console`` opens it.
Real sockets on 127.0.0.1, real SQLite files, real widgets (offscreen).
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from comms.keys import generate_keys
from console.exercises.texts import STAMP
from tests.conftest import HOST, free_base
from tests.console.test_connect import (  # noqa: F401 - the window fixture, on this module's world
    Centre,
    connect,
    copy_city,
    main_py,
)

DISTRICT = "230102"
TITLE = "Connected drill"
FAST = 3600.0


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[argparse.Namespace]:
    from data.db import open_database, session_factory
    from data.demo import seed_demo

    root = tmp_path_factory.mktemp("exercise_connect")
    db = root / "centre.db"
    engine = open_database(f"sqlite:///{db}", create=True)
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=5)
    engine.dispose()
    keys = root / "keys"
    generate_keys(keys, "centre", "centre")
    generate_keys(keys, "console", "console")
    generate_keys(keys, f"console-{DISTRICT}", f"console:{DISTRICT}")
    generate_keys(keys, f"district-{DISTRICT}", f"district:{DISTRICT}")
    cache = root / "cache"
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, endpoint, keys, cache).wait_ready()
    yield argparse.Namespace(db=db, keys=keys, cache=cache, endpoint=endpoint, centre=centre, root=root)
    centre.stop()


def cell_of(db: Path, district: str, k: int = 0) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT code FROM grid_cells WHERE code LIKE ? ORDER BY code LIMIT 1 OFFSET ?",
            (f"{district}%", k),
        ).fetchone()[0]


def write_scenario(path: Path, cell: str, *, alarm: bool = False) -> Path:
    """A small YAML scenario: a message to the commander, a report in district 230102, and (``alarm``) a
    pre-warning for that district."""
    injects = [
        {"No": 1, "Time": "+00:00", "Kind": "message", "To": "city_commander", "Message": "Stand by"},
        {"No": 2, "Time": "+00:01", "Kind": "report", "To": "city_operator", "Type": "06010",
         "Channel": "hotline", "Cell": cell, "Message": "connected drill report"},
    ]  # fmt: skip
    if alarm:
        injects.append(
            {"No": 3, "Time": "+00:02", "Kind": "alarm", "To": "district civil-defence offices",
             "Alarm": "pre", "Districts": DISTRICT, "Message": "pre-warning (drill)"}
        )  # fmt: skip
    doc = {"name": "connected_drill", "title": TITLE, "title_zh": "联网演练", "injects": injects}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def replica_inject_states(window, exercise_id: int) -> dict[str, str]:
    from modes.exercises.screens import controller_view

    with window.services.session_factory() as s:
        view = controller_view(s, window.exercises.services.wall(), exercise_id, progress=[])
    return {} if view is None else dict(zip(view.rows.no, view.rows.state, strict=True))


def test_a_console_attached_to_the_centre_shows_the_exercise_the_centre_drives(
    world, connect, qtbot, tmp_path  # noqa: F811 - the imported fixture
):
    from modes.exercises.exercises import load_scenario

    window = connect(role="city_commander")
    banner, mark = window.exercise_banner, window.map.exercise_watermark
    assert not window.exercises.drives  # the centre's driver delivers; a connected console never ticks
    assert not banner.isVisible() and not mark.isVisible()

    scenario = dataclasses.replace(
        load_scenario(str(write_scenario(tmp_path / "drill.yaml", cell_of(world.db, DISTRICT)))), title=TITLE
    )
    started = window.exercises.services.start(scenario=scenario, speed=FAST)  # through the centre
    ex_id = started["id"]
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=30_000)
    assert TITLE in banner.detail.text() and banner.stamp.text() == STAMP
    assert mark.isVisible() and mark.lines == (STAMP,)
    assert window.services.exercise_records == "include"
    # Delivered by the centre, seen through the replica; the message to the commander waits in the banner.
    qtbot.waitUntil(
        lambda: set(replica_inject_states(window, ex_id).values()) == {"delivered"}, timeout=30_000
    )
    qtbot.waitUntil(lambda: banner.ack_button.isVisible(), timeout=30_000)
    assert banner.shown_inject.no == "1"
    assert window.exercises.ticks == 0

    # The controller page asks the centre for the injects' progress (the replica has no journal).
    window.show_controller(True)
    page = window.controller_page
    qtbot.waitUntil(lambda: page.exercise_id == ex_id and page.model.rowCount() == 2, timeout=30_000)

    window.exercises.services.stop(ex_id)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=30_000)
    assert not mark.isVisible()
    assert window.services.exercise_records == "leave"


def test_a_district_console_sees_the_exercise_and_its_alarm_marked(world, connect, qtbot, tmp_path):  # noqa: F811
    """A console of district 230102 attached to its district node: the exercise the centre runs is on its
    banner and map, and the exercise's pre-warning for the district is marked on its alarm board."""
    db = tmp_path / "centre.db"
    copy_city(world, db)
    centre_ep, district_ep = f"tcp://{HOST}:{free_base()}", f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, centre_ep, world.keys, world.cache).wait_ready()
    district = Centre(
        tmp_path / "district.db", district_ep, world.keys, world.cache, district=(DISTRICT, centre_ep)
    ).wait_ready()
    try:
        window = connect(role="daoli_civil_defence", identity=f"console-{DISTRICT}", endpoint=district_ep,
                         server=f"district-{DISTRICT}")  # fmt: skip
        banner = window.exercise_banner
        path = write_scenario(tmp_path / "drill.yaml", cell_of(db, DISTRICT), alarm=True)
        done = main_py("exercise", "start", str(path), "--speed", str(FAST), "--no-driver", "--json",
                       "--as", "city_drill", "--db", f"sqlite:///{db}", cache=world.cache)  # fmt: skip
        assert done.returncode == 0, done.stderr
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=60_000)
        assert TITLE in banner.detail.text()
        assert window.map.exercise_watermark.isVisible()

        panel = window.civil_defence.alarms

        def marked_alarm() -> bool:
            panel.load_latest()
            return panel.board is not None and panel.board.exercise

        qtbot.waitUntil(marked_alarm, timeout=60_000)
        assert panel.alarm_label.text().startswith(f"{STAMP} · ")

        ex_id = window.exercises.active.id
        done = main_py("exercise", "stop", str(ex_id), "--as", "city_drill", "--db", f"sqlite:///{db}",
                       cache=world.cache)  # fmt: skip
        assert done.returncode == 0, done.stderr
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=60_000)
        assert not window.map.exercise_watermark.isVisible()
    finally:
        district.stop()
        centre.stop()
