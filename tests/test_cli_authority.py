"""``mode``, ``order`` and ``settings`` on the command line, through real processes on a real SQLite
city: who may switch (both ways), the reason, the two-person rule on and off, and bad input that exits
non-zero and changes nothing. Time is ``SANWEI_CLOCK``, moved between runs: no test waits."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from tests.test_cli import run

PASSWORD = "sanwei-demo"  # every demo login's password
T0 = "2026-03-02T09:00:00"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("authority") / "city.db"
    run("seed", "--scale", "small", "--seed", "3", "--db", f"sqlite:///{path}")
    return path


@pytest.fixture
def city(seeded, tmp_path):
    path = tmp_path / "city.db"
    shutil.copyfile(seeded, path)
    return path


def cli(path, *args, login: str | None = None, password: str = PASSWORD, at: str = T0, check=True):
    env = {"SANWEI_CLOCK": at, "SANWEI_PASSWORD": password}
    extra = ["--as", login] if login else []
    return run(*args, *extra, "--db", f"sqlite:///{path}", env=env, check=check)


def mode(path) -> dict:
    return json.loads(cli(path, "mode", "show", "--json").stdout)


def last_seq(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]


def refused(path, *args, login=None, password=PASSWORD, at=T0, match: str):
    """Runs a command that must fail with ``match`` in its message and leave mode and journal as they were."""
    before = (mode(path), last_seq(path))
    out = cli(path, *args, login=login, password=password, at=at, check=False)
    assert out.returncode == 2, out.stderr
    assert match in out.stderr, out.stderr
    if "wrong password" not in match:  # a wrong password is counted (and journaled); nothing else
        assert (mode(path), last_seq(path)) == before
    return out


def test_mode_show_and_a_switch_with_its_reason(city):
    assert mode(city) == {"mode": "everyday", "since": None, "actor": None}
    out = cli(
        city, "mode", "set", "emergency", "--reason", "flood on the Songhua", "--json", login="city_commander"
    )
    doc = json.loads(out.stdout)
    assert doc["switched"] and doc["mode"] == "emergency" and doc["reason"] == "flood on the Songhua"
    assert mode(city) == {"mode": "emergency", "since": "2026-03-02 09:00:00", "actor": "city_commander"}
    with sqlite3.connect(city) as conn:
        (payload,) = conn.execute(
            "SELECT payload FROM journal WHERE seq = ?", (doc["journal_seq"],)
        ).fetchone()
    assert json.loads(payload)["reason"] == "flood on the Songhua"


def test_only_the_commander_ends_an_emergency(city):
    cli(city, "mode", "set", "emergency", "--reason", "flood", login="city_commander")
    for login in ("city_operator", "city_civil_defence"):
        refused(
            city, "mode", "set", "everyday", "--reason", "quiet", login=login, match="may not leave emergency"
        )
    cli(city, "mode", "set", "everyday", "--reason", "water receded", login="city_commander")
    assert mode(city)["mode"] == "everyday"


@pytest.mark.parametrize(
    "args,login,password,match",
    [
        (
            ["mode", "set", "emergency", "--reason", "x"],
            "city_civil_defence",
            PASSWORD,
            "may not enter emergency",
        ),
        (["mode", "set", "civil-defence", "--reason", "x"], "daoli_civil_defence", PASSWORD, "district"),
        (["mode", "set", "emergency", "--reason", "  "], "city_commander", PASSWORD, "needs a reason"),
        (["mode", "set", "emergency"], "city_commander", PASSWORD, "--reason"),
        (["mode", "set", "war", "--reason", "x"], "city_commander", PASSWORD, "invalid choice: 'war'"),
        (["mode", "set", "emergency", "--reason", "x"], "city_commander", "wrong-pass", "wrong password"),
        (["mode", "set", "emergency", "--reason", "x"], "nobody", PASSWORD, "unknown login 'nobody'"),
        (["settings", "two-person", "on"], "city_civil_defence", PASSWORD, "only the city commander"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(city, args, login, password, match):
    refused(city, *args, login=login, password=password, match=match)


def test_two_person_rule_on_the_wartime_switch_waits_for_a_second_person(city):
    cli(city, "settings", "two-person", "on", login="city_commander")
    assert json.loads(cli(city, "settings", "show", "--json").stdout)["two_person_rule"] is True
    out = cli(city, "mode", "set", "civil-defence", "--reason", "air raid expected", login="city_commander")
    assert "python main.py order confirm 1 --as LOGIN2" in out.stdout
    assert mode(city)["mode"] == "everyday"

    refused(city, "order", "confirm", "1", login="city_commander", match="a second person must confirm")
    refused(
        city, "order", "confirm", "1", login="city_operator", match="city_operator cannot confirm order 1"
    )
    refused(city, "order", "confirm", "1", login="city_civil_defence", password="bad", match="wrong password")

    later = "2026-03-02T09:00:45"
    doc = json.loads(
        cli(city, "order", "confirm", "1", "--json", login="city_civil_defence", at=later).stdout
    )
    assert doc["ok"] and doc["order"]["state"] == "confirmed"
    assert mode(city) == {"mode": "civil-defence", "since": "2026-03-02 09:00:45", "actor": "city_commander"}
    refused(city, "order", "confirm", "1", login="city_civil_defence", match="already confirmed")


def test_an_order_confirmed_after_60_s_has_expired(city):
    cli(city, "settings", "two-person", "on", login="city_commander")
    cli(city, "mode", "set", "civil-defence", "--reason", "air raid expected", login="city_civil_defence")
    late = "2026-03-02T09:01:01"
    out = cli(city, "order", "confirm", "1", login="city_commander", at=late, check=False)
    assert out.returncode == 2 and "expired" in out.stderr and "nothing was done" in out.stderr
    assert mode(city)["mode"] == "everyday"
    (order,) = json.loads(cli(city, "order", "show", "1", "--json", at=late).stdout)["orders"]
    assert order["state"] == "expired"
    with sqlite3.connect(city) as conn:
        kinds = [
            k for (k,) in conn.execute("SELECT kind FROM journal WHERE kind LIKE 'order.%' ORDER BY seq")
        ]
    assert kinds == ["order.requested", "order.expired"]


def test_two_person_rule_off_the_wartime_switch_is_immediate(city):
    cli(city, "settings", "two-person", "on", login="city_commander")
    cli(city, "settings", "two-person", "off", login="city_commander")
    cli(city, "mode", "set", "civil-defence", "--reason", "exercise", login="city_civil_defence")
    assert mode(city)["mode"] == "civil-defence"
    assert json.loads(cli(city, "order", "list", "--json").stdout) == {"orders": []}
