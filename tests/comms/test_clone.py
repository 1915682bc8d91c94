"""State replication (docs/protocol.md section 3) between real sockets on loopback, CURVE off."""

from __future__ import annotations

import time

import msgpack
import pytest
import zmq

from comms.clone import CloneClient, CloneServer, SqliteReplica, SyncInfo
from comms.wire import Entry, pack_seq
from tests.comms.conftest import HOST, digests, wait_until

HB = 0.1  # a short heartbeat keeps liveness tests fast


def body(n: int) -> bytes:
    return msgpack.packb({"n": n, "name": f"item {n}", "state": "intact", "pad": "x" * 40})


def seed(count: int) -> list[Entry]:
    kinds = ["/cell/", "/camera/", "/component/"]
    return [Entry.make(f"{kinds[i % 3]}{i:06d}", i + 1, b"", {}, body(i)) for i in range(count)]


@pytest.fixture
def server(base_port):
    srv = CloneServer(HOST, base_port, heartbeat=HB, initial=seed(3000)).start()
    yield srv
    srv.stop()


def test_snapshot_plus_updates_equal_the_servers_map(server, base_port):
    whole = CloneClient(HOST, base_port, heartbeat=HB).start()
    cameras = CloneClient(HOST, base_port, heartbeat=HB, subtree="/camera/").start()
    try:
        # Updates and deletions race with the snapshots: the clients must end equal anyway.
        for i in range(0, 600, 2):
            server.publish(f"/camera/{i:06d}", body(-i))
            server.delete(f"/cell/{i + 1:06d}")
            server.publish(f"/district/230102/new/{i}", body(i), {"kind": "test"})
        assert whole.wait_synced(10) and cameras.wait_synced(10)
        final_seq = server.info()["seq"]
        wait_until(lambda: whole.link.seq == final_seq)
        wait_until(lambda: cameras.dump().get("/camera/000598", None) is not None)
        assert digests(whole.dump()) == digests(server.dump())
        wait_until(lambda: digests(cameras.dump()) == digests(server.dump("/camera/")), timeout=5)
        assert all(k.startswith("/camera/") for k in cameras.dump())
    finally:
        whole.stop()
        cameras.stop()


def test_values_with_ttl_expire_for_clients(server, base_port):
    updates: list[Entry] = []
    client = CloneClient(HOST, base_port, heartbeat=HB, subtree="/camera/", on_update=updates.append).start()
    try:
        assert client.wait_synced(10)
        before = time.time()
        server.publish("/camera/live", b"\x01", ttl=0.3)
        wait_until(lambda: "/camera/live" in client.dump(), timeout=5)
        entry = client.dump()["/camera/live"]
        assert entry.props["ttl"] == "0.3"
        # expires_at has millisecond precision.
        assert before + 0.299 <= float(entry.props["expires_at"]) <= time.time() + 0.301
        wait_until(lambda: "/camera/live" not in client.dump(), timeout=5)
        assert "/camera/live" not in server.dump()
        assert updates[-1].key == "/camera/live" and updates[-1].deleted
        # A client's own write with a ttl expires the same way.
        client.write("/camera/mine", b"\x02", ttl=0.2)
        wait_until(lambda: "/camera/mine" in client.dump(), timeout=5)
        wait_until(lambda: "/camera/mine" not in server.dump(), timeout=5)
    finally:
        client.stop()


def test_a_restarted_client_catches_up_from_its_sequence(server, base_port, tmp_path):
    syncs: list[SyncInfo] = []
    replica_path = tmp_path / "replica.db"
    client = CloneClient(
        HOST, base_port, heartbeat=HB, replica=SqliteReplica(replica_path), on_synced=syncs.append
    )
    client.start()
    assert client.wait_synced(10)
    client.stop()
    assert syncs[-1].mode == "snapshot" and syncs[-1].count == 3000

    for i in range(40):
        server.publish(f"/cell/{i:06d}", body(1000 + i))
    server.delete("/camera/000001")
    client = CloneClient(
        HOST, base_port, heartbeat=HB, replica=SqliteReplica(replica_path), on_synced=syncs.append
    )
    client.start()
    try:
        assert client.wait_synced(10)
        assert syncs[-1].mode == "replay" and syncs[-1].count == 41
        assert digests(client.dump()) == digests(server.dump())
    finally:
        client.stop()


