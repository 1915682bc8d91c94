"""The command line keeps exercise records apart and unmistakable, through real processes on a small
demo city where ``exercise run`` played a CSV MSEL (reports, a level II incident, an alarm): ``case
list``, ``kpi`` and ``export cases`` leave exercise cases out unless ``--exercises include|only``, and
mark them when shown; ``stats`` counts them; ``incident list`` and ``alarm board`` say EXERCISE, the
incident's reporting deadline too; ``exercise purge`` removes them, journaled, and ``audit verify``
still passes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import run

REPORTS = 8
# The exercise runs on the wall clock (its driver waits for each inject's time): no fixed clock here.
WALL = {"SANWEI_CLOCK": ""}


def _msel(db: Path, path: Path) -> Path:
    with sqlite3.connect(db) as con:
        cells = [code for (code,) in con.execute("SELECT code FROM grid_cells ORDER BY code")]
    rows = [
        {"No": i + 1, "Time": f"00:{i:02d}", "Kind": "report", "To": "city_operator", "Message": f"drill {i + 1}",
         "Type": "06010", "Channel": "supervisor", "Cell": cells[(i * 23) % len(cells)]}
        for i in range(REPORTS)
    ]  # fmt: skip
    rows.append(
        {
            "No": REPORTS + 1,
            "Time": "00:09",
            "Kind": "incident",
            "To": "city_commander",
            "Message": "drill fire",
            "Type": "fire",
            "Level": "II",
            "Radius": 80,
            "Cell": cells[50],
        }
    )
    rows.append({"No": REPORTS + 2, "Time": "00:10", "Kind": "alarm", "To": "city_civil_defence",
                 "Message": "drill alarm", "Alarm": "pre"})  # fmt: skip
    columns = ["No", "Time", "Kind", "To", "Message", "Type", "Channel", "Level", "Radius", "Cell", "Alarm"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def drilled(tmp_path_factory) -> Path:
    """A small city with two days of history whose exercise 1 ran to its end (every inject out, ENDEX)."""
    folder = tmp_path_factory.mktemp("cli_exercise")
    db = folder / "city.db"
    url = f"sqlite:///{db}"
    run("seed", "--scale", "small", "--seed", "3", "--history-days", "2", "--db", url, env=WALL)
    msel = _msel(db, folder / "drill.csv")
    out = run(
        "exercise", "run", str(msel), "--speed", "3600", "--as", "city_drill", "--db", url, env=WALL
    ).stdout
    assert out.startswith("exercise 1 drill") and f"{REPORTS + 2} delivered" in out
    return db


def cli(db: Path, *args: str, check: bool = True):
    return run(*args, "--db", f"sqlite:///{db}", env=WALL, check=check)


def test_case_list_leaves_exercise_cases_out_unless_asked_and_marks_them(drilled):
    real = cli(drilled, "case", "list", "--limit", "500").stdout
    assert "EXERCISE" not in real and "exercise cases" not in real.splitlines()[0]
    only = cli(drilled, "case", "list", "--exercises", "only").stdout.splitlines()
    assert only[0] == f"{REPORTS} cases match (exercise cases only); showing 1–{REPORTS} of {REPORTS}"
    assert len(only) == REPORTS + 1 and all(line.endswith("[EXERCISE 1]") for line in only[1:])
    both = json.loads(cli(drilled, "case", "list", "--exercises", "include", "--json").stdout)
    plain = json.loads(cli(drilled, "case", "list", "--json").stdout)
    assert both["total"] == plain["total"] + REPORTS
    assert sorted(c["exercise"] for c in both["cases"] if c["exercise"] is not None) == [1] * REPORTS
    bad = cli(drilled, "case", "list", "--exercises", "some", check=False)
    assert bad.returncode == 2 and "invalid choice: 'some'" in bad.stderr


def test_kpis_count_real_cases_unless_asked_and_say_exercise_when_they_do_not(drilled):
    def reported(*extra: str) -> int:
        doc = json.loads(cli(drilled, "kpi", "--by", "district", "--json", *extra).stdout)
        return sum(row["reported"] for row in doc["rows"])

    assert reported("--exercises", "only") == REPORTS
    assert reported("--exercises", "include") == reported() + REPORTS
    human = cli(drilled, "kpi", "--by", "district", "--exercises", "include").stdout
    assert human.splitlines()[0] == "EXERCISE: these figures count exercise cases (include)"
    assert "EXERCISE" not in cli(drilled, "kpi", "--by", "district").stdout


def test_the_case_export_takes_exercise_cases_only_when_asked_and_names_their_exercise(drilled):
    plain = list(csv.DictReader(io.StringIO(cli(drilled, "export", "cases", "--format", "csv").stdout)))
    assert plain and {r["exercise"] for r in plain} == {""}
    asked = cli(drilled, "export", "cases", "--format", "csv", "--exercises", "only")
    rows = list(csv.DictReader(io.StringIO(asked.stdout)))
    assert len(rows) == REPORTS and {r["exercise"] for r in rows} == {"1"}
    assert asked.stderr.startswith("EXERCISE: exercise cases exported alone")
    geo = json.loads(cli(drilled, "export", "cases", "--exercises", "include").stdout)
    assert geo["exercises"] == "include" and len(geo["features"]) == len(plain) + REPORTS
    wrong = cli(drilled, "export", "cells", "--exercises", "only", check=False)
    assert (
        wrong.returncode == 2 and "--exercises applies to export cases, not to export cells" in wrong.stderr
    )


def test_stats_count_the_exercise_cases(drilled):
    doc = json.loads(cli(drilled, "stats", "--json").stdout)
    assert doc["exercise_cases"] == REPORTS and doc["cases"] > REPORTS


def test_the_incident_list_and_the_alarm_board_say_exercise_deadline_included(drilled):
    listed = cli(drilled, "incident", "list").stdout.splitlines()
    assert (
        listed[0].startswith("incident 1  fire") and "level II" in listed[0] and "[EXERCISE 1]" in listed[0]
    )
    assert listed[1].strip().startswith("演练时限：Ⅰ/Ⅱ级事件须于")
    assert "EXERCISE deadline: report to the State Council by" in listed[1]
    shown = cli(drilled, "incident", "show", "1").stdout
    assert "演练时限" in shown.splitlines()[1]
    assert cli(drilled, "incident", "list", "--exercises", "leave").stdout.strip() == "0 incidents"
    board = cli(drilled, "alarm", "board", "1").stdout.splitlines()
    assert "[EXERCISE 1]" in board[0] and "演练 EXERCISE: not a real alarm" in board[0]
    assert json.loads(cli(drilled, "alarm", "board", "1", "--json").stdout)["exercise_id"] == 1


def test_exercise_purge_removes_the_records_and_the_audit_still_passes(drilled, tmp_path):
    db = tmp_path / "purged.db"
    shutil.copyfile(drilled, db)
    missing = cli(db, "exercise", "purge", "1", "--as", "city_drill", check=False)
    assert missing.returncode == 2 and "--reason" in missing.stderr
    refused = cli(db, "exercise", "purge", "1", "--reason", "done", "--as", "city_operator", check=False)
    assert refused.returncode == 2 and "may not purge an exercise" in refused.stderr
    out = cli(db, "exercise", "purge", "1", "--reason", "drill over", "--as", "city_drill").stdout
    assert (
        out.startswith("exercise 1 purged at ")
        and f"{REPORTS} cases" in out
        and "1 incident" in out
        and "1 incidents" not in out
    )
    assert json.loads(cli(db, "stats", "--json").stdout)["exercise_cases"] == 0
    assert cli(db, "incident", "list").stdout.strip() == "0 incidents"
    assert cli(db, "exercise", "list").stdout.rstrip().endswith("PURGED")
    audit = cli(db, "audit", "verify")
    assert audit.stdout.rstrip().splitlines()[-1].startswith("audit verify: OK")
