"""``comms.retention``: the table of applied ids stays bounded under scheduled pruning, a resend within
the retention still gets its stored reply, and a sender gives up a command older than the resend limit
instead of resending it after its id may be gone. Real SQLite files, real sockets on loopback."""

from __future__ import annotations

import sqlite3
import time

import pytest
import zmq

from comms.commands import CommandClient, CommandServer, SqliteDedupStore, SqliteOutbox
from comms.dedup_pruner import DedupPruner
from comms.keys import Security
from comms.retention import (
    DAY_S,
    DEDUP_RETENTION_S,
    PRUNE_EVERY_S,
    RESEND_LIMIT_S,
    check_retention,
)
from comms.wire import CMD, CMD_PROTO, REPLY, STATUS_EXPIRED, STATUS_OK

from .conftest import HOST, wait_until

COMMANDS = 100_000
STEP_S = 30.0  # one command every 30 s of the test's clock: 100,000 commands span about 35 days
PER_TRANSACTION = 10  # what one transaction applies (5 minutes of the test's clock)
START = 1_700_000_000.0


class SteppedClock:
    """Wall-clock seconds that move only when the test says so."""

    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def bound() -> int:
    """Entries a receiver can hold: those within the retention, plus what arrives between two prunes
    (one prune interval, and the transaction in which the prune fell due)."""
    return int((DEDUP_RETENTION_S + PRUNE_EVERY_S + PER_TRANSACTION * STEP_S) / STEP_S) + 1


def drive(store, clock: SteppedClock, pruner: DedupPruner, count_rows, peer: str = "district-230102"):
    """Apply ``COMMANDS`` distinct ids through the store's transaction path, pruning as the node's
    schedule would; returns the largest and the smallest row count seen once the window was full."""
    largest, smallest_full = 0, None
    window = int(DEDUP_RETENTION_S / STEP_S)
    for first in range(0, COMMANDS, PER_TRANSACTION):
        with store.transaction() as tx:
            for n in range(first, first + PER_TRANSACTION):
                cid = f"c{n:08d}"
                assert tx.find_reply(peer, cid) is None
                tx.save_reply(peer, cid, STATUS_OK, cid.encode())
                clock.t += STEP_S
        pruner.prune_due()
        rows = count_rows()
        largest = max(largest, rows)
        if first >= window:
            smallest_full = rows if smallest_full is None else min(smallest_full, rows)
    return largest, smallest_full


def test_the_sqlite_store_stays_bounded_over_100000_commands_and_still_answers_resends(
    tmp_path, base_port, key_dir
):
    clock = SteppedClock(START)
    store = SqliteDedupStore(tmp_path / "applied.sqlite", synchronous="OFF", now=clock)
    pruner = DedupPruner(store, now=clock)
    probe = sqlite3.connect(tmp_path / "applied.sqlite")

    def count_rows() -> int:
        return probe.execute("SELECT count(*) FROM applied_command").fetchone()[0]

    largest, smallest_full = drive(store, clock, pruner, count_rows)
    assert largest <= bound()
    # Nothing within the retention was pruned: every id of the last seven days is still there.
    assert smallest_full >= int(DEDUP_RETENTION_S / STEP_S)
    assert pruner.pruned >= COMMANDS - bound()

    # A resend, six days after its command was applied, still gets the stored reply and is not applied.
    applied: list[str] = []

    def apply(command, tx) -> bytes:
        applied.append(command.id)
        return b"applied now"

    server = CommandServer(
        HOST, base_port, apply, store=store, security=Security.from_dir(key_dir, "centre")
    ).start()
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.linger = 0
    try:
        Security.from_dir(key_dir, "district-230102").make_client(dealer, "centre")
        dealer.connect(f"tcp://{HOST}:{base_port}")
        six_days_ago = COMMANDS - int(6 * DAY_S / STEP_S)
        for cid, expected in (
            (f"c{six_days_ago:08d}", f"c{six_days_ago:08d}".encode()),
            ("fresh", b"applied now"),
        ):
            dealer.send_multipart([CMD_PROTO, CMD, cid.encode(), b"body"])
            assert dealer.poll(10_000), "no reply"
            assert dealer.recv_multipart() == [CMD_PROTO, REPLY, cid.encode(), STATUS_OK.encode(), expected]
        assert applied == ["fresh"]
    finally:
        dealer.close(0)
        server.stop()
        probe.close()
        store.close()


def test_a_retention_shorter_than_the_senders_resend_limit_is_refused():
    assert RESEND_LIMIT_S < DEDUP_RETENTION_S
    assert check_retention(30 * DAY_S) == 30 * DAY_S
    with pytest.raises(ValueError, match="at least 7 days"):
        check_retention(3 * DAY_S)


def test_prune_deletes_in_batches_of_the_given_size(tmp_path):
    clock = SteppedClock(START)
    store = SqliteDedupStore(tmp_path / "applied.sqlite", synchronous="OFF", now=clock)
    with store.transaction() as tx:
        for n in range(2500):
            tx.save_reply("p", f"c{n}", STATUS_OK, b"")
    try:
        assert store.prune(START + 1, limit=1000) == 1000
        assert DedupPruner(store, now=lambda: START + 1 + DEDUP_RETENTION_S, batch=1000).prune_now() == 1500
    finally:
        store.close()


def test_a_command_queued_longer_ago_than_the_resend_limit_is_expired_not_resent(tmp_path, base_port):
    applied: list[str] = []
    server = CommandServer(HOST, base_port, lambda c, tx: applied.append(c.id) or b"ok").start()
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite", synchronous="OFF")
    outbox.add("stale", b"taken a week ago")
    outbox.add("young", b"taken now")
    outbox.db.execute(
        "UPDATE outbox SET queued_at = ? WHERE command_id = 'stale'", (time.time() - 6.5 * DAY_S,)
    )
    outbox.close()
    replies = []
    client = CommandClient(
        HOST,
        base_port,
        outbox=SqliteOutbox(tmp_path / "outbox.sqlite"),
        on_reply=replies.append,
        heartbeat=0.2,
    ).start()
    try:
        wait_until(lambda: len(replies) == 2)
        stale, young = replies
        assert (stale.command_id, stale.status) == ("stale", STATUS_EXPIRED)
        assert b"not answered within 6 days" in stale.body and b"not sent again" in stale.body
        assert (young.command_id, young.status, young.body) == ("young", STATUS_OK, b"ok")
        assert applied == ["young"]  # the expired command never reached the server
        assert client.link.queue_length == 0
    finally:
        client.stop()
        server.stop()
    assert SqliteOutbox(tmp_path / "outbox.sqlite").load() == []
