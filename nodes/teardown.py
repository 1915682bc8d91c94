"""A node's teardown: what it started, stopped in the reverse order, each part once.

``start`` pushes each part's stop as soon as the part exists, so a node whose start fails halfway stops
exactly what it had started; ``stop`` closes the stack. A part that fails to stop is logged and the rest
still stop (a node is going down: nothing is gained by leaving its other sockets open).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack

log = logging.getLogger("sanwei.node")


class Teardown:
    def __init__(self) -> None:
        self._stack = ExitStack()

    def push(self, what: str, stop: Callable[[], object], *, quiet: bool = False) -> None:
        """Stop ``what`` with ``stop()`` at teardown; ``quiet``: its failure is expected and not logged
        (a connection opened by a thread that has already ended)."""

        def run() -> None:
            try:
                stop()
            except Exception:
                if not quiet:
                    log.exception("stopping %s failed", what)

        self._stack.callback(run)

    def close(self) -> None:
        self._stack.close()
