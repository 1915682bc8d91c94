"""Running a node until SIGTERM: ``serve`` is what ``python main.py center`` and ``district`` run."""

from __future__ import annotations

import gc
import signal
import threading

from nodes.centre import CentreNode
from nodes.district import DistrictNode
from nodes.logs import NodeLog


def settle_garbage_collector() -> None:
    """Keep what a started node holds for good (its map, the schema, the modules) out of Python's
    full collections, which walk every object and pause the whole process while they do (50-80 ms
    each on the small demo city, measured at a centre's start; more at Harbin scale). What is
    allocated later is collected as usual."""
    gc.collect()
    gc.freeze()


def serve(node: CentreNode | DistrictNode, log: NodeLog) -> int:
    """Start the node, run until SIGTERM or SIGINT, stop it cleanly (sockets closed, replica committed,
    outbox kept), exit 0. SIGHUP reloads the node's key folder at once (``nodes.key_watch``)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if hasattr(signal, "SIGHUP"):
        # Installed before the node starts: SIGHUP's default action would end the process.
        signal.signal(signal.SIGHUP, lambda *_: reload_keys(node, log))
    try:
        node.start()
    except Exception as exc:
        log.event("failed", "error", error=f"{type(exc).__name__}: {exc}")
        node.stop()
        return 3
    settle_garbage_collector()
    while not stop.wait(0.5):
        pass
    log.event("stopping")
    node.stop()
    log.event("stopped")
    return 0


def reload_keys(node: CentreNode | DistrictNode, log: NodeLog) -> None:
    """SIGHUP: wake the node's key watch (it reloads in its own thread; a signal handler must not wait)."""
    if node.key_watch is None:
        log.event("keys_not_reloaded", "warning", trigger="signal", error="no key folder (CURVE is off)")
    else:
        node.key_watch.wake()
