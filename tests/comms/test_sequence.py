"""Sequence numbers never go back (docs/protocol.md 3.7): the reservation rule of ``comms.sequence``
alone, then through a real ``CloneServer`` on loopback watched by a plain SUB socket."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

import pytest
import zmq

from comms.agent import CommsError
from comms.clone import CloneServer
from comms.sequence import SequenceBlocks, SequenceReservationError
from comms.wire import Entry, decode_properties
from tests.comms.conftest import HOST, wait_until

HB = 0.05


class Recorder:
    """A durable record kept in memory: what ``reserve`` wrote, and ``fail`` calls that raise first."""

    def __init__(self, value: int = 0) -> None:
        self.value = value
        self.calls: list[int] = []
        self.fail = 0

    def __call__(self, upto: int) -> None:
        self.calls.append(upto)
        if self.fail:
            self.fail -= 1
            raise OSError("disk full")
        self.value = upto


def test_every_number_is_recorded_before_it_is_handed_out():
    events: list[tuple[str, int]] = []
    blocks = SequenceBlocks(0, lambda upto: events.append(("reserve", upto)), block=10)
    blocks.start(0)
    for _ in range(47):
        events.append(("take", blocks.take()))
    recorded = 0
    for kind, n in events:
        if kind == "reserve":
            assert n > recorded
            recorded = n
        else:
            assert n <= recorded
    assert [n for kind, n in events if kind == "take"] == list(range(1, 48))
    # A block at a time, the next as soon as half of the headroom is used: never less than 5 ahead.
    assert [n for kind, n in events if kind == "reserve"] == [10, 20, 30, 40, 50, 60]
    assert blocks.reserved - blocks.last >= 5


def test_the_initial_entries_numbers_are_recorded_at_start():
    rec = Recorder()
    blocks = SequenceBlocks(1000, rec, block=10)
    blocks.start(1023)  # 23 initial entries numbered 1001..1023
    assert rec.calls == [1030]
    assert blocks.take() == 1024


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="seq_base must be 0 or more"):
        SequenceBlocks(-1)
    with pytest.raises(ValueError, match="at least 2 numbers"):
        SequenceBlocks(0, block=1)


def test_a_failed_reservation_uses_what_is_recorded_then_stops():
    rec = Recorder()
    blocks = SequenceBlocks(0, rec, block=10, retry_after=3600)
    blocks.start(0)
    rec.fail = 99
    taken = [blocks.take() for _ in range(10)]
    assert taken == list(range(1, 11))  # 6..10 were recorded before the failure
    assert blocks.error == "OSError: disk full"
    assert rec.calls == [10, 20]  # one attempt, then none until retry_after...
    with pytest.raises(SequenceReservationError, match="above the recorded reservation 10"):
        blocks.take()  # ...except when nothing recorded is left
    assert rec.calls == [10, 20, 20]
    assert blocks.last == 10  # nothing was handed out above the record


def subscriber(ctx: zmq.Context, port: int) -> zmq.Socket:
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://{HOST}:{port + 1}")
    return sub


def receive(sub: zmq.Socket, out: list[tuple[bytes, int, dict[str, str]]]) -> None:
    while sub.poll(0):
        key, seq, _uuid, props, _body = sub.recv_multipart()
        out.append((key, struct.unpack("!q", seq)[0], decode_properties(props)))


def published(got: list[tuple[bytes, int, dict[str, str]]]) -> list[int]:
    return [seq for key, seq, _ in got if key != b"HUGZ"]


def wait_subscribed(server: CloneServer, sub: zmq.Socket, got: list) -> None:
    """Until the SUB hears the PUB (a HUGZ): before that, published updates would not reach it."""
    wait_until(lambda: receive(sub, got) or any(k == b"HUGZ" for k, _, _ in got), timeout=10)


def start_when_released(make: Callable[[], CloneServer], timeout: float = 10.0) -> CloneServer:
    """Start a server on the ports one just closed: libzmq's I/O thread releases them a moment after
    the close returned, so the first bind may find them taken."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return make().start()
        except CommsError as exc:
            if "Address already in use" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_server_reserves_before_crossing_and_restarts_above_the_reservation(base_port):
    rec = Recorder()
    ctx = zmq.Context()
    sub = subscriber(ctx, base_port)
    got: list[tuple[bytes, int, dict[str, str]]] = []
    try:
        with CloneServer(HOST, base_port, heartbeat=HB, reserve=rec, block=10, context=ctx) as server:
            assert rec.calls == [10] and server.reserved == 10  # recorded before it served anything
            wait_subscribed(server, sub, got)
            for i in range(17):
                server.publish(f"/k/{i}", b"v%d" % i)
            assert server.info()["seq"] == 17
            assert rec.calls == [10, 20, 30] and server.reserved == 30
            wait_until(lambda: receive(sub, got) or len(published(got)) == 17, timeout=10)
            wait_until(lambda: receive(sub, got) or got[-1][2].get("reserved") == "30", timeout=10)
            assert got[-1][:2] == (b"HUGZ", 0)
            assert got[-1][2] == {"epoch": server.epoch, "seq": "17", "reserved": "30"}
        before = published(got)
        assert before == list(range(1, 18))

        # The restart: the application starts the server from its record, entries numbered above it.
        base = rec.value
        initial = [Entry.make(f"/k/{i}", base + 1 + i, b"", {}, b"again") for i in range(3)]
        restarted = start_when_released(lambda: CloneServer(
            HOST, base_port, heartbeat=HB, reserve=rec, block=10, context=ctx,
            initial=initial, initial_seq=base + 3, seq_base=base,
        ))  # fmt: skip
        server = restarted
        try:
            assert rec.calls[-1] == 40  # 31..33 are the entries', and half a block of headroom
            got.clear()
            wait_subscribed(server, sub, got)
            server.publish("/k/after", b"x")
            wait_until(lambda: receive(sub, got) or published(got), timeout=10)
            assert published(got) == [34]
            assert min(published(got)) > max(before)
        finally:
            server.stop()
    finally:
        sub.close(0)
        ctx.term()


