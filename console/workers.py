"""Slow work off the GUI thread (the idea of Anki's ``QueryOp``/``CollectionOp``).

A task is a plain callable run in the pool; it opens its own session, never touches a widget, and its
result or exception comes back to the GUI thread as a queued Qt signal.

The pool's threads are Python's (``concurrent.futures``), not Qt's: pyproj 3.7 keeps a PROJ context per
thread through Python's thread-local storage and crashes the process (a segmentation fault inside
``Transformer.transform``) when it runs on a thread Qt created and later retired, as ``QThreadPool``
does with idle threads (pyproj issue 1509, fixed only in releases for Python 3.12 and later). A
console ticking an exercise whose reports are placed by longitude and latitude hit it within seconds.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

THREAD_PREFIX = "sanwei-worker"


class _TaskSignals(QObject):
    # Created in the GUI thread, so emits from a worker reach GUI-thread receivers queued.
    finished = Signal(object)
    failed = Signal(object)


def _run(fn: Callable[[], Any], signals: _TaskSignals) -> None:
    try:
        result = fn()
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI, not die in a thread
        exc.traceback_text = traceback.format_exc()  # type: ignore[attr-defined]
        signals.failed.emit(exc)
    else:
        signals.finished.emit(result)


class WorkerPool(QObject):
    """Runs callables on a thread pool and calls back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix=THREAD_PREFIX)
        self._pending: set[_TaskSignals] = set()
        self._running: set[Future] = set()
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        signals = _TaskSignals()
        self._pending.add(signals)

        def done(result: Any) -> None:
            self._retire(signals)
            if not self._closed:
                on_done(result)

        def failed(exc: BaseException) -> None:
            self._retire(signals)
            if self._closed:
                return
            if on_error is not None:
                on_error(exc)
            else:
                raise exc

        signals.finished.connect(done)
        signals.failed.connect(failed)
        future = self._pool.submit(_run, fn, signals)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._running.discard(future)

    def watch(
        self,
        future: Future,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Like ``submit`` for work already started elsewhere (the startup preload)."""
        signals = _TaskSignals()
        self._pending.add(signals)

        def done(result: Any) -> None:
            self._retire(signals)
            if not self._closed:
                on_done(result)

        def failed(exc: BaseException) -> None:
            self._retire(signals)
            if on_error is not None and not self._closed:
                on_error(exc)

        signals.finished.connect(done)
        signals.failed.connect(failed)

        def relay(f: Future) -> None:
            exc = f.exception()
            if exc is not None:
                signals.failed.emit(exc)
            else:
                signals.finished.emit(f.result())

        future.add_done_callback(relay)

    def _retire(self, signals: _TaskSignals) -> None:
        # The connections hold closures that hold the signals object: deleting it (on the GUI thread,
        # where it lives) drops them, instead of leaving a cycle the garbage collector cannot see.
        self._pending.discard(signals)
        signals.deleteLater()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait until every submitted task has run (True), or ``msecs`` passed (False)."""
        with self._lock:
            running = set(self._running)
        _, not_done = wait_for_futures(running, timeout=msecs / 1000)
        return not not_done

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Wait for running work and drop every result still on its way: the widgets that asked for
        them are closing."""
        self._closed = True
        return self.wait(msecs)


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only.

    Left to itself the collector runs in whichever thread happens to allocate, and a cycle holding a
    Qt wrapper then destroys a widget from a worker thread: a segfault (seen here when a snapshot load
    triggered a collection). The same remedy as pyqtgraph's ``GarbageCollector``: automatic collection
    off, and a timer on the GUI thread collecting by the usual thresholds.
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None):
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        g0, g1, g2 = gc.get_count()
        if g0 > self._threshold[0]:
            gc.collect(0)
            if g1 > self._threshold[1]:
                gc.collect(1)
                if g2 > self._threshold[2]:
                    gc.collect(2)
