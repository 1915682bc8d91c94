"""The console's worker pool runs its tasks on threads Python made: pyproj keeps its PROJ context per
thread in Python's thread-local storage and crashes on threads Qt made and retired (pyproj issue 1509).
A console ticking an exercise, whose report injects are placed by longitude and latitude, crashed that
way within seconds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from console.workers import THREAD_PREFIX, WorkerPool
from tests.conftest import REPO


def test_tasks_run_on_python_threads_and_come_back_on_the_gui_thread(qtbot):
    pool = WorkerPool(max_threads=2)
    seen: list[tuple[str, bool]] = []
    for _ in range(6):
        pool.submit(
            lambda: (
                threading.current_thread().name,
                isinstance(threading.current_thread(), threading._DummyThread),
            ),
            seen.append,
        )
    qtbot.waitUntil(lambda: len(seen) == 6, timeout=10_000)
    assert all(name.startswith(THREAD_PREFIX) and not dummy for name, dummy in seen)
    failures: list[BaseException] = []
    pool.submit(lambda: 1 / 0, lambda _: None, failures.append)
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=10_000)
    assert isinstance(failures[0], ZeroDivisionError) and "ZeroDivisionError" in failures[0].traceback_text
    assert pool.shutdown(10_000)


def test_pyproj_in_many_tasks_does_not_crash_the_console():
    # In a process of its own: a crash is a segmentation fault, which would take the test run with it.
    script = textwrap.dedent(
        """
        import time
        from PySide6.QtCore import QCoreApplication
        from console.workers import WorkerPool
        from data.geometry import transformer

        app = QCoreApplication([])
        tr = transformer("EPSG:4326", "EPSG:4551")
        pool = WorkerPool(max_threads=2)
        done = []
        for i in range(400):
            pool.submit(lambda: [tr.transform([126.6], [45.7]) for _ in range(20)], done.append)
            if i % 10 == 0:
                time.sleep(0.02)
        while len(done) < 400:
            app.processEvents()
        print("ok", len(done))
        """
    )
    out = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "400"]
