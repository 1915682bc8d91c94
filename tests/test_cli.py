"""The command-line contract (kept stable: scripts outside the test-suite rely on it), through real
processes against a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# The demo city's password (data.demo_city.DEMO_PASSWORD); XDG_CONFIG_HOME keeps kept log-ins of the
# person running the tests out of them.
DEMO_ENV = {"SANWEI_PASSWORD": "sanwei-demo", "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="sanwei-cli-config-")}


def run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    e = {**os.environ, "SANWEI_CLOCK": "2026-03-02T09:00:00", **DEMO_ENV, **(env or {})}
    out = subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        capture_output=True,
        text=True,
        env=e,
        cwd=REPO,
        timeout=300,
    )
    if check and out.returncode != 0:
        raise AssertionError(f"{args} exited {out.returncode}: {out.stderr}")
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("cli") / "city.db")
    run("seed", "--scale", "small", "--seed", "3", "--db", url)
    return url


def test_help_lists_the_commands():
    out = run("--help").stdout
    for cmd in ("console", "seed", "stats", "locate", "import", "export", "report", "case", "kpi"):
        assert cmd in out


def test_stats_has_the_contract_keys(city):
    doc = json.loads(run("stats", "--json", "--db", city).stdout)
    assert list(doc) == [
        "districts",
        "streets",
        "communities",
        "cells",
        "departments",
        "cameras",
        "supervisors",
        "components",
        "cases",
        "open_cases",
        "exercise_cases",
    ]
    assert doc["departments"] == 23 and doc["cells"] > 50 and doc["components"] > 1000


def _a_cell_centre(city: str) -> tuple[str, float, float]:
    rows = run("export", "cells", "--format", "csv", "--db", city).stdout.splitlines()
    import csv

    rec = next(csv.DictReader(rows))
    from shapely import wkt

    p = wkt.loads(rec["wkt"]).representative_point()
    return rec["code"], p.x, p.y


def test_locate_point_and_lonlat_agree(city):
    code, x, y = _a_cell_centre(city)
    doc = json.loads(run("locate", str(x), str(y), "--json", "--db", city).stdout)
    assert doc["cell"] == code
    assert doc["community"] == code[:12] and doc["street"] == code[:9] and doc["district"] == code[:6]
    assert doc["supervisor"]
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:4551", "EPSG:4326", always_xy=True).transform(x, y)
    doc2 = json.loads(run("locate", f"{lon:.9f}", f"{lat:.9f}", "--lonlat", "--json", "--db", city).stdout)
    assert doc2["cell"] == code


def test_locate_outside_the_city_is_a_clear_error(city):
    out = run("locate", "0", "0", "--json", "--db", city, check=False)
    assert out.returncode == 2 and "outside the city" in out.stderr and out.stdout == ""


def test_locate_batch_writes_a_cell_per_row_and_names_bad_lines(city, tmp_path):
    code, x, y = _a_cell_centre(city)
    good = tmp_path / "pts.csv"
    good.write_text(f"x,y\n{x},{y}\n0,0\n{x + 0.5},{y + 0.5}\n")
    out = run("locate", "--batch", str(good), "--db", city).stdout.splitlines()
    assert out[0] == "x,y,cell"
    assert out[1] == f"{x},{y},{code}" and out[2] == "0,0," and out[3].endswith(code)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"x,y\n{x},{y}\n12,abc\n")
    res = run("locate", "--batch", str(bad), "--db", city, check=False)
    assert res.returncode == 2 and "line 3" in res.stderr and res.stdout == ""


def test_unreachable_database_is_named():
    res = run("stats", "--db", "postgresql://nobody@127.0.0.1:1/none", check=False)
    assert res.returncode == 3 and "cannot reach database" in res.stderr


def test_seeding_twice_is_refused_and_keeps_the_city(city):
    before = run("stats", "--json", "--db", city).stdout
    res = run("seed", "--scale", "small", "--db", city, check=False)
    assert res.returncode == 2 and "already" in res.stderr
    assert run("stats", "--json", "--db", city).stdout == before


def test_report_act_show_list_through_the_cli(city):
    code, x, y = _a_cell_centre(city)
    doc = json.loads(
        run(
            "report",
            "--x",
            str(x),
            "--y",
            str(y),
            "--type",
            "06010",
            "--channel",
            "hotline",
            "--text",
            "垃圾",
            "--as",
            "city_operator",
            "--json",
            "--db",
            city,
        ).stdout
    )
    assert {"id", "state", "cell", "district", "department", "deadline", "duplicate_of"} <= set(doc)
    assert doc["cell"] == code and doc["state"] == "reported"
    cid = str(doc["id"])
    shown = json.loads(run("case", "show", cid, "--json", "--db", city).stdout)
    assert {"action": "send_verify", "roles": ["operator"], "needs_note": False} in shown["next_actions"]
    acted = json.loads(
        run("case", "act", cid, "send_verify", "--as", "city_operator", "--json", "--db", city).stdout
    )
    assert acted["state"] == "verifying" and acted["history"][-1]["action"] == "send_verify"
    res = run("case", "act", cid, "file", "--as", "city_operator", "--db", city, check=False)
    assert res.returncode == 2 and "cannot file a case being verified on site (it is verifying;" in res.stderr
    res = run("case", "act", cid, "verify", "--as", "city_operator", "--db", city, check=False)
    assert (
        res.returncode == 2
        and "an operator may not verify" in res.stderr.lower()
        or "may not verify" in res.stderr
    )
    res = run("case", "act", "99999999", "verify", "--as", "city_supervisor", "--db", city, check=False)
    assert res.returncode == 2 and "does not exist" in res.stderr
    listed = json.loads(run("case", "list", "--state", "verifying", "--json", "--db", city).stdout)
    assert int(cid) in [c["id"] for c in listed["cases"]]
    res = run(
        "report",
        "--x",
        str(x),
        "--y",
        str(y),
        "--type",
        "99999",
        "--channel",
        "hotline",
        "--as",
        "city_operator",
        "--db",
        city,
        check=False,
    )
    assert res.returncode == 2 and "unknown event type code '99999'" in res.stderr


def test_seed_brings_every_modes_demo_set(tmp_path):
    url = "sqlite:///" + str(tmp_path / "all.db")
    doc = json.loads(run("seed", "--scale", "small", "--seed", "2", "--db", url, "--json").stdout)
    assert doc["civil_defence"]["shelters"] > 0 and doc["civil_defence"]["sirens"] > 0
    assert doc["emergency"]["rescue_units"] > 0 and doc["emergency"]["medical_facilities"] > 0
    # The modes' tools find them: the evacuation plan places people, the suggestion finds units.
    plan = json.loads(run("evacuate", "plan", "--db", url, "--json").stdout)
    assert plan["assigned"] > 0
