"""The numbered, hash-chained journal.

Every change to the city appends one or more events in the same transaction as the change. Each
event's hash covers its content and the previous hash, so any edit or gap in the stored history is
detected by ``verify``. Writers lock the single ``journal_head`` row, which serialises appends on
PostgreSQL (SQLite serialises writers anyway).

Appending is on every command's path, so it is plain Core on the session's connection (no ORM objects,
no autoflush) and the head is locked and read once per transaction: the number and hash it holds are
remembered in ``session.info`` against the connection's innermost transaction, and a different
transaction (a new one, a savepoint begun, released or rolled back) reads the locked row again. Only
this module writes ``journal_head``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from data.models import JournalEvent, JournalHead

GENESIS_HASH = "0" * 64

_HEAD = JournalHead.__table__
_EVENTS = JournalEvent.__table__
_HEAD_KEY = identity_key(JournalHead, 1)
_BIND = {"mapper": JournalEvent}  # the connection the ORM would use for the journal's tables
_CACHE = "data.journal.head"  # session.info key: (transaction, seq, hash) after this module's last append
_SELECT_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
# Two first writers of a new database must not both insert the head: the loser waits for the winner's
# commit, inserts nothing, and then reads (and locks) the winner's head.
_CREATE_HEAD = text(
    "INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, :hash) ON CONFLICT (id) DO NOTHING"
).bindparams(hash=GENESIS_HASH)


class JournalCorrupted(Exception):
    """The stored journal does not verify: a changed event, a gap, or a broken chain."""


@dataclass(frozen=True)
class NewEvent:
    kind: str
    actor: str
    at: dt.datetime
    subject: str = ""
    payload: dict = field(default_factory=dict)
    district_code: str | None = None


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _string(value: object) -> str:
    return encode_basestring(value) if isinstance(value, str) else _dumps(value)


def _canonical_text(seq: int, ev: NewEvent | JournalEvent, payload_text: str) -> str:
    """The hashed form: the event as one JSON object, keys sorted, no spaces, non-ASCII kept.

    Written out key by key (sorted) rather than through ``json.dumps`` of the whole object, so the
    payload is serialised once and the same text is stored: a year of generated history appends
    three quarters of a million events.
    """
    return (
        f'{{"actor":{_string(ev.actor)},"at":"{ev.at.isoformat(timespec="microseconds")}",'
        f'"district":{_string(ev.district_code)},"kind":{_string(ev.kind)},"payload":{payload_text},'
        f'"seq":{int(seq)},"subject":{_string(ev.subject or "")}}}'
    )


def _canonical(seq: int, ev: NewEvent | JournalEvent) -> bytes:
    return _canonical_text(seq, ev, _dumps(ev.payload or {})).encode()


def chain_hash(prev_hash: str, seq: int, ev: NewEvent | JournalEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(seq, ev)).hexdigest()


def _locked_head(session: Session) -> tuple[Connection, object, int, str]:
    """The session's connection, its innermost transaction, and the head's number and hash, locked.

    The lock (``FOR UPDATE`` on PostgreSQL) is taken by the first append of a transaction and held to its
    end, so later appends of the same transaction trust the remembered head instead of asking again.
    """
    conn = session.connection(bind_arguments=_BIND)
    txn = conn.get_nested_transaction() or conn.get_transaction()
    cached = session.info.get(_CACHE)
    if cached is not None and cached[0] is txn:
        return conn, txn, cached[1], cached[2]
    row = conn.execute(_SELECT_HEAD).first()
    if row is None:
        conn.execute(_CREATE_HEAD)
        row = conn.execute(_SELECT_HEAD).one()
    return conn, txn, row.seq, row.hash


def append(session: Session, event: NewEvent) -> int:
    """Append one event; returns its sequence number."""
    return append_many(session, [event])[-1]


def append_many(session: Session, events: Iterable[NewEvent], *, chunk: int = 5000) -> list[int]:
    """Append events in order with one head lock and bulk inserts; returns their sequence numbers."""
    conn, txn, seq, prev = _locked_head(session)
    writer = _ROW_WRITERS.get(conn.dialect.name, _core_rows)
    seqs: list[int] = []
    rows: list[tuple] = []
    for ev in events:
        seq += 1
        payload_text = _dumps(ev.payload)
        canonical = _canonical_text(seq, ev, payload_text if ev.payload else "{}")
        h = hashlib.sha256((prev + canonical).encode()).hexdigest()
        rows.append((seq, ev.at, ev.actor, ev.kind, ev.subject, ev.district_code, payload_text, prev, h))
        seqs.append(seq)
        prev = h
        if len(rows) >= chunk:
            writer(conn, rows)
            rows = []
    if rows:
        writer(conn, rows)
    if seqs:
        conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
        session.info[_CACHE] = (txn, seq, prev)
        # A head object someone loaded through the ORM would now show an old number: refresh it on use.
        loaded = session.identity_map.get(_HEAD_KEY)
        if loaded is not None:
            session.expire(loaded)
    return seqs


# Rows go to the driver with the payload already serialised (the text that was hashed), instead of
# through SQLAlchemy's per-row JSON and DateTime processing, which cost more than the hashing itself.
_COLUMNS = "seq, at, actor, kind, subject, district_code, payload, prev_hash, hash"


def _sqlite_rows(conn: Connection, rows: list[tuple]) -> None:
    # Times as SQLAlchemy stores them on SQLite (always with microseconds), so text comparisons in SQL
    # agree with rows written through the ORM.
    conn.exec_driver_sql(
        f"INSERT INTO journal ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r[0], _sqlite_time(r[1]), *r[2:]) for r in rows],
    )


def _sqlite_time(at: dt.datetime) -> str:
    # SQLAlchemy's SQLite storage format: local wall time, microseconds always, no offset.
    return (at if at.tzinfo is None else at.replace(tzinfo=None)).isoformat(sep=" ", timespec="microseconds")


def _postgresql_rows(conn: Connection, rows: list[tuple]) -> None:
    conn.exec_driver_sql(
        f"INSERT INTO journal ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s::json, %s, %s)", rows
    )


def _core_rows(conn: Connection, rows: list[tuple]) -> None:
    names = [c.strip() for c in _COLUMNS.split(",")]
    conn.execute(
        insert(_EVENTS),
        [dict(zip(names, (*r[:6], json.loads(r[6]), *r[7:]), strict=True)) for r in rows],
    )


_ROW_WRITERS = {"sqlite": _sqlite_rows, "postgresql": _postgresql_rows}


def last_seq(session: Session) -> int:
    return session.scalar(select(JournalHead.seq).where(JournalHead.id == 1)) or 0


def events_after(session: Session, seq: int, limit: int = 1000) -> list[JournalEvent]:
    return list(
        session.execute(
            select(JournalEvent).where(JournalEvent.seq > seq).order_by(JournalEvent.seq).limit(limit)
        ).scalars()
    )


def iter_events(session: Session, batch: int = 10000) -> Iterator[JournalEvent]:
    after = 0
    while True:
        rows = events_after(session, after, batch)
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify(session: Session) -> int:
    """Check the whole chain; returns the number of events verified or raises ``JournalCorrupted``."""
    prev, expected = GENESIS_HASH, 1
    for ev in iter_events(session):
        if ev.seq != expected:
            raise JournalCorrupted(f"journal gap: expected event {expected}, found {ev.seq}")
        if ev.prev_hash != prev:
            raise JournalCorrupted(f"journal event {ev.seq}: previous hash does not match event {ev.seq - 1}")
        if chain_hash(prev, ev.seq, ev) != ev.hash:
            raise JournalCorrupted(f"journal event {ev.seq}: content does not match its hash")
        prev, expected = ev.hash, expected + 1
    head_seq = session.scalar(select(JournalHead.seq).where(JournalHead.id == 1))
    if head_seq is not None and head_seq != expected - 1:
        raise JournalCorrupted(f"journal head says {head_seq} events, found {expected - 1}")
    return expected - 1
