"""No city by accident: a ``--db`` naming a SQLite file that does not exist is refused (exit 3) with a
message naming the path and saying how to create a city, and nothing appears on disk. Only ``seed``,
``import cells FILE --new-city`` and the console's first run at its own default file create a
database. Real processes against real files, as tests/test_cli.py runs them."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_base
from tests.test_cli import run as run_main

REPO = Path(__file__).resolve().parent.parent

# One run of every command that opens the city, with the arguments it needs to get that far. FILE is
# an existing input file (so only the database can be what is refused).
REFUSED: dict[str, list[str]] = {
    "stats": ["stats"],
    "locate": ["locate", "1", "2"],
    "report": [
        "report",
        "--x",
        "1",
        "--y",
        "2",
        "--type",
        "06010",
        "--channel",
        "hotline",
        "--as",
        "operator",
    ],
    "case show": ["case", "show", "1"],
    "case act": ["case", "act", "1", "send_verify", "--as", "operator"],
    "case list": ["case", "list"],
    "kpi": ["kpi"],
    "import": ["import", "cells", "FILE"],
    "export": ["export", "cells"],
    "incident open": ["incident", "open", "--type", "fire", "--x", "1", "--y", "2", "--as", "commander"],
    "incident escalate": ["incident", "escalate", "1", "--as", "commander"],
    "incident impact": ["incident", "impact", "1"],
    "incident show": ["incident", "show", "1"],
    "incident timeline": ["incident", "timeline", "1"],
    "incident list": ["incident", "list"],
    "incident status": ["incident", "status", "1", "responding", "--as", "commander"],
    "incident level": ["incident", "level", "1", "II", "--as", "commander"],
    "incident area": ["incident", "area", "1", "--radius", "300", "--as", "commander"],
    "incident role": ["incident", "role", "1", "safety", "someone", "--as", "commander"],
    "incident suggest": ["incident", "suggest", "1"],
    "incident dispatch": ["incident", "dispatch", "1", "UNIT", "--as", "commander"],
    "incident task": ["incident", "task", "1", "1", "done", "--as", "commander"],
    "incident ack": ["incident", "ack", "ORDER", "--as", "commander"],
    "incident tasks": ["incident", "tasks"],
    "incident log": ["incident", "log", "1"],
    "incident brief": ["incident", "brief", "1"],
    "incident demo-units": ["incident", "demo-units"],
    "alarm issue": ["alarm", "issue", "raid", "--as", "civil-defence"],
    "alarm board": ["alarm", "board", "1"],
    "alarm ack": ["alarm", "ack", "1", "230102", "--as", "civil-defence"],
    "alarm test-plan": ["alarm", "test-plan", "--as", "civil-defence"],
    "alarm cap": ["alarm", "cap", "1"],
    "alarm hook add": ["alarm", "hook", "add", "--http", "http://127.0.0.1:1/", "--as", "civil-defence"],
    "alarm hook list": ["alarm", "hook", "list"],
    "alarm hook remove": ["alarm", "hook", "remove", "1", "--as", "civil-defence"],
    "alarm hook deliver": ["alarm", "hook", "deliver"],
    "incident cap": ["incident", "cap", "1"],
    "sirens coverage": ["sirens", "coverage"],
    "sirens suggest": ["sirens", "suggest", "3"],
    "sirens set": ["sirens", "set", "S1", "damaged", "--as", "civil-defence"],
    "evacuate plan": ["evacuate", "plan"],
    "shelters list": ["shelters", "list"],
    "shelters close": ["shelters", "close", "S1", "--as", "civil-defence"],
    "shelters open": ["shelters", "open", "S1", "--as", "civil-defence"],
    "shelters occupancy": ["shelters", "occupancy", "S1", "10", "--as", "civil-defence"],
    "shelters demo": ["shelters", "demo"],
    "staff list": ["staff", "list"],
    "staff add": ["staff", "add", "someone", "--role", "operator"],
    "staff passwd": ["staff", "passwd", "someone"],
    "login": ["login", "someone"],
    "mode show": ["mode", "show"],
    "mode set": ["mode", "set", "emergency", "--as", "city_commander", "--reason", "drill"],
    "order list": ["order", "list"],
    "order show": ["order", "show", "1"],
    "order confirm": ["order", "confirm", "1", "--as", "city_commander"],
    "order refuse": ["order", "refuse", "1", "--as", "city_commander"],
    "settings show": ["settings", "show"],
    "audit verify": ["audit", "verify"],
    "settings two-person": ["settings", "two-person", "on", "--as", "city_commander"],
    "exercise list": ["exercise", "list"],
    "exercise start": ["exercise", "start", "songhua_flood", "--as", "city_drill"],
    "exercise run": ["exercise", "run", "FILE", "--as", "city_drill"],
    "exercise status": ["exercise", "status", "1"],
    "exercise pause": ["exercise", "pause", "1", "--as", "city_drill"],
    "exercise resume": ["exercise", "resume", "1", "--as", "city_drill"],
    "exercise stop": ["exercise", "stop", "1", "--as", "city_drill"],
    "exercise drive": ["exercise", "drive", "1"],
    "exercise inject": [
        "exercise",
        "inject",
        "1",
        "--kind",
        "message",
        "--message",
        "x",
        "--as",
        "city_drill",
    ],
    "exercise ack": ["exercise", "ack", "1", "1", "--as", "city_commander"],
    "exercise note": ["exercise", "note", "1", "seen", "--as", "city_drill"],
    "exercise improve": [
        "exercise",
        "improve",
        "1",
        "--issue",
        "i",
        "--action",
        "a",
        "--owner",
        "o",
        "--as",
        "city_drill",
    ],
    "exercise report": ["exercise", "report", "1"],
    "exercise purge": ["exercise", "purge", "1", "--reason", "done", "--as", "city_drill"],
    "exercise generate": ["exercise", "generate", "busy-day", "--out", "FILE"],
    "open311 serve": ["open311", "serve", "--bind", "127.0.0.1:1"],
    "open311 key new": ["open311", "key", "new", "someapp"],
    "open311 key list": ["open311", "key", "list"],
    "open311 key revoke": ["open311", "key", "revoke", "someapp"],
    "cameras see": ["cameras", "see", "1", "2"],
    "camera frame": ["camera", "frame", "C1", "--out", "frame.png"],
}
# The same leaf again with another layer or form that takes its own path through main.py.
REFUSED_TOO: dict[str, list[str]] = {
    "import components": ["import", "components", "FILE"],
    "import cameras": ["import", "cameras", "FILE"],
    "import cases": ["import", "cases", "FILE", "--map", "FILE"],
    "import sirens": ["import", "sirens", "FILE"],
    "import shelters": ["import", "shelters", "FILE"],
    "import departments": ["import", "departments", "FILE"],
    "import routing": ["import", "routing", "FILE"],
    "export cases": ["export", "cases", "--format", "csv"],
    "export departments": ["export", "departments", "--format", "csv"],
    "export routing": ["export", "routing", "--format", "csv"],
    "locate --batch": ["locate", "--batch", "FILE"],
    "incident brief pdf": ["incident", "brief", "1", "--format", "pdf"],
}
# Covered by their own tests below.
OWN_TESTS = {"seed", "console", "center"}
# Commands that take no city from --db: the district node builds its replica from the centre; keys
# and link status never open a database; alarm signal is a pattern and a tone; logout forgets a kept log-in;
# streams serve plays synthetic video for any camera id.
NO_CITY_USED = {"district", "keys new", "link status", "alarm signal", "logout", "streams serve"}


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``main.py ARGS`` as tests/test_cli.py runs it, without ``SANWEI_DB`` unless ``env`` sets it (an
    empty value counts as unset, for the display variables too)."""
    return run_main(*args, env={"SANWEI_DB": "", **(env or {})}, check=False)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_refused(done: subprocess.CompletedProcess, path: Path) -> None:
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert str(path) in done.stderr
    assert "python main.py seed --db" in done.stderr and "import cells FILE --new-city" in done.stderr
    assert "nothing was created" in done.stderr


