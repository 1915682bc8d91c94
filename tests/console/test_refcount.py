"""Regression test for the PySide6 6.12.0 / CPython 3.11 reference-count corruption (design.md
section 8): the interpreter aborted after ~570 ``Signal.emit()`` calls or a few thousand calls into Qt
that return None. Run in a subprocess so an abort fails this test instead of killing the session."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = r"""
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    ticked = Signal(int)
    changed = Signal()
    carried = Signal(object)

app = QCoreApplication([])
e = Emitter()
seen = []
e.ticked.connect(seen.append)
e.changed.connect(lambda: None)
e.carried.connect(lambda value: None)
for i in range(10_000):
    e.ticked.emit(i)
    e.changed.emit()
    e.carried.emit(None)
    e.setObjectName(None if i % 2 else "x")  # calls returning None
assert seen == list(range(10_000)), len(seen)
print("ok", len(seen))
"""


def test_ten_thousand_signal_emits_do_not_corrupt_the_interpreter():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok 10000"


def test_worker_results_cross_threads_ten_thousand_times(qtbot):
    """The console's worker bridge: results emitted from pool threads arrive intact on the GUI thread."""
    from console.workers import WorkerPool

    pool = WorkerPool(max_threads=2)
    got: list[int] = []
    for i in range(2000):
        pool.submit(lambda i=i: i, got.append)
    qtbot.waitUntil(lambda: len(got) == 2000, timeout=30_000)
    assert sorted(got) == list(range(2000))
    assert not pool.busy
