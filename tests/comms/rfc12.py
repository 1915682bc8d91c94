"""A Clustered Hashmap Protocol client written from ZeroMQ RFC 12 alone: it imports nothing of comms and
knows none of our extensions (no epoch, no catch-up), as a third party's client would.

It subscribes before it asks for a snapshot, applies an update only when its sequence number is greater
than the last it applied, and, when it follows the whole map (empty subtree, so it sees every number),
takes a jump in the numbers for lost updates and asks for a new snapshot.
"""

from __future__ import annotations

import struct
import time

import zmq


def _seq(frame: bytes) -> int:
    return struct.unpack("!q", frame)[0]


class RfcCloneClient:
    """Minimal CHP client: the RFC's ICANHAZ?/KVSYNC/KTHXBAI, KVPUB, HUGZ and KVSET, nothing else."""

    def __init__(self, ctx: zmq.Context, host: str, port: int, subtree: bytes = b"") -> None:
        self.ctx = ctx
        self.endpoint = f"tcp://{host}:{port}"
        self.map: dict[bytes, bytes] = {}
        self.sequence = 0
        self.hugz = 0
        self.snapshots = 0
        self.gaps = 0
        self.seen: list[int] = []  # every sequence number received: KTHXBAI's and each KVPUB's
        self.subtree = subtree
        self.snapshot: zmq.Socket | None = None
        self.subscriber = ctx.socket(zmq.SUB)
        self.subscriber.setsockopt(zmq.SUBSCRIBE, subtree)
        self.subscriber.setsockopt(zmq.SUBSCRIBE, b"HUGZ")
        self.subscriber.connect(f"tcp://{host}:{port + 1}")
        self.publisher = ctx.socket(zmq.PUB)
        self.publisher.connect(f"tcp://{host}:{port + 2}")

    def sync(self, timeout: float = 5.0, attempts: int = 1) -> None:
        """Take a snapshot (the map is replaced by it); a request unanswered within ``timeout`` is
        asked again on a fresh socket, up to ``attempts`` times."""
        for _ in range(attempts):
            if self.snapshot is not None:
                self.snapshot.close(0)
            self.snapshot = self.ctx.socket(zmq.DEALER)
            self.snapshot.connect(self.endpoint)
            self.snapshot.send_multipart([b"ICANHAZ?", self.subtree])
            fresh: dict[bytes, bytes] = {}
            while self.snapshot.poll(int(timeout * 1000)):
                key, seq, _uuid, _props, value = self.snapshot.recv_multipart()
                if key == b"KTHXBAI":
                    assert value == self.subtree
                    self.sequence = _seq(seq)
                    self.seen.append(self.sequence)
                    self.map = fresh
                    self.snapshots += 1
                    return
                if value:
                    fresh[key] = value
        raise AssertionError(f"no snapshot from {self.endpoint}")

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
            sequence = _seq(seq)
            self.seen.append(sequence)
            if sequence <= self.sequence:  # RFC: discard what is not strictly newer
                continue
            if not self.subtree and sequence > self.sequence + 1:
                # Following the whole map, every number comes by: a jump means updates were lost.
                self.gaps += 1
                self.sync(attempts=5)
                continue
            self.sequence = sequence
            self._store(key, value)

    def set(self, key: bytes, value: bytes, ttl: int | None = None) -> None:
        props = f"ttl={ttl}\n".encode() if ttl else b""
        self.publisher.send_multipart([key, struct.pack("!q", 0), b"\x00" * 16, props, value])

    def close(self) -> None:
        for s in (self.snapshot, self.subscriber, self.publisher):
            if s is not None:
                s.close(0)
