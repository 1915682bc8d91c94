"""A node's table of applied command ids (``DbDedupStore``, ``link_applied_command``) stays bounded
under the scheduled pruning over 100,000 commands, on SQLite and PostgreSQL, and a resend within the
retention still gets its stored reply; a command taken longer ago than senders resend is refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from comms.dedup_pruner import DedupPruner
from comms.records import Command, CommandRefused, Peer
from comms.retention import DAY_S, DEDUP_RETENTION_S, PRUNE_EVERY_S
from comms.wire import STATUS_OK
from data.db import session_factory
from modes.common.clock import FixedClock
from modes.common.command_bus import (
    APPLIED,
    CommandBus,
    DbDedupStore,
    NodeRole,
    encode_call,
    make_apply,
    register_common,
)

COMMANDS = 100_000
STEP_S = 30.0  # one command every 30 s of the test's clock: 100,000 commands span about 35 days
PER_TRANSACTION = 500  # what one transaction records (about four hours of the test's clock)
START = 1_700_000_000.0


class SteppedClock:
    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def peer(engine):
    """A peer name of this test's own; its rows are removed afterwards (the database is shared)."""
    name = f"district-{uuid.uuid4().hex[:8]}"
    yield name
    with engine.begin() as conn:
        conn.execute(sa.delete(APPLIED).where(APPLIED.c.peer == name))


def test_the_applied_ids_stay_bounded_over_100000_commands(engine, peer):
    clock = SteppedClock(START)
    store = DbDedupStore(session_factory(engine), now=clock)
    pruner = DedupPruner(store, now=clock)

    def count_rows() -> int:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(APPLIED).where(APPLIED.c.peer == peer))

    bound = int((DEDUP_RETENTION_S + PRUNE_EVERY_S + PER_TRANSACTION * STEP_S) / STEP_S) + 1
    window = int(DEDUP_RETENTION_S / STEP_S)
    largest, smallest_full = 0, None
    try:
        for first in range(0, COMMANDS, PER_TRANSACTION):
            with store.transaction() as tx:
                # The first through the door's own path, the rest in bulk, each stamped with the time
                # it would have been applied at.
                rows = []
                for n in range(first, first + PER_TRANSACTION):
                    cid = f"c{n:08d}"
                    if n == first:
                        tx.save_reply(peer, cid, STATUS_OK, cid.encode())
                    else:
                        rows.append(
                            {"peer": peer, "command_id": cid, "status": STATUS_OK, "reply": cid.encode(),
                             "applied_at": clock()}
                        )  # fmt: skip
                    clock.t += STEP_S
                tx.session.execute(sa.insert(APPLIED), rows)
            pruner.prune_due()
            rows_now = count_rows()
            largest = max(largest, rows_now)
            if first >= window:
                smallest_full = rows_now if smallest_full is None else min(smallest_full, rows_now)
        assert largest <= bound
        assert smallest_full >= window  # nothing within the retention was pruned
        # A resend six days after its command was applied gets the stored reply (exactly once holds);
        # one from before the retention is gone, which is why senders give up a command after six days.
        six_days_ago = f"c{COMMANDS - int(6 * DAY_S / STEP_S):08d}"
        assert store.lookup(peer, six_days_ago) == (STATUS_OK, six_days_ago.encode())
        assert store.lookup(peer, f"c{COMMANDS - int(8 * DAY_S / STEP_S):08d}") is None
    finally:
        store.close()


def test_a_command_taken_longer_ago_than_senders_resend_is_refused(engine, peer):
    now = dt.datetime(2026, 3, 9, 9, 0)
    bus = CommandBus()
    register_common(bus)
    apply = make_apply(bus, NodeRole("centre", None, FixedClock(now)))
    store = DbDedupStore(session_factory(engine))
    sender = Peer(peer, "district:230102")
    try:
        with pytest.raises(CommandRefused, match="more than 6 days ago: too old to apply"):
            with store.transaction() as tx:
                apply(
                    Command(
                        "old", sender, encode_call("query.mode", {}, now - dt.timedelta(days=6, hours=1))
                    ),
                    tx,
                )
        with store.transaction() as tx:
            assert apply(
                Command("recent", sender, encode_call("query.mode", {}, now - dt.timedelta(days=5))), tx
            )
    finally:
        store.close()
