"""The lifecycle the fronts share (``comms.agent.AgentFront``): start once, stop at will, ``with``."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from comms.agent import AgentFront, CommsError
from comms.clone import CloneClient, CloneServer
from comms.commands import CommandClient, CommandServer
from tests.comms.conftest import HOST

HB = 0.1

FRONTS: dict[str, Callable[[int], AgentFront]] = {
    "clone-server": lambda port: CloneServer(HOST, port, heartbeat=HB),
    "clone-client": lambda port: CloneClient(HOST, port, heartbeat=HB),
    "command-server": lambda port: CommandServer(HOST, port, lambda command, tx: b"ok"),
    "command-client": lambda port: CommandClient(HOST, port, heartbeat=HB),
}


def agent_threads(port: int) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.endswith(f"-{port}") and t.is_alive()]


@pytest.mark.parametrize("kind", FRONTS)
def test_a_front_starts_once_and_stops_any_number_of_times(kind, base_port):
    front = FRONTS[kind](base_port)
    front.stop()  # before start: nothing to stop
    assert front.start() is front
    try:
        assert front.running
        assert agent_threads(base_port) == [f"sanwei-{kind}-{base_port}"]
        with pytest.raises(CommsError, match="started already"):
            front.start()
        assert front.running  # the refused second start left the first one serving
    finally:
        front.stop()
    assert not front.running
    assert agent_threads(base_port) == []  # stop joined the agent thread
    front.stop()
    with pytest.raises(CommsError, match="started already"):
        front.start()


@pytest.mark.parametrize("kind", FRONTS)
def test_with_starts_the_front_and_stops_it_on_the_way_out_even_on_an_error(kind, base_port):
    front = FRONTS[kind](base_port)
    with pytest.raises(RuntimeError, match="the caller failed"), front as entered:
        assert entered is front
        assert front.running
        raise RuntimeError("the caller failed")
    assert not front.running
    assert agent_threads(base_port) == []


def test_a_core_that_cannot_start_is_reported_by_start_with_the_agent_threads_error(base_port):
    with CloneServer(HOST, base_port, heartbeat=HB) as first:
        second = CloneServer(HOST, base_port, heartbeat=HB)
        with pytest.raises(CommsError, match=r"clone-server-\d+ failed to start: .*Address already in use"):
            second.start()
        assert not second.running
        second.stop()
        first.publish("/cell/1", b"x")
        assert set(first.dump()) == {"/cell/1"}  # the node holding the port is untouched
