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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring

from sqlalchemy import Connection, String, Text, cast, func, insert, select, text, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from data.db import DriverQuery
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


class ScanCancelled(Exception):
    """``scan`` was asked to stop (the console closing while its audit runs)."""


# session.info key: the command (``peer/command id``) whose transaction this is, when it came over a
# link; every event the transaction appends names it (payload ``via``), so the journal says which
# district's command made each event, and that each was applied once.
ORIGIN = "data.journal.origin"


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


def canonical_time(at: dt.datetime) -> dt.datetime:
    """The one form a time is hashed and stored in: naive, and in UTC when it came with an offset.

    Naive times are taken as they are (the form every chain so far was hashed with), so an aware time
    and its naive UTC equivalent hash alike, and what SQLite hands back (naive) hashes as it was hashed.
    """
    return at if at.tzinfo is None else at.astimezone(dt.UTC).replace(tzinfo=None)


def _iso(at: dt.datetime) -> str:
    return canonical_time(at).isoformat(timespec="microseconds")


def _text(
    seq: int, actor: str, at_iso: str, district: str | None, kind: str, payload: str, subject: str
) -> str:
    """The hashed form: the event as one JSON object, keys sorted, no spaces, non-ASCII kept.

    Written out key by key (sorted) rather than through ``json.dumps`` of the whole object, so the
    payload is serialised once and the same text is stored: a year of generated history appends
    three quarters of a million events, and ``scan`` re-hashes a million in seconds.
    """
    return (
        f'{{"actor":{_string(actor)},"at":"{at_iso}","district":{_string(district)},'
        f'"kind":{_string(kind)},"payload":{payload},"seq":{int(seq)},"subject":{_string(subject or "")}}}'
    )


def _canonical_text(seq: int, ev: NewEvent | JournalEvent, payload_text: str) -> str:
    return _text(seq, ev.actor, _iso(ev.at), ev.district_code, ev.kind, payload_text, ev.subject)


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
    origin = session.info.get(ORIGIN)
    for ev in events:
        if origin is not None:
            ev = replace(ev, payload={**(ev.payload or {}), "via": origin})
        seq += 1
        payload_text = _dumps(ev.payload)
        canonical = _canonical_text(seq, ev, payload_text if ev.payload else "{}")
        h = hashlib.sha256((prev + canonical).encode()).hexdigest()
        # Stored as hashed: an aware time would otherwise be stored by each backend its own way.
        at = canonical_time(ev.at)
        rows.append((seq, at, ev.actor, ev.kind, ev.subject, ev.district_code, payload_text, prev, h))
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
    # SQLAlchemy's SQLite storage format: microseconds always, no offset (``at`` is canonical already).
    return at.isoformat(sep=" ", timespec="microseconds")


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


@dataclass(frozen=True)
class ChainReport:
    """What ``scan`` found: how many events it read and the first one that breaks the chain, if any."""

    events: int
    first_bad: int | None = None
    reason: str = ""
    # Events that hash right only once their time and payload are re-serialised the canonical way:
    # stored in another textual form than they were hashed in (written through the ORM, say).
    reserialised: int = 0

    @property
    def ok(self) -> bool:
        return self.first_bad is None


# One event as ``scan`` reads it and hands it on: (seq, at, actor, kind, subject, district, payload, prev
# hash, hash), the time as text in SQLite's storage form "YYYY-MM-DD HH:MM:SS.ffffff" (PostgreSQL is asked
# for the same), the payload as the stored JSON text.
ScannedEvent = tuple[int, str, str, str, str, str | None, str, str, str]
# Called with each batch of events read, in journal order, whatever their kind, broken or not.
EventVisitor = Callable[[list[ScannedEvent]], None]
# A batch small enough to be still in the processor's cache when the visitors read what the chain
# check has just read (a tenth faster than 20,000 for the audit).
SCAN_BATCH = 2000


