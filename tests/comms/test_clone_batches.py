"""Batched publishing (``CloneServer.publish_many``) and update UUIDs, on real sockets, CURVE off."""

from __future__ import annotations

import multiprocessing as mp

import msgpack
import pytest

from comms import clone
from comms.clone import CloneClient, CloneServer
from comms.wire import Entry, WireError
from tests.comms.conftest import HOST, digests, wait_until

HB = 0.1


def body(n: int) -> bytes:
    return msgpack.packb({"n": n, "state": "damaged" if n % 2 else "intact"})


def test_a_batch_is_published_in_order_with_consecutive_numbers(base_port):
    seen: list[Entry] = []
    initial = [Entry.make(f"/component/{i:04d}", i + 1, b"", {}, body(i)) for i in range(100)]
    with CloneServer(HOST, base_port, heartbeat=HB, initial=initial) as server:
        client = CloneClient(HOST, base_port, heartbeat=HB, on_update=seen.append).start()
        try:
            assert client.wait_synced(10)
            seen.clear()
            start = server.info()["seq"]
            # More than one slice of the hand-over (500), each key changed several times.
            updates = [(f"/component/{i % 90:04d}", body(i + 1), None, None) for i in range(1150)]
            updates.append(("/component/0095", b"", None, None))  # a deletion
            updates.append(("/supervisor/S1/position", body(7), {"source": "gps"}, 30.0))
            assert server.publish_many(updates) == 1152
            wait_until(lambda: client.link.seq == start + 1152)
            assert [e.key for e in seen] == [u[0] for u in updates]
            assert [e.body for e in seen] == [u[1] for u in updates]
            assert [e.seq for e in seen] == list(range(start + 1, start + 1153))
            assert seen[1150].deleted
            position = seen[1151]
            assert position.props["source"] == "gps" and position.props["ttl"] == "30.0"
            assert position.expires_at is not None
            assert len({e.uuid for e in seen}) == 1152
            assert digests(client.dump()) == digests(server.dump())
        finally:
            client.stop()


def test_a_batch_with_a_bad_key_is_refused_whole(base_port):
    with CloneServer(HOST, base_port, heartbeat=HB) as server:
        with pytest.raises(WireError, match="not a path"):
            server.publish_many([("/camera/1", b"\x01", None, None), ("camera/2", b"\x02", None, None)])
        with pytest.raises(WireError, match="ttl"):
            server.publish_many([("/camera/3", b"\x03", {"ttl": "soon"}, None)])
        assert server.publish_many([]) == 0
        assert server.info()["seq"] == 0
        assert server.dump() == {}


def _child_uuids(queue) -> None:
    queue.put([clone._new_uuid() for _ in range(3)])


def test_update_uuids_are_unique_and_a_forked_child_draws_its_own():
    mine = [clone._new_uuid() for _ in range(10_000)]
    assert len(set(mine)) == len(mine) and all(len(u) == 16 for u in mine)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_uuids, args=(queue,))
    child.start()
    theirs = queue.get(timeout=30)
    child.join(30)
    # Same counter values, but the child took a new random half: none of its UUIDs repeats ours.
    assert not set(theirs) & {*mine, *[clone._new_uuid() for _ in range(3)]}
    assert theirs[0][:8] != mine[0][:8]
