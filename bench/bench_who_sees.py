"""Who sees this: the cameras whose field of view holds a point, at Harbin scale (1,150 cameras).

    python bench/bench_who_sees.py [--db URL] [--queries 20000]

``SightIndex.who_sees`` (an STRtree over each camera's reach, then the exact sector test of the few
candidates) at random points: half anywhere in the city's extent, half within 260 m of a camera (where
most points are seen). Target: under 5 ms a query.

Baselines, timed the same way in the same run on the same points:
- every camera's sector tested, vectorised over all 1,150 with numpy (no index);
- every camera's field-of-view polygon (the map's wedges, 16 points on the arc) tested with
  ``shapely.contains_xy`` over all 1,150.
The answers of the index and the first baseline are compared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LIMIT_MS = 5.0


def load_probe() -> float:
    started = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - started


def cameras(url: str | None):
    from modes.common.sight import SightIndex

    if url:
        from data.db import open_database, session_factory

        engine = open_database(url, upgrade=False)
        with session_factory(engine)() as s:
            index = SightIndex.load(s)
        engine.dispose()
        return index
    from data.demo_city import generate_city

    cams = generate_city("harbin", seed=1).cameras
    cols = ("id", "name", "x", "y", "heading_deg", "fov_deg", "range_m", "status")
    return SightIndex(*([c[k] for c in cams] for k in cols))


def timed(fn, points) -> tuple[list[float], list]:
    times, answers = [], []
    for x, y in points:
        started = time.perf_counter()
        answers.append(fn(x, y))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


def describe(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"{name:<34} median {statistics.median(times) * 1000:8.1f} us   p99 {q[98] * 1000:8.1f} us   max {max(times) * 1000:8.1f} us"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="a seeded city (default: the Harbin demo city's cameras, generated)")
    parser.add_argument("--queries", type=int, default=20_000)
    args = parser.parse_args(argv)

    from modes.emergency.impact import wedges

    started = time.perf_counter()
    index = cameras(args.db)
    built_ms = (time.perf_counter() - started) * 1000
    n = len(index)
    rebuilt = time.perf_counter()
    type(index)(
        index.ids, index.names, index.x, index.y, index.heading, index.half_fov * 2, index.range, index.status
    )
    build_ms = (time.perf_counter() - rebuilt) * 1000
    rng = np.random.default_rng(5)
    half = args.queries // 2
    near = rng.integers(0, n, args.queries - half)
    reach, angle = rng.uniform(0, 260, len(near)), rng.uniform(0, 2 * np.pi, len(near))
    xs = np.concatenate(
        [rng.uniform(index.x.min(), index.x.max(), half), index.x[near] + reach * np.sin(angle)]
    )
    ys = np.concatenate(
        [rng.uniform(index.y.min(), index.y.max(), half), index.y[near] + reach * np.cos(angle)]
    )
    points = list(zip(xs.tolist(), ys.tolist(), strict=True))

    everyone = np.arange(n)

    def brute(x, y):
        hit = everyone[index.sees(everyone, x, y)]
        d = np.hypot(index.x[hit] - x, index.y[hit] - y)
        return [str(i) for i in index.ids[hit[np.lexsort((index.ids[hit].astype(str), d))]]]

    polygons = wedges(index.x, index.y, index.heading, index.half_fov * 2, index.range)
    shapely.prepare(polygons)

    def by_polygons(x, y):
        return np.flatnonzero(shapely.contains_xy(polygons, x, y))

    probe = load_probe()
    t_index, a_index = timed(index.who_sees, points)
    t_brute, a_brute = timed(brute, points)
    t_poly, _ = timed(by_polygons, points)
    agree = sum([c.id for c in a] == b for a, b in zip(a_index, a_brute, strict=True))
    seen = sum(bool(a) for a in a_index)
    print(
        f"{n:,} cameras ({'from ' + args.db if args.db else 'the Harbin demo city, generated'}; loaded in "
        f"{built_ms:.0f} ms, index built in {build_ms:.1f} ms); {len(points):,} points, {seen:,} seen by a camera "
        f"(up to {max(len(a) for a in a_index)}); calibration loop {probe:.2f} s"
    )
    print(describe("SightIndex.who_sees", t_index))
    print(describe("baseline: all sectors, numpy", t_brute))
    print(describe("baseline: all wedges, shapely", t_poly))
    ratio_brute = statistics.median(t_brute) / statistics.median(t_index)
    ratio_poly = statistics.median(t_poly) / statistics.median(t_index)
    print(f"index {ratio_brute:.1f}x faster than all sectors, {ratio_poly:.1f}x than all wedges (medians)")
    print(f"answers agree at {agree:,} of {len(points):,} points")
    p99 = statistics.quantiles(t_index, n=100)[98]
    print(
        f"target: under {LIMIT_MS:g} ms a query: {'met' if p99 < LIMIT_MS else 'NOT met'} (p99 {p99 * 1000:.0f} us)"
    )
    return 0 if agree == len(points) else 1


if __name__ == "__main__":
    sys.exit(main())
