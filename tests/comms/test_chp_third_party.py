"""A Clustered Hashmap Protocol client written from ZeroMQ RFC 12 alone (it imports nothing of comms)
takes a snapshot of a subtree from our server, follows its updates and sees TTL values expire.

RFC 12 has no security, so this runs against a server with CURVE off (docs/protocol.md section 1).
"""

from __future__ import annotations

import struct
import time

import zmq


class RfcCloneClient:
    """Minimal CHP client: the RFC's ICANHAZ?/KVSYNC/KTHXBAI, KVPUB, HUGZ and KVSET, nothing else."""

    def __init__(self, ctx: zmq.Context, host: str, port: int, subtree: bytes) -> None:
        self.map: dict[bytes, bytes] = {}
        self.sequence = 0
        self.hugz = 0
        self.subtree = subtree
        self.snapshot = ctx.socket(zmq.DEALER)
        self.snapshot.connect(f"tcp://{host}:{port}")
        self.subscriber = ctx.socket(zmq.SUB)
        self.subscriber.setsockopt(zmq.SUBSCRIBE, subtree)
        self.subscriber.setsockopt(zmq.SUBSCRIBE, b"HUGZ")
        self.subscriber.connect(f"tcp://{host}:{port + 1}")
        self.publisher = ctx.socket(zmq.PUB)
        self.publisher.connect(f"tcp://{host}:{port + 2}")

    def sync(self, timeout_ms: int = 5000) -> None:
        self.snapshot.send_multipart([b"ICANHAZ?", self.subtree])
        while True:
            assert self.snapshot.poll(timeout_ms), "no snapshot"
            key, seq, _uuid, _props, value = self.snapshot.recv_multipart()
            if key == b"KTHXBAI":
                self.sequence = struct.unpack("!q", seq)[0]
                assert value == self.subtree
                return
            self._store(key, value)

    def _store(self, key: bytes, value: bytes) -> None:
        if value:
            self.map[key] = value
        else:
            self.map.pop(key, None)

    def follow(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.subscriber.poll(int(left * 1000) + 1):
                continue
            key, seq, _uuid, _props, value = self.subscriber.recv_multipart()
            if key == b"HUGZ":
                self.hugz += 1
                continue
            sequence = struct.unpack("!q", seq)[0]
            if sequence > self.sequence:  # RFC: discard what is not strictly newer
                self.sequence = sequence
                self._store(key, value)

    def set(self, key: bytes, value: bytes, ttl: int | None = None) -> None:
        props = f"ttl={ttl}\n".encode() if ttl else b""
        self.publisher.send_multipart([key, struct.pack("!q", 0), b"\x00" * 16, props, value])

    def close(self) -> None:
        for s in (self.snapshot, self.subscriber, self.publisher):
            s.close(0)


def test_rfc12_client_takes_a_subtree_snapshot_and_follows(base_port):
    from comms.clone import CloneServer  # the server under test; the client above stays independent

    server = CloneServer("127.0.0.1", base_port, heartbeat=0.1).start()
    ctx = zmq.Context()
    client = RfcCloneClient(ctx, "127.0.0.1", base_port, b"/camera/")
    try:
        for i in range(100):
            server.publish(f"/camera/{i}", b"cam%d" % i)
            server.publish(f"/cell/{i}", b"cell%d" % i)
        server.info()  # the updates are in
        client.sync()
        assert client.map == {b"/camera/%d" % i: b"cam%d" % i for i in range(100)}

        server.publish("/camera/5", b"moved")
        server.delete("/camera/6")
        server.publish("/cell/1", b"not mine")
        server.publish("/camera/flash", b"on", ttl=0.3)
        client.follow(0.2)
        assert client.map[b"/camera/5"] == b"moved"
        assert b"/camera/6" not in client.map
        assert b"/cell/1" not in client.map
        assert client.map[b"/camera/flash"] == b"on"
        client.follow(0.5)
        assert b"/camera/flash" not in client.map  # the TTL ran out and the server said so
        assert client.hugz >= 3

        # Its writes (KVSET with a ttl) reach the server and come back as updates. The first may be
        # lost while the server's SUB attaches this PUB, so the RFC client, like ours, repeats it.
        for _ in range(20):
            client.set(b"/camera/third-party", b"hello", ttl=1)
            client.follow(0.1)
            if b"/camera/third-party" in client.map:
                break
        assert client.map[b"/camera/third-party"] == b"hello"
        assert server.dump("/camera/")["/camera/third-party"].props["ttl"] == "1"
        assert {k.encode(): e.body for k, e in server.dump("/camera/").items()} == client.map
    finally:
        client.close()
        ctx.term()
        server.stop()