def test_initial_entries_at_or_below_the_base_are_refused(base_port):
    server = CloneServer(HOST, base_port, initial=[Entry.make("/k", 5, b"", {}, b"v")], seq_base=5)
    with pytest.raises(CommsError, match="initial entry /k has sequence 5, not above seq_base 5"):
        server.start()


def test_a_reservation_that_cannot_be_recorded_stops_the_server_not_the_numbering(base_port):
    rec = Recorder()
    ctx = zmq.Context()
    sub = subscriber(ctx, base_port)
    got: list[tuple[bytes, int, dict[str, str]]] = []
    server = CloneServer(HOST, base_port, heartbeat=HB, reserve=rec, block=10, context=ctx).start()
    try:
        wait_subscribed(server, sub, got)
        # A failure for a moment: the server goes on within what is recorded and retries on its beat.
        rec.fail = 1
        for i in range(6):
            server.publish(f"/k/{i}", b"v")
        wait_until(lambda: server.reserved == 20, timeout=10)
        assert rec.calls == [10, 20, 20]
        # A lasting failure: the numbers recorded are used up, then the server stops.
        rec.fail = 10_000
        for i in range(20):
            server.publish(f"/k/{i}", b"v")
        wait_until(lambda: not server.running, timeout=10)
        wait_until(lambda: receive(sub, got) or len(published(got)) >= 20, timeout=10)
        receive(sub, got)
        assert published(got) == list(range(1, 21))  # never a number above the record of 20
        assert rec.value == 20
    finally:
        server.stop()
        sub.close(0)
        ctx.term()


def test_a_server_without_a_recorder_numbers_the_same_way(base_port):
    with CloneServer(HOST, base_port, heartbeat=HB, seq_base=500, block=100) as server:
        assert server.reserved == 600
        server.publish("/k", b"v")
        assert server.info() | {"epoch": ""} == {
            "seq": 501,
            "epoch": "",
            "keys": 1,
            "log": 1,
            "reserved": 600,
        }
