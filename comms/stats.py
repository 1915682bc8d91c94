"""Counters of what a node dropped, refused or noticed, with rate-limited logging.

A node under attack (random bytes on every port) must neither crash nor flood its log: every drop is
counted, but only the first few per reason and minute are logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

import zmq
from zmq.utils.monitor import parse_monitor_message

log = logging.getLogger("comms")

_LOG_PER_MINUTE = 5

# Monitor events worth counting, by the counter they go to.
MONITOR_EVENTS: dict[int, str] = {
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "handshake_failed",
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "handshake_failed",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "auth_denied",
    zmq.EVENT_DISCONNECTED: "disconnected",
    zmq.EVENT_ACCEPTED: "accepted",
}
MONITOR_MASK = 0
for _event in MONITOR_EVENTS:
    MONITOR_MASK |= _event


class NodeStats:
    """Thread-safe counters: the agent thread increments, any thread reads a copy."""

    def __init__(self, node: str) -> None:
        self.node = node
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._log_window: dict[str, tuple[float, int]] = {}

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def drop(self, reason: str, detail: str = "", peer: str = "") -> None:
        """Count a dropped message under ``reason`` (and under ``dropped``) and maybe log it."""
        with self._lock:
            self._counts[reason] += 1
            self._counts["dropped"] += 1
            now = time.monotonic()
            start, logged = self._log_window.get(reason, (now, 0))
            if now - start > 60.0:
                start, logged = now, 0
            self._log_window[reason] = (start, logged + 1)
        if logged < _LOG_PER_MINUTE:
            log.warning("%s dropped a message (%s) from %s: %s", self.node, reason, peer or "?", detail)

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def monitor_event(self, sock: zmq.Socket) -> None:
        """Read one event from a socket monitor and count it."""
        try:
            event = parse_monitor_message(sock.recv_multipart(zmq.NOBLOCK))
        except (zmq.Again, ValueError, KeyError):
            return
        name = MONITOR_EVENTS.get(event["event"])
        if name is None:
            return
        self.count(name)
        if name in ("handshake_failed", "auth_denied"):
            self.drop_logged(name, f"handshake from {event.get('endpoint', b'')!r} failed")

    def drop_logged(self, reason: str, detail: str) -> None:
        # Handshake failures are not messages, so they are not added to "dropped"; only logged.
        with self._lock:
            now = time.monotonic()
            start, logged = self._log_window.get(reason, (now, 0))
            if now - start > 60.0:
                start, logged = now, 0
            self._log_window[reason] = (start, logged + 1)
        if logged < _LOG_PER_MINUTE:
            log.warning("%s: %s", self.node, detail)