def _scan_statement(dialect: str):
    """Every event in order, times and payloads as text: the hash is over text, so the fast path makes
    no datetime or JSON objects. PostgreSQL formats the time itself and keeps a json value's text as it
    was written; SQLite hands back what is stored."""
    e = _EVENTS.c
    if dialect == "postgresql":
        at = func.to_char(e.at, "YYYY-MM-DD HH24:MI:SS.US")
        payload = cast(e.payload, Text)
    else:
        at, payload = type_coerce(e.at, String), type_coerce(e.payload, Text)
    return select(
        e.seq, at, e.actor, e.kind, e.subject, e.district_code, payload, e.prev_hash, e.hash
    ).order_by(e.seq)


def _rehashes(prev: str, stored: str, seq: int, at, actor, kind, subject, district, payload) -> bool:
    """The event hashes right once its time and payload are re-serialised the canonical way: a row
    stored in another textual form (written through the ORM, a JSON null payload, a time rewritten by
    hand to an equal value) that the fast path missed. Unreadable content does not hash right."""
    try:
        when = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        body = _text(
            seq, actor, _iso(when), district, kind, _dumps(json.loads(payload or "null") or {}), subject
        )
    except (TypeError, ValueError, AttributeError):
        return False
    return hashlib.sha256((prev + body).encode()).hexdigest() == stored


class _Chain:
    """Where ``scan`` is in the chain: the last hash and the next number, how many events hashed right
    only re-serialised, and where and why the chain breaks once it does."""

    def __init__(self) -> None:
        self.prev, self.expected, self.reserialised = GENESIS_HASH, 1, 0
        self.first_bad: int | None = None
        self.reason = ""

    def follow(self, rows: list[ScannedEvent]) -> None:
        """The chain through the next batch of events (until it breaks: then the rest is not asked)."""
        if self.first_bad is not None:
            return
        sha256, enc = hashlib.sha256, encode_basestring
        prev, expected = self.prev, self.expected
        for seq, at, actor, kind, subject, district, payload, prev_hash, stored in rows:
            if seq != expected:
                where = expected if seq > expected else seq
                self.first_bad, self.reason = where, f"journal gap: expected event {expected}, found {seq}"
                return
            if prev_hash != prev:
                self.first_bad = seq
                self.reason = f"journal event {seq}: previous hash does not match event {seq - 1}"
                return
            # The hashed form (``_text``) written out inline, after the previous hash: this runs a million
            # times in an audit. The time's "T" goes where SQLite's storage form has a space.
            try:
                body = (
                    f'{prev}{{"actor":{enc(actor)},"at":"{at[:10]}T{at[11:]}",'
                    f'"district":{"null" if district is None else enc(district)},"kind":{enc(kind)},'
                    f'"payload":{payload},"seq":{seq},"subject":{enc(subject or "")}}}'
                )
                hashes = sha256(body.encode()).hexdigest() == stored
            except TypeError:  # a value of another type (SQLite keeps what it is given): the slow path
                hashes = False
            if not hashes:
                if not _rehashes(prev, stored, seq, at, actor, kind, subject, district, payload):
                    self.first_bad, self.reason = seq, f"journal event {seq}: content does not match its hash"
                    return
                self.reserialised += 1
            prev, expected = stored, seq + 1
        self.prev, self.expected = prev, expected


