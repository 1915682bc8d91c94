"""Batch point location: 100,000 points through GridIndex vs testing each cell polygon in turn.

    python bench/bench_locate.py [--db URL] [--points 100000]

Without --db it seeds a Harbin-scale demo city into a temporary SQLite file first. The baseline
(a linear scan of all cell polygons per point) is timed on a sample of points and reported per point,
since running it on all 100,000 would take minutes; both figures come from the same run.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.db import open_database, session_factory  # noqa: E402
from data.spatial import GridIndex  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--baseline-sample", type=int, default=2_000)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.db
    if url is None:
        url = f"sqlite:///{tmp.name}/harbin.db"
        print("seeding a Harbin-scale city ...", flush=True)
        subprocess.run(
            [sys.executable, str(REPO / "main.py"), "seed", "--db", url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    engine = open_database(url)
    with session_factory(engine)() as s:
        t0 = time.perf_counter()
        grid = GridIndex.load(s)
        load_s = time.perf_counter() - t0

    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = grid.bounds
    xs = rng.uniform(minx, maxx, args.points)
    ys = rng.uniform(miny, maxy, args.points)

    grid.locate_indices(xs[:1000], ys[:1000])  # warm-up
    t0 = time.perf_counter()
    idx = grid.locate_indices(xs, ys)
    fast_s = time.perf_counter() - t0
    fast_rate = args.points / fast_s

    # For reference, shapely's own vectorised query (what GridIndex used before the bucket grid).
    t0 = time.perf_counter()
    src, hit = grid.tree.query(shapely.points(xs, ys), predicate="intersects")
    tree_rate = args.points / (time.perf_counter() - t0)

    # Baseline: for each point, test every cell polygon in turn until one contains it.
    n = args.baseline_sample
    polys = list(grid.polygons)
    t0 = time.perf_counter()
    base_idx = []
    for x, y in zip(xs[:n], ys[:n], strict=True):
        p = shapely.Point(x, y)
        found = -1
        for i, poly in enumerate(polys):
            if poly.intersects(p):
                found = i
                break
        base_idx.append(found)
    base_s = time.perf_counter() - t0
    base_rate = n / base_s
    agree = int(np.sum(np.asarray(base_idx) == idx[:n]))

    # End to end through the command line: read CSV, locate, write CSV.
    pts = Path(tmp.name) / "points.csv"
    with open(pts, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["x", "y"])
        w.writerows(zip(xs.round(2), ys.round(2), strict=True))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(REPO / "main.py"), "locate", "--batch", str(pts), "--db", url],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cli_s = time.perf_counter() - t0

    inside = int((idx >= 0).sum())
    print(
        f"cells: {len(grid)}   index load: {load_s * 1000:.0f} ms   points: {args.points} ({inside} inside the city)"
    )
    print(
        f"GridIndex batch locate (bucket grid + ray test): {fast_rate:,.0f} points/s ({fast_s * 1000:.1f} ms)"
    )
    print(f"reference, STRtree.query(points, predicate='intersects'): {tree_rate:,.0f} points/s")
    print(f"baseline, each polygon in turn: {base_rate:,.0f} points/s (sample of {n}; agrees on {agree}/{n})")
    print(
        f"ratio: {fast_rate / base_rate:,.0f}x   target: >= 200,000 points/s -> {'met' if fast_rate >= 200_000 else 'NOT met'}"
    )
    print(
        f"`locate --batch` end to end ({args.points} points, incl. start-up, index load, CSV in/out): {cli_s:.2f} s"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
