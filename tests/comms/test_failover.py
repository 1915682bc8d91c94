"""Clients of a failover pair (docs/protocol.md sections 3.6 and 4, "Several endpoints"): real sockets on
loopback, CURVE off.

The pair's own gate (a passive server answers PASSIVE and applies nothing) is stood in for by
``PairServer``: a real ROUTER in a thread of its own that answers PING with PONG or PASSIVE and CMD with
REPLY or PASSIVE, by a flag, and applies each command id once against a table it shares with its peer
(as the two servers of a pair share their applied ids).
"""

from __future__ import annotations

import threading

import msgpack
import pytest
import zmq

from comms.clone import CloneClient, CloneServer
from comms.commands import (
    CommandClient,
    CommandReply,
    CommandServer,
    MemoryDedupStore,
    SqliteOutbox,
)
from comms.keys import ANONYMOUS
from comms.wire import CMD, CMD_PROTO, PASSIVE, PING, PONG, REPLY, STATUS_OK, Entry
from tests.comms.conftest import HOST, digests, wait_until
from tests.conftest import free_base

HB = 0.1


class Applied:
    """The pair's shared record: every command applied, in the order applied, by whom."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.store = MemoryDedupStore()
        self.order: list[tuple[str, str]] = []  # (server, command id)

    def ids(self) -> list[str]:
        with self.lock:
            return [cid for _, cid in self.order]

    def by(self, server: str) -> list[str]:
        with self.lock:
            return [cid for who, cid in self.order if who == server]

    def apply_fn(self, server: str):
        def apply(command, tx) -> bytes:
            with self.lock:
                self.order.append((server, command.id))
            return b"done by " + server.encode()

        return apply


class PairServer:
    """One server of a pair reduced to its gate (see the module's doc). ``active`` may be flipped from
    the test; ``stop`` closes the socket as a killed process would."""

    def __init__(self, port: int, applied: Applied, name: str, *, active: bool) -> None:
        self.port = port
        self.applied = applied
        self.name = name
        self.active = active
        self.pings = 0
        self.commands = 0  # CMDs received, whatever the answer
        self.bounced = 0  # CMDs answered PASSIVE
        self._apply = applied.apply_fn(name)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> PairServer:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        router = zmq.Context.instance().socket(zmq.ROUTER)
        router.linger = 0
        router.bind(f"tcp://{HOST}:{self.port}")
        self._ready.set()
        try:
            while not self._stop.is_set():
                if router.poll(20):
                    self._answer(router, router.recv_multipart())
        finally:
            router.close(linger=0)

    def _answer(self, router: zmq.Socket, frames: list[bytes]) -> None:
        routing_id, tag, kind = frames[0], frames[1], frames[2]
        assert tag == CMD_PROTO
        if kind == PING:
            self.pings += 1
            router.send_multipart([routing_id, CMD_PROTO, PONG if self.active else PASSIVE])
            return
        assert kind == CMD
        self.commands += 1
        command_id = frames[3]
        if not self.active:
            self.bounced += 1
            router.send_multipart([routing_id, CMD_PROTO, PASSIVE, command_id])
            return
        store = self.applied.store
        with store.transaction() as tx:
            prior = tx.find_reply(ANONYMOUS.name, command_id.decode())
            if prior is None:
                prior = (STATUS_OK, self._apply(_Cmd(command_id.decode()), tx))
                tx.save_reply(ANONYMOUS.name, command_id.decode(), *prior)
        router.send_multipart([routing_id, CMD_PROTO, REPLY, command_id, prior[0].encode(), prior[1]])


class _Cmd:
    def __init__(self, command_id: str) -> None:
        self.id = command_id


class Replies:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[CommandReply] = []

    def __call__(self, reply: CommandReply) -> None:
        with self.lock:
            self.items.append(reply)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.command_id for r in self.items]


@pytest.fixture
def two_ports(base_port) -> tuple[int, int]:
    other = free_base()
    while abs(other - base_port) < 4:
        other = free_base()
    return base_port, other


def _pair_client(ports, outbox, replies, heartbeat: float = HB) -> CommandClient:
    a, b = ports
    return CommandClient(
        HOST, a + 3, more=[(HOST, b + 3)], outbox=outbox, heartbeat=heartbeat, on_reply=replies
    )


def test_commands_go_to_the_active_server_only(two_ports):
    applied = Applied()
    a = CommandServer(HOST, two_ports[0] + 3, applied.apply_fn("a"), store=applied.store).start()
    b = PairServer(two_ports[1] + 3, applied, "b", active=False).start()
    replies = Replies()
    client = _pair_client(two_ports, None, replies).start()
    try:
        ids = [client.submit(msgpack.packb(i)) for i in range(50)]
        wait_until(lambda: len(replies.ids()) == 50)
        assert replies.ids() == ids
        assert applied.by("a") == ids
        wait_until(lambda: client.link.endpoints[1].role == "passive")
        assert b.commands == 0  # kept pinged, never sent a command
        link = client.link
        assert link.endpoint == f"tcp://{HOST}:{two_ports[0] + 3}"
        assert [(e.address, e.role) for e in link.endpoints] == [
            (f"tcp://{HOST}:{two_ports[0] + 3}", "active"),
            (f"tcp://{HOST}:{two_ports[1] + 3}", "passive"),
        ]
    finally:
        client.stop()
        a.stop()
        b.stop()


def test_a_killed_active_server_hands_its_queue_to_the_other_without_loss_or_reordering(two_ports, tmp_path):
    applied = Applied()
    a = CommandServer(HOST, two_ports[0] + 3, applied.apply_fn("a"), store=applied.store).start()
    b = PairServer(two_ports[1] + 3, applied, "b", active=False).start()
    replies = Replies()
    outbox_path = tmp_path / "outbox.sqlite"
    client = _pair_client(two_ports, SqliteOutbox(outbox_path, synchronous="NORMAL"), replies).start()
    try:
        ids = [client.submit(msgpack.packb(i)) for i in range(1000)]
        wait_until(lambda: len(applied.ids()) >= 300)
        a.stop()  # the process is gone: its connection drops
        assert len(applied.ids()) < 1000, "the whole stream was applied before the kill"
        wait_until(lambda: client.stats.get("disconnected") >= 1)
        b.active = True  # the backup takes over
        wait_until(lambda: client.link.queue_length == 0, timeout=30)
        # Every command applied exactly once by the pair, in the order submitted, and answered once.
        assert applied.ids() == ids
        assert applied.by("a") and applied.by("b")
        assert replies.ids() == ids
        assert client.link.endpoint == f"tcp://{HOST}:{two_ports[1] + 3}"
    finally:
        client.stop()
        b.stop()
    assert SqliteOutbox(outbox_path).load() == []


def test_a_server_that_turns_passive_bounces_the_head_to_the_new_active_one(two_ports):
    applied = Applied()
    a = PairServer(two_ports[0] + 3, applied, "a", active=True).start()
    b = PairServer(two_ports[1] + 3, applied, "b", active=False).start()
    replies = Replies()
    client = _pair_client(two_ports, None, replies).start()
    try:
        first = [client.submit(msgpack.packb(i)) for i in range(20)]
        wait_until(lambda: len(replies.ids()) == 20)
        # A handover without a kill: both stay up, the roles swap.
        a.active, b.active = False, True
        wait_until(lambda: client.link.endpoint == f"tcp://{HOST}:{two_ports[1] + 3}")
        second = [client.submit(msgpack.packb(i)) for i in range(20, 40)]
        wait_until(lambda: len(replies.ids()) == 40)
        assert applied.by("a") == first
        assert applied.by("b") == second
        assert replies.ids() == first + second
    finally:
        client.stop()
        a.stop()
        b.stop()


def test_a_passive_answer_to_a_command_sends_it_elsewhere(two_ports):
    applied = Applied()
    a = PairServer(two_ports[0] + 3, applied, "a", active=True).start()
    b = PairServer(two_ports[1] + 3, applied, "b", active=True).start()
    replies = Replies()
    # Pings far apart: the command reaches the server that turned passive before a ping tells it so.
    client = _pair_client(two_ports, None, replies, heartbeat=5.0).start()
    try:
        wait_until(lambda: client.link.up)
        first = client.link.endpoint
        chosen, other = (a, b) if first.endswith(f":{two_ports[0] + 3}") else (b, a)
        # The chosen server turns passive between two pings: the next command is bounced, not lost.
        chosen.active = False
        cid = client.submit(b"x")
        wait_until(lambda: replies.ids() == [cid])
        assert chosen.bounced == 1
        assert applied.by(other.name) == [cid]
        assert applied.by(chosen.name) == []
    finally:
        client.stop()
        a.stop()
        b.stop()


def test_a_restarted_client_drains_the_rest_of_its_outbox_to_the_new_active_server(two_ports, tmp_path):
    applied = Applied()
    a = CommandServer(HOST, two_ports[0] + 3, applied.apply_fn("a"), store=applied.store).start()
    b = PairServer(two_ports[1] + 3, applied, "b", active=False).start()
    outbox_path = tmp_path / "outbox.sqlite"
    client = _pair_client(two_ports, SqliteOutbox(outbox_path), Replies()).start()
    try:
        ids = [client.submit(msgpack.packb(i)) for i in range(300)]
        wait_until(lambda: len(applied.ids()) >= 100)
    finally:
        client.stop()
    a.stop()
    left = [cid for cid, _ in SqliteOutbox(outbox_path).load()]
    assert left and left == ids[len(ids) - len(left) :]
    b.active = True
    replies = Replies()
    client = _pair_client(two_ports, SqliteOutbox(outbox_path), replies).start()
    try:
        wait_until(lambda: client.link.queue_length == 0, timeout=30)
        assert applied.ids() == ids
        assert replies.ids() == left
    finally:
        client.stop()
        b.stop()
    assert SqliteOutbox(outbox_path).load() == []


def test_the_lone_server_form_is_unchanged_and_a_server_named_twice_is_refused(base_port):
    with pytest.raises(ValueError, match="named twice"):
        CommandClient(HOST, base_port, more=[(HOST, base_port)])
    with pytest.raises(ValueError, match="named twice"):
        CloneClient(HOST, base_port, more=[(HOST, base_port)])
    client = CommandClient(HOST, base_port + 3, heartbeat=HB)
    assert client.config.endpoints == [(HOST, base_port + 3)]


# --- state channel -----------------------------------------------------------------------------------


def _entries(tag: str, count: int) -> list[Entry]:
    return [
        Entry.make(f"/cell/{i:04d}", i + 1, b"", {}, msgpack.packb({"n": i, "by": tag})) for i in range(count)
    ]


def test_a_state_client_moves_to_the_other_server_and_writes_there(two_ports):
    pa, pb = two_ports
    a = CloneServer(HOST, pa, heartbeat=HB, initial=_entries("a", 40)).start()
    # The same keys with other values and one more: the client must end with exactly this map.
    b = CloneServer(HOST, pb, heartbeat=HB, initial=[*_entries("b", 40), *_entries("b", 41)[40:]]).start()
    results: list[tuple[bytes, bool]] = []
    links = []
    client = CloneClient(
        HOST,
        pa,
        more=[(HOST, pb)],
        heartbeat=HB,
        on_write_result=lambda u, ok: results.append((u, ok)),
        on_link=links.append,
    ).start()
    try:
        assert client.wait_synced(10)
        assert digests(client.dump()) == digests(a.dump())
        assert client.link.endpoint == f"tcp://{HOST}:{pa}"
        a.stop()
        wait_until(lambda: client.link.endpoint == f"tcp://{HOST}:{pb}" and client.link.synced)
        wait_until(lambda: digests(client.dump()) == digests(b.dump()))
        assert len(client.dump()) == 41
        assert client.link.epoch == b.epoch
        assert client.stats.get("failovers") == 1
        uuid = client.write("/district/230102/report/1", b"after the move")
        wait_until(lambda: (uuid, True) in results)
        assert b.dump("/district/")["/district/230102/report/1"].uuid == uuid
    finally:
        client.stop()
        b.stop()


def test_a_state_client_whose_first_server_is_not_there_follows_the_second(two_ports):
    pa, pb = two_ports  # nothing listens on pa: a passive server does not bind its state ports
    b = CloneServer(HOST, pb, heartbeat=HB, initial=_entries("b", 10)).start()
    client = CloneClient(HOST, pa, more=[(HOST, pb)], heartbeat=HB).start()
    try:
        assert client.wait_synced(10)
        assert client.link.endpoint == f"tcp://{HOST}:{pb}"
        assert digests(client.dump()) == digests(b.dump())
        # Its catch-up requests to the silent one did not make it give up the extension on the other.
        b.publish("/cell/9999", b"later")
        wait_until(lambda: "/cell/9999" in client.dump())
        assert client.stats.get("synced_snapshot") == 1
    finally:
        client.stop()
        b.stop()
