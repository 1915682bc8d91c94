"""The nearest 10 available units among ~1,000 (Harbin's demo units): KD-trees vs scanning them all.

    python bench/bench_nearest_units.py [--db URL] [--queries 2000] [--k 10]

Without --db it seeds a Harbin-scale demo city and its demo rescue units into a temporary SQLite file
first. Figures, from one run, for "any capability" and for one capability (fire):

  figure:    ``UnitIndex.nearest`` (cKDTree per capability, ties settled by id), per query;
  baseline:  numpy over every unit (all distances, filter, lexsort), per query; and the no-index
             service path: select the available units from the database and sort them in Python.

Every answer is checked against the numpy scan. A calibration loop is printed beside the figures.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _city import seeded_demo_url  # noqa: E402
from sqlalchemy import select  # noqa: E402

from data.db import open_database, session_factory  # noqa: E402
from data.emergency_models import RescueUnit  # noqa: E402
from modes.emergency.resources import UnitIndex  # noqa: E402


def calibrate() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def numpy_scan(units: UnitIndex, x: float, y: float, k: int, capability: str | None) -> list[str]:
    ok = units.status == "available"
    if capability:
        ok &= units.capability == capability
    rows = np.flatnonzero(ok)
    d = np.hypot(units.xy[rows, 0] - x, units.xy[rows, 1] - y)
    order = np.lexsort((units.ids[rows].astype(str), d))[:k]
    return [str(units.ids[rows[i]]) for i in order]


def sql_scan(session, x: float, y: float, k: int, capability: str | None) -> list[str]:
    stmt = select(RescueUnit.id, RescueUnit.x, RescueUnit.y).where(RescueUnit.status == "available")
    if capability:
        stmt = stmt.where(RescueUnit.capability == capability)
    rows = session.execute(stmt).all()
    return [r.id for _, r in sorted(((math.hypot(r.x - x, r.y - y), r.id), r) for r in rows)[:k]]


def per_query_us(fn, points) -> tuple[float, float]:
    times = []
    for x, y in points:
        t = time.perf_counter()
        fn(x, y)
        times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.db
    if url is None:
        url = seeded_demo_url(tmp.name)
    engine = open_database(url)
    session = session_factory(engine)()
    cal = calibrate()

    t0 = time.perf_counter()
    units = UnitIndex.load(session)
    load_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    for cap in (None, *sorted(set(units.capability))):
        units._tree(cap)
    build_ms = (time.perf_counter() - t0) * 1000
    print(
        f"{len(units)} units; UnitIndex.load {load_ms:.1f} ms, all {len(set(units.capability)) + 1} KD-trees {build_ms:.2f} ms"
    )

    rng = np.random.default_rng(3)
    lo, hi = units.xy.min(axis=0), units.xy.max(axis=0)
    points = list(
        zip(rng.uniform(lo[0], hi[0], args.queries), rng.uniform(lo[1], hi[1], args.queries), strict=True)
    )
    k = args.k
    for cap in (None, "fire"):
        label = cap or "any capability"
        for x, y in points:  # correctness first
            assert [u.unit_id for u in units.nearest(x, y, k, cap)] == numpy_scan(units, x, y, k, cap)
        rows_only = per_query_us(lambda x, y, c=cap: units.nearest_rows(x, y, k, c), points)
        fast = per_query_us(lambda x, y, c=cap: units.nearest(x, y, k, c), points)
        base = per_query_us(lambda x, y, c=cap: numpy_scan(units, x, y, k, c), points)
        sql = per_query_us(lambda x, y, c=cap: sql_scan(session, x, y, k, c), points[:200])
        print(
            f"nearest {k} ({label}): figure UnitIndex.nearest median {fast[0]:.0f} us, p99 {fast[1]:.0f} us "
            f"(of which the KD-tree lookup {rows_only[0]:.0f} us, the rest making the {k} suggestions) | "
            f"baseline numpy scan median {base[0]:.0f} us | baseline SQL + Python sort median {sql[0]:.0f} us "
            f"({sql[0] / fast[0]:.0f}x)"
        )
    print(
        f"answers agree with the full scan on {len(points)} points x 2; calibration loop (10M additions) {cal:.2f} s"
    )
    session.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
