"""The audit: is the journal intact, and do the rows it vouches for still say what it says?

``run_audit`` reads the whole journal once (``data.journal.scan``: the hash chain, numbered without
gaps) and hands each batch of events to the row checkers on the way (``modes.everyday.case_audit`` for
cases), which then compare the rows of their table with the replay of those events. It never writes: on
PostgreSQL the session's transaction is made ``REPEATABLE READ READ ONLY``, so the journal and the
tables are read as one snapshot while the city carries on; SQLite's read transaction is a snapshot
already.

Qt-free, so the console runs it in a worker and the command line (``audit verify``) prints it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data import journal
from data.models import JournalEvent


class RowChecker(Protocol):
    """Checks one table's rows against the journal events that vouch for them."""

    name: str  # what a row is ("case"): the report lists ``<name>_mismatches``
    unchecked: tuple[str, ...]  # columns the events do not record, so the journal cannot vouch for them
    checked: int  # rows compared so far
    skipped: str  # why no row is checked at all (a replica's rows are its centre's), or ""

    def begin(self, session: Session) -> None: ...

    def visit(self, events: list[journal.ScannedEvent]) -> None:
        """The next batch of journal events, in order and of every kind: pick out yours."""
        ...

    def finish(self, session: Session) -> dict[int, tuple[str, ...]]:
        """Rows that differ from their replay: id -> what differs (column names, or why)."""
        ...


@dataclass(frozen=True)
class AuditReport:
    events: int
    first_bad_event: int | None
    chain_problem: str  # why the chain breaks at ``first_bad_event``; "" when it holds
    mismatches: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)  # checker -> id -> what
    checked: dict[str, int] = field(default_factory=dict)  # checker -> rows compared
    unchecked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # checker -> why it checked no rows at all
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.first_bad_event is None and not any(self.mismatches.values())

    def mismatched(self, name: str) -> list[int]:
        return sorted(self.mismatches.get(name, {}))

    def as_dict(self) -> dict:
        """The documented document: ``{"ok", "events", "first_bad_event", "<row>_mismatches"}``."""
        doc: dict = {"ok": self.ok, "events": self.events, "first_bad_event": self.first_bad_event}
        for name in self.mismatches:
            doc[f"{name}_mismatches"] = self.mismatched(name)
        return doc


def _read_only_snapshot(session: Session) -> None:
    """One consistent, read-only snapshot for the whole audit, where the backend can be told so.

    Only for a session on an engine that has not begun: a session bound to a connection already in a
    transaction (the tests' rollback recipe) audits inside that transaction as it is.
    """
    bind = session.get_bind(mapper=JournalEvent)
    if isinstance(bind, Engine) and not session.in_transaction() and bind.dialect.name == "postgresql":
        session.connection(
            bind_arguments={"mapper": JournalEvent},
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True},
        )


def run_audit(
    session: Session,
    checkers: Sequence[RowChecker] = (),
    *,
    cancelled: Callable[[], bool] | None = None,
    batch: int = journal.SCAN_BATCH,
) -> AuditReport:
    """Verify the journal and every checker's rows in one pass over the journal; never writes.

    Give it a session of its own (the caller closes it, which ends the read transaction).
    ``cancelled`` is asked between batches of ``batch`` events; when it answers True,
    ``journal.ScanCancelled``.
    """
    started = time.perf_counter()
    _read_only_snapshot(session)
    for checker in checkers:
        checker.begin(session)
    if len(checkers) == 1:
        visit = checkers[0].visit
    else:
        visit = _dispatch(checkers) if checkers else None
    chain = journal.scan(session, visit, batch=batch, cancelled=cancelled)
    mismatches = {c.name: c.finish(session) for c in checkers}
    return AuditReport(
        events=chain.events,
        first_bad_event=chain.first_bad,
        chain_problem=chain.reason,
        mismatches=mismatches,
        checked={c.name: c.checked for c in checkers},
        unchecked={c.name: c.unchecked for c in checkers},
        skipped={c.name: c.skipped for c in checkers if c.skipped},
        seconds=time.perf_counter() - started,
    )


def _dispatch(checkers: Sequence[RowChecker]) -> journal.EventVisitor:
    def visit(events: list[journal.ScannedEvent]) -> None:
        for c in checkers:
            c.visit(events)

    return visit
