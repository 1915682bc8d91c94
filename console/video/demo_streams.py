"""The demo stream server the demo city's cameras play from, started by the console when it is needed.

With ``SANWEI_STREAMS`` unset, demo cameras play from ``nodes.video.DEFAULT_STREAMS``; when nothing
answers there, the console starts ``python main.py streams serve --bind HOST:PORT`` as its own child
process, which ends with the console (it stops when its standard input closes, so also when the console
dies). With ``SANWEI_STREAMS`` set, whoever set it runs the server: the console starts none.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, Signal

from nodes.video import STREAMS_ENV, streams_base

READY_POLL_MS = 100
START_LIMIT_S = 20.0  # a server that does not answer by then has failed to start
_MAIN = Path(__file__).resolve().parents[2] / "main.py"


def answers(host: str, port: int, timeout: float = 0.3) -> bool:
    """Whether something accepts connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class DemoStreams(QObject):
    """Where demo cameras play from, and the server this console started there (if it had to)."""

    settled = Signal(bool)  # a start this console made is over: the address answers (True) or not

    def __init__(
        self, parent: QObject | None = None, *, base: str | None = None, may_start: bool | None = None
    ):
        super().__init__(parent)
        self.base = base or streams_base()
        self.may_start = (not os.environ.get(STREAMS_ENV)) if may_start is None else may_start
        parts = urlsplit(self.base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.process: subprocess.Popen | None = None
        self.error = ""
        self._started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(READY_POLL_MS)
        self._timer.timeout.connect(self._check)

    @property
    def starting(self) -> bool:
        return self._timer.isActive()

    def ensure(self) -> bool:
        """Get demo streams ready to play: True when players may start now (the address answers, or
        no server may be started here and theirs will say why), False while a server this console
        started comes up (``settled`` follows)."""
        if self.starting:
            return False
        if not self.may_start or answers(self.host, self.port):
            return True
        if self.process is not None and self.process.poll() is None:
            return True  # ours runs but does not answer: the players say what they meet
        self.start()
        return False

    def start(self) -> None:
        """Start ``streams serve`` at the address, owned by this console."""
        path = os.pathsep.join(filter(None, [str(_MAIN.parent), os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, str(_MAIN), "streams", "serve", "--bind", f"{self.host}:{self.port}", "--owned"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
            cwd=str(_MAIN.parent),
        )
        self._started_at = time.monotonic()
        self._timer.start()

    def _check(self) -> None:
        if answers(self.host, self.port, timeout=0.05):
            self._timer.stop()
            self.error = ""
            self.settled.emit(True)
            return
        died = self.process is not None and self.process.poll() is not None
        if died or time.monotonic() - self._started_at > START_LIMIT_S:
            self._timer.stop()
            code = f" (exit {self.process.returncode})" if died and self.process is not None else ""
            self.error = f"the demo stream server did not start at {self.host}:{self.port}{code}"
            self.settled.emit(False)

    def stop(self, wait: float = 3.0) -> None:
        """End the server this console started (closing its standard input asks it to stop)."""
        self._timer.stop()
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(wait)
