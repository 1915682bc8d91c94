"""``python main.py exercise ...`` through real processes on real SQLite cities: the documents scripts
rely on, the driver ``start`` leaves behind, a spreadsheet written by hand, bad input that changes
nothing, and each built-in scenario run headless on the Harbin-scale demo city. These run on the wall
clock (an exercise clock needs time to pass); they wait on the exercise's state, never a fixed time."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import openpyxl
import pytest

from tests.conftest import wait_until
from tests.test_cli import REPO, run

WALL = {"SANWEI_CLOCK": "", "SANWEI_PASSWORD": "sanwei-demo"}
CELL = "230102001001001"
MSEL = f"""MSEL #,Time,Kind,To,Message,Expected Action,Expected Within,Objective,Cell,Type,Channel,Alarm,Districts
1,+00:00,message,city_commander,Stand by,exercise.ack,5,Command,,,,,
2,+00:01,report,city_operator,Water on the road,case.send_verify,10,Intake,{CELL},0406,hotline,,
3,+00:02,alarm,districts,Pre alarm test,alarm.acknowledged,3,Warning,,,,pre,230102
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("exercise_cli") / "city.db"
    run("seed", "--scale", "small", "--seed", "3", "--db", f"sqlite:///{path}")
    return path


@pytest.fixture
def city(seeded, tmp_path):
    path = tmp_path / "city.db"
    shutil.copyfile(seeded, path)
    return f"sqlite:///{path}"


def cli(url: str, *args: str, login: str | None = "city_drill", check: bool = True):
    extra = ["--as", login] if login else []
    return run("exercise", *args, *extra, "--db", url, env=WALL, check=check)


def status(url: str, ex_id: int) -> dict:
    return json.loads(cli(url, "status", str(ex_id), "--json", login=None).stdout)


def journal_head(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]


