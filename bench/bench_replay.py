"""A replay step of an incident redrawn on the map, at 1600x1000 offscreen, Harbin scale.

    python bench/bench_replay.py [--db URL] [--steps 60] [--rounds 5]

An incident is opened on a copy of the city (the given one, else the cached Harbin-scale demo city)
and given a long journal: ``--steps`` events of dispatches to the nearest units, task moves, level
changes and redrawn cordons. The emergency page is shown (as a preview: the city's mode is not
switched), its board read, and the replay slider is moved over every step ``--rounds`` times, each
move followed by a full repaint of the map: the time from ``setValue`` to the painted frame is the
figure (what a commander waits for when dragging the slider).

The baseline, timed the same way in the same run: the live board drawn again (``redraw_map``, every
open incident and unit) and repainted. Also printed: the board read in the worker with and without
the replay's moments (the fold of the journal that makes the steps).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

LIMIT_MS = 100.0


def load_probe() -> float:
    """Seconds for a fixed pure-Python loop: other work on the machine slows every figure alike."""
    started = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - started


def make_incident(make_session, steps: int) -> int:
    """An incident with about ``steps`` journal events, written by the rules as a commander would."""
    import shapely

    from modes.common.clock import FixedClock
    from modes.emergency import dispatch as dsp
    from modes.emergency import incidents as inc
    from modes.emergency.impact import ImpactIndex
    from modes.emergency.resources import UnitIndex

    commander = inc.Actor.of("commander", "bench")
    clock = FixedClock(dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=6))
    with make_session() as s, s.begin():
        index = ImpactIndex.load(s)
        cell = index.cell_polygons[len(index.cell_codes) // 2].representative_point()
        view, _ = inc.open_incident(
            s, clock, commander, index, type_code="fire", x=cell.x, y=cell.y, level="IV"
        )
        units = UnitIndex.load(s).nearest(cell.x, cell.y, steps, None)
        tasks: list[int] = []
        levels = ["III", "II", "I"]
        n = 1
        for k, unit in enumerate(units):
            if n >= steps:
                break
            clock.advance(minutes=1)
            kind = k % 4
            if kind == 0 and levels:
                inc.set_level(s, clock, commander, view.id, levels.pop(0))
            elif kind == 1:
                box = shapely.box(cell.x - 300 - 20 * k, cell.y - 300, cell.x + 300 + 20 * k, cell.y + 300)
                inc.change_area(s, clock, commander, index, view.id, outer_cordon=box.wkt)
            elif kind == 2 and tasks:
                dsp.set_task_status(s, clock, commander, tasks.pop(0), "en_route")
            else:
                order, _ = dsp.dispatch(s, clock, commander, view.id, unit.unit_id)
                tasks.append(order.task_id)
            n += 1
        return view.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", help="an already-seeded Harbin-scale SQLite city (copied; default: the cached demo city)"
    )
    parser.add_argument("--steps", type=int, default=60, help="journal events of the incident (default 60)")
    parser.add_argument("--rounds", type=int, default=5, help="passes of the slider over every step")
    args = parser.parse_args(argv)

    from bench_console_startup import harbin_url
    from PySide6.QtWidgets import QApplication

    from console.dto import Login
    from console.main_window import MainWindow
    from console.services import ConsoleServices
    from console.theme import apply_theme
    from data.db import open_database, session_factory
    from modes.common.clock import SystemClock
    from modes.emergency import queries, replay
    from modes.emergency.impact import ImpactIndex

    source = harbin_url(args.db)
    folder = tempfile.mkdtemp(prefix="sanwei-bench-replay-")
    path = Path(folder) / "city.db"
    shutil.copyfile(source.removeprefix("sqlite:///"), path)
    engine = open_database(f"sqlite:///{path}")
    make_session = session_factory(engine)
    incident_id = make_incident(make_session, args.steps)

    with make_session() as s:  # the worker's read, with and without the replay's moments
        index = ImpactIndex.load(s)
        now = dt.datetime.now()
        plain, folded = [], []
        for _ in range(5):
            started = time.perf_counter()
            board = queries.incident_board(s, index, incident_id, None, now)
            plain.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            replay.with_moments(s, board)
            folded.append((time.perf_counter() - started) * 1000)

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    services = ConsoleServices(make_session, SystemClock(), Login("bench", "commander"))
    window = MainWindow(services)
    window.resize(1600, 1000)
    window.show()
    window.start()
    deadline = time.perf_counter() + 120
    while not window.is_loaded and time.perf_counter() < deadline:
        app.processEvents()
    window.watcher.stop()
    console = window.emergency
    console.selected_id = incident_id
    console.set_mode_active(True)  # a preview of the page: the city's mode is not switched
    while (
        console.board is None or console._loading or console.board.selected is None
    ) and time.perf_counter() < deadline:
        app.processEvents()
    board = console.board
    command = console.panels[3]
    console.fly_to_incident()
    viewport = window.map.view.viewport()
    steps = len(board.timeline)
    probe = load_probe()

    step_ms, live_ms = [], []
    for _ in range(args.rounds):
        for step in [*range(steps - 2, -1, -1), steps - 1]:  # backwards, then the live end
            started = time.perf_counter()
            command.slider.setValue(step)
            viewport.repaint()
            step_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            console.replay_moment = None
            console.redraw_map()
            viewport.repaint()
            live_ms.append((time.perf_counter() - started) * 1000)
            console.show_moment(board.moments[step] if step < steps - 1 else None)

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1]

    print(
        f"incident {incident_id}: {steps} timeline events, {len(board.moments)} moments; "
        f"{len(board.shapes)} open incidents and {len(board.units)} units out on the live board; "
        f"map {viewport.width()}x{viewport.height()} px"
    )
    print(
        f"board read in the worker: {statistics.median(plain):.1f} ms; + the replay's moments {statistics.median(folded):.1f} ms"
    )
    print(
        f"replay step, setValue to painted frame: median {statistics.median(step_ms):.1f} ms, "
        f"p99 {p(step_ms, 99):.1f} ms, max {max(step_ms):.1f} ms over {len(step_ms)} steps (limit {LIMIT_MS:.0f} ms)"
    )
    print(
        f"baseline, the live board redrawn and painted: median {statistics.median(live_ms):.1f} ms, "
        f"p99 {p(live_ms, 99):.1f} ms; ratio {statistics.median(step_ms) / statistics.median(live_ms):.2f}x"
    )
    print(f"load probe {probe:.2f} s")
    window.close()
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if p(step_ms, 99) < LIMIT_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
