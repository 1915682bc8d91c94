"""The command line's human output reads well, through real processes on a real SQLite city: every
answer is formatted text (no Python dicts or lists), ``seed`` reports one stage a line when stderr is no
terminal, counts agree with their nouns, refusals name a case's stage in words, times are the city's
local time, a role is spelt as one likes and taken alike by every command and the console, and a CSV
import says which coordinates it read.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from cli.human import agreeing, fields, plural, table, when
from data.progress import TextProgress
from tests.test_cli import run

RAW = re.compile(r"\{'|\[\{|\['|\bNone\b|\bTrue\b|\bFalse\b|\d{4}-\d\d-\d\dT\d\d")  # a repr, a raw ISO time


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("reads") / "city.db")
    run("seed", "--scale", "small", "--seed", "3", "--db", url)
    return url


def lines(*args: str) -> list[str]:
    return run(*args).stdout.splitlines()


def site(city: str) -> tuple[str, str]:
    """A point inside the city: a siren's x/y in the city's CRS (the small demo city has four)."""
    header, first = run("export", "sirens", "--format", "csv", "--db", city).stdout.splitlines()[:2]
    siren = dict(zip(header.split(","), first.split(","), strict=True))
    return siren["x"], siren["y"]


def report(city: str, x: str, y: str, type_code: str) -> None:
    run("report", "--x", x, "--y", y, "--type", type_code, "--channel", "hotline", "--as", "city_operator",
        "--db", city)  # fmt: skip


# --- seed ----------------------------------------------------------------------------------------------


def test_seed_progress_is_one_stage_a_line_in_a_log(tmp_path):
    url = "sqlite:///" + str(tmp_path / "city.db")
    done = run("seed", "--scale", "small", "--history-days", "1", "--db", url)
    assert "\r" not in done.stderr
    stages = done.stderr.splitlines()
    assert all(re.fullmatch(r"[a-z][a-z :,]+ \(\d{1,3}%\)", line) for line in stages), stages
    names = [line.rsplit(" (", 1)[0] for line in stages]
    assert names[0] == "land and river" and "done" in names and names[-1].startswith("history: ")
    assert len(names) == len(
        {(i, n) for i, n in enumerate(names) if i == 0 or names[i - 1] != n}
    )  # no repeats
    out = done.stdout.splitlines()
    assert out[0].startswith("seeded small city (seed 1) in ") and "districts 3, streets 6" in out[0]
    assert re.fullmatch(
        r"history \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: [\d,]+ cases, [\d,]+ journal events", out[1]
    )


def test_progress_is_a_bar_redrawn_in_place_on_a_terminal():
    stream = io.StringIO()
    bar = TextProgress(stream, tty=True)
    for stage, fraction in (("cells", 0.1), ("cells", 0.5), ("done", 1.0)):
        bar(stage, fraction)
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert text.split("\r")[-1].startswith("[" + "#" * 30 + "] 100.0%  done")
    log = io.StringIO()
    lines_ = TextProgress(log, tty=False)
    for stage, fraction in (("cells", 0.1), ("cells", 0.5), ("done", 1.0)):
        lines_(stage, fraction)
    assert log.getvalue() == "cells (10%)\ndone (100%)\n"


# --- counts, stages, tables ------------------------------------------------------------------------------


def test_the_case_list_counts_in_words(city):
    assert lines("case", "list", "--db", city) == ["no case matches"]
    x, y = site(city)
    report(city, x, y, "06010")
    assert lines("case", "list", "--db", city)[0] == "1 case matches; showing 1 of 1"
    report(city, x, y, "01001")
    assert lines("case", "list", "--db", city)[0] == "2 cases match; showing 1–2 of 2"
    assert lines("case", "list", "--offset", "1", "--db", city)[0] == "2 cases match; showing 2 of 2"
    assert lines("case", "list", "--offset", "5", "--db", city) == [
        "2 cases match; none shown: --offset 5 is past the last"
    ]


def test_a_refusal_names_the_cases_stage_in_words(city):
    refused = run("case", "act", "1", "file", "--as", "city_operator", "--db", city, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        "error: case 1: cannot file a reported case (possible now: accept, send_verify, self_fix, void)\n"
    )


def test_case_show_is_fields_and_tables(city):
    out = run("case", "show", "1", "--db", city).stdout
    assert not RAW.search(out), out
    shown = out.splitlines()
    assert shown[0].startswith("Case 1  06010 ") and shown[0].endswith("[reported]")
    assert "  reported     2026-03-02 09:00 via hotline by city_operator" in shown
    assert "  responsible  department:sanitation" in shown
    clocks = shown.index("Stage clocks (city time, UTC+8; now Mon 2026-03-02 09:00):")
    assert shown[clocks + 1].split() == ["stage", "limit", "due", "done", "elapsed", "state"]
    assert shown[clocks + 2].split() == [
        "accept", "10", "min,", "working", "time", "09:10", "-", "0", "min", "10", "min", "left",
    ]  # fmt: skip
    timeline = shown.index("Timeline:")
    assert shown[timeline + 1].split() == [
        "2026-03-02", "09:00", "report", "city_operator", "(operator)", "reported",
    ]  # fmt: skip
    assert shown[-1] == "Next: send_verify (operator), void (commander/shift_leader)"


def test_the_incident_commands_print_readable_blocks(city):
    x, y = site(city)
    opened = run(
        "incident", "open", "--type", "fire", "--level", "II", "--x", x, "--y", y, "--radius", "80",
        "--outer", "250", "--title", "Warehouse fire", "--as", "city_commander", "--db", city,
    ).stdout.splitlines()  # fmt: skip
    assert opened[0] == "incident 1  fire 火灾  level II orange  reported  Warehouse fire"
    assert "  cordons    inner 80 m, outer 250 m" in opened
    assert "  commander  city_commander" in opened and "  times      opened 2026-03-02 09:00:00" in opened
    assert "impact:" in opened
    unit = json.loads(run("incident", "suggest", "1", "--json", "--db", city).stdout)["units"][0]["unit"]
    dispatched = lines(
        "incident", "dispatch", "1", unit, "--task", "Hold the gate", "--as", "city_commander", "--db", city
    )
    assert re.fullmatch(rf"task 1 \(order [0-9a-f]{{32}}\): {unit} .+ to incident 1, assigned", dispatched[0])
    assert "instructions     Hold the gate" in dispatched
    for command in (["timeline", "1"], ["log", "1"], ["suggest", "1"]):
        out = run("incident", *command, "--db", city).stdout
        assert not RAW.search(out), (command, out)
    tasks = lines("incident", "tasks", "--db", city)
    assert tasks[0] == "tasks (1):" and tasks[1].split()[:3] == ["task", "unit", "name"]
    assert tasks[-1] == "1 task, 0 overdue" and not RAW.search("\n".join(tasks))
    assert lines("incident", "list", "--db", city)[-1] == "1 incident"

    # Cordons drawn by hand are said to be drawn, with their areas where the impact has them.
    sx, sy = float(x), float(y)
    inner = f"POLYGON(({sx - 40} {sy - 40}, {sx + 40} {sy - 40}, {sx + 40} {sy + 40}, {sx - 40} {sy + 40}, {sx - 40} {sy - 40}))"
    run("incident", "area", "1", "--inner-wkt", inner, "--as", "city_commander", "--db", city)
    shown = run("incident", "show", "1", "--db", city).stdout
    assert "  cordons    inner drawn by hand, outer 250 m" in shown.splitlines() and not RAW.search(shown)
    impact = run("incident", "impact", "1", "--db", city).stdout
    assert "  cordons    inner drawn by hand (0.6 ha), outer 250 m (19.6 ha)" in impact.splitlines()
    assert not RAW.search(impact)


def test_alarm_times_are_the_citys_local_time(city):
    out = run("alarm", "issue", "pre", "--as", "city_civil_defence", "--db", city).stdout.splitlines()
    assert re.fullmatch(r"alarm 1 预先警报 issued 2026-03-02 09:00:00 by city_civil_defence", out[0])
    assert all(re.search(r"sent 2026-03-02 09:00:00, received —, acknowledged —", line) for line in out[1:4])
    signal = lines("alarm", "signal", "raid", "--db", city)
    assert signal == [
        "空袭警报 (air raid): sounds "
        + ", ".join(f"{k * 12}–{k * 12 + 6} s" for k in range(15))
        + " of a 180 s cycle"
    ]


# --- roles, spelt any way, alike everywhere ---------------------------------------------------------------


def refusal(spelling: str) -> str:
    return (
        f"error: {spelling!r} is a role (civil_defence) that 5 people hold: log in as one of them by login "
        "(city_civil_defence, city_civil_defence_deputy, daoli_civil_defence, nangang_civil_defence, "
        "songbei_civil_defence; python main.py staff list)\n"
    )


def test_a_role_several_hold_is_refused_alike_by_every_command_and_the_console(city):
    """Three spellings of one role, three commands that take a person, and the console: one answer."""
    for spelling, argv in (
        ("civil-defence", ["alarm", "test-plan", "--as", "civil-defence"]),
        ("civil_defence", ["sirens", "set", "X", "damaged", "--as", "civil_defence"]),
        ("Civil Defence", ["login", "Civil Defence"]),
    ):
        done = run(*argv, "--db", city, check=False)
        assert (done.returncode, done.stderr) == (2, refusal(spelling)), argv
    console = run("console", "--as", "civil-defence", "--screenshot", "x.png", "--db", city, check=False,
                  env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    assert (console.returncode, console.stderr.splitlines()[-1] + "\n") == (2, refusal("civil-defence"))


def test_a_role_one_login_holds_stands_for_that_login(city, tmp_path):
    assert lines("login", "DRILL", "--db", city)[0].startswith("logged in as city_drill (drill) ")
    shot = tmp_path / "drill.png"
    done = run("console", "--as", "drill", "--screenshot", str(shot), "--size", "800x600", "--db", city,
               env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    assert done.returncode == 0 and shot.exists()
    run("staff", "add", "li_na", "--role", "Civil-Defence", "--name", "李娜", "--db", city)
    staff = {s["login"]: s["role"] for s in json.loads(run("staff", "list", "--json", "--db", city).stdout)}
    assert staff["li_na"] == "civil_defence"


# --- imports ---------------------------------------------------------------------------------------------


def test_a_csv_import_says_which_coordinates_it_read(city, tmp_path):
    exported = run("export", "sirens", "--format", "csv", "--db", city).stdout
    both = tmp_path / "both.csv"  # x/y and lon/lat, as an export writes them
    both.write_text(exported, encoding="utf-8")
    crs = json.loads(run("import", "sirens", str(both), "--json", "--db", city).stdout)["crs_to"]
    said = lines("import", "sirens", str(both), "--db", city)[0]
    assert f"(lon/lat columns (EPSG:4326) → {crs})" in said
    header, *rows = exported.splitlines()
    keep = [i for i, name in enumerate(header.split(",")) if name not in ("lon", "lat")]
    only_xy = tmp_path / "xy.csv"
    only_xy.write_text(
        "\n".join(",".join(row.split(",")[i] for i in keep) for row in [header, *rows]) + "\n",
        encoding="utf-8",
    )
    assert f"(x/y columns ({crs}) → {crs})" in lines("import", "sirens", str(only_xy), "--db", city)[0]


# --- the formatter itself --------------------------------------------------------------------------------


def test_words_times_and_tables():
    assert plural(1, "case") == "1 case" and plural(1204, "case") == "1,204 cases"
    assert agreeing(1, "case", "matches", "match") == "1 case matches"
    assert agreeing(3, "case", "matches", "match") == "3 cases match"
    assert when("2026-03-02T09:00:00") == "2026-03-02 09:00:00"
    assert when("2026-03-02T01:00:00.250+00:00", offset=True) == "2026-03-02 09:00:00 +08:00"
    assert when(None) == "—"
    assert fields({"a_b": 1.5, "on": True, "nothing": None, "sub": {"x": 2}}) == [
        "a b      1.5",
        "on       yes",
        "nothing  —",
        "sub:",
        "  x  2",
    ]
    assert table([{"n": 5, "name": "道里区"}, {"n": 12, "name": "ab"}], [("n", "no"), ("name", "name")]) == [
        "  no  name",
        "   5  道里区",
        "  12  ab",
    ]
