"""The centre's journal follower: publishes the keys that committed journal events changed, on its own
thread (docs/protocol.md section 7.3). What an event touched and the bodies it reads are the shared
picture's rules (``modes.common.picture``); this runs them after each commit and hands what changed to
the centre's state server."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import JournalEvent, Supervisor
from modes.common.clock import Clock
from modes.common.picture import CASE_WINDOW_DAYS, Touched, rebuild, touched_by

log = logging.getLogger("sanwei.replication")

Publisher = Callable[[str, bytes, float | None], None]

_EVENTS = (
    select(JournalEvent.seq, JournalEvent.kind, JournalEvent.subject, JournalEvent.payload)
    .where(JournalEvent.seq > sa.bindparam("after"))
    .order_by(JournalEvent.seq)
    .limit(sa.bindparam("limit"))
)


class JournalFollower:
    """Publishes the keys that committed journal events changed, in journal order, on its own thread.

    It polls every ``interval`` seconds and at once when ``wake()`` is called (the centre's command
    handler calls it after each commit, so an applied command reaches the districts without waiting for
    the next poll). ``published`` holds the body last published per key: a row re-read with an
    unchanged body is not sent again, and a full rescan (seeding, imports) sends only differences.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        publish: Publisher,
        clock: Clock,
        *,
        published: dict[str, bytes],
        after_seq: int,
        interval: float = 0.05,
        min_gap: float = 0.005,
        case_window_days: float = CASE_WINDOW_DAYS,
        on_batch: Callable[[int, int, Touched], None] | None = None,
        publish_many: Callable[[list[tuple[str, bytes, float | None]]], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.publish = publish
        self.clock = clock
        self.published = published
        self.seq = after_seq
        self.interval = interval
        self.min_gap = min_gap
        self.case_window_days = case_window_days
        self.on_batch = on_batch
        # A batch's keys in one call when the server takes them so (CloneServer.publish_many): at 2,000
        # updates a second one hand-over per key to the server's thread was the follower's largest cost.
        self.publish_many = publish_many
        self.generation = 0  # bumped when cells or the organisation changed: routers must reload
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._positions: dict[str, tuple[float, float, dt.datetime]] = {}
        self.errors = 0

    # --- thread -------------------------------------------------------------------------------------
    def start(self) -> JournalFollower:
        self._thread = threading.Thread(target=self._run, name="sanwei-journal-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                while self.poll():
                    pass
                self._flush_positions()
                # Commits that come in a burst (a command each) are published together: a poll costs
                # more than the few milliseconds this waits.
                self._stop.wait(self.min_gap)
            except Exception:
                # The database may be busy or briefly gone: the next poll tries again from the same seq.
                self.errors += 1
                log.exception("journal follower failed at seq %s", self.seq)
                self._stop.wait(1.0)

    # --- positions (telemetry, not journalled) ------------------------------------------------------
    def record_position(self, code: str, x: float, y: float, at: dt.datetime) -> None:
        with self._lock:
            self._positions[code] = (x, y, at)
        self._wake.set()

    def _flush_positions(self) -> None:
        with self._lock:
            batch, self._positions = self._positions, {}
        if not batch:
            return
        with self.session_factory() as s, s.begin():
            table = Supervisor.__table__
            s.execute(
                sa.update(table)
                .where(table.c.code == sa.bindparam("b_code"))
                .values(
                    last_x=sa.bindparam("b_x"), last_y=sa.bindparam("b_y"), last_seen=sa.bindparam("b_at")
                ),
                [{"b_code": c, "b_x": x, "b_y": y, "b_at": at} for c, (x, y, at) in batch.items()],
            )

    # --- one poll -----------------------------------------------------------------------------------
    def poll(self, limit: int = 2000) -> bool:
        """Publish what the events after ``seq`` changed; True when there may be more to read."""
        with self.session_factory() as s, s.begin():
            # Plain rows, not ORM objects: at 2,000 events a second the identity map is the hot spot.
            events = s.connection().execute(_EVENTS, {"after": self.seq, "limit": limit}).all()
            if not events:
                return False
            touched = touched_by(events)
            fresh = rebuild(
                s, touched, self.clock.now(), published=self.published, case_window_days=self.case_window_days
            )
        changed: list[tuple[str, bytes, float | None]] = []
        for key, item in fresh.items():
            if item.body == self.published.get(key, b""):
                continue
            if item.body:
                self.published[key] = item.body
            else:
                self.published.pop(key, None)
            changed.append((key, item.body, item.ttl))
        sent = len(changed)
        if self.publish_many is not None:
            self.publish_many(changed)
        else:
            for key, body, ttl in changed:
                self.publish(key, body, ttl)
        self.seq = events[-1].seq
        if touched.tables & {"cell", "district", "street", "community", "assignment", "supervisor"}:
            self.generation += 1
        if self.on_batch is not None:
            self.on_batch(self.seq, sent, touched)
        return len(events) >= limit
