"""``python main.py audit verify``: real processes on a real SQLite file (and one PostgreSQL city). A city
left alone verifies; one journal row and one case row edited behind the program's back with sqlite3 are
named, with exit 5; a missing or unreachable database is a clear error; the audit writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from data.db import make_engine, session_factory
from data.models import GridCell
from modes.common.clock import FixedClock
from modes.everyday.cases import CaseDesk
from tests.modes.case_walks import report_and_walk
from tests.test_cli import run

EXIT_TAMPERED = 5


def _walk_some_cases(url: str, cases: int, seed: int) -> None:
    """Live case events on top of the generated ones (the case desk, in this process: only the audit is
    the subject here)."""
    engine = make_engine(url)
    rng = random.Random(seed)
    clock = FixedClock(dt.datetime(2026, 3, 2, 9))
    with session_factory(engine)() as s, s.begin():
        cells = s.scalars(select(GridCell.geometry).order_by(GridCell.code)).all()
        points = [(p.x, p.y) for p in (c.representative_point() for c in rng.sample(cells, 20))]
        report_and_walk(CaseDesk(s, clock), clock, rng, points, cases)
    engine.dispose()


@pytest.fixture(scope="module")
def city_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "city.db"
    url = f"sqlite:///{path}"
    run("seed", "--scale", "small", "--seed", "4", "--history-days", "2", "--db", url)
    _walk_some_cases(url, 30, seed=4)
    return path


@pytest.fixture
def copy(city_file, tmp_path) -> Path:
    """A copy of the city to tamper with (the SQLite file and its write-ahead log, if any)."""
    target = tmp_path / "copy.db"
    for suffix in ("", "-wal"):
        if Path(f"{city_file}{suffix}").exists():
            shutil.copyfile(f"{city_file}{suffix}", f"{target}{suffix}")
    return target


def _audit(path: Path, *extra: str):
    return run("audit", "verify", "--db", f"sqlite:///{path}", *extra, check=False)


def _journal_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM journal").fetchone()[0]


def test_an_untouched_city_verifies(copy):
    res = _audit(copy, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc == {"ok": True, "events": _journal_count(copy), "first_bad_event": None, "case_mismatches": []}
    human = _audit(copy)
    assert human.returncode == 0 and "the hash chain holds" in human.stdout and "all agree" in human.stdout
    assert "audit verify: OK" in human.stdout


def test_an_edited_journal_row_and_case_row_are_named_with_exit_5(copy):
    with sqlite3.connect(copy) as db:
        # One event that is not a case's (the city's seeding), so each edit shows once.
        seq = db.execute("SELECT min(seq) FROM journal WHERE kind NOT LIKE 'case.%'").fetchone()[0]
        db.execute("UPDATE journal SET actor = 'intruder' WHERE seq = ?", (seq,))
        # A generated case and a live one, each with one column changed.
        generated = db.execute(
            "SELECT min(c.id) FROM cases c JOIN journal j ON j.subject = 'case/' || c.id "
            "WHERE j.kind = 'case.history' AND c.state = 'closed'"
        ).fetchone()[0]
        live = db.execute("SELECT max(id) FROM cases").fetchone()[0]
        db.execute("UPDATE cases SET state = 'dispatched' WHERE id = ?", (generated,))
        db.execute("UPDATE cases SET reported_at = '2020-01-01 00:00:00.000000' WHERE id = ?", (live,))
    res = _audit(copy, "--json")
    assert res.returncode == EXIT_TAMPERED, res.stderr
    doc = json.loads(res.stdout)
    assert doc == {
        "ok": False,
        "events": _journal_count(copy),
        "first_bad_event": seq,
        "case_mismatches": sorted([generated, live]),
    }
    human = _audit(copy)
    assert human.returncode == EXIT_TAMPERED
    assert f"BROKEN at event {seq}" in human.stdout
    assert f"case {generated}: state" in human.stdout and f"case {live}: reported_at" in human.stdout
    assert "FAILED" in human.stdout


def test_a_case_row_alone_or_a_journal_row_alone(copy):
    with sqlite3.connect(copy) as db:
        victim = db.execute("SELECT max(seq) FROM journal WHERE kind = 'case.history'").fetchone()[0]
        db.execute("UPDATE journal SET at = '2019-12-31 23:59:59.000000' WHERE seq = ?", (victim,))
    doc = json.loads(_audit(copy, "--json").stdout)
    assert doc["first_bad_event"] == victim
    # The edited event is a case's: its case's last update no longer matches what it now says.
    with sqlite3.connect(copy) as db:
        subject = db.execute("SELECT subject FROM journal WHERE seq = ?", (victim,)).fetchone()[0]
    assert doc["case_mismatches"] == [int(subject.split("/")[1])]


def test_the_audit_writes_nothing(copy):
    def digest() -> str:
        with sqlite3.connect(copy) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return hashlib.sha256(copy.read_bytes()).hexdigest()

    before = digest()
    assert _audit(copy, "--json").returncode == 0
    assert digest() == before


def test_a_missing_database_is_a_clear_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "no" / "such" / "city.db"
    res = run("audit", "verify", "--db", f"sqlite:///{missing}", "--json", check=False)
    assert res.returncode == 3 and "no city at" in res.stderr and res.stdout == ""
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    res = run("audit", "verify", "--db", f"sqlite:///{empty}", check=False)
    assert res.returncode == 3 and "holds no Sanwei city" in res.stderr
    res = run("audit", "verify", "--db", "not a url at all", check=False)
    assert res.returncode == 3 and "malformed database URL" in res.stderr
    res = run("audit", "verify", "--db", "postgresql://nobody@127.0.0.1:1/none", check=False)
    assert res.returncode == 3 and "cannot reach database" in res.stderr


def test_audit_is_listed_in_the_help():
    assert "audit" in run("--help").stdout
    described = " ".join(run("audit", "verify", "--help").stdout.split())
    assert "Exit status 0 when all holds, 5 when anything differs" in described


def test_a_postgresql_city_is_audited_too(tmp_path):
    from tests.conftest import PG_URL, pg_admin_engine

    admin = pg_admin_engine()
    schema = f"audit_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        run("seed", "--scale", "small", "--seed", "5", "--history-days", "1", "--db", url)
        _walk_some_cases(url, 10, seed=5)
        res = run("audit", "verify", "--db", url, "--json", check=False)
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["ok"] is True
        with admin.begin() as conn:
            conn.execute(text(f'UPDATE "{schema}".cases SET rework_count = rework_count + 1 WHERE id = 3'))
        res = run("audit", "verify", "--db", url, "--json", check=False)
        assert res.returncode == EXIT_TAMPERED
        assert json.loads(res.stdout)["case_mismatches"] == [3]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
