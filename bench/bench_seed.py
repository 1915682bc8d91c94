"""Seeding the Harbin-scale demo city into a fresh SQLite file: bulk inserts vs per-row ORM objects.

    python bench/bench_seed.py [--scale harbin|small] [--seed 1]

The figure is ``seed_city`` as the console and ``main.py seed`` run it: generate the city, write
everything with bulk INSERTs, commit. The baseline, timed in the same run on another fresh file, is
the same generation and the same writes, except that the components (the bulk of the rows) are added
as one ORM object each (``session.add_all``) and flushed by the unit of work, the way a first version
written with the ORM's everyday idiom would do it. Both figures include generation and the commit.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.city import stats  # noqa: E402
from data.db import open_database, session_factory  # noqa: E402
from data.demo_city import generate_city, seed_city, write_city  # noqa: E402
from data.models import Component  # noqa: E402

LIMIT_S = 60.0  # Harbin scale must seed within a minute on SQLite on this machine


def _fresh_session_factory(folder: str, name: str):
    engine = open_database(f"sqlite:///{folder}/{name}.db")
    return engine, session_factory(engine)


def time_bulk(folder: str, scale: str, seed: int) -> tuple[float, dict]:
    engine, make_session = _fresh_session_factory(folder, "bulk")
    started = time.perf_counter()
    with make_session() as s, s.begin():
        summary = seed_city(s, scale=scale, seed=seed)
    elapsed = time.perf_counter() - started
    with make_session() as s:
        counts = stats(s)
    engine.dispose()
    return elapsed, {**summary, "stored_components": counts["components"]}


def time_orm_objects(folder: str, scale: str, seed: int) -> tuple[float, int]:
    engine, make_session = _fresh_session_factory(folder, "orm")
    started = time.perf_counter()
    city = generate_city(scale, seed)
    with make_session() as s, s.begin():
        write_city(s, dataclasses.replace(city, components=[]))
        s.add_all(Component(**row) for row in city.components)
    elapsed = time.perf_counter() - started
    with make_session() as s:
        stored = stats(s)["components"]
    engine.dispose()
    return elapsed, stored


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="harbin", choices=["harbin", "small"])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        print(f"seeding the {args.scale} city (seed {args.seed}) into fresh SQLite files ...", flush=True)
        generate_city("small", args.seed)  # warm imports and caches so neither run pays for them
        bulk_s, summary = time_bulk(folder, args.scale, args.seed)
        orm_s, orm_stored = time_orm_objects(folder, args.scale, args.seed)

    n = summary["components"]
    assert summary["stored_components"] == orm_stored == n, "both runs must store the same components"
    print(
        f"city: {summary['cells']} cells, {summary['supervisors']} supervisors, {summary['cameras']} cameras, "
        f"{n} components, {summary['area_km2']} km2"
    )
    print(f"{'seed_city (bulk INSERT)':<40} {bulk_s:8.2f} s")
    print(f"{'baseline (one ORM object per component)':<40} {orm_s:8.2f} s")
    print(f"{'speed-up':<40} {orm_s / bulk_s:8.2f} x")
    if args.scale == "harbin":
        verdict = "within" if bulk_s <= LIMIT_S else "OVER"
        print(f"{verdict} the {LIMIT_S:.0f} s limit for Harbin scale on SQLite")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
