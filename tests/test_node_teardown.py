"""A node stops what it started, in the reverse order, also when its start fails halfway
(nodes/teardown.py): a centre whose command port is taken fails to start, and stopping it frees the
state ports its clone server had bound and closes its database, so the same node can be started again.
Real sockets on loopback, a small seeded city, CURVE off."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import zmq

from data.db import open_database, session_factory
from data.demo_city import seed_city
from modes.common.clock import SystemClock
from modes.common.command_bus import CommandBus, register_common
from nodes.centre import CentreNode
from nodes.logs import NodeLog
from nodes.teardown import Teardown
from tests.conftest import HOST, free_base


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _centre(db: Path, port: int) -> CentreNode:
    bus = CommandBus()
    register_common(bus)
    return CentreNode(f"sqlite:///{db}", f"tcp://{HOST}:{port}", bus=bus, clock=SystemClock(), log=NodeLog("centre"),
                      heartbeat=0.25)  # fmt: skip


def test_a_centre_that_fails_halfway_stops_what_it_started_and_starts_again(tmp_path):
    db = tmp_path / "centre.db"
    engine = open_database(f"sqlite:///{db}")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=5)
    engine.dispose()
    port = free_base()
    ctx = zmq.Context()
    squatter = ctx.socket(zmq.ROUTER)
    squatter.bind(f"tcp://{HOST}:{port}")  # the state channel's first port, taken
    node = _centre(db, port)
    try:
        with pytest.raises(Exception, match="[Aa]ddress"):
            node.start()
        assert node.commands is not None  # the command server had started
        assert not _bindable(port + 3)
        node.stop()
        assert _bindable(port + 3), "the command server's port is still held"
        node.stop()  # a second stop does nothing
    finally:
        squatter.close(0)
        ctx.term()
    again = _centre(db, port).start()
    try:
        assert again.status()["seq"] >= 1
    finally:
        again.stop()
    assert all(_bindable(port + i) for i in range(4))


def test_parts_stop_in_the_reverse_order_and_a_failing_one_does_not_stop_the_rest(caplog):
    done: list[str] = []
    teardown = Teardown()
    teardown.push("first", lambda: done.append("first"))
    teardown.push("broken", lambda: 1 / 0)
    teardown.push("quiet", lambda: [][0], quiet=True)
    teardown.push("last", lambda: done.append("last"))
    teardown.close()
    assert done == ["last", "first"]
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in failures] == ["stopping broken failed"]
    teardown.close()
    assert done == ["last", "first"]
