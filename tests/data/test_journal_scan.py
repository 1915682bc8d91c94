"""The journal's one streamed pass (``journal.scan``), on SQLite and PostgreSQL: it hashes every event as
the chain was hashed (random events of every awkward kind, checked against the reference form), finds a
changed, unlinked or missing event at the start, the middle and the end of a chain several batches
long, and stops between batches when asked."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select, text, update

from data import journal
from data.models import JournalEvent
from tests.data.test_journal_appends import _reference_canonical

# Characters a hand-typed name or note may hold, and the ones JSON and SQL treat specially.
ALPHABET = 'abcXYZ019 _-./:"\\\n\t\r\b\f\x01\x1f\x7féü中井盖监督员\u2028\u2029🚒'
ZONES = [None, dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]


def _text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _value(rng: random.Random, depth: int = 0):
    pick = rng.randrange(11 if depth < 3 else 8)
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return rng.choice([0, -1, 7, 2**31, -(2**53) - 1, 2**63 - 1, 2**64 + 5, -(10**30)])
    if pick == 3:
        return rng.choice([0.1, -0.0, 1e16, 1.5e-7, 5e-324, 1.7976931348623157e308, 550452.13, rng.random()])
    if pick in (4, 5):
        return _text(rng, 12)
    if pick == 6:
        return dt.datetime(2026, 3, 2, 9, 30, rng.randrange(60), rng.choice([0, 5, 123456]))  # str() on dump
    if pick == 7:
        return rng.choice(["", "null", "{}", "[]", '"', "\\u0041"])
    if pick in (8, 9):
        return {_text(rng, 6): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _event(rng: random.Random) -> journal.NewEvent:
    zone = rng.choice(ZONES)
    at = dt.datetime(2025, 1, 1) + dt.timedelta(
        seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6)
    )
    if rng.random() < 0.2:
        at = at.replace(microsecond=0)
    return journal.NewEvent(
        kind=_text(rng, 30) or "x",
        actor=_text(rng, 40),
        at=at if zone is None else at.replace(tzinfo=zone),
        subject=_text(rng, 60),
        payload={
            _text(rng, 8): _value(rng) for _ in range(rng.choice([0, 1, 3, 6]))
        },  # a dict, as NewEvent says
        district_code=rng.choice([None, "230102", "23010\u4e2d"]),
    )


def _events(seed: int, n: int) -> list[journal.NewEvent]:
    rng = random.Random(seed)
    return [_event(rng) for _ in range(n)]


def test_the_scan_hashes_random_events_as_the_reference_form(session):
    """Every event the scan reads hashes right as it is stored, without re-serialising any: so the
    scan's own text of each is the text the chain was hashed from, which is the reference form."""
    events = _events(20260302, 2500)
    for seq, ev in enumerate(events[:300], start=42):  # the hashed form itself, against json.dumps
        assert journal._canonical(seq, ev) == _reference_canonical(seq, journal.NewEvent(
            ev.kind, ev.actor, journal.canonical_time(ev.at), ev.subject, ev.payload, ev.district_code
        ))  # fmt: skip
    seqs = journal.append_many(session, events, chunk=700)
    session.flush()
    report = journal.scan(session, batch=600)
    assert report.ok, report.reason
    assert report.events == seqs[-1] and report.reserialised == 0
    # And each event as the ORM loads it hashes, through the reference function, to what is stored.
    prev = journal.GENESIS_HASH
    for ev in session.scalars(select(JournalEvent).order_by(JournalEvent.seq)):
        assert journal.chain_hash(prev, ev.seq, ev) == ev.hash, ev.seq
        prev = ev.hash


def test_events_stored_in_another_text_verify_only_re_serialised(session, monkeypatch):
    """Rows written through SQLAlchemy's JSON type keep the payload in another text than was hashed:
    the fast comparison misses them and the canonical re-serialisation finds them right."""
    base = journal.append_many(session, _events(7, 5))[-1]
    monkeypatch.setitem(journal._ROW_WRITERS, session.get_bind().dialect.name, journal._core_rows)
    journal.append_many(
        session, [journal.NewEvent("test.core", "tester", dt.datetime(2026, 3, 2), "t/1", {"a": [1, "井"]})]
    )
    session.flush()
    report = journal.scan(session, batch=2)
    assert report.ok and report.events == base + 1 and report.reserialised == 1


@pytest.fixture
def long_chain(session):
    """A chain four scan batches long (plus a part): its first, middle and last numbers."""
    seqs = journal.append_many(session, _events(11, 2 * 1000 + 345), chunk=1000)
    session.flush()
    assert journal.scan(session, batch=BATCH).ok
    return seqs[0], seqs[len(seqs) // 2], seqs[-1]


BATCH = 600
SPOTS = ["start", "middle", "end"]


@pytest.mark.parametrize("spot", SPOTS)
@pytest.mark.parametrize(
    "change, why",
    [
        ({"actor": "intruder"}, "content does not match"),
        ({"payload": {"i": "changed"}}, "content does not match"),
        ({"at": dt.datetime(2001, 1, 1)}, "content does not match"),
        ({"subject": "case/1"}, "content does not match"),
        ({"prev_hash": "f" * 64}, "previous hash does not match"),
    ],
    ids=["actor", "payload", "time", "subject", "link"],
)
def test_a_changed_event_is_found_where_it_is_in_a_long_chain(session, long_chain, spot, change, why):
    victim = long_chain[SPOTS.index(spot)]
    session.execute(update(JournalEvent).where(JournalEvent.seq == victim).values(change))
    report = journal.scan(session, batch=BATCH)
    assert report.first_bad == victim and why in report.reason
    assert report.events == long_chain[2]


@pytest.mark.parametrize("spot", SPOTS)
def test_a_removed_event_is_named_where_it_was_in_a_long_chain(session, long_chain, spot):
    victim = long_chain[SPOTS.index(spot)]
    session.execute(JournalEvent.__table__.delete().where(JournalEvent.seq == victim))
    report = journal.scan(session, batch=BATCH)
    assert report.first_bad == victim
    # The last one removed leaves no gap: the head still counts it.
    assert ("head says" if spot == "end" else "gap") in report.reason


def test_a_scan_told_to_stop_stops_between_batches_and_the_session_goes_on(session, long_chain):
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2

    seen: list[int] = []
    with pytest.raises(journal.ScanCancelled, match=f"stopped after {2 * BATCH} events"):
        journal.scan(session, lambda rows: seen.extend(r[0] for r in rows), batch=BATCH, cancelled=cancelled)
    assert seen == list(range(1, 2 * BATCH + 1))
    # The cursor was closed: the same transaction reads on (on PostgreSQL, not aborted).
    assert session.execute(text("SELECT count(*) FROM journal")).scalar() == long_chain[2]
    assert journal.scan(session, batch=BATCH).ok
