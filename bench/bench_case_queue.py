"""The case queue over a million cases: open it, scroll to the end, against loading every row.

    QT_QPA_PLATFORM=offscreen python bench/bench_case_queue.py [--cases 1000000] [--data-dir DIR] [--rebuild]

The database (SQLite: the small demo city plus ``--cases`` synthetic cases written with plain multi-row
inserts by ``tests/console/case_rows.py``) is built once and kept as ``case_queue_<N>.db`` in
``--data-dir`` (default: ``sanwei-bench`` in the system's temporary directory); later runs reuse it when
it holds the same number of cases (the first build of a million took about 5 minutes on the busy 2-core
machine). ``--rebuild`` starts afresh.

  figure:   ``CaseQueuePanel`` built (lookups, ``COUNT``, first page) and its first screen painted;
            then scrolling to the end (the last case painted), and jumps to random places;
            median of ``--repeat`` runs, each with a new panel;
  baseline: what a model without paging would do first: every row of the same columns read into
            Python tuples (time and resident-memory growth).

Both come from the same run on the same file; the ratio is printed, with the load average (the machine
is shared).
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from console.dto import Login  # noqa: E402
from console.everyday.queue import MAX_PAGES, PAGE_SIZE, CaseQueuePanel  # noqa: E402
from console.everyday.services import CaseServices  # noqa: E402
from console.workers import WorkerPool  # noqa: E402
from data.db import make_engine, session_factory, upgrade_schema  # noqa: E402
from data.demo_city import seed_city  # noqa: E402
from data.models import Case  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.everyday.overdue import overdue_condition  # noqa: E402
from modes.everyday.queue import stage_due_expr  # noqa: E402
from tests.console.case_rows import fill_cases  # noqa: E402

NOW = dt.datetime(2026, 1, 1, 9, 0)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build(path: Path, n: int, rebuild: bool):
    if rebuild and path.exists():
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            p.unlink(missing_ok=True)
    engine = make_engine("sqlite:///" + str(path))
    upgrade_schema(engine)
    Session = session_factory(engine)
    with Session() as s:
        have = s.scalar(select(func.count()).select_from(Case))
    if have == n:
        print(f"reusing {path} ({n:,} cases)", flush=True)
        return engine
    if have:
        raise SystemExit(f"{path} holds {have:,} cases, not {n:,}: pass --rebuild")
    t = time.perf_counter()
    with Session() as s, s.begin():
        seed_city(s, scale="small", seed=1, at=NOW - dt.timedelta(days=400))
    fill_cases(engine, n, now=NOW, seed=1)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"built {path}: {n:,} cases in {time.perf_counter() - t:.1f} s", flush=True)
    return engine


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def open_queue(
    app: QApplication, services: CaseServices, workers: WorkerPool
) -> tuple[CaseQueuePanel, float]:
    t = time.perf_counter()
    panel = CaseQueuePanel(services, workers)
    panel.resize(1000, 700)
    panel.show()
    QTest.qWaitForWindowExposed(panel)
    panel.table.viewport().repaint()  # the first screen, painted (reads its rows)
    took = time.perf_counter() - t
    assert panel.model.loaded_rows > 0, "the first screen was not painted"
    return panel, took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "sanwei-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    engine = build(args.data_dir / f"case_queue_{args.cases}.db", args.cases, args.rebuild)
    services = CaseServices(session_factory(engine), FixedClock(NOW), Login("commander", "commander"))
    app = QApplication.instance() or QApplication([])
    workers = WorkerPool()
    with engine.connect() as conn:
        oldest = conn.execute(select(func.min(Case.id))).scalar()

    opens, ends, jumps = [], [], []
    rng = np.random.default_rng(1)
    panel = None
    for _ in range(args.repeat):
        if panel is not None:
            panel.close()
            panel.deleteLater()
        workers.wait()
        settle(app)
        panel, took = open_queue(app, services, workers)
        opens.append(took)
        first_screen_rows = panel.model.loaded_rows
        table = panel.table
        t = time.perf_counter()
        table.scrollToBottom()
        table.viewport().repaint()
        ends.append(time.perf_counter() - t)
        assert panel.model.cached_case_id(panel.model.rowCount() - 1) == oldest, "the end was not painted"
        last = panel.model.rowCount() - 1
        assert table.rowAt(table.viewport().height() - 2) == last, "the end is not on screen"
        assert panel.model.data(panel.model.index(last, 0)) == str(oldest), (
            "the last row is not the oldest case"
        )
        for row in rng.integers(0, panel.model.rowCount(), 5):
            t = time.perf_counter()
            table.verticalScrollBar().setValue(int(row))
            table.viewport().repaint()
            jumps.append(time.perf_counter() - t)
    held, fetches = panel.model.loaded_rows, panel.model.fetches
    # What a click costs until its first screen is painted: a filter or a sort is new SQL (COUNT, then
    # the first page), read in the worker pool as in the console.
    district = panel.district_box.itemData(1)
    clicks = {}
    for label, act in (
        ("sort: reported (indexed)", lambda: panel.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)),
        ("sort: stage due (computed)", lambda: panel.table.sortByColumn(7, Qt.SortOrder.AscendingOrder)),
        ("sort: back to newest first", lambda: panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)),
        ("filter: overdue only", lambda: panel.set_filter(overdue=True)),
        ("filter: one district", lambda: panel.set_filter(overdue=False, district=district)),
    ):
        t = time.perf_counter()
        act()
        while panel.model.pending:  # read in a worker; the window stays responsive meanwhile
            app.processEvents()
            time.sleep(0.002)
        panel.table.viewport().repaint()
        clicks[label] = time.perf_counter() - t
    workers.wait()
    panel.close()
    settle(app)

    # Baseline: every row of the queue's columns into Python tuples (what a non-paging model needs first).
    before = rss_mb()
    t = time.perf_counter()
    with services.session_factory() as s:
        rows = s.execute(
            select(
                Case.id, Case.reported_at, Case.channel, Case.kind, Case.type_code, Case.district_code,
                Case.street_code, Case.department_code, Case.state, stage_due_expr(), Case.reporter,
                Case.urgent, overdue_condition(NOW),
            ).order_by(Case.id.desc())
        ).all()  # fmt: skip
        tuples = [tuple(r) for r in rows]
    baseline = time.perf_counter() - t
    grown = rss_mb() - before
    assert len(tuples) == args.cases
    del rows, tuples

    open_med, end_med, jump_med = statistics.median(opens), statistics.median(ends), statistics.median(jumps)
    load = os.getloadavg()
    print()
    print(
        f"case queue over {args.cases:,} cases (SQLite, offscreen, {args.repeat} runs; load {load[0]:.1f}/{load[1]:.1f})"
    )
    print(
        f"  open: model + first screen painted   median {open_med * 1000:7.1f} ms  (best {min(opens) * 1000:.1f}, worst {max(opens) * 1000:.1f}; target < 1,000 ms)"
    )
    print(
        f"  scroll to the end, painted           median {end_med * 1000:7.1f} ms  (worst {max(ends) * 1000:.1f})"
    )
    print(
        f"  jump to a random row, painted        median {jump_med * 1000:7.1f} ms  (worst {max(jumps) * 1000:.1f})"
    )
    for label, took in clicks.items():
        print(f"  {label + ', painted':<37}  {took * 1000:7.1f} ms")
    print(
        f"  rows held: {first_screen_rows} after opening, {held:,} at the end (cap {MAX_PAGES * PAGE_SIZE:,}); {fetches} page reads"
    )
    print(f"  baseline: every row into Python tuples {baseline * 1000:9.1f} ms, +{grown:,.0f} MB resident")
    print(f"  ratio: baseline / open = {baseline / open_med:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
