"""The numbered, hash-chained journal.

Every change to the city appends one or more events in the same transaction as the change. Each
event's hash covers its content and the previous hash, so any edit or gap in the stored history is
detected by ``verify``. Writers lock the single ``journal_head`` row, which serialises appends on
PostgreSQL (SQLite serialises writers anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.models import JournalEvent, JournalHead

GENESIS_HASH = "0" * 64


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


def _canonical(seq: int, ev: NewEvent | JournalEvent) -> bytes:
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


def chain_hash(prev_hash: str, seq: int, ev: NewEvent | JournalEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(seq, ev)).hexdigest()


def _lock_head(session: Session) -> JournalHead:
    head = session.execute(
        select(JournalHead).where(JournalHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = JournalHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def append(session: Session, event: NewEvent) -> int:
    """Append one event; returns its sequence number."""
    return append_many(session, [event])[-1]


def append_many(session: Session, events: Iterable[NewEvent], *, chunk: int = 5000) -> list[int]:
    """Append events in order with one head lock and bulk inserts; returns their sequence numbers."""
    head = _lock_head(session)
    seq, prev = head.seq, head.hash
    seqs: list[int] = []
    rows: list[dict] = []
    for ev in events:
        seq += 1
        h = chain_hash(prev, seq, ev)
        rows.append(
            {
                "seq": seq,
                "at": ev.at,
                "actor": ev.actor,
                "kind": ev.kind,
                "subject": ev.subject,
                "district_code": ev.district_code,
                "payload": ev.payload,
                "prev_hash": prev,
                "hash": h,
            }
        )
        seqs.append(seq)
        prev = h
        if len(rows) >= chunk:
            session.execute(insert(JournalEvent), rows)
            rows = []
    if rows:
        session.execute(insert(JournalEvent), rows)
    if seqs:
        session.execute(update(JournalHead).where(JournalHead.id == 1).values(seq=seq, hash=prev))
        session.expire(head)
    return seqs


def last_seq(session: Session) -> int:
    head = session.get(JournalHead, 1)
    return head.seq if head else 0


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
    head = session.get(JournalHead, 1)
    if head is not None and head.seq != expected - 1:
        raise JournalCorrupted(f"journal head says {head.seq} events, found {expected - 1}")
    return expected - 1
