"""The civil-defence commands of main.py against a small demo city in a SQLite file: the CLI contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import wave

import pytest
from sqlalchemy import select

import main
from data.civil_defence_demo import add_demo
from data.db import open_database, session_factory
from data.demo_city import write_city
from data.models import JournalEvent

AT = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture(scope="module")
def db(tmp_path_factory, small_city_rows) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("cd") / "city.db")
    engine = open_database(url)
    with session_factory(engine)() as s, s.begin():
        write_city(s, small_city_rows, at=AT)
        add_demo(s, seed=1, at=AT)
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SANWEI_CLOCK", "2026-03-02T09:00:00")
    monkeypatch.setenv("SANWEI_PASSWORD", "sanwei-demo")  # the demo logins' password


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main.main(list(argv))
    except SystemExit as exc:  # argparse: a missing required option such as --as
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_alarm_signal_contract(capsys, tmp_path):
    doc = run_json(capsys, "alarm", "signal", "raid")
    assert {k: doc[k] for k in ("kind", "name_zh", "cycle_s", "tone_hz")} == {
        "kind": "raid", "name_zh": "空袭警报", "cycle_s": 180, "tone_hz": 500
    }  # fmt: skip
    assert doc["on_off"][:2] == [[0, 6], [12, 18]] and len(doc["on_off"]) == 15
    doc = run_json(capsys, "alarm", "signal", "pre", "--wav", str(tmp_path / "pre.wav"))
    assert doc["on_off"] == [[0, 36], [60, 96], [120, 156]]
    with wave.open(doc["wav"], "rb") as w:
        assert w.getnframes() == 180 * 8000


def test_alarm_issue_needs_the_civil_defence_role(capsys, db):
    code, _, err = run(capsys, "alarm", "issue", "raid", "--db", db)
    assert code == main.EXIT_INPUT and "--as" in err
    code, _, err = run(capsys, "alarm", "issue", "raid", "--db", db, "--as", "city_commander")
    assert code == main.EXIT_INPUT and "may not sound" in err


def test_alarm_issue_board_and_ack(capsys, db, tmp_path, monkeypatch):
    doc = run_json(
        capsys,
        "alarm",
        "issue",
        "raid",
        "--db",
        db,
        "--as",
        "city_civil_defence",
        "--wav",
        str(tmp_path / "r.wav"),
    )
    assert [d["district"] for d in doc["deliveries"]] == ["230102", "230103", "230109"]
    assert all(d["sent_at"] == "2026-03-02T09:00:00" for d in doc["deliveries"])
    assert all(d["received_at"] is None and d["acknowledged_at"] is None for d in doc["deliveries"])
    alarm_id = str(doc["alarm_id"])
    doc = run_json(
        capsys, "alarm", "issue", "clear", "--db", db, "--as", "city_civil_defence", "--districts", "230109"
    )
    assert [d["district"] for d in doc["deliveries"]] == ["230109"]
    # An acknowledgement is a person's act: the district's own staff, or a city officer.
    code, _, err = run(capsys, "alarm", "ack", alarm_id, "230102", "--db", db)
    assert code == main.EXIT_INPUT and "--as" in err
    code, _, err = run(capsys, "alarm", "ack", alarm_id, "230102", "--db", db, "--as", "nangang_operator")
    assert code == main.EXIT_INPUT and "belongs to district 230103" in err
    monkeypatch.setenv("SANWEI_CLOCK", "2026-03-02T09:00:10")
    doc = run_json(
        capsys, "alarm", "ack", alarm_id, "230102", "--db", db, "--at", "2026-03-02T09:00:05",
        "--as", "daoli_operator",
    )  # fmt: skip
    ours = next(d for d in doc["deliveries"] if d["district"] == "230102")
    assert ours["ack_seconds"] == 5 and ours["acknowledged_by"] == "daoli_operator"
    assert set(doc["late"]) == set()  # 10 s after sending: nobody is late yet
    code, _, err = run(
        capsys, "alarm", "issue", "raid", "--db", db, "--as", "city_civil_defence", "--districts", "999999"
    )
    assert code == main.EXIT_INPUT and "999999" in err


def test_an_exercise_alarms_wav_carries_the_exercise_chime(capsys, db, tmp_path):
    import numpy as np

    from modes.civil_defence import alarms

    def samples(path: str) -> np.ndarray:
        with wave.open(path, "rb") as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")

    issued = {}
    for name, extra in (("drill", ["--exercise"]), ("real", [])):
        doc = run_json(capsys, "alarm", "issue", "raid", "--db", db, "--as", "city_civil_defence",
                       "--wav", str(tmp_path / f"{name}.wav"), *extra)  # fmt: skip
        issued[name] = (doc["exercise"], samples(doc["wav"]))
    assert issued["drill"][0] is True and issued["real"][0] is False
    assert np.array_equal(issued["drill"][1], alarms.render_exercise_tone("raid"))
    assert np.array_equal(issued["real"][1], alarms.render_tone("raid"))


def test_alarm_test_plan(capsys, db):
    code, _, err = run(capsys, "alarm", "test-plan", "--db", db, "--as", "city_operator")
    assert code == main.EXIT_INPUT and "may not plan the annual alarm test" in err
    doc = run_json(capsys, "alarm", "test-plan", "--db", db, "--as", "city_civil_defence")
    assert doc["date"] == "2026-09-18"
    assert [s["starts_at"][11:16] for s in doc["signals"]] == ["10:00", "10:08", "10:16"]
    doc = run_json(
        capsys, "alarm", "test-plan", "--db", db, "--date", "2027-09-18", "--as", "city_civil_defence"
    )
    assert doc["planned_dates"] == ["2026-09-18", "2027-09-18"]


def test_sirens_coverage_suggest_and_set(capsys, db):
    doc = run_json(capsys, "sirens", "coverage", "--db", db)
    assert doc["population"] == doc["covered"] + doc["uncovered"]
    assert {d["district"] for d in doc["districts"]} == {"230102", "230103", "230109"}
    assert doc["uncovered_cells"] and doc["assumption"]
    picks = run_json(capsys, "sirens", "suggest", "2", "--db", db)["suggestions"]
    assert len(picks) == 2 and all(p["gain_people"] > 0 for p in picks)
    code, _, err = run(capsys, "sirens", "set", "230102-J001", "out_of_service", "--db", db)
    assert code == main.EXIT_INPUT and "--as" in err
    doc = run_json(
        capsys, "sirens", "set", "230102-J001", "out_of_service", "--db", db, "--as", "city_civil_defence"
    )
    assert doc["status"] == "out_of_service" and doc["covered_after"] <= doc["covered_before"]
    run_json(capsys, "sirens", "set", "230102-J001", "in_service", "--db", db, "--as", "city_civil_defence")


def test_evacuate_plan_formats(capsys, db):
    doc = run_json(capsys, "evacuate", "plan", "--db", db)
    assert doc["solver_status"] == 0
    assert doc["assigned"] + doc["unplaced"] == doc["staying_population"]
    assert all(s["load"] <= s["capacity"] for s in doc["shelter_loads"])
    shorter = run_json(capsys, "evacuate", "plan", "--db", db, "--max-walk-min", "10")
    assert shorter["unplaced"] >= doc["unplaced"] and shorter["max_walk_m"] <= 600
    greedy = run_json(capsys, "evacuate", "plan", "--db", db, "--greedy")
    assert greedy["method"] == "greedy" and greedy["unplaced"] >= doc["unplaced"]
    code, out, _ = run(capsys, "evacuate", "plan", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and sum(int(r["persons"]) for r in rows) == doc["staying_population"]
    code, out, _ = run(capsys, "evacuate", "plan", "--db", db, "--format", "geojson")
    assert code == 0 and json.loads(out)["type"] == "FeatureCollection"


def test_shelters_close_occupancy_and_list(capsys, db):
    listed = run_json(capsys, "shelters", "list", "--db", db, "--class", "personnel_2")["shelters"]
    target = listed[0]["id"]
    code, _, err = run(capsys, "shelters", "close", target, "--db", db, "--as", "city_supervisor")
    assert code == main.EXIT_INPUT and "may not" in err
    doc = run_json(capsys, "shelters", "close", target, "--db", db, "--as", "city_civil_defence")
    assert doc["closed"] == target and doc["plan"]["solver_status"] == 0
    assert doc["displaced"] >= 0 and doc["rehoused"] + max(doc["newly_unplaced"], 0) == doc["displaced"]
    run_json(capsys, "shelters", "open", target, "--db", db, "--as", "city_civil_defence")
    code, _, err = run(capsys, "shelters", "occupancy", target, "250", "--db", db)
    assert code == main.EXIT_INPUT and "--as" in err
    doc = run_json(capsys, "shelters", "occupancy", target, "250", "--db", db, "--as", "daoli_operator")
    assert doc["occupancy"] == 250 and doc["applied"]
    code, _, err = run(capsys, "shelters", "occupancy", "nope", "5", "--db", db, "--as", "daoli_operator")
    assert code == main.EXIT_INPUT and "no shelter" in err


def test_import_sirens_through_the_cli(capsys, db, tmp_path):
    path = tmp_path / "sirens.csv"
    path.write_text("id,lon,lat,power_w\nX1,126.65,45.72,2000\nX2,126.66,45.72,\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "sirens", str(path), "--db", db)
    assert code == main.EXIT_INPUT and "line 3" in err and "power_w" in err
    path.write_text("id,lon,lat,power_w\nX1,126.65,45.72,2000\n", encoding="utf-8")
    doc = run_json(capsys, "import", "sirens", str(path), "--db", db)
    assert doc["inserted"] == 1 and doc["kind"] == "sirens"
    # The layer.import command, applied here for the holder of the database, at the command's time.
    engine = open_database(db)
    with session_factory(engine)() as s:
        event = s.scalars(select(JournalEvent).order_by(JournalEvent.seq.desc()).limit(1)).one()
    engine.dispose()
    assert (event.kind, event.actor, event.at) == ("import.sirens", "local-admin", AT)
