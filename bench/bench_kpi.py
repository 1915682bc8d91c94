"""`kpi --by department` over a million cases, in SQL, against loading the cases and counting in Python.

    python bench/bench_kpi.py [--cases 1000000] [--pg URL | --no-pg] [--repeat 5]

For each backend (SQLite in a temporary file; PostgreSQL in a schema of its own, dropped afterwards) it
seeds the small demo city, bulk-inserts synthetic cases with realistic outcomes (states, stage times,
closure kinds, rework, suspensions; one year of report times), then times

  figure:   ``modes.everyday.evaluation.evaluate(by="department")`` over the whole year (one GROUP BY
            with conditional aggregates), best and median of ``--repeat`` warm runs;
  baseline: the same counts the way a report script would do them without SQL aggregates: select the
            columns of every case in the period into Python and count there (one warm run).

Both figures come from the same run on the same data; the ratio is printed. The machine is shared, so
a calibration loop is timed first and printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.db import make_engine, session_factory, upgrade_schema  # noqa: E402
from data.demo_city import seed_city  # noqa: E402
from data.models import Case, Department, GridCell  # noqa: E402
from modes.everyday.evaluation import DEPARTMENT_COUNTS, evaluate  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR_START = dt.datetime(2025, 1, 1)
NOW = dt.datetime(2026, 1, 1, 9, 0)
CHUNK = 100_000
COLUMNS = (
    "kind", "type_code", "channel", "state", "urgent", "x", "y", "cell_code", "community_code", "street_code",
    "district_code", "department_code", "reported_at", "filed_at", "dispatched_at", "deadline", "feedback_at",
    "closed_at", "closure_kind", "voided_at", "satisfaction", "suspended_minutes", "rework_count",
    "return_count", "extension_count", "suspension_count", "description", "reporter",
)  # fmt: skip


def calibrate() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def _times(base: np.ndarray, seconds: np.ndarray, mask: np.ndarray) -> list:
    """Datetimes as the text SQLAlchemy stores on SQLite (and COPY parses), None where ``mask`` is off."""
    t = (base + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
    text_ = np.char.replace(np.datetime_as_string(t, unit="us"), "T", " ")
    return np.where(mask, text_, None).tolist()


def synthetic_cases(n: int, cells: list[str], departments: list[str], rng: np.random.Generator):
    """Chunks of row tuples with consistent outcomes; only the columns the KPIs and constraints need."""
    base = np.datetime64(YEAR_START, "s")
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        reported = rng.integers(0, 365 * 86400, m)
        u = rng.random(m)
        # outcome: merged 2%, voided before filing 2%, voided after 1%, open in handling 5%, suspended
        # 0.5%, closed the rest (10% of the closed overdue, some error/special)
        merged = u < 0.02
        voided_early = (u >= 0.02) & (u < 0.04)
        voided_late = (u >= 0.04) & (u < 0.05)
        open_ = (u >= 0.05) & (u < 0.10)
        suspended = (u >= 0.10) & (u < 0.105)
        closed = u >= 0.105
        filed = ~(merged | voided_early)
        dispatched = filed & ~voided_late
        filed_s = reported + rng.integers(300, 3600, m)
        dispatched_s = filed_s + rng.integers(300, 3600, m)
        limit = rng.choice([4 * 3600, 2 * 86400, 4 * 86400], m)
        deadline_s = dispatched_s + limit
        late = rng.random(m) < 0.10
        feedback_s = dispatched_s + (limit * np.where(late, 1.3, 0.6)).astype(np.int64)
        closed_s = feedback_s + rng.integers(600, 7200, m)
        kind_u = rng.random(m)
        closure = np.where(
            kind_u < 0.004, "error", np.where(kind_u < 0.006, "special", np.where(late, "overdue", "normal"))
        )
        state = np.select(
            [merged, voided_early | voided_late, open_, suspended, closed & (rng.random(m) < 0.1)],
            ["merged", "voided", "handling", "suspended", "evaluated"],
            "closed",
        )
        channel = rng.choice(
            ["supervisor", "camera", "hotline", "internet", "patrol", "media"],
            m,
            p=[0.64, 0.1, 0.12, 0.07, 0.04, 0.03],
        )
        cell = rng.integers(0, len(cells), m)
        dept = rng.integers(0, len(departments), m)
        satisfied = np.where(rng.random(m) < 0.96, "satisfied", "unsatisfied")
        evaluated = state == "evaluated"
        columns = [
            ["event"] * m,
            rng.choice(["06010", "07001", "09005", "06013", "06036"], m).tolist(),
            channel.tolist(),
            state.tolist(),
            [False] * m,
            rng.uniform(0, 1000, m).tolist(),
            rng.uniform(0, 1000, m).tolist(),
            [cells[i] for i in cell],
            [cells[i][:12] for i in cell],
            [cells[i][:9] for i in cell],
            [cells[i][:6] for i in cell],
            [departments[i] for i in dept],
            _times(base, reported, np.ones(m, bool)),
            _times(base, filed_s, filed),
            _times(base, dispatched_s, dispatched),
            _times(base, np.where(dispatched, deadline_s, reported + limit), ~merged),
            _times(base, feedback_s, closed),
            _times(base, closed_s, closed),
            np.where(closed, closure, None).tolist(),
            _times(base, filed_s + 600, voided_early | voided_late),
            np.where(evaluated, satisfied, None).tolist(),
            np.where(suspended, 600.0, 0.0).tolist(),
            (dispatched & (rng.random(m) < 0.03)).astype(int).tolist(),
            (dispatched & (rng.random(m) < 0.03)).astype(int).tolist(),
            (dispatched & (rng.random(m) < 0.04)).astype(int).tolist(),
            suspended.astype(int).tolist(),
            [""] * m,
            [""] * m,
        ]
        yield list(zip(*columns, strict=True))


def insert_rows(engine, rows: list[tuple]) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" * len(COLUMNS))
            conn.exec_driver_sql(f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
        else:
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)


def python_baseline(session, start: str, end: str, now: dt.datetime) -> dict:
    """The same department counts by loading every case of the period into Python."""
    begin = dt.datetime.fromisoformat(start)
    stop = dt.datetime.fromisoformat(end) + dt.timedelta(days=1)
    rows = session.execute(
        select(
            Case.department_code, Case.state, Case.channel, Case.filed_at, Case.dispatched_at, Case.closed_at,
            Case.closure_kind, Case.voided_at, Case.deadline, Case.rework_count, Case.return_count,
            Case.extension_count, Case.suspension_count, Case.satisfaction,
        ).where(Case.reported_at >= begin, Case.reported_at < stop)
    ).all()  # fmt: skip
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if r.department_code is None or r.dispatched_at is None:
            continue
        c = out[r.department_code]
        c["reported"] += 1
        c["reworked"] += r.rework_count > 0
        c["returned"] += r.return_count > 0
        c["extended"] += r.extension_count > 0
        c["suspended"] += r.suspension_count > 0
        c["closed"] += r.closed_at is not None
        c["closed_on_time"] += r.closure_kind == "normal"
        c["closed_overdue"] += r.closure_kind == "overdue"
        handling = r.closed_at is None and r.voided_at is None
        c["in_handling"] += handling
        c["overdue_open"] += (
            handling and r.state != "suspended" and r.deadline is not None and r.deadline < now
        )
        c["evaluated"] += r.satisfaction is not None
        c["satisfied"] += r.satisfaction in ("satisfied", "basic")
    return out


def run_backend(label: str, url: str, n: int, repeat: int, schema: str | None = None) -> dict:
    engine = make_engine(url)
    upgrade_schema(engine)
    Session = session_factory(engine)
    t0 = time.perf_counter()
    with Session() as s:
        have = s.scalar(select(func.count()).select_from(Case))
    if have != n:  # a kept SQLite file (--sqlite-path) with the same number of cases is reused
        with Session() as s, s.begin():
            seed_city(s, scale="small", seed=1, at=YEAR_START)
        with Session() as s:
            cells = list(s.scalars(select(GridCell.code)))
            departments = list(s.scalars(select(Department.code)))
        rng = np.random.default_rng(1)
        for rows in synthetic_cases(n, cells, departments, rng):
            insert_rows(engine, rows)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(f"[{label}] {n:,} cases written in {time.perf_counter() - t0:.1f} s", flush=True)

    start, end = "2025-01-01", "2025-12-31"
    timings = []
    with Session() as s:
        doc = evaluate(s, by="department", start=start, end=end, now=NOW)  # warm-up
        for _ in range(repeat):
            t = time.perf_counter()
            doc = evaluate(s, by="department", start=start, end=end, now=NOW)
            timings.append(time.perf_counter() - t)
        t = time.perf_counter()
        base = python_baseline(s, start, end, NOW)
        baseline = time.perf_counter() - t
    # Same numbers both ways, or the comparison means nothing.
    for row in doc["rows"]:
        for k in DEPARTMENT_COUNTS:
            assert row[k] == base[row["key"]][k], (row["key"], k, row[k], base[row["key"]][k])
    counted = sum(r["reported"] for r in doc["rows"])
    engine.dispose()
    if schema:
        admin = make_engine(url.split("?")[0])
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return {
        "backend": label,
        "cases": n,
        "counted": counted,
        "departments": len(doc["rows"]),
        "best_s": min(timings),
        "median_s": statistics.median(timings),
        "baseline_s": baseline,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--pg", default=PG_DEFAULT, help="PostgreSQL server URL (a schema is created and dropped)"
    )
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument(
        "--sqlite-path", help="keep the SQLite database in this file (reused when it holds --cases)"
    )
    args = ap.parse_args()

    print(
        f"calibration: a 10M-iteration Python loop took {calibrate():.2f} s (about 1.0 s when this machine is quiet; compare runs by it)"
    )
    results = []
    tmp = tempfile.TemporaryDirectory()
    if not args.no_sqlite:
        path = args.sqlite_path or f"{tmp.name}/kpi.db"
        results.append(run_backend("sqlite", f"sqlite:///{path}", args.cases, args.repeat))
    if not args.no_pg:
        schema = f"bench_kpi_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{args.pg}?options=-csearch_path%3D{schema}"
        results.append(run_backend("postgresql", url, args.cases, args.repeat, schema))
    print()
    print(f"{'backend':<11} {'cases':>10} {'kpi best':>9} {'median':>8} {'baseline':>9} {'ratio':>7}")
    for r in results:
        ratio = r["baseline_s"] / r["best_s"]
        print(
            f"{r['backend']:<11} {r['cases']:>10,} {r['best_s']:>8.3f}s {r['median_s']:>7.3f}s "
            f"{r['baseline_s']:>8.2f}s {ratio:>6.1f}x   ({r['departments']} departments, {r['counted']:,} dispatched cases counted)"
        )
    print(
        "figure: evaluate(by='department') over one year; baseline: load the year's cases and count in Python"
    )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
