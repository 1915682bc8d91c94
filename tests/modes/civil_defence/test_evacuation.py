"""Evacuation plans: feasibility, optimality against a dense reference LP on random instances, closing
shelters, occupancy reports, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pytest
from scipy.optimize import linprog
from sqlalchemy import select

from data.civil_defence_models import Shelter, ShelterClass, ShelterStatus
from data.errors import InputError, NotFound
from data.models import JournalEvent, Role
from modes.civil_defence.authority import CivilDefenceRefused
from modes.civil_defence.evacuation import (
    EvacuationConfig,
    EvacuationProblem,
    close_shelter,
    greedy_plan,
    load_problem,
    optimal_plan,
    replan,
    report_occupancy,
    set_shelter_status,
    write_plan,
)

CONFIG = EvacuationConfig(max_walk_min=15, detour_factor=1.25)  # 900 m of walking, 720 m straight


def _instance(seed: int, n_cells: int = 40, n_shelters: int = 8, tight: float = 0.8):
    """Random cells and shelters in a 3 km square; total capacity ``tight`` x supply."""
    rng = np.random.default_rng(seed)
    cell_xy = rng.uniform(0, 3000, (n_cells, 2))
    supply = rng.integers(0, 400, n_cells)
    entrances = [
        rng.uniform(0, 3000, 2) + rng.uniform(-40, 40, (rng.integers(1, 4), 2)) for _ in range(n_shelters)
    ]
    weights = rng.uniform(0.5, 1.5, n_shelters)
    capacity = np.floor(weights / weights.sum() * supply.sum() * tight).astype(int)
    codes = [f"C{i:03d}" for i in range(n_cells)]
    ids = [f"S{j:02d}" for j in range(n_shelters)]
    return EvacuationProblem.build(codes, cell_xy, supply, ids, entrances, capacity, CONFIG), entrances


def _reference(problem: EvacuationProblem, entrances) -> tuple[float, int, float]:
    """A straightforward dense LP over every (cell, shelter) pair with distances computed here:
    (person-metres, unplaced, most people placeable)."""
    n, m = problem.n_cells, problem.n_shelters
    dist = np.array(
        [[np.hypot(*(e - problem.cell_xy[i]).T).min() for e in entrances] for i in range(n)]
    )  # straight line to the nearest entrance
    walk = dist * CONFIG.detour_factor
    allowed = (dist <= CONFIG.max_straight_m) & (problem.supply[:, None] > 0)
    big = CONFIG.max_walk_m * (m + 1) + 1
    c = np.concatenate([walk.ravel(), np.full(n, big)])
    a_eq = np.zeros((n, n * m + n))
    a_ub = np.zeros((m, n * m + n))
    for i in range(n):
        a_eq[i, i * m : (i + 1) * m] = 1
        a_eq[i, n * m + i] = 1
        for j in range(m):
            a_ub[j, i * m + j] = 1
    bounds = [(0, None if ok else 0) for ok in allowed.ravel()] + [(0, None)] * n
    res = linprog(
        c, A_ub=a_ub, b_ub=problem.capacity, A_eq=a_eq, b_eq=problem.supply, bounds=bounds, method="highs"
    )
    assert res.status == 0
    x = res.x[: n * m]
    # Most people placeable, from a plain max-flow LP: the lexicographic first goal.
    most = linprog(-np.ones(n * m), A_ub=np.vstack([a_ub[:, : n * m], a_eq[:, : n * m]]),
                   b_ub=np.r_[problem.capacity, problem.supply], bounds=bounds[: n * m], method="highs")  # fmt: skip
    return float((x * walk.ravel()).sum()), int(round(res.x[n * m :].sum())), float(-most.fun)


def _check_feasible(plan) -> None:
    p = plan.problem
    assert (plan.flow >= 0).all() and plan.flow.dtype.kind == "i"
    assert (plan.load <= p.capacity).all(), "a shelter over capacity"
    assert (plan.placed_per_cell <= p.supply).all()
    assert (p.pair_walk_m[plan.flow > 0] <= p.config.max_walk_m + 1e-9).all(), "a walk over the limit"
    assert plan.assigned + plan.unplaced == p.supply.sum()


@pytest.mark.parametrize("seed", range(6))
def test_optimal_plan_matches_a_dense_reference_lp(seed):
    problem, entrances = _instance(seed, tight=[0.6, 0.9, 1.3][seed % 3])
    plan = optimal_plan(problem)
    assert plan.status == 0
    _check_feasible(plan)
    cost, unplaced, most = _reference(problem, entrances)
    assert plan.unplaced == unplaced
    assert plan.assigned == pytest.approx(most)  # nobody left out to shorten others' walks
    assert plan.person_metres == pytest.approx(cost, rel=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_greedy_baseline_is_feasible_but_not_better(seed):
    problem, _ = _instance(seed + 10)
    best, greedy = optimal_plan(problem), greedy_plan(problem)
    _check_feasible(greedy)
    assert greedy.unplaced >= best.unplaced
    if greedy.unplaced == best.unplaced:
        assert greedy.person_metres >= best.person_metres - 1e-6


def test_plenty_of_room_places_everyone_at_the_nearest_shelter():
    problem, entrances = _instance(3, tight=50.0)
    plan = optimal_plan(problem)
    reachable = np.zeros(problem.n_cells, dtype=bool)
    reachable[problem.pair_cell] = True
    assert plan.unplaced == problem.supply[~reachable].sum()
    # Nothing binds, so each cell goes whole to its nearest reachable shelter.
    for c in np.flatnonzero(reachable & (problem.supply > 0)):
        pairs = np.flatnonzero(problem.pair_cell == c)
        nearest = pairs[problem.pair_walk_m[pairs].argmin()]
        assert plan.flow[nearest] == problem.supply[c]


@pytest.mark.parametrize("bonus", [0.0, 100.0])
def test_closing_a_shelter_moves_its_people(bonus):
    problem, _ = _instance(4, tight=1.3)
    before = optimal_plan(problem)
    closed = problem.shelter_ids[int(before.load.argmax())]
    result = replan(before, closed, keep_bonus_m=bonus)
    after = result.plan
    _check_feasible(after)
    j = int(np.flatnonzero(problem.shelter_ids == closed)[0])
    assert after.load[j] == 0
    assert result.displaced == before.load[j] > 0
    assert result.moved >= result.displaced
    assert after.assigned >= before.assigned - result.displaced
    assert result.newly_unplaced == after.unplaced - before.unplaced
    assert result.changes.cells
    # Holding people in place never costs a placement.
    assert after.unplaced == optimal_plan(problem.without([closed])).unplaced
    with pytest.raises(NotFound):
        replan(before, "S99")


def test_keep_bonus_moves_fewer_people():
    problem, _ = _instance(5, n_cells=60, n_shelters=10, tight=1.1)
    before = optimal_plan(problem)
    closed = problem.shelter_ids[int(before.load.argmax())]
    plain, steady = replan(before, closed), replan(before, closed, keep_bonus_m=500.0)
    assert steady.moved <= plain.moved
    assert steady.plan.person_metres >= plain.plan.person_metres - 1e-6


def test_config_is_checked():
    with pytest.raises(InputError):
        EvacuationConfig(staying_share=1.5)
    with pytest.raises(InputError):
        EvacuationConfig(detour_factor=0.9)
    with pytest.raises(InputError):
        EvacuationConfig(shelter_classes=("bunker",))
    assert EvacuationConfig().max_walk_m == 1800
    assert EvacuationConfig(detour_factor=1.5).max_straight_m == pytest.approx(1200)


# --- on the small demo city ------------------------------------------------------------------------


def test_city_plan_and_exports(small_city):
    problem = load_problem(small_city)
    plan = optimal_plan(problem)
    assert plan.status == 0
    _check_feasible(plan)
    summary = plan.summary()
    assert (
        summary["solver_status"] == 0
        and summary["assigned"] + summary["unplaced"] == summary["staying_population"]
    )
    assert {s["shelter"] for s in summary["shelter_loads"]} == set(problem.shelter_ids)
    # Only open personnel shelters take people.
    used = small_city.scalars(select(Shelter).where(Shelter.id.in_(problem.shelter_ids.tolist()))).all()
    assert {s.shelter_class for s in used} <= {ShelterClass.PERSONNEL_1.value, ShelterClass.PERSONNEL_2.value}
    assert all(s.status == ShelterStatus.OPEN.value for s in used)
    # The deliberate shortfall shows as a negative places balance in Songbei.
    songbei = next(d for d in summary["districts"] if d["district"] == "230109")
    assert songbei["places_balance"] < 0

    out = io.StringIO()
    write_plan(plan, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert sum(int(r["persons"]) for r in rows if r["shelter"]) == plan.assigned
    assert sum(int(r["persons"]) for r in rows if not r["shelter"]) == plan.unplaced
    out = io.StringIO()
    write_plan(plan, "geojson", out)
    doc = json.loads(out.getvalue())
    flows = [f for f in doc["features"] if f["properties"]["kind"] == "flow"]
    assert sum(f["properties"]["persons"] for f in flows) == plan.assigned
    lon, lat = flows[0]["geometry"]["coordinates"][0]
    assert 126 < lon < 127.5 and 45 < lat < 46.5  # WGS84, at Harbin
    with pytest.raises(InputError):
        write_plan(plan, "xlsx", io.StringIO())


def test_close_shelter_service(small_city, clock):
    plan = optimal_plan(load_problem(small_city))
    target = plan.problem.shelter_ids[int(plan.load.argmax())]
    with pytest.raises(CivilDefenceRefused):
        close_shelter(small_city, clock, Role.DISPATCHER, target)
    result = close_shelter(small_city, clock, "civil-defence", target)
    assert small_city.get(Shelter, target).status == "closed"
    assert result.displaced == plan.load[plan.shelter_of(target)]
    assert target not in set(result.plan.problem.shelter_ids[result.plan.load > 0].tolist())
    assert target not in set(load_problem(small_city).shelter_ids.tolist())
    event = small_city.scalars(
        select(JournalEvent).where(JournalEvent.kind == "shelter.status_changed")
    ).one()
    assert event.payload == {"shelter": target, "from": "open", "to": "closed"}
    with pytest.raises(InputError, match="already closed"):
        close_shelter(small_city, clock, "civil_defence", target)
    set_shelter_status(small_city, clock, "civil_defence", target, "open")
    assert target in set(load_problem(small_city).shelter_ids.tolist())


def test_occupancy_reports(small_city):
    shelter = small_city.scalars(select(Shelter).order_by(Shelter.id)).first()
    t0 = dt.datetime(2026, 3, 2, 9, 5)
    first = report_occupancy(small_city, shelter.id, 120, t0)
    assert first.applied and first.changes.journal_seq and not first.over_capacity
    # A count taken earlier arriving late changes nothing; a later one replaces it.
    stale = report_occupancy(small_city, shelter.id, 80, t0 - dt.timedelta(minutes=1))
    assert not stale.applied and stale.persons == 120
    over = report_occupancy(small_city, shelter.id, shelter.capacity + 5, t0 + dt.timedelta(minutes=1))
    assert over.applied and over.over_capacity
    assert small_city.get(Shelter, shelter.id).occupancy == shelter.capacity + 5
    events = small_city.scalars(select(JournalEvent).where(JournalEvent.kind == "shelter.occupancy")).all()
    assert [e.payload["occupancy"] for e in events] == [120, shelter.capacity + 5]
    with pytest.raises(InputError):
        report_occupancy(small_city, shelter.id, -1, t0)
    with pytest.raises(NotFound):
        report_occupancy(small_city, "nope", 1, t0)
    assert load_problem(small_city).shelter_occupancy.max() == shelter.capacity + 5