def msel(tmp_path, body: str = MSEL, name: str = "drill.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_list_names_the_built_in_scenarios_and_the_exercises_run(city, tmp_path):
    doc = json.loads(cli(city, "list", "--json", login=None).stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["air_defence_alarm_test", "busy_day", "songhua_flood"]
    assert doc["exercises"] == []
    cli(city, "run", msel(tmp_path), "--speed", "600")
    (ran,) = json.loads(cli(city, "list", "--json", login=None).stdout)["exercises"]
    assert (ran["scenario"], ran["state"], ran["injects"], ran["delivered"]) == ("drill", "completed", 3, 3)


def test_start_prints_its_id_and_a_driver_delivers_on_the_exercise_clock(city, tmp_path):
    out = cli(city, "start", msel(tmp_path), "--speed", "300", "--json")
    doc = json.loads(out.stdout)
    assert set(doc) == {"id", "injects", "driver_pid"} and doc["injects"] == 3
    # The driver `start` left behind delivers the three injects (two scenario minutes: 0.4 s at 300x).
    final = wait_until(
        lambda: (d := status(city, doc["id"]))["counts"].get("pending", 0) == 0 and d,
        timeout=60,
        what="the background driver delivering every inject",
    )
    assert final["state"] == "running"  # delivered, not ended: the players still act
    assert final["end_after"] is None  # a real drill: a person ends it
    assert (
        f"a person ends it: python main.py exercise stop {doc['id']}"
        in cli(city, "status", str(doc["id"]), login=None).stdout
    )
    assert [i["state"] for i in final["injects"]] == ["delivered"] * 3
    assert set(final["injects"][0]) >= {"no", "time", "kind", "state", "expected", "met"}
    assert set(final) >= {"id", "state", "clock", "injects"}
    # ENDEX; the driver ends with the exercise.
    cli(city, "stop", str(doc["id"]))
    assert status(city, doc["id"])["state"] == "completed"


@pytest.mark.parametrize("how", [["--demo"], ["--end-after", "injects"]], ids=["demo", "end-after"])
def test_an_exercise_that_ends_by_itself_is_ended_by_the_driver_start_left(city, tmp_path, how):
    """Its last limit is inject 2's (+00:01, within 10 min): at 3600x the background driver ends it (ENDEX)
    a fraction of a second after it started, as its simulation cell, with the reason in the journal."""
    ex_id = json.loads(cli(city, "start", msel(tmp_path), "--speed", "3600", *how, "--json").stdout)["id"]
    final = wait_until(
        lambda: (d := status(city, ex_id))["state"] != "running" and d,
        timeout=60,
        what="the background driver ending the exercise",
    )
    assert (final["state"], final["end_after"], final["ends"]) == ("completed", "injects", "+00:11")
    assert final["ended_by"] == f"exercise-{ex_id}:city_drill"
    assert [i["state"] for i in final["injects"]] == ["delivered"] * 3
    text = cli(city, "status", str(ex_id), login=None).stdout
    assert f"by exercise-{ex_id}:city_drill" in text
    with sqlite3.connect(city.removeprefix("sqlite:///")) as conn:
        ((actor, payload),) = conn.execute(
            "SELECT actor, payload FROM journal WHERE kind = 'exercise.stopped' AND subject = ?",
            (f"exercise/{ex_id}",),
        ).fetchall()
    assert actor == f"exercise-{ex_id}:city_drill"
    assert (
        json.loads(payload)["reason"] == "every inject is out and the last one's Expected Within has passed"
    )


def test_status_says_when_the_background_driver_is_dead_and_how_to_start_one(city, tmp_path):
    """The driver ``start`` left behind is killed outright (SIGKILL: no goodbye): ``exercise status``
    says, within the heartbeat's limit, that no driver is alive and injects are not being delivered;
    the command it prints brings delivery back."""
    doc = json.loads(cli(city, "start", msel(tmp_path), "--speed", "4", "--json").stdout)
    ex_id, pid = doc["id"], doc["driver_pid"]
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[2:4] == [b"exercise", b"drive"]  # the driver, not a stranger
    alive = wait_until(
        lambda: (d := status(city, ex_id)["driver"])["alive"] and d,
        timeout=60,
        what="the driver's first tick",
    )
    assert alive["by"].startswith(f"exercise drive (pid {pid} on ")
    os.kill(pid, signal.SIGKILL)
    left = [(i["no"], i["time"]) for i in status(city, ex_id)["injects"] if i["state"] == "pending"]
    assert left  # injects 2 and 3 fall due 15 and 30 wall seconds in, at x4
    dead = wait_until(
        lambda: not (d := status(city, ex_id)["driver"])["alive"] and d,
        timeout=60,
        what="status saying the killed driver is not alive",
    )
    assert dead["last_tick"] is not None and dead["age_s"] > 0
    text = cli(city, "status", str(ex_id), login=None).stdout
    command = f"python main.py exercise drive {ex_id} --db {city} &"
    assert f"driver: NONE ALIVE (last tick {dead['last_tick']}" in text
    assert f"injects are not being delivered; start one: {command}" in text
    # What was pending when the driver died stays pending once the exercise clock has passed its time;
    # the command status printed delivers it.
    last_due = max(int(t[1:3]) * 3600 + int(t[4:6]) * 60 for _no, t in left)
    waited = wait_until(
        lambda: (d := status(city, ex_id))["clock_s"] > last_due and d,
        timeout=120,
        what="the exercise clock passing the injects left",
    )
    assert [(i["no"], i["time"]) for i in waited["injects"] if i["state"] == "pending"] == left
    driver = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), *command.removesuffix(" &").split()[2:]],
        cwd=REPO,
        env={**os.environ, **WALL},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        revived = wait_until(
            lambda: (d := status(city, ex_id)["driver"])["alive"] and d, timeout=60, what="the new driver"
        )
        assert revived["by"].startswith(f"exercise drive (pid {driver.pid} on ")
        assert "driver: alive, last tick" in cli(city, "status", str(ex_id), login=None).stdout
        wait_until(
            lambda: status(city, ex_id)["counts"].get("pending", 0) == 0, timeout=60, what="delivery again"
        )
        cli(city, "stop", str(ex_id))
        assert driver.wait(timeout=60) == 0  # a driver ends with its exercise
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()


def test_run_returns_when_everything_is_out_with_the_status_document(city, tmp_path):
    doc = json.loads(cli(city, "run", msel(tmp_path), "--speed", "600", "--json").stdout)
    assert doc["state"] == "completed"
    assert [(i["no"], i["time"], i["kind"], i["state"]) for i in doc["injects"]] == [
        ("1", "+00:00", "message", "delivered"),
        ("2", "+00:01", "report", "delivered"),
        ("3", "+00:02", "alarm", "delivered"),
    ]
    # Headless nobody played: once ended, what was expected reads as missed.
    assert [i["met"] for i in doc["injects"]] == [False, False, False]
    assert doc["injects"][1]["expected"] == "case.send_verify"


