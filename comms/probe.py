"""Telling "the node refused my key" from "the node is not there" before a client starts.

A CURVE client whose key is not on the server's allow-list gets nothing back on its own sockets: the
server's ZAP handler refuses the handshake, libzmq drops the connection and retries, and a command
simply never gets an answer. An interactive client (a console) must say which of the two happened,
at once, instead of waiting out a timeout. ``probe`` connects one throw-away DEALER with a socket
monitor and watches the handshake: libzmq reports a ZAP refusal to the client as
``EVENT_HANDSHAKE_FAILED_AUTH`` (status 400), a wrong server key or another protocol as another
``HANDSHAKE_FAILED`` event, and success as ``EVENT_HANDSHAKE_SUCCEEDED``.

Without CURVE the handshake is ZMTP's NULL one, watched the same way: a CURVE server refuses it
(``EVENT_HANDSHAKE_FAILED_PROTOCOL``), so a client that forgot its keys is told so too.

After a successful handshake the probe sends one PING of the command channel: an active node answers
PONG, the standby node of a failover pair PASSIVE (docs/protocol.md section 4).
"""

from __future__ import annotations

import enum
import time

import zmq
from zmq.utils.monitor import parse_monitor_message

from comms.keys import Security
from comms.sockets import recv_frames
from comms.wire import CMD_PROTO, PASSIVE, PING, PONG

_FAILED = {
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
}


class ProbeResult(enum.StrEnum):
    OK = "ok"  # the handshake succeeded
    DENIED = "denied"  # the server's allow-list refused this client's key
    FAILED = "failed"  # the handshake failed otherwise (wrong server key, not a CURVE server...)
    SILENT = "silent"  # nothing listens at the port, or nothing answered within the timeout
    PASSIVE = "passive"  # the handshake succeeded, and the node says it is a standby (PASSIVE to PING)


def probe(
    host: str,
    port: int,
    security: Security | None,
    *,
    server: str = "centre",
    timeout: float = 5.0,
    context: zmq.Context | None = None,
) -> ProbeResult:
    """Connect to ``tcp://host:port`` once and report how the handshake went (see the module's doc).

    The socket lives and dies in the calling thread. ``KeyError`` when ``server`` is not in the
    security's key folder (the caller names that problem)."""
    ctx = context or zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.maxmsgsize = 1 << 16  # the answer to a PING is a few bytes
    mask = (
        zmq.EVENT_CONNECT_RETRIED
        | zmq.EVENT_HANDSHAKE_SUCCEEDED
        | zmq.EVENT_HANDSHAKE_FAILED_AUTH
        | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
        | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    )
    monitor = sock.get_monitor_socket(mask)
    try:
        if security is not None:
            security.make_client(sock, server)
        sock.connect(f"tcp://{host}:{port}")
        deadline = time.monotonic() + timeout
        failed = False
        while (left := deadline - time.monotonic()) > 0:
            if not monitor.poll(max(1, int(left * 1000))):
                break
            event = parse_monitor_message(monitor.recv_multipart())["event"]
            if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                return _ping(sock, deadline)
            if event == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                return ProbeResult.DENIED
            if event == zmq.EVENT_CONNECT_RETRIED:
                # The TCP connection was refused: no process listens there (libzmq would retry forever).
                return ProbeResult.SILENT
            if event in _FAILED:
                # libzmq reconnects and may fail the same way again; one failure is the answer.
                failed = True
                break
        return ProbeResult.FAILED if failed else ProbeResult.SILENT
    finally:
        sock.disable_monitor()
        monitor.close(0)
        sock.close(0)


def _ping(sock: zmq.Socket, deadline: float) -> ProbeResult:
    """PING over a socket whose handshake succeeded: PONG is an active node, PASSIVE a standby."""
    sock.send_multipart([CMD_PROTO, PING])
    while (left := deadline - time.monotonic()) > 0:
        if not sock.poll(max(1, int(left * 1000))):
            break
        frames = recv_frames(sock)
        if frames[:1] != [CMD_PROTO] or len(frames) < 2:
            return ProbeResult.FAILED  # not a command channel of this protocol
        if frames[1] == PONG:
            return ProbeResult.OK
        if frames[1] == PASSIVE:
            return ProbeResult.PASSIVE
        return ProbeResult.FAILED  # UNSUPPORTED: another version of the protocol
    return ProbeResult.SILENT