def scan(
    session: Session,
    visit: EventVisitor | None = None,
    *,
    batch: int = SCAN_BATCH,
    cancelled: Callable[[], bool] | None = None,
) -> ChainReport:
    """Read the whole journal once, in order, checking the chain; never writes.

    Each event's hash is recomputed from its stored content and the previous hash, and compared; the
    numbers must run 1, 2, 3... without a gap, and the head row must name the last one. ``visit`` is
    called with each batch of events as read (``ScannedEvent``), so a caller can check what the events
    say in the same pass. ``cancelled`` is asked between batches; when it answers True the scan raises
    ``ScanCancelled``.

    Rows come straight from the driver's cursor in batches (a server-side one on PostgreSQL), times
    and payloads as text: a million events take seconds, where loading each as an ORM object took
    minutes (bench/bench_audit.py).
    """
    conn = session.connection(bind_arguments=_BIND)
    batches = DriverQuery(conn, _scan_statement(conn.dialect.name)).batches(batch)
    chain, count = _Chain(), 0
    try:
        for rows in batches:
            if cancelled is not None and cancelled():
                raise ScanCancelled(f"stopped after {count} events")
            count += len(rows)
            chain.follow(rows)
            if visit is not None:
                visit(rows)
    finally:
        batches.close()
    first_bad, reason, expected = chain.first_bad, chain.reason, chain.expected
    if first_bad is None:
        head = conn.execute(select(_HEAD.c.seq).where(_HEAD.c.id == 1)).scalar()
        if head is None and count:
            first_bad, reason = count, f"journal head is missing after {count} events"
        elif head is not None and head != expected - 1:
            # Events past the head were added behind its back; a head past the events lost its last ones.
            first_bad = min(head, expected - 1) + 1
            reason = f"journal head says {head} events, found {expected - 1}"
    return ChainReport(count, first_bad, reason, chain.reserialised)


def verify(session: Session) -> int:
    """Check the whole chain; returns the number of events verified or raises ``JournalCorrupted``."""
    report = scan(session)
    if not report.ok:
        raise JournalCorrupted(report.reason)
    return report.events


# --- a standby's copy of another node's journal (docs/protocol.md section 8) ----------------------------
def rows_after(session: Session, seq: int, limit: int = 2000) -> list[tuple]:
    """Events after ``seq`` as they are stored: ``(seq, at ISO text, actor, kind, subject, district,
    payload text, prev_hash, hash)``, the payload the very text that was hashed."""
    payload = cast(_EVENTS.c.payload, Text)
    stmt = (
        select(*[_EVENTS.c[c] for c in ("seq", "at", "actor", "kind", "subject", "district_code")], payload,
               _EVENTS.c.prev_hash, _EVENTS.c.hash)
        .where(_EVENTS.c.seq > seq)
        .order_by(_EVENTS.c.seq)
        .limit(limit)
    )
    return [(r[0], r[1].isoformat(sep=" "), *r[2:]) for r in session.execute(stmt)]


def hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(_EVENTS.c.hash).where(_EVENTS.c.seq == seq))


def copy_rows(session: Session, rows: list[tuple]) -> int:
    """Append another node's events verbatim (numbers and hashes kept), in the caller's transaction.

    Refused (``JournalCorrupted``, nothing written) unless they continue this journal: the first one's
    number follows the head and its ``prev_hash`` is the head's hash, and each links to the one before.
    Returns the new head's number."""
    conn, txn, seq, prev = _locked_head(session)
    if not rows:
        return seq
    checked = []
    for r in rows:
        if r[0] != seq + 1 or r[7] != prev:
            raise JournalCorrupted(f"event {r[0]} does not continue this journal at {seq}")
        checked.append((r[0], canonical_time(dt.datetime.fromisoformat(r[1])), *r[2:]))
        seq, prev = r[0], r[8]
    _ROW_WRITERS.get(conn.dialect.name, _core_rows)(conn, checked)
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    session.info[_CACHE] = (txn, seq, prev)
    return seq


def truncate_after(session: Session, seq: int) -> int:
    """Drop the events after ``seq`` (a standby whose journal went past the active peer's, with events
    no one acknowledged); returns how many were dropped."""
    conn, txn, head, _ = _locked_head(session)
    if seq >= head:
        return 0
    h = hash_at(session, seq) if seq > 0 else None
    dropped = conn.execute(_EVENTS.delete().where(_EVENTS.c.seq > seq)).rowcount
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=h or GENESIS_HASH))
    session.info.pop(_CACHE, None)
    return dropped
