"""Hostile input at every port: random bytes, wrong frame counts, unknown commands, oversized frames,
a peer that vanishes mid-snapshot. The server counts and drops it all and goes on serving."""

from __future__ import annotations

import os
import random
import socket

import pytest
import zmq

from comms.clone import CloneClient, CloneServer
from comms.commands import CommandClient, CommandReply, CommandServer
from comms.keys import Security
from comms.wire import CMD, CMD_PROTO, ICANHAZ, ICANHAZ_SINCE, pack_seq
from tests.comms.conftest import HOST, wait_until

HB = 0.1
MAX_BODY = 64 * 1024  # small limits keep the oversized messages small


def throw_random_bytes(port: int, rng: random.Random) -> None:
    """Raw TCP garbage: no ZMTP greeting, or a greeting followed by nonsense."""
    for payload in (os.urandom(64), b"\xff" + b"\0" * 8 + b"\x7f" + os.urandom(300), os.urandom(5000)):
        with socket.create_connection((HOST, port), timeout=2) as s:
            try:
                s.sendall(payload)
                # Half-close and read to the end: closing with the server's greeting unread would
                # reset the connection, and a reset can discard our bytes before the server reads them.
                s.shutdown(socket.SHUT_WR)
                while s.recv(4096):
                    pass
            except OSError:
                pass


def random_frames(rng: random.Random) -> list[bytes]:
    return [rng.randbytes(rng.randrange(0, 40)) for _ in range(rng.randrange(1, 9))]


@pytest.fixture
def ctx():
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def test_the_clone_server_survives_and_counts_hostile_input(base_port, ctx):
    rng = random.Random(12)
    server = CloneServer(HOST, base_port, heartbeat=HB, max_body=MAX_BODY).start()
    for i in range(5_000):
        server.publish(f"/component/{i}", b"x" * 50)
    try:
        for port in (base_port, base_port + 1, base_port + 2):
            throw_random_bytes(port, rng)

        # ROUTER: wrong frame counts, unknown commands, bad subtrees, bad sequence frames.
        dealer = ctx.socket(zmq.DEALER)
        dealer.connect(f"tcp://{HOST}:{base_port}")
        for _ in range(200):
            dealer.send_multipart(random_frames(rng))
        for bad in (
            [ICANHAZ],
            [ICANHAZ, b"/a/", b"extra"],
            [ICANHAZ, b"no-slash"],
            [ICANHAZ, b"/" + b"x" * 5000],
            [ICANHAZ_SINCE, b"", b"\1\2", b"epoch"],
            [ICANHAZ_SINCE, b"", pack_seq(1)],
            [b"KTHXBAI", b"", b"", b"", b""],
            [b"x" * (MAX_BODY + 10)],  # over the application limit, under MAXMSGSIZE
            [ICANHAZ, b"x" * (MAX_BODY + 100_000)],  # over MAXMSGSIZE: libzmq drops the connection
        ):
            dealer.send_multipart(bad)

        # A client that asks for the whole map and vanishes after the first entries (whether the server
        # still had entries to send it, and so counts the stream as abandoned, depends on timing).
        quitter = ctx.socket(zmq.DEALER)
        quitter.connect(f"tcp://{HOST}:{base_port}")
        quitter.send_multipart([ICANHAZ, b""])
        assert quitter.poll(5000)
        quitter.close(0)

        # Collector (SUB): writes with wrong frame counts, bad UUIDs, bad keys, bad ttl, oversized bodies.
        pub = ctx.socket(zmq.PUB)
        pub.connect(f"tcp://{HOST}:{base_port + 2}")
        junk = [
            [b"/a", pack_seq(0), b"short uuid", b"", b"v"],
            [b"not-a-path", pack_seq(0), b"", b"", b"v"],
            [b"/a", pack_seq(0), b"", b"ttl=soon\n", b"v"],
            [b"/a", pack_seq(0), b"", b"\xff\xff", b"v"],
            [b"/a", pack_seq(0), b"", b"", b"v" * (MAX_BODY + 1)],
            [b"/a", pack_seq(0), b"", b"", b"v", b"sixth"],
            [b"/a"],
        ]

        def flood_collector() -> bool:
            for frames in junk + [random_frames(rng) for _ in range(20)]:
                pub.send_multipart(frames)
            # Until the SUB has attached this PUB, what it sends is lost (the trap of docs/protocol.md 3.3).
            return server.stats.get("malformed") >= 6 and server.stats.get("oversized") >= 2

        wait_until(flood_collector, timeout=10, interval=0.05)
        pub.send_multipart([b"/b", pack_seq(0), b"", b"", b"v" * (MAX_BODY + 100_000)])

        # PUB: subscriptions of every size, including one over MAXMSGSIZE, from an XSUB.
        xsub = ctx.socket(zmq.XSUB)
        xsub.connect(f"tcp://{HOST}:{base_port + 1}")
        for frames in ([b"\x01/x"], [b"\x00"], [b"garbage"], [b"\x01" + b"y" * (MAX_BODY + 100_000)]):
            xsub.send_multipart(frames)

        stats = server.stats.snapshot()
        assert stats["handshake_failed"] >= 3
        assert stats["unknown_command"] >= 10
        assert stats["wrong_frame_count"] >= 10
        assert stats["malformed"] >= 5
        assert stats["oversized"] >= 2
        assert stats["dropped"] >= 200

        # Still serving: a normal client gets the whole map and a write through.
        client = CloneClient(HOST, base_port, heartbeat=HB, max_body=MAX_BODY).start()
        try:
            assert client.wait_synced(15)
            assert len(client.dump()) == 5_000
            client.write("/district/230102/ok", b"fine")
            wait_until(lambda: "/district/230102/ok" in server.dump("/district/"), timeout=5)
        finally:
            client.stop()
    finally:
        server.stop()


