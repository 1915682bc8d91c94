"""Appending to the journal: one head lock per transaction, savepoints, and concurrent writers.

The head's number and hash are remembered between the appends of one transaction; these tests show the
chain stays gap-free when that transaction is a savepoint rolled back or released, when the head row
is loaded through the ORM meanwhile, and when several PostgreSQL connections append at once on a new
database (each writer commits many small transactions of several appends, as the case desk does).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data import journal
from data.db import make_engine, upgrade_schema
from data.models import JournalEvent, JournalHead
from tests.conftest import PG_URL, pg_admin_engine

AT = dt.datetime(2026, 3, 2, 9, 30)


def _ev(i: int, who: str = "tester") -> journal.NewEvent:
    return journal.NewEvent(
        kind="test.appended",
        actor=who,
        at=AT + dt.timedelta(seconds=i),
        subject=f"thing/{i}",
        payload={"i": i},
    )


def _reference_canonical(seq: int, ev: journal.NewEvent) -> bytes:
    """The hashed form as first written: json.dumps of the whole object, as stored chains were hashed."""
    body = {
        "seq": seq,
        "at": ev.at.isoformat(timespec="microseconds"),
        "actor": ev.actor,
        "kind": ev.kind,
        "subject": ev.subject or "",
        "district": ev.district_code,
        "payload": ev.payload or {},
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


@pytest.mark.parametrize(
    "ev",
    [
        journal.NewEvent(
            "case.report", "王 监督员", AT, "case/1", {"名称": "井盖", "n": [1, 2.5, None]}, "230102"
        ),
        journal.NewEvent("x", 'quote " back\\slash \n tab\t', AT.replace(microsecond=7), "", {}, None),
        journal.NewEvent("x", "a", AT, "s", {"z": {"b": 1, "a": True}, "at": AT, "e": "\u2028"}, None),
        journal.NewEvent("x", "a", AT, None, None, "230103"),  # type: ignore[arg-type]
    ],
)
def test_hashed_form_is_the_one_stored_chains_were_hashed_with(ev):
    assert journal._canonical(42, ev) == _reference_canonical(42, ev)


HARBIN = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    "aware",
    [
        dt.datetime(2026, 3, 2, 17, 30, 0, 5, tzinfo=HARBIN),
        dt.datetime(2026, 3, 2, 9, 30, 0, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 4, 30, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
    ids=["utc+8", "utc", "utc-5"],
)
def test_an_aware_time_hashes_as_its_naive_utc_equivalent(aware):
    naive_utc = dt.datetime(2026, 3, 2, 9, 30, 0, 5)
    a = journal.NewEvent("x", "a", aware, "s", {"i": 1}, "230102")
    b = journal.NewEvent("x", "a", naive_utc, "s", {"i": 1}, "230102")
    assert journal._canonical(7, a) == journal._canonical(7, b) == _reference_canonical(7, b)
    assert b"+" not in journal._canonical(7, a)
    assert journal.chain_hash(journal.GENESIS_HASH, 7, a) == journal.chain_hash(journal.GENESIS_HASH, 7, b)


def test_an_aware_time_is_stored_as_hashed_and_verifies(session):
    """SQLite keeps no offset: an aware time stored as its wall time would hash differently on reading."""
    aware = dt.datetime(2026, 3, 2, 17, 30, tzinfo=HARBIN)
    seq = journal.append(session, journal.NewEvent("test.aware", "tester", aware, "thing/tz", {"i": 1}))
    session.expire_all()
    assert session.get(JournalEvent, seq).at == dt.datetime(2026, 3, 2, 9, 30)
    assert journal.verify(session) == seq
    assert journal.scan(session).ok


def test_stored_payload_reads_back_and_verifies(session):
    payload = {"名称": "井盖", "nested": {"b": [1, None, "x"], "a": 0.1}, "when": AT}
    seq = journal.append(
        session, journal.NewEvent("test.payload", "tester", AT, "thing/x", payload, "230102")
    )
    stored = session.get(JournalEvent, seq)
    assert stored.payload == {"名称": "井盖", "nested": {"b": [1, None, "x"], "a": 0.1}, "when": str(AT)}
    assert stored.at == AT
    assert journal.verify(session) == seq


def test_appends_of_one_transaction_continue_the_chain(session):
    first = journal.append(session, _ev(0))
    assert [journal.append(session, _ev(i)) for i in range(1, 4)] == [first + 1, first + 2, first + 3]
    assert journal.append_many(session, [_ev(4), _ev(5)]) == [first + 4, first + 5]
    assert journal.last_seq(session) == first + 5
    assert journal.verify(session) == first + 5


def test_a_rolled_back_savepoint_gives_its_numbers_back(session):
    before = journal.append(session, _ev(0))
    nested = session.begin_nested()
    assert journal.append(session, _ev(1)) == before + 1
    assert journal.append(session, _ev(2)) == before + 2
    nested.rollback()
    # The rolled-back events are gone, so the next event takes the first of their numbers again.
    assert journal.append(session, _ev(3)) == before + 1
    assert journal.last_seq(session) == before + 1
    assert journal.verify(session) == before + 1
    kept = session.scalars(
        select(JournalEvent.payload).where(JournalEvent.seq > before - 1).order_by(JournalEvent.seq)
    ).all()
    assert [p["i"] for p in kept] == [0, 3]


def test_a_released_savepoint_keeps_its_events(session):
    before = journal.append(session, _ev(0))
    with session.begin_nested():
        assert journal.append_many(session, [_ev(1), _ev(2)]) == [before + 1, before + 2]
    assert journal.append(session, _ev(3)) == before + 3
    assert journal.verify(session) == before + 3


def test_a_head_loaded_through_the_orm_shows_the_new_number(session):
    journal.append(session, _ev(0))
    head = session.get(JournalHead, 1)
    seen = head.seq
    journal.append_many(session, [_ev(1), _ev(2)])
    assert head.seq == seen + 2
    assert head.hash == session.scalar(select(JournalEvent.hash).where(JournalEvent.seq == seen + 2))


def test_a_failed_transaction_leaves_the_next_one_a_true_head(engine):
    with Session(engine) as s:
        start = journal.last_seq(s)
        s.rollback()
        with pytest.raises(RuntimeError), s.begin():
            journal.append(s, _ev(0))
            journal.append(s, _ev(1))
            raise RuntimeError("the change failed after its events were appended")
        # Same session, new transaction: the head remembered from the failed one must not be reused.
        s.begin()
        assert journal.append(s, _ev(2)) == start + 1
        assert journal.verify(s) == start + 1
        s.rollback()  # leave the shared database as it was


# --- concurrent writers on PostgreSQL -------------------------------------------------------------------


@pytest.fixture
def fresh_pg():
    """An engine on a new PostgreSQL schema with an empty journal (no head row yet), dropped after."""
    admin = pg_admin_engine()
    schema = f"j_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    upgrade_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_concurrent_writers_get_one_gap_free_chain(fresh_pg):
    writers, transactions, per_transaction = 6, 25, 3
    start = threading.Barrier(writers)
    got: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            mine: list[int] = []
            start.wait()  # all race for the (missing) head row at once
            for t in range(transactions):
                with Session(fresh_pg) as s, s.begin():
                    for k in range(per_transaction):
                        mine.append(journal.append(s, _ev(t * per_transaction + k, name)))
            got[name] = mine
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    total = writers * transactions * per_transaction
    every = sorted(seq for seqs in got.values() for seq in seqs)
    assert every == list(range(1, total + 1))
    for name, seqs in got.items():
        # A transaction's events are consecutive: the head stayed locked between its appends.
        for t in range(transactions):
            chunk = seqs[t * per_transaction : (t + 1) * per_transaction]
            assert chunk == list(range(chunk[0], chunk[0] + per_transaction)), (name, chunk)
    with Session(fresh_pg) as s:
        assert journal.verify(s) == total
        actors = s.execute(select(JournalEvent.seq, JournalEvent.actor).order_by(JournalEvent.seq)).all()
    assert {a for _, a in actors} == set(got)


def test_other_databases_get_the_same_rows_through_core(session, monkeypatch):
    """Dialects without a driver-level writer go through a Core insert: same rows, same chain."""
    dialect = session.get_bind().dialect.name
    monkeypatch.setitem(journal._ROW_WRITERS, dialect, journal._core_rows)
    payload = {"名称": "井盖", "n": [1, None]}
    first = journal.append(session, journal.NewEvent("test.core", "tester", AT, "thing/c", payload, None))
    journal.append_many(session, [_ev(i) for i in range(3)])
    stored = session.get(JournalEvent, first)
    assert (stored.payload, stored.at, stored.district_code) == (payload, AT, None)
    assert journal.verify(session) == first + 3
