"""A district follower as a real process: killed with SIGKILL mid-stream, restarted, it catches up."""

from __future__ import annotations

import sqlite3
import threading

import msgpack

from comms.clone import CloneServer, SqliteReplica
from tests.comms.conftest import HOST, digests, wait_until

HB = 0.1


def _replica_seq(path) -> int:
    try:
        with sqlite3.connect(path) as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()
    except sqlite3.Error:
        return -1
    return int(row[0]) if row else -1


def test_killed_follower_restarts_and_catches_up_from_its_sequence(base_port, tmp_path, tool):
    server = CloneServer(HOST, base_port, heartbeat=HB).start()
    for i in range(2000):
        server.publish(f"/component/{i:06d}", msgpack.packb({"i": i, "pad": "p" * 150}))
    replica = tmp_path / "district.db"
    stop = threading.Event()
    published = [0]

    def publish_forever() -> None:
        # A steady stream (~1,000 updates/s) so the kill lands mid-stream.
        n = 0
        while not stop.is_set():
            for _ in range(10):
                server.publish(f"/component/{n % 3000:06d}", msgpack.packb({"n": n}))
                if n % 7 == 0:
                    server.delete(f"/component/{(n * 13) % 3000:06d}")
                n += 1
            published[0] = n
            stop.wait(0.01)

    args = ["follow", "--port", str(base_port), "--replica", str(replica), "--heartbeat", str(HB)]
    follower = tool(*args)
    try:
        first = follower.wait_event("synced")
        assert first["mode"] == "snapshot" and first["count"] == 2000
        writer = threading.Thread(target=publish_forever)
        writer.start()
        wait_until(lambda: _replica_seq(replica) > 2500)
        follower.kill()  # SIGKILL: no chance to commit or close anything
        killed_at = _replica_seq(replica)
        wait_until(lambda: published[0] > 1000)  # it misses a good part of the stream

        follower = tool(*args)
        again = follower.wait_event("synced")
        assert again["mode"] == "replay"
        assert again["count"] > 500  # it was sent only what it missed, not the whole map
        assert again["seq"] > killed_at
        wait_until(lambda: published[0] > 1500)
        stop.set()
        writer.join()
        final = server.info()["seq"]
        wait_until(lambda: _replica_seq(replica) == final, timeout=15)
        follower.terminate()
        replica_entries = {e.key: e for e in SqliteReplica(replica).items()}
        assert digests(replica_entries) == digests(server.dump())
    finally:
        stop.set()
        server.stop()