def test_pause_resume_and_one_at_a_time(city, tmp_path):
    ex_id = json.loads(cli(city, "start", msel(tmp_path), "--no-driver", "--json").stdout)["id"]
    assert json.loads(cli(city, "pause", str(ex_id), "--json").stdout)["state"] == "paused"
    head = journal_head(city)
    second = cli(city, "start", msel(tmp_path), check=False)
    assert second.returncode == 2
    assert f"exercise {ex_id} (drill, paused) is still on; this city runs 1 at a time" in second.stderr
    assert journal_head(city) == head
    assert json.loads(cli(city, "resume", str(ex_id), "--json").stdout)["state"] == "running"
    refused = cli(city, "pause", str(ex_id), login="city_operator", check=False)
    assert refused.returncode == 2 and "may not pause an exercise" in refused.stderr


def test_a_spreadsheet_written_by_hand_runs(city, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Inject #", "Time", "Kind", "To", "Message", "Cell", "Type", "Channel"])
    sheet.append([1, dt.time(0, 0), "message", "city_operator", "早上好 Good morning", None, None, None])
    sheet.append([2, "+00:05", "report", "city_operator", "暴露垃圾 Rubbish", CELL, "06010", "supervisor"])
    path = tmp_path / "by-hand.xlsx"
    book.save(path)
    doc = json.loads(cli(city, "run", str(path), "--speed", "600", "--json").stdout)
    assert [i["state"] for i in doc["injects"]] == ["delivered", "delivered"]
    with sqlite3.connect(city.removeprefix("sqlite:///")) as conn:
        rows = conn.execute("SELECT channel, exercise_id FROM cases WHERE exercise_id IS NOT NULL").fetchall()
    assert rows == [("supervisor", doc["id"])]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (MSEL.replace("2,+00:01,report", "2,+00:01,rumour"), "row 3, column 'Kind': unknown kind 'rumour'"),
        (MSEL.replace("3,+00:02", "3,+00:00"), "row 4, column 'Time': time +00:00 is before the previous"),
        (MSEL.replace(CELL, "230102999999999"), "row 3, column 'Cell': inject 2: unknown cell"),
    ],
)
def test_a_bad_msel_is_refused_before_anything_starts(city, tmp_path, body, message):
    head = journal_head(city)
    out = cli(city, "start", msel(tmp_path, body), check=False)
    assert out.returncode == 2
    assert message in out.stderr
    assert journal_head(city) == head
    assert json.loads(cli(city, "list", "--json", login=None).stdout)["exercises"] == []


# --- the built-in scenarios, headless, on the city they were written for ----------------------------------


@pytest.fixture(scope="module")
def harbin(tmp_path_factory):
    path = tmp_path_factory.mktemp("exercise_harbin") / "city.db"
    run("seed", "--db", f"sqlite:///{path}")
    return path


@pytest.mark.parametrize(
    ("scenario", "speed", "start", "injects"),
    [
        ("air_defence_alarm_test", "1800", None, 10),
        ("songhua_flood", "3600", None, 12),
        ("busy_day", "14400", None, 2003),
        ("busy_day", "14400", "21:00", 2003),
    ],
)
def test_each_built_in_scenario_runs_headless(harbin, tmp_path, scenario, speed, start, injects):
    path = tmp_path / "city.db"
    shutil.copyfile(harbin, path)
    url = f"sqlite:///{path}"
    args = ["run", scenario, "--speed", speed, "--json"] + (["--from", start] if start else [])
    doc = json.loads(cli(url, *args).stdout)
    assert len(doc["injects"]) == injects
    states = {i["state"] for i in doc["injects"]}
    assert "refused" not in states and "pending" not in states
    delivered = [i for i in doc["injects"] if i["state"] == "delivered"]
    if start is None:
        assert len(delivered) == injects
    else:
        skipped = [i for i in doc["injects"] if i["state"] == "skipped"]
        assert skipped and all(i["time"] < "+21:00" for i in skipped)
        assert delivered and all(i["time"] >= "+21:00" for i in delivered)
