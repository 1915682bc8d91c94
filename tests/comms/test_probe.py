"""``comms.probe``: a client learns at the handshake whether the server refused its key, the handshake
failed otherwise, or nothing listens, on real CURVE sockets on loopback."""

from __future__ import annotations

import time

import pytest

from comms.commands import CommandServer
from comms.keys import Security, generate_keys
from comms.probe import ProbeResult, probe

HOST = "127.0.0.1"


def _echo(command, tx) -> bytes:
    return b"ok"


@pytest.fixture
def server(base_port, key_dir):
    node = CommandServer(HOST, base_port + 3, _echo, security=Security.from_dir(key_dir, "centre")).start()
    yield base_port + 3
    node.stop()


def test_an_enrolled_key_passes_the_handshake(server, key_dir):
    assert probe(HOST, server, Security.from_dir(key_dir, "console-1"), timeout=5) == ProbeResult.OK


def test_a_key_the_server_does_not_know_is_denied_at_once(server, key_dir, tmp_path):
    folder = tmp_path / "outsider"
    generate_keys(folder, "console-9", "console")
    (folder / "centre.key").write_text((key_dir / "centre.key").read_text())
    started = time.monotonic()
    assert probe(HOST, server, Security.from_dir(folder, "console-9"), timeout=5) == ProbeResult.DENIED
    assert time.monotonic() - started < 4  # the answer, not the timeout


def test_the_wrong_server_key_fails_the_handshake(server, key_dir):
    # The client believes the server is district-230102: the server cannot read its HELLO.
    sec = Security.from_dir(key_dir, "console-1")
    assert probe(HOST, server, sec, server="district-230102", timeout=5) == ProbeResult.FAILED


def test_nothing_listening_is_silent_without_waiting_out_the_timeout(base_port, key_dir):
    started = time.monotonic()
    assert (
        probe(HOST, base_port + 3, Security.from_dir(key_dir, "console-1"), timeout=8) == ProbeResult.SILENT
    )
    assert time.monotonic() - started < 4


def test_without_curve_the_tcp_connection_is_enough(base_port):
    plain = CommandServer(HOST, base_port + 3, _echo).start()
    try:
        assert probe(HOST, base_port + 3, None, timeout=5) == ProbeResult.OK
    finally:
        plain.stop()


def test_a_client_without_curve_is_told_the_server_wants_it(server):
    assert probe(HOST, server, None, timeout=5) == ProbeResult.FAILED
