"""Staff and log-ins on the command line, through real processes on a real SQLite file: the staff list,
adding people and setting passwords (password on stdin), acting as a person with SANWEI_PASSWORD, a wrong
password refused with no change to the city, kept log-ins in a 0600 file, and no password in plain text
in the database file or anything the commands print."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "sanwei-demo"
NEW_PASSWORD = "kettle-Orchid-93"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("staff")
    db = root / "city.db"
    env = {
        **os.environ,
        "SANWEI_CLOCK": "2026-03-02T09:00:00",
        "XDG_CONFIG_HOME": str(root / "config"),
    }
    env.pop("SANWEI_PASSWORD", None)
    w = {"db": db, "url": f"sqlite:///{db}", "env": env, "root": root, "outputs": []}
    out = _run(w, "seed", "--scale", "small", "--seed", "3")
    assert f"password {DEMO_PASSWORD!r}" in out.stdout
    return w


def _run(world, *args: str, password: str | None = None, stdin: str | None = None, check: bool = True):
    env = dict(world["env"])
    if password is not None:
        env["SANWEI_PASSWORD"] = password
    out = subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args, "--db", world["url"]],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        input=stdin if stdin is not None else "",
    )
    world["outputs"].append(out.stdout + out.stderr)
    if check and out.returncode != 0:
        raise AssertionError(f"{args} exited {out.returncode}: {out.stderr}")
    return out


def _cases_and_journal(world) -> tuple[list, list]:
    with sqlite3.connect(world["db"]) as conn:
        cases = conn.execute("SELECT id, state, updated_at FROM cases ORDER BY id").fetchall()
        events = conn.execute("SELECT seq, kind, actor FROM journal ORDER BY seq").fetchall()
    return cases, events


def test_staff_list_json_has_the_contract_keys(world):
    doc = json.loads(_run(world, "staff", "list", "--json").stdout)
    assert list(doc[0]) == ["login", "name", "role", "district", "department", "has_password"]
    by_login = {r["login"]: r for r in doc}
    assert by_login["city_commander"]["role"] == "commander" and by_login["city_commander"]["has_password"]
    assert any(r["role"] == "department" and r["department"] for r in doc)
    assert all(r["has_password"] for r in doc)  # every demo login has the demo password


def test_add_then_passwd_from_stdin_then_act(world):
    added = json.loads(
        _run(
            world,
            "staff",
            "add",
            "wang_ops",
            "--role",
            "operator",
            "--district",
            "230102",
            "--name",
            "王运",
            "--json",
        ).stdout  # fmt: skip
    )
    assert added == {
        "login": "wang_ops",
        "name": "王运",
        "role": "operator",
        "district": "230102",
        "department": None,
        "has_password": False,
    }
    assert _run(world, "case", "list", "--json").returncode == 0  # reads need no one
    res = _run(world, "report", "--x", "0", "--y", "0", "--channel", "hotline", "--as", "wang_ops",
               password=NEW_PASSWORD, check=False)  # fmt: skip
    assert (
        res.returncode == 2 and "has no password yet" in res.stderr and "staff passwd wang_ops" in res.stderr
    )

    _run(world, "staff", "passwd", "wang_ops", stdin=NEW_PASSWORD + "\n")
    listed = {r["login"]: r for r in json.loads(_run(world, "staff", "list", "--json").stdout)}
    assert listed["wang_ops"]["has_password"] is True
    with sqlite3.connect(world["db"]) as conn:
        kinds = conn.execute(
            "SELECT kind, actor FROM journal WHERE subject = 'staff:wang_ops' ORDER BY seq"
        ).fetchall()
    assert kinds == [("staff.added", "local-admin"), ("staff.password_set", "local-admin")]

    x, y = _a_cell_centre(world)
    doc = json.loads(
        _run(
            world,
            "report",
            "--x",
            str(x),
            "--y",
            str(y),
            "--type",
            "06010",
            "--channel",
            "hotline",
            "--as",
            "wang_ops",
            "--json",
            password=NEW_PASSWORD,
        ).stdout  # fmt: skip
    )
    shown = json.loads(_run(world, "case", "show", str(doc["id"]), "--json").stdout)
    assert shown["history"][0]["actor"] == "wang_ops"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("staff", "add", "x_1", "--role", "mayor"), "unknown role 'mayor'"),
        (("staff", "add", "x_1", "--role", "operator", "--district", "999999"), "unknown district code"),
        (("staff", "add", "x_1", "--role", "department", "--department", "nope"), "unknown department code"),
        (("staff", "add", "city_commander", "--role", "commander"), "already exists"),
        (("staff", "passwd", "nobody"), "unknown login 'nobody'"),
    ],
)
def test_bad_staff_input_exits_2(world, args, message):
    res = _run(world, *args, stdin="long-enough-1\n", check=False)
    assert res.returncode == 2 and message in res.stderr


def test_a_wrong_password_is_refused_counted_and_changes_nothing_in_the_city(world):
    cid = _open_case(world)
    before_cases, before_events = _cases_and_journal(world)
    res = _run(world, "case", "act", str(cid), "send_verify", "--as", "city_operator", "--json",
               password="not-the-password", check=False)  # fmt: skip
    assert res.returncode == 2 and res.stdout == ""
    assert "wrong password for 'city_operator' (1 of 5" in res.stderr
    after_cases, after_events = _cases_and_journal(world)
    assert after_cases == before_cases
    assert after_events[: len(before_events)] == before_events
    assert [(k, a) for _, k, a in after_events[len(before_events) :]] == [
        ("staff.login_failed", "city_operator")
    ]
    res = _run(world, "case", "act", str(cid), "send_verify", "--as", "city_operator", check=False)
    assert res.returncode == 2 and "set SANWEI_PASSWORD" in res.stderr  # no terminal to ask on
    res = _run(
        world, "case", "act", str(cid), "send_verify", "--as", "ghost", password=DEMO_PASSWORD, check=False
    )
    assert res.returncode == 2 and "unknown login 'ghost'" in res.stderr
    # The right password resets the count; the role is the staff row's.
    acted = json.loads(
        _run(
            world,
            "case",
            "act",
            str(cid),
            "send_verify",
            "--as",
            "city_operator",
            "--json",
            password=DEMO_PASSWORD,
        ).stdout  # fmt: skip
    )
    assert acted["state"] == "verifying" and acted["history"][-1]["actor"] == "city_operator"
    res = _run(
        world, "case", "act", str(cid), "verify", "--as", "city_operator", password=DEMO_PASSWORD, check=False
    )
    assert res.returncode == 2 and "may not verify" in res.stderr


def test_five_wrong_passwords_lock_the_login(world):
    for n in range(1, 5):
        _run(world, "staff", "list")  # a read between tries does not break the run of failures
        res = _run(world, "login", "city_dispatcher", password=f"guess-{n}", check=False)
        assert res.returncode == 2 and f"({n} of 5" in res.stderr
    res = _run(world, "login", "city_dispatcher", password="guess-5", check=False)
    assert res.returncode == 2 and "locked until 2026-03-02 09:01:00" in res.stderr
    res = _run(world, "login", "city_dispatcher", password=DEMO_PASSWORD, check=False)
    assert res.returncode == 2 and "is locked until 2026-03-02 09:01:00" in res.stderr
    with sqlite3.connect(world["db"]) as conn:
        (lock,) = conn.execute(
            "SELECT payload FROM journal WHERE kind = 'staff.locked' AND subject = 'staff:city_dispatcher'"
        ).fetchall()
    assert json.loads(lock[0])["until"] == "2026-03-02 09:01:00"
    later = {**world, "env": {**world["env"], "SANWEI_CLOCK": "2026-03-02T09:01:00"}}
    assert _run(later, "login", "city_dispatcher", password=DEMO_PASSWORD).returncode == 0
    _run(later, "logout")


def test_kept_log_in_is_a_0600_file_whose_token_the_database_checks(world):
    out = _run(world, "login", "city_commander", "--json", password=DEMO_PASSWORD)
    assert json.loads(out.stdout)["expires_at"] == "2026-03-02 17:00:00"
    kept = world["root"] / "config" / "sanwei" / "logins.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    token = next(iter(json.loads(kept.read_text()).values()))["token"]
    assert token.encode() not in world["db"].read_bytes()  # only its hash is stored
    world["outputs"].append(token)  # checked below: never printed

    # No password needed while the log-in holds; another login still needs one.
    x, y = _a_cell_centre(world)
    opened = json.loads(
        _run(
            world,
            "incident",
            "open",
            "--type",
            "fire",
            "--x",
            str(x),
            "--y",
            str(y),
            "--as",
            "city_commander",
            "--json",
        ).stdout  # fmt: skip
    )
    assert opened["id"] > 0
    res = _run(world, "case", "act", "1", "send_verify", "--as", "city_operator", check=False)
    assert res.returncode == 2 and "SANWEI_PASSWORD" in res.stderr
    expired = {**world, "env": {**world["env"], "SANWEI_CLOCK": "2026-03-02T17:00:00"}}
    res = _run(
        expired, "incident", "status", str(opened["id"]), "responding", "--as", "city_commander", check=False
    )
    assert res.returncode == 2 and "expired at 2026-03-02 17:00:00" in res.stderr
    assert "logged out city_commander" in _run(world, "logout").stdout
    assert not kept.exists()
    res = _run(
        world, "incident", "status", str(opened["id"]), "responding", "--as", "city_commander", check=False
    )
    assert res.returncode == 2 and "SANWEI_PASSWORD" in res.stderr


def test_no_password_in_plain_text_in_the_database_or_the_output(world):
    """Runs last in this module: every password used above, looked for in the database file (and its
    WAL) and in everything the commands printed."""
    _run(world, "staff", "list")
    blobs = [p.read_bytes() for p in world["db"].parent.glob("city.db*")]
    outputs = "\n".join(world["outputs"])
    for password in (DEMO_PASSWORD, NEW_PASSWORD, "not-the-password", "guess-1", "guess-5"):
        assert all(password.encode() not in b for b in blobs), password
        assert password not in outputs.replace(f"password {DEMO_PASSWORD!r}", ""), password


def _a_cell_centre(world, nth: int = 0) -> tuple[float, float]:
    import shapely

    with sqlite3.connect(world["db"]) as conn:
        (geom,) = conn.execute(
            "SELECT geometry FROM grid_cells ORDER BY code LIMIT 1 OFFSET ?", (nth,)
        ).fetchone()
    c = shapely.from_wkb(geom).representative_point()
    return c.x, c.y


def _open_case(world) -> int:
    x, y = _a_cell_centre(world, 50)  # far from the other tests' reports: not merged as a duplicate
    doc = json.loads(
        _run(
            world,
            "report",
            "--x",
            str(x),
            "--y",
            str(y),
            "--type",
            "06010",
            "--channel",
            "hotline",
            "--as",
            "city_operator",
            "--json",
            password=DEMO_PASSWORD,
        ).stdout  # fmt: skip
    )
    return doc["id"]