def test_the_command_server_survives_and_counts_hostile_input(base_port, ctx):
    rng = random.Random(34)
    applied = []
    server = CommandServer(
        HOST, base_port, lambda c, tx: applied.append(c.id) or b"ok", max_body=MAX_BODY
    ).start()
    try:
        throw_random_bytes(base_port, rng)
        dealer = ctx.socket(zmq.DEALER)
        dealer.connect(f"tcp://{HOST}:{base_port}")
        for _ in range(200):
            dealer.send_multipart(random_frames(rng))
        for bad in (
            [CMD_PROTO],
            [CMD_PROTO, b"WHAT"],
            [CMD_PROTO, CMD, b"id"],
            [CMD_PROTO, CMD, b"bad id!", b"body"],
            [CMD_PROTO, CMD, b"id", b"body", b"extra"],
            [b"SANWEI-CMD/9", CMD, b"id", b"body"],
            [CMD_PROTO, CMD, b"big", b"b" * (MAX_BODY + 1)],
            [CMD_PROTO, CMD, b"huge", b"b" * (MAX_BODY + 100_000)],
        ):
            dealer.send_multipart(bad)

        # Wait for the last of them (the oversized ones come after 200 random messages), not only for
        # a count of drops that the random ones alone can reach first.
        def counted() -> bool:
            st = server.stats.snapshot()
            return (
                st.get("handshake_failed", 0) >= 1
                and st.get("wrong_frame_count", 0) >= 2
                and st.get("malformed", 0) >= 10
                and st.get("oversized", 0) >= 1
                and st.get("unsupported_version", 0) == 1
                and st.get("dropped", 0) >= 200
            )

        wait_until(counted, timeout=10)
        assert server.stats.snapshot()["unsupported_version"] == 1
        assert applied == []

        replies: list[CommandReply] = []
        client = CommandClient(HOST, base_port, heartbeat=HB, on_reply=replies.append).start()
        try:
            cid = client.submit(b"normal")
            wait_until(lambda: replies, timeout=10)
            assert replies[0].command_id == cid and replies[0].status == "OK" and applied == [cid]
        finally:
            client.stop()
    finally:
        server.stop()


def test_random_bytes_against_curve_ports_fail_the_handshake(base_port, key_dir):
    rng = random.Random(56)
    centre = Security.from_dir(key_dir, "centre")
    server = CloneServer(HOST, base_port, security=centre, heartbeat=HB).start()
    commands = CommandServer(HOST, base_port + 3, lambda c, tx: b"ok", security=centre).start()
    try:
        for port in range(base_port, base_port + 4):
            throw_random_bytes(port, rng)
        # Payloads that start like a ZMTP greeting fail the handshake; others are cut off at once.
        wait_until(
            lambda: server.stats.get("handshake_failed") >= 3 and commands.stats.get("handshake_failed") >= 1
        )
        wait_until(lambda: server.stats.get("disconnected") >= 9 and commands.stats.get("disconnected") >= 3)
        client = CloneClient(HOST, base_port, security=Security.from_dir(key_dir, "console-1"), heartbeat=HB)
        with client:
            assert client.wait_synced(10)
    finally:
        commands.stop()
        server.stop()
