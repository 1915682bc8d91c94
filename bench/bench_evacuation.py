"""Evacuation into shelters at Harbin scale: the optimal plan (HiGHS) vs the nearest-shelter greedy.

    python bench/bench_evacuation.py [--db URL] [--runs 3]

Without --db it writes the Harbin-scale demo city (7,030 cells; components and cameras left out, they
play no part) and the demo civil-defence set (about 400 works, 330 of them personnel shelters) into a
temporary SQLite file first; a --db city without shelters gets the demo set added. The figure is the
optimal plan (building the sparse LP and solving it), the median of --runs; the baseline, from the
same run on the same problem, is the greedy that fills the shortest walks first. Beside the times it
prints what the greedy costs: people left without a place and extra person-metres. Then it closes the
busiest shelter and times the re-plan.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from scipy.optimize import linprog  # noqa: E402
from scipy.sparse import coo_matrix, vstack  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from data.civil_defence_demo import add_demo  # noqa: E402
from data.civil_defence_models import Shelter  # noqa: E402
from data.db import open_database, session_factory  # noqa: E402
from data.demo_city import generate_city, write_city  # noqa: E402
from modes.civil_defence.evacuation import (  # noqa: E402
    REPLAN_KEEP_BONUS_M,
    EvacuationConfig,
    greedy_plan,
    load_problem,
    optimal_plan,
    replan,
)

LIMIT_S = 10.0


def prepare(url: str | None, folder: str) -> str:
    if url is None:
        url = f"sqlite:///{folder}/harbin.db"
        print("writing the Harbin-scale demo city into a temporary SQLite file ...", flush=True)
        city = dataclasses.replace(generate_city("harbin", 1), components=[], cameras=[])
        engine = open_database(url)
        with session_factory(engine)() as s, s.begin():
            write_city(s, city)
        engine.dispose()
    engine = open_database(url)
    with session_factory(engine)() as s, s.begin():
        if not s.scalar(select(func.count()).select_from(Shelter)):
            print("adding the demo civil-defence set ...", flush=True)
            add_demo(s, seed=1)
    engine.dispose()
    return url


def fewest_metres_for(problem, persons: int) -> float:
    """The least person-metres that place exactly ``persons`` people: what the greedy's head count
    could have cost (the greedy places fewer people than the optimum, so raw totals flatter it)."""
    n_pairs = len(problem.pair_cell)
    cols = np.arange(n_pairs)
    rows = vstack(
        [
            coo_matrix((np.ones(n_pairs), (problem.pair_cell, cols)), shape=(problem.n_cells, n_pairs)),
            coo_matrix((np.ones(n_pairs), (problem.pair_shelter, cols)), shape=(problem.n_shelters, n_pairs)),
        ]
    ).tocsr()
    res = linprog(
        problem.pair_walk_m,
        A_ub=rows,
        b_ub=np.r_[problem.supply, problem.capacity].astype(float),
        A_eq=np.ones((1, n_pairs)),
        b_eq=[float(persons)],
        bounds=(0, None),
        method="highs-ds",
    )
    assert res.status == 0, res.message
    return float(res.fun)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(args.db, folder)
        engine = open_database(url)
        with session_factory(engine)() as s:
            started = time.perf_counter()
            problem = load_problem(s, EvacuationConfig())
            load_s = time.perf_counter() - started
        engine.dispose()

    times, plan = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        plan = optimal_plan(problem)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    greedy = greedy_plan(problem)
    greedy_s = time.perf_counter() - started
    opt_s = statistics.median(times)

    c = problem.config
    print(
        f"city: {problem.n_cells} cells, {problem.n_shelters} open personnel shelters, "
        f"{len(problem.pair_cell)} walkable pairs (<= {c.max_walk_m:.0f} m walk, detour x{c.detour_factor})"
    )
    print(f"staying population {int(problem.supply.sum())}, places {int(problem.capacity.sum())}; "
          f"problem loaded from the database in {load_s:.2f} s")  # fmt: skip
    print(f"{'optimal plan (HiGHS, median of ' + str(args.runs) + ')':<44} {opt_s:8.2f} s   status {plan.status}: "
          f"{plan.message}")  # fmt: skip
    print(f"{'baseline: nearest-shelter greedy':<44} {greedy_s:8.2f} s")
    print(f"{'':<44} {'optimal':>14} {'greedy':>14} {'greedy - optimal':>18}")
    for label, a, b in (
        ("assigned", plan.assigned, greedy.assigned),
        ("unplaced", plan.unplaced, greedy.unplaced),
        ("person-metres", plan.person_metres, greedy.person_metres),
    ):
        print(f"{label:<44} {a:14.0f} {b:14.0f} {b - a:18.0f}")
    # Per placed person, so the comparison is not flattered by the greedy placing fewer people.
    per_opt, per_greedy = plan.person_metres / plan.assigned, greedy.person_metres / greedy.assigned
    print(
        f"{'mean walk of the placed (m)':<44} {per_opt:14.1f} {per_greedy:14.1f} {per_greedy - per_opt:18.1f}"
    )
    same = fewest_metres_for(problem, greedy.assigned)
    print(
        f"for the greedy's {greedy.assigned} placed people the optimum needs {same:.0f} person-metres: the greedy "
        f"walks them {greedy.person_metres - same:.0f} person-metres ({greedy.person_metres / same - 1:.1%}) further"
    )
    verdict = "within" if opt_s <= LIMIT_S else "OVER"
    print(f"{verdict} the {LIMIT_S:.0f} s limit for the optimal plan at Harbin scale")

    busiest = problem.shelter_ids[int(plan.load.argmax())]
    started = time.perf_counter()
    result = replan(plan, busiest, keep_bonus_m=REPLAN_KEEP_BONUS_M)
    replan_s = time.perf_counter() - started
    print(
        f"closing {busiest} (load {result.displaced}): re-planned in {replan_s:.2f} s, {result.moved} people "
        f"change shelter, {result.newly_unplaced} more unplaced (keep bonus {REPLAN_KEEP_BONUS_M:.0f} m)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
