"""A console showing "a busy day" at 120x (issue #13's target: while a console shows it, the map repaints
in under 50 ms and the queue refreshes in under 1 s, and every inject goes out within 1 s of its time).

The console (``MainWindow`` at 1600x1000 offscreen, as the commander, on a Harbin-scale city with a month
of history) drives the exercise itself, as a console on its own database does: its timer ticks through
its door while the reports arrive, its banner ticks, the map's open cases and the queue (exercise
records included, as the console sets them while an exercise is on) follow the journal. Every half
second the bench times a full repaint of the map and a live refresh of the queue (its count and the
rows it keeps, re-read and repainted: what the console does when the journal moves).

Baseline in the same run and window: the same two timings with no exercise on, before it starts.

    python bench/bench_exercise_console.py [--db URL] [--seconds 60] [--speed 120] [--from 08:00]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from _links import percentiles  # noqa: E402


def seeded_with_history(folder: str) -> str:
    import subprocess

    url = f"sqlite:///{folder}/harbin.db"
    print("seeding a Harbin-scale city with 30 days of history ...", flush=True)
    subprocess.run(
        [sys.executable, str(REPO / "main.py"), "seed", "--db", url, "--history-days", "30", "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def sample(app, window, seconds: float) -> tuple[list[float], list[float]]:
    """Map repaint and queue refresh times (ms), every half second for ``seconds``."""
    repaint, queue = [], []
    view = window.map.view.viewport()
    model = window.cases.queue.model
    table = window.cases.queue.table.viewport()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        step = time.monotonic() + 0.5
        while time.monotonic() < step:
            app.processEvents()
            time.sleep(0.005)
        started = time.perf_counter()
        view.repaint()
        repaint.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        model.refresh()
        table.repaint()
        queue.append((time.perf_counter() - started) * 1000)
    return repaint, queue


def line(name: str, values: list[float], limit: float) -> None:
    p50, p99, worst = percentiles(values)
    print(
        f"{name:<44} n={len(values):>4}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {worst:7.1f} ms  "
        f"(target {limit:g} ms)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a Harbin-scale city with history (default: seeded into a temporary folder)")
    ap.add_argument("--seconds", type=float, default=60.0, help="wall seconds of the exercise sampled")
    ap.add_argument("--baseline-seconds", type=float, default=15.0)
    ap.add_argument("--speed", type=float, default=120.0)
    ap.add_argument("--from", dest="start", default="08:00")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from console.dto import Login
    from console.main_window import MainWindow
    from console.services import ConsoleServices
    from console.theme import apply_theme
    from data.db import make_engine, session_factory
    from data.exercise_models import Exercise, ExerciseInject
    from data.models import Staff
    from modes.bus import city_bus
    from modes.common.actor import Actor
    from modes.common.clock import SystemClock
    from modes.common.door import LocalDoor

    with tempfile.TemporaryDirectory() as folder:
        url = args.db or seeded_with_history(folder)
        engine = make_engine(url)
        Session = session_factory(engine)
        app = QApplication.instance() or QApplication([])
        apply_theme(app)
        with Session() as s:
            commander = s.scalar(select(Staff).where(Staff.login == "city_commander"))
            drill = Actor.of_staff(s.scalar(select(Staff).where(Staff.login == "city_drill")))
        login = Login(commander.login, commander.role, commander.name, None, None)
        window = MainWindow(ConsoleServices(Session, SystemClock(), login))
        window.resize(1600, 1000)
        window.show()
        loaded = []
        window.loaded.connect(lambda: loaded.append(True))
        window.start()
        deadline = time.monotonic() + 180
        while not loaded and time.monotonic() < deadline:
            app.processEvents()
        window.everyday_page.tabs.setCurrentIndex(window.cases.queue_tab)  # the queue on screen
        print(f"baseline: no exercise, {args.baseline_seconds:g} s ...", flush=True)
        base_repaint, base_queue = sample(app, window, args.baseline_seconds)

        started = LocalDoor(city_bus(), Session, SystemClock(), drill).execute(
            "exercise.start", {"builtin": "busy_day", "speed": args.speed, "from": args.start}
        )
        print(
            f"exercise {started['id']}: busy day at x{args.speed:g} from {args.start}, {args.seconds:g} s ...",
            flush=True,
        )
        ex_repaint, ex_queue = sample(app, window, args.seconds)
        with Session() as s:
            ex = s.get(Exercise, started["id"])
            seg = ex.segments[0]
            origin, at_s, speed = dt.datetime.fromisoformat(seg[0]), seg[2], seg[3]
            late = [
                (
                    inj.delivered_at - (origin + dt.timedelta(seconds=(inj.time_s - at_s) / speed))
                ).total_seconds()
                for inj in s.scalars(
                    select(ExerciseInject).where(
                        ExerciseInject.exercise_id == ex.id, ExerciseInject.delivered_at.is_not(None)
                    )
                )
            ]
        LocalDoor(city_bus(), Session, SystemClock(), drill).execute("exercise.stop", {"id": started["id"]})
        window.close()
        engine.dispose()

    print()
    line("map repaint, no exercise (baseline)", base_repaint, 50)
    line("map repaint, busy day on", ex_repaint, 50)
    line("queue refresh, no exercise (baseline)", base_queue, 1000)
    line("queue refresh, busy day on", ex_queue, 1000)
    p50, p99, worst = percentiles(late)
    print(
        f"{'injects delivered by the console':<44} n={len(late):>4}  lateness p50 {p50 * 1000:.0f} ms  "
        f"p99 {p99 * 1000:.0f} ms  max {worst * 1000:.0f} ms  within 1 s {sum(x <= 1 for x in late) / len(late):.1%}"
    )
    print(
        f"busy day on / baseline: repaint p50 {statistics.median(ex_repaint) / statistics.median(base_repaint):.2f}x, "
        f"queue refresh p50 {statistics.median(ex_queue) / statistics.median(base_queue):.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