@pytest.fixture
def input_file(tmp_path) -> str:
    path = tmp_path / "input" / "points.csv"
    path.parent.mkdir()
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    return str(path)


def _leaves(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {prefix}
    out: set[str] = set()
    for action in subs:
        for name, child in action.choices.items():
            out |= _leaves(child, f"{prefix} {name}".strip())
    return out


def test_every_command_of_the_parser_is_covered():
    import main

    leaves = _leaves(main.build_parser())
    covered = set(REFUSED) | OWN_TESTS | NO_CITY_USED
    assert leaves - covered == set(), "new commands: add them to REFUSED (or say why they open no city)"
    assert covered - leaves == set()


@pytest.mark.parametrize("argv", [*REFUSED.values(), *REFUSED_TOO.values()], ids=[*REFUSED, *REFUSED_TOO])
def test_a_missing_file_is_refused_and_nothing_is_created(argv, tmp_path, input_file):
    folder = tmp_path / "city"
    folder.mkdir()
    db = folder / "city.db"
    args = [input_file if a == "FILE" else a for a in argv]
    done = run(*args, "--json", "--db", f"sqlite:///{db}")
    assert_refused(done, db)
    assert done.stdout == ""
    assert listing(folder) == []


def test_the_mistyped_folder_of_the_issue_is_not_made(tmp_path):
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    done = run("stats", "--db", f"sqlite:///{db}")
    assert_refused(done, db)
    assert listing(tmp_path) == []


def test_sanwei_db_naming_a_missing_file_is_refused_too(tmp_path):
    db = tmp_path / "city.db"
    done = run("kpi", "--json", env={"SANWEI_DB": f"sqlite:///{db}"})
    assert_refused(done, db)
    assert listing(tmp_path) == []


def test_commands_without_a_city_create_none(tmp_path):
    db = tmp_path / "city.db"
    done = run("alarm", "signal", "raid", "--json", "--db", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kind"] == "raid"
    assert listing(tmp_path) == []


def test_the_centre_node_refuses_a_missing_file(tmp_path):
    db = tmp_path / "centre.db"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "center", "--db", f"sqlite:///{db}"]
        + ["--bind", f"tcp://127.0.0.1:{free_base()}", "--heartbeat", "0.2"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the centre served a city it was never given")
    assert proc.returncode == 3
    failed = [json.loads(line) for line in err.splitlines() if '"failed"' in line]
    assert failed and str(db) in failed[0]["error"] and "--new-city" in failed[0]["error"]
    assert listing(tmp_path) == []


# --- the commands that create -----------------------------------------------------------------------


def test_seed_creates_the_database_and_its_folder(tmp_path):
    db = tmp_path / "new" / "city.db"
    done = run("seed", "--scale", "small", "--seed", "2", "--json", "--db", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    stats = json.loads(run("stats", "--json", "--db", f"sqlite:///{db}").stdout)
    assert stats["cells"] > 50 and stats["departments"] == 23


def _grid(path: Path, district: str = "230102", west: float = 126.62) -> Path:
    """Six 0.005-degree cells near Harbin with standard 15-digit codes, in WGS84."""
    features = []
    for i in range(6):
        x0, y0 = west + (i % 3) * 0.005, 45.75 + (i // 3) * 0.005
        ring = [[x0, y0], [x0 + 0.005, y0], [x0 + 0.005, y0 + 0.005], [x0, y0 + 0.005], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": f"{district}001001{i + 1:03d}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_import_cells_new_city_creates_and_then_refuses_to_merge(tmp_path):
    grid = _grid(tmp_path / "grid.geojson")
    db = tmp_path / "city" / "city.db"
    url = f"sqlite:///{db}"
    done = run("import", "cells", str(grid), "--new-city", "--json", "--db", url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["city_created"] is True
    before = json.loads(run("stats", "--json", "--db", url).stdout)
    assert before["cells"] == 6
    other = _grid(tmp_path / "other.geojson", district="230103", west=126.70)
    refused = run("import", "cells", str(other), "--new-city", "--db", url)
    assert refused.returncode == 2 and "already holds a city" in refused.stderr
    assert json.loads(run("stats", "--json", "--db", url).stdout) == before
    # Adding to the city is the import without --new-city.
    added = run("import", "cells", str(other), "--json", "--db", url)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["inserted"] == 6 and json.loads(added.stdout)["city_created"] is False


def test_a_refused_new_city_import_leaves_nothing(tmp_path):
    bad = tmp_path / "input" / "bad.geojson"
    bad.parent.mkdir()
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    folder = tmp_path / "city"
    folder.mkdir()
    done = run("import", "cells", str(bad), "--new-city", "--db", f"sqlite:///{folder / 'new' / 'city.db'}")
    assert done.returncode == 2 and "no cells" in done.stderr
    assert listing(folder) == []
    # --new-city founds a city from cells only, and says so before touching the disk.
    done = run("import", "components", str(bad), "--new-city", "--db", f"sqlite:///{folder / 'city.db'}")
    assert done.returncode == 2 and "--new-city" in done.stderr
    assert listing(folder) == []


def test_cells_into_a_database_without_a_city_need_new_city(tmp_path):
    from data.db import open_database

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url).dispose()  # a schema and no city
    done = run("import", "cells", str(_grid(tmp_path / "grid.geojson")), "--db", url)
    assert done.returncode == 2 and "--new-city" in done.stderr
    assert json.loads(run("stats", "--json", "--db", url).stdout)["cells"] == 0


# --- the console --------------------------------------------------------------------------------------


def test_the_console_refuses_a_typed_missing_path(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    db = folder / "city.db"
    shot = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "data")}
    done = run("console", "--db", f"sqlite:///{db}", "--screenshot", str(shot), env=env)
    assert_refused(done, db)
    assert listing(folder) == [] and not shot.exists() and not (tmp_path / "data").exists()
    # Without --screenshot and with a display the same refusal comes before any window.
    done = run("console", "--db", f"sqlite:///{db}", env=env)
    assert_refused(done, db)
    assert listing(folder) == []


def test_the_console_seeds_no_demo_into_a_typed_database_without_a_city(tmp_path):
    from data.db import open_database

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url).dispose()
    shot = tmp_path / "shot.png"
    done = run("console", "--db", url, "--screenshot", str(shot), env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 3 and "holds no city" in done.stderr and "--new-city" in done.stderr
    assert not shot.exists()
    assert json.loads(run("stats", "--json", "--db", url).stdout)["cells"] == 0


def test_without_a_display_the_console_still_says_so_and_creates_nothing(tmp_path):
    db = tmp_path / "city.db"
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    env.update(DISPLAY="", WAYLAND_DISPLAY="", QT_QPA_PLATFORM="")
    for argv in (["console", "--db", f"sqlite:///{db}"], ["console"], []):
        done = run(*argv, env=env)
        assert done.returncode == 4 and "no display available" in done.stderr
    assert listing(tmp_path) == []


@pytest.mark.slow
def test_the_first_run_seeds_the_demo_city_at_the_default_path_only(tmp_path):
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    default = tmp_path / "data" / "sanwei" / "sanwei.db"
    # The command line never creates the default file either: only the console's first run does.
    before = run("stats", "--json", env=env)
    assert_refused(before, default)
    assert not (tmp_path / "data").exists()
    shot = tmp_path / "first.png"
    done = run(
        "console",
        "--screenshot",
        str(shot),
        "--size",
        "400x300",
        "--as",
        "city_commander",
        env={**env, "SANWEI_PASSWORD": "sanwei-demo"},
    )
    assert done.returncode == 0, done.stderr
    assert shot.exists() and default.exists()
    stats = json.loads(run("stats", "--json", env=env).stdout)
    assert stats["cells"] == 7030 and stats["departments"] == 23
