"""A district replica's commits leave the copying of the WAL into the database file to a background
checkpointer (nodes/replica.py ``WalCheckpointer``), on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from comms.clone import Position
from comms.wire import Entry
from data.db import open_database
from nodes.replica import WAL_BACKSTOP_PAGES, DomainReplica

BODY = bytes(range(256)) * 8  # 2 KiB: a thousand entries fill more than SQLite's default 1,000 WAL pages


def entries(count: int, seq: int = 1, tag: bytes = b"") -> list[Entry]:
    # Keys of a district's own status: kept as replica entries, no city row behind them.
    return [
        Entry(f"/district/230102/queue/f{i:05d}", seq + i, b"", {}, tag + BODY, b"") for i in range(count)
    ]


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)


def fresh_replica(tmp_path: Path) -> tuple[DomainReplica, Path]:
    path = tmp_path / "district.db"
    open_database(f"sqlite:///{path}").dispose()
    replica = DomainReplica(path)
    replica.checkpointer.delay = 3.0  # long enough to look at the file before it runs
    return replica, path


def stored(path: Path) -> dict[str, bytes]:
    with sqlite3.connect(path) as db:
        return {k: bytes(b) for k, b in db.execute("SELECT key, body FROM link_replica_entry")}


def test_a_bulk_load_commits_without_copying_the_wal_and_the_checkpointer_copies_it(tmp_path):
    replica, path = fresh_replica(tmp_path)
    keep = sqlite3.connect(path)  # the node's engine holds a connection too: closing is no checkpoint
    keep.execute("SELECT 1").fetchall()
    try:
        before = os.path.getsize(path)
        counts = replica.bulk_load(entries(3000), Position("e1", "", 3000), replace=False)
        assert counts["entries"] == 3000
        # Committed (another connection reads it all) but still only in the WAL...
        assert len(stored(path)) == 3000
        assert os.path.getsize(path) < before + 1_000_000
        assert replica.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_BACKSTOP_PAGES
        # ...until the checkpointer's thread copies it into the file.
        wait_until(lambda: replica.checkpointer.checkpoints >= 1)
        assert os.path.getsize(path) > before + 6_000_000
    finally:
        replica.close()
        keep.close()
    assert len(stored(path)) == 3000


def test_live_commits_are_checkpointed_in_the_background_and_stay_exact(tmp_path):
    replica, path = fresh_replica(tmp_path)
    keep = sqlite3.connect(path)
    keep.execute("SELECT 1").fetchall()
    try:
        replica.bulk_load([], Position("e1", "", 0), replace=False)
        size = os.path.getsize(path)
        for round_ in range(3):
            for e in entries(1000, seq=1 + round_ * 1000, tag=bytes([round_])):
                assert replica.put(e)
            replica.set_position(Position("e1", "", (round_ + 1) * 1000))
            replica.commit()
        assert os.path.getsize(path) < size + 1_000_000  # the writer did not copy 3,000 pages itself
        wait_until(lambda: replica.checkpointer.checkpoints >= 1 and os.path.getsize(path) > size + 2_000_000)
        assert replica.position() == Position("e1", "", 3000)
    finally:
        replica.close()
        keep.close()
    assert set(stored(path).values()) == {bytes([2]) + BODY}