def test_catch_up_falls_back_to_a_snapshot_when_the_log_is_too_short(base_port, tmp_path):
    server = CloneServer(HOST, base_port, heartbeat=HB, log_size=10, initial=seed(100)).start()
    syncs: list[SyncInfo] = []
    replica_path = tmp_path / "replica.db"
    try:
        client = CloneClient(HOST, base_port, heartbeat=HB, replica=SqliteReplica(replica_path))
        client.start()
        assert client.wait_synced(10)
        client.stop()
        for i in range(30):
            server.delete(f"/cell/{i * 3:06d}")
        client = CloneClient(
            HOST, base_port, heartbeat=HB, replica=SqliteReplica(replica_path), on_synced=syncs.append
        )
        client.start()
        assert client.wait_synced(10)
        client.stop()
        assert syncs[-1].mode == "snapshot"
        # The keys deleted while the client was away are gone from its replica too.
        assert digests(_read(replica_path)) == digests(server.dump())
    finally:
        server.stop()


def _read(path) -> dict[str, Entry]:
    replica = SqliteReplica(path)
    try:
        return {e.key: e for e in replica.items()}
    finally:
        replica.close()


def test_a_server_restart_means_a_new_epoch_and_a_fresh_snapshot(base_port):
    server = CloneServer(HOST, base_port, heartbeat=HB, initial=seed(50)).start()
    syncs: list[SyncInfo] = []
    links = []
    client = CloneClient(HOST, base_port, heartbeat=HB, on_synced=syncs.append, on_link=links.append).start()
    try:
        assert client.wait_synced(10)
        server.stop()
        wait_until(lambda: not client.link.up, timeout=5)
        server = CloneServer(HOST, base_port, heartbeat=HB, initial=seed(20)).start()
        wait_until(
            lambda: client.link.up and client.link.epoch == server.epoch and client.link.synced, timeout=10
        )
        assert syncs[-1].mode == "snapshot"
        assert digests(client.dump()) == digests(server.dump())
        ups = [s.up for s in links]
        assert False in ups and ups[-1] is True
    finally:
        client.stop()
        server.stop()


def test_writes_are_confirmed_by_their_echo_even_the_first(server, base_port):
    results: list[tuple[bytes, bool]] = []
    client = CloneClient(HOST, base_port, heartbeat=HB, on_write_result=lambda u, ok: results.append((u, ok)))
    client.start()
    try:
        # Written at once, before the server's SUB has attached this client's PUB: may vanish, is resent.
        uuids = [client.write(f"/district/230102/report/{i}", body(i)) for i in range(5)]
        wait_until(lambda: len(results) == 5, timeout=10)
        assert sorted(results) == sorted((u, True) for u in uuids)
        dump = server.dump("/district/230102/")
        assert {e.uuid for e in dump.values()} == set(uuids)
        # Each write applied once although some were probably sent more than once.
        assert server.info()["seq"] == 3000 + 5
    finally:
        client.stop()


def test_a_resent_write_is_applied_once_and_echoed_again(server, base_port):
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"/x/")
    sub.connect(f"tcp://{HOST}:{base_port + 1}")
    pub = ctx.socket(zmq.PUB)
    pub.connect(f"tcp://{HOST}:{base_port + 2}")
    try:
        kvset = [b"/x/1", pack_seq(0), b"U" * 16, b"", b"v"]
        echoes = []

        def echoed(n):
            pub.send_multipart(kvset)
            while sub.poll(50):
                echoes.append(sub.recv_multipart())
            return len(echoes) >= n

        wait_until(lambda: echoed(1), timeout=5, interval=0.05)
        wait_until(lambda: echoed(2), timeout=5, interval=0.05)
        assert echoes[0] == echoes[1]  # same sequence number: a repeat, not a second update
        assert server.info()["seq"] == 3001
        assert server.stats.get("duplicate_write") >= 1
    finally:
        sub.close(0)
        pub.close(0)
        ctx.term()


def test_a_client_that_lost_the_link_catches_up_when_it_returns(base_port):
    # A centre that keeps its history across a restart passes the same epoch and sequence again.
    server = CloneServer(HOST, base_port, heartbeat=HB, initial=seed(100), epoch="E1").start()
    syncs: list[SyncInfo] = []
    client = CloneClient(HOST, base_port, heartbeat=HB, on_synced=syncs.append).start()
    try:
        assert client.wait_synced(10)
        state, seq = server.dump(), server.info()["seq"]
        server.stop()
        wait_until(lambda: not client.link.up, timeout=5)
        server = CloneServer(
            HOST, base_port, heartbeat=HB, initial=state.values(), initial_seq=seq, epoch="E1"
        )
        server.start()
        wait_until(lambda: client.link.up and len(syncs) == 2, timeout=10)
        assert syncs[-1].mode == "replay" and syncs[-1].count == 0
        server.publish("/cell/000000", body(7))
        wait_until(lambda: client.dump()["/cell/000000"].body == body(7))
        assert digests(client.dump()) == digests(server.dump())
    finally:
        client.stop()
        server.stop()
