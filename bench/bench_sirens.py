"""Siren coverage at Harbin scale: recomputation after one siren goes out of service, incremental vs full.

    python bench/bench_sirens.py [--db URL] [--sirens 20]

Without --db it writes the Harbin-scale demo city (components and cameras left out) and the demo
civil-defence set into a temporary SQLite file first. The figure is the incremental update
(``CoverageModel.set_in_service``: only the cells the siren's disk reaches are recomputed) plus the
per-district report, for --sirens in-service sirens switched off one at a time (median and worst);
the baseline, in the same run, is the full recomputation (union of every in-service disk, intersected
with every cell) plus the same report. Both must give the same covered population.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_evacuation import prepare  # noqa: E402

from data.db import open_database, session_factory  # noqa: E402
from modes.civil_defence.coverage import CoverageModel  # noqa: E402

LIMIT_S = 0.2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--sirens", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(args.db, folder)
        engine = open_database(url)
        with session_factory(engine)() as s:
            started = time.perf_counter()
            model = CoverageModel.load(s)
            load_s = time.perf_counter() - started
        engine.dispose()

    rng = np.random.default_rng(1)
    live = np.flatnonzero(model.in_service)
    chosen = [model.siren_ids[i] for i in rng.choice(live, size=min(args.sirens, len(live)), replace=False)]
    incremental, touched, worst_error = [], [], 0.0
    full = []
    for sid in chosen:
        started = time.perf_counter()
        changed = model.set_in_service(sid, False)
        covered = model.report().covered
        incremental.append(time.perf_counter() - started)
        touched.append(len(model._siren_cells[model.siren_index(sid)]))
        if len(full) < 3:  # the baseline is slow: three samples give its median
            twin = model.clone()
            started = time.perf_counter()
            twin.recompute_all_brute_force()
            full_covered = twin.report().covered
            full.append(time.perf_counter() - started)
            worst_error = max(worst_error, abs(full_covered - covered))
        model.set_in_service(sid, True)
        assert len(changed) <= touched[-1]

    inc_med, inc_max, full_med = statistics.median(incremental), max(incremental), statistics.median(full)
    print(
        f"city: {len(model.codes)} cells, {len(model.siren_ids)} sirens ({int(model.in_service.sum())} in service), "
        f"{model.population_kind} population {model.population.sum():.0f}; model built in {load_s:.2f} s"
    )
    print(f"{'incremental (one siren out, + report)':<44} {inc_med * 1000:8.1f} ms median, "
          f"{inc_max * 1000:.1f} ms worst of {len(chosen)}; {statistics.median(touched):.0f} cells touched")  # fmt: skip
    print(f"{'baseline: full recomputation (+ report)':<44} {full_med * 1000:8.1f} ms median of {len(full)}")
    print(f"{'speed-up (median)':<44} {full_med / inc_med:8.0f} x")
    print(f"largest difference in covered population between the two: {worst_error:.6f} people")
    verdict = "within" if inc_max <= LIMIT_S else "OVER"
    print(f"{verdict} the {LIMIT_S * 1000:.0f} ms limit for a recomputation at Harbin scale (worst case)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
