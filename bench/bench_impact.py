"""Incident impact at Harbin scale: a 500 m cordon through ``ImpactIndex`` vs scanning every cell,
component and camera without an index.

    python bench/bench_impact.py [--db URL] [--sites 200] [--outer 500] [--inner 100] [--baseline-sites 5]

Without --db it seeds a Harbin-scale demo city (7,030 cells, 108,000 components, 1,150 cameras) and the
demo rescue units and hospitals into a temporary SQLite file first. Figures, from one run:

  load:      ``ImpactIndex.load`` (once per process; what the console pays at startup);
  figure:    one impact per site (affected cells and area-weighted population of both cordons,
             components by owner department, cameras whose wedge meets the area, hospitals nearby,
             open cases inside through the database), median / p95 / max over ``--sites`` sites;
  baseline:  the same answers by scanning every row with plain shapely, one object at a time, on
             ``--baseline-sites`` sites; and a vectorised full scan (no index, all rows at once).

The answers of the three are compared; the machine is shared, so a calibration loop is printed too.
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
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _city import seeded_demo_url  # noqa: E402

from data.db import open_database, session_factory  # noqa: E402
from modes.emergency.impact import ImpactIndex, cordons, open_cases_inside, wedges  # noqa: E402


def calibrate() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def scan_one_by_one(idx: ImpactIndex, inner, outer) -> dict:
    """No index: every cell intersected, every component and camera wedge tested, one at a time."""
    cells = {}
    for code, poly in zip(idx.cell_codes, idx.cell_polygons, strict=True):
        a = poly.intersection(outer).area
        if a > 0:
            cells[code] = a / poly.area
    comps = set()
    for cid, x, y in zip(idx.comp_ids, idx.comp_x, idx.comp_y, strict=True):
        if outer.intersects(shapely.Point(x, y)):
            comps.add(cid)
    cams = set()
    for k in range(len(idx.cam_ids)):
        w = wedges(idx.cam_x[k], idx.cam_y[k], idx.cam_heading[k], idx.cam_fov[k], idx.cam_range[k])[0]
        if w.intersects(outer):
            cams.add(idx.cam_ids[k])
    return {"cells": cells, "components": comps, "cameras": cams}


def scan_vectorised(idx: ImpactIndex, inner, outer) -> dict:
    """No index, but every row at once through shapely's vectorised functions."""
    areas = shapely.area(shapely.intersection(idx.cell_polygons, outer))
    hit = np.flatnonzero(areas > 0)
    inside = shapely.intersects_xy(outer, idx.comp_x, idx.comp_y)
    cams = shapely.intersects(idx.cam_wedges, outer)
    return {
        "cells": dict(zip(idx.cell_codes[hit], areas[hit] / idx.cell_area[hit], strict=True)),
        "components": set(idx.comp_ids[inside]),
        "cameras": set(idx.cam_ids[cams]),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--outer", type=float, default=500.0)
    ap.add_argument("--inner", type=float, default=100.0)
    ap.add_argument("--baseline-sites", type=int, default=5)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.db
    if url is None:
        url = seeded_demo_url(tmp.name)
    engine = open_database(url)
    session = session_factory(engine)()
    cal = calibrate()

    t0 = time.perf_counter()
    idx = ImpactIndex.load(session)
    load_s = time.perf_counter() - t0
    print(
        f"city: {len(idx.cell_codes)} cells, {len(idx.comp_ids)} components, {len(idx.cam_ids)} cameras, "
        f"{len(idx.hospitals.ids)} hospitals; ImpactIndex.load {load_s:.2f} s"
    )

    rng = np.random.default_rng(7)
    centres = shapely.centroid(idx.cell_polygons[rng.choice(len(idx.cell_codes), args.sites, replace=False)])
    sites = list(zip(shapely.get_x(centres), shapely.get_y(centres), strict=True))
    geoms = [cordons(x, y, inner_radius_m=args.inner, outer_radius_m=args.outer) for x, y in sites]

    idx.impact(*geoms[0])  # warm-up
    times, results, counts = [], [], []
    for site, inner, outer in geoms:
        t = time.perf_counter()
        r = idx.impact(site, inner, outer)
        open_cases_inside(session, idx, inner, outer)
        times.append((time.perf_counter() - t) * 1000)
        results.append(r)
        counts.append((len(r.outer.cells), r.component_count, len(r.cameras)))
    times.sort()
    med = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    cells, comps, cams = (statistics.mean(c[i] for c in counts) for i in range(3))
    print(
        f"figure:   impact of a {args.outer:g} m cordon (inner {args.inner:g} m), {args.sites} sites: "
        f"median {med:.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms "
        f"(on average {cells:.0f} cells, {comps:.0f} components, {cams:.1f} cameras each)"
    )

    n = min(args.baseline_sites, len(geoms))
    slow, vec = [], []
    for k in range(n):
        site, inner, outer = geoms[k]
        t = time.perf_counter()
        one = scan_one_by_one(idx, inner, outer)
        slow.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        allrows = scan_vectorised(idx, inner, outer)
        vec.append((time.perf_counter() - t) * 1000)
        got = results[k]
        mine = {
            "cells": {c.code: c.fraction for c in got.outer.cells},
            "components": {i for d in got.components for i in d.ids},
            "cameras": {c.id for c in got.cameras},
        }
        for other in (one, allrows):
            assert set(other["cells"]) == set(mine["cells"]), "cells differ"
            assert all(math.isclose(other["cells"][c], mine["cells"][c], rel_tol=1e-9) for c in mine["cells"])
            assert other["components"] == mine["components"], "components differ"
            assert other["cameras"] == mine["cameras"], "cameras differ"
    print(
        f"baseline: scanning every cell, component and camera one at a time: median {statistics.median(slow):.0f} ms "
        f"({n} sites; {statistics.median(slow) / med:.0f}x the indexed impact)"
    )
    print(
        f"baseline: the same full scan vectorised (no index): median {statistics.median(vec):.1f} ms "
        f"({statistics.median(vec) / med:.1f}x)"
    )
    print(f"answers agree on {n} sites; calibration loop (10M additions) {cal:.2f} s")
    session.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
