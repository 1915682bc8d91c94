"""Emergency evacuation into shelters (紧急疏散): who goes where when the alarm sounds.

Each cell's staying population (night population x staying share: the rest left earlier for the
receiving areas) walks to personnel shelters within the walking limit (default 30 min at 1 m/s =
1,800 m of walking; walking distance = straight-line distance to the nearest entrance x a detour
factor). No shelter takes more than its capacity. The optimal plan places as many people as possible
and, among such plans, minimises total person-metres: a transportation problem solved as a sparse
linear programme with HiGHS (``scipy.optimize.linprog``). Its constraint matrix is totally unimodular
(a bipartite network), so HiGHS's basic solution is integral; the rounding afterwards only removes
floating-point noise.

Unplaced people cost more per head than any reshuffle of the others can save (``penalty`` is the
longest walk times the number of shelters plus one: an augmenting path crosses each shelter at most
once), so the LP never leaves a person out to shorten others' walks.

``greedy_plan`` is the baseline: (cell, shelter) pairs from the shortest walk up, each filled as far
as supply and capacity allow. ``bench/bench_evacuation.py`` compares the two at Harbin scale.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.city import city_crs
from data.civil_defence_models import PERSONNEL_CLASSES, Shelter, ShelterClass, ShelterStatus
from data.errors import InputError, NoCity, NotFound
from data.geometry import WGS84, transformer
from data.models import District, GridCell, Role
from modes.civil_defence.authority import Officer, require_civil_defence
from modes.common.changes import Changes
from modes.common.clock import Clock

FORMATS = ("json", "csv", "geojson")
# When a shelter closes during an alarm, people already on their way keep their shelter unless moving
# them saves others more than this much walking a person (measured at Harbin scale: half the moves for
# 0.15 % more person-metres than the plain optimum).
REPLAN_KEEP_BONUS_M = 100.0


@dataclass(frozen=True)
class EvacuationConfig:
    staying_share: float = 0.6  # 20-50 % leave in pre-attack evacuation (reference 4.4): 40 % here
    max_walk_min: float = 30.0  # Switzerland's norm: a shelter place within a 30-minute walk
    walk_speed_mps: float = 1.0
    detour_factor: float = 1.3  # streets are longer than the straight line
    shelter_classes: tuple[str, ...] = tuple(c.value for c in PERSONNEL_CLASSES)
    population: str = "night"

    def __post_init__(self):
        if not 0 <= self.staying_share <= 1:
            raise InputError(f"staying share must be within 0..1, not {self.staying_share}")
        if self.max_walk_min <= 0 or self.walk_speed_mps <= 0:
            raise InputError("the walking limit and speed must be above 0")
        if self.detour_factor < 1:
            raise InputError(f"the detour factor must be at least 1, not {self.detour_factor}")
        if self.population not in ("night", "day"):
            raise InputError(f"population must be night or day, not {self.population!r}")
        unknown = set(self.shelter_classes) - {c.value for c in ShelterClass}
        if unknown:
            raise InputError(f"unknown shelter class {', '.join(sorted(unknown))}")

    @property
    def max_walk_m(self) -> float:
        return self.max_walk_min * 60.0 * self.walk_speed_mps

    @property
    def max_straight_m(self) -> float:
        return self.max_walk_m / self.detour_factor

    def as_dict(self) -> dict:
        return {
            "staying_share": self.staying_share,
            "max_walk_min": self.max_walk_min,
            "walk_speed_mps": self.walk_speed_mps,
            "detour_factor": self.detour_factor,
            "max_walk_m": self.max_walk_m,
            "max_straight_m": round(self.max_straight_m, 1),
            "shelter_classes": list(self.shelter_classes),
            "population": self.population,
        }


@dataclass
class EvacuationProblem:
    """Supplies (cells), capacities (shelters) and the walkable pairs with their walking metres."""

    cell_codes: np.ndarray
    cell_xy: np.ndarray
    supply: np.ndarray  # persons per cell (int)
    shelter_ids: np.ndarray
    shelter_xy: np.ndarray
    capacity: np.ndarray  # persons per shelter (int)
    pair_cell: np.ndarray
    pair_shelter: np.ndarray
    pair_walk_m: np.ndarray
    pair_target_xy: np.ndarray  # the entrance each pair's walk ends at
    config: EvacuationConfig = field(default_factory=EvacuationConfig)
    cell_district: np.ndarray | None = None
    shelter_district: np.ndarray | None = None
    shelter_occupancy: np.ndarray | None = None
    district_names: dict[str, str] = field(default_factory=dict)
    crs: str | None = None

    @classmethod
    def build(
        cls,
        cell_codes: Iterable[str],
        cell_xy: np.ndarray,
        supply: Iterable[int],
        shelter_ids: Iterable[str],
        entrances: list[np.ndarray],
        capacity: Iterable[int],
        config: EvacuationConfig,
        **extra,
    ) -> EvacuationProblem:
        """Find the walkable pairs: every (cell, shelter) whose nearest entrance is within the limit.

        ``entrances[j]`` is an (k, 2) array of shelter j's entrance points (at least one).
        """
        cell_xy = np.asarray(cell_xy, dtype=float).reshape(-1, 2)
        supply = np.asarray(list(supply), dtype=np.int64)
        capacity = np.asarray(list(capacity), dtype=np.int64)
        owner = (
            np.concatenate([np.full(len(e), j) for j, e in enumerate(entrances)])
            if entrances
            else np.empty(0, int)
        )
        points = np.vstack(entrances) if entrances else np.empty((0, 2))
        pc = ps = np.empty(0, dtype=np.int64)
        dist = np.empty(0)
        target = np.empty((0, 2))
        if len(points) and len(cell_xy):
            # imported when used: a command-line call need not pay for scipy
            from scipy.spatial import cKDTree

            found = cKDTree(cell_xy).sparse_distance_matrix(
                cKDTree(points), config.max_straight_m, output_type="ndarray"
            )
            ci, ei, d = found["i"].astype(np.int64), found["j"].astype(np.int64), found["v"]
            sj = owner[ei]
            # Keep the nearest entrance of each (cell, shelter) pair.
            order = np.lexsort((d, sj, ci))
            ci, ei, sj, d = ci[order], ei[order], sj[order], d[order]
            first = np.r_[True, (ci[1:] != ci[:-1]) | (sj[1:] != sj[:-1])]
            keep = first & (supply[ci] > 0) & (capacity[sj] > 0)
            pc, ps, dist, target = ci[keep], sj[keep], d[keep] * config.detour_factor, points[ei[keep]]
        shelter_xy = np.array([e.mean(axis=0) for e in entrances]).reshape(-1, 2)
        return cls(
            np.asarray(list(cell_codes), dtype=object),
            cell_xy,
            supply,
            np.asarray(list(shelter_ids), dtype=object),
            extra.pop("shelter_xy", shelter_xy),
            capacity,
            pc,
            ps,
            dist,
            target,
            config,
            **extra,
        )

    @property
    def n_cells(self) -> int:
        return len(self.cell_codes)

    @property
    def n_shelters(self) -> int:
        return len(self.shelter_ids)

    @property
    def penalty(self) -> float:
        """Cost of one unplaced person: more than any augmenting path of walks can cost."""
        return float(self.config.max_walk_m * (self.n_shelters + 1) + 1.0)

    def without(self, shelter_ids: Iterable[str]) -> EvacuationProblem:
        """The same problem with some shelters given no capacity (closed)."""
        gone = set(shelter_ids)
        unknown = gone - set(self.shelter_ids.tolist())
        if unknown:
            raise NotFound(f"no shelter {', '.join(sorted(unknown))} in the plan")
        capacity = np.where(np.isin(self.shelter_ids, list(gone)), 0, self.capacity)
        keep = capacity[self.pair_shelter] > 0
        copy = EvacuationProblem(**{**self.__dict__})
        copy.capacity = capacity
        copy.pair_cell, copy.pair_shelter = self.pair_cell[keep], self.pair_shelter[keep]
        copy.pair_walk_m, copy.pair_target_xy = self.pair_walk_m[keep], self.pair_target_xy[keep]
        return copy


@dataclass
class EvacuationPlan:
    problem: EvacuationProblem
    flow: np.ndarray  # persons per pair of ``problem`` (int)
    method: str
    status: int  # linprog's status: 0 optimal, 1 iteration limit, 2 infeasible, 3 unbounded, 4 numerical
    message: str
    seconds: float

    @property
    def placed_per_cell(self) -> np.ndarray:
        return np.bincount(self.problem.pair_cell, weights=self.flow, minlength=self.problem.n_cells).astype(
            np.int64
        )

    @property
    def unplaced_per_cell(self) -> np.ndarray:
        return self.problem.supply - self.placed_per_cell

    @property
    def load(self) -> np.ndarray:
        p = self.problem
        return np.bincount(p.pair_shelter, weights=self.flow, minlength=p.n_shelters).astype(np.int64)

    @property
    def assigned(self) -> int:
        return int(self.flow.sum())

    @property
    def unplaced(self) -> int:
        return int(self.problem.supply.sum()) - self.assigned

    @property
    def person_metres(self) -> float:
        return float((self.flow * self.problem.pair_walk_m).sum())

    def shelter_of(self, shelter_id: str) -> int:
        hits = np.flatnonzero(self.problem.shelter_ids == shelter_id)
        if not len(hits):
            raise NotFound(f"no shelter {shelter_id!r} in the plan")
        return int(hits[0])

    def flows(self) -> list[tuple[str, str, int, float]]:
        """(cell, shelter, persons, walk metres) of every used pair."""
        p = self.problem
        used = np.flatnonzero(self.flow > 0)
        return [
            (
                p.cell_codes[p.pair_cell[k]],
                p.shelter_ids[p.pair_shelter[k]],
                int(self.flow[k]),
                float(p.pair_walk_m[k]),
            )
            for k in used.tolist()
        ]

    def summary(self, max_cells: int | None = 50) -> dict:
        p = self.problem
        load = self.load
        unplaced = self.unplaced_per_cell
        used = self.flow > 0
        walks = p.pair_walk_m[used]
        weights = self.flow[used]
        cell_d = (
            p.cell_district
            if p.cell_district is not None
            else np.array([c[:6] for c in p.cell_codes], dtype=object)
        )
        shelter_d = (
            p.shelter_district
            if p.shelter_district is not None
            else np.full(p.n_shelters, None, dtype=object)
        )
        districts = []
        for code in sorted({*cell_d.tolist(), *(d for d in shelter_d.tolist() if d)}):
            in_d = cell_d == code
            staying = int(p.supply[in_d].sum())
            places = int(p.capacity[shelter_d == code].sum())
            districts.append(
                {
                    "district": code,
                    "name": p.district_names.get(code, ""),
                    "staying": staying,
                    "assigned": int(self.placed_per_cell[in_d].sum()),
                    "unplaced": int(unplaced[in_d].sum()),
                    "places": places,
                    "places_balance": places - staying,
                    "cells_with_unplaced": int(((unplaced > 0) & in_d).sum()),
                }
            )
        order = np.argsort(-unplaced, kind="stable")
        short = [
            {
                "cell": p.cell_codes[c],
                "district": cell_d[c],
                "staying": int(p.supply[c]),
                "unplaced": int(unplaced[c]),
            }
            for c in order.tolist()
            if unplaced[c] > 0
        ]
        occupancy = (
            p.shelter_occupancy if p.shelter_occupancy is not None else np.zeros(p.n_shelters, dtype=np.int64)
        )
        return {
            "method": self.method,
            "solver_status": self.status,
            "solver_message": self.message,
            "seconds": round(self.seconds, 3),
            "config": p.config.as_dict(),
            "cells": p.n_cells,
            "shelters": p.n_shelters,
            "walkable_pairs": len(p.pair_cell),
            "staying_population": int(p.supply.sum()),
            "capacity": int(p.capacity.sum()),
            "assigned": self.assigned,
            "unplaced": self.unplaced,
            "person_metres": round(self.person_metres, 1),
            "mean_walk_m": round(float(np.average(walks, weights=weights)), 1) if weights.sum() else None,
            "max_walk_m": round(float(walks.max()), 1) if len(walks) else None,
            "districts": districts,
            "unplaced_cell_count": len(short),
            "unplaced_cells": short if max_cells is None else short[:max_cells],
            "shelter_loads": [
                {
                    "shelter": p.shelter_ids[j],
                    "district": shelter_d[j],
                    "capacity": int(p.capacity[j]),
                    "load": int(load[j]),
                    "free": int(p.capacity[j] - load[j]),
                    "occupancy": int(occupancy[j]),
                }
                for j in range(p.n_shelters)
            ],
        }

    # --- export --------------------------------------------------------------------------------------

    def _lonlat(self, xy: np.ndarray) -> np.ndarray:
        if self.problem.crs is None or not len(xy):
            return xy
        lon, lat = transformer(self.problem.crs, WGS84).transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)])

    def write_csv(self, out: TextIO) -> int:
        """One row per (cell, shelter) flow and one per cell with unplaced people (empty shelter)."""
        p = self.problem
        used = np.flatnonzero(self.flow > 0)
        cell_ll = self._lonlat(p.cell_xy)
        target_ll = self._lonlat(p.pair_target_xy[used])
        w = csv.writer(out, lineterminator="\n")
        w.writerow(
            ["cell", "shelter", "persons", "walk_m", "cell_lon", "cell_lat", "entrance_lon", "entrance_lat"]
        )
        for n, k in enumerate(used.tolist()):
            c = p.pair_cell[k]
            w.writerow(
                [p.cell_codes[c], p.shelter_ids[p.pair_shelter[k]], int(self.flow[k]), round(float(p.pair_walk_m[k]), 1),
                 *(round(float(v), 7) for v in cell_ll[c]), *(round(float(v), 7) for v in target_ll[n])]
            )  # fmt: skip
        unplaced = self.unplaced_per_cell
        short = np.flatnonzero(unplaced > 0)
        for c in short.tolist():
            w.writerow(
                [p.cell_codes[c], "", int(unplaced[c]), "", *(round(float(v), 7) for v in cell_ll[c]), "", ""]
            )
        return len(used) + len(short)

    def write_geojson(self, out: TextIO) -> int:
        """RFC 7946 in WGS84: a LineString per flow (cell centroid -> entrance) and a Point per cell with
        unplaced people."""
        p = self.problem
        used = np.flatnonzero(self.flow > 0)
        cell_ll = self._lonlat(p.cell_xy)
        target_ll = self._lonlat(p.pair_target_xy[used])
        features = []
        for n, k in enumerate(used.tolist()):
            c = p.pair_cell[k]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "kind": "flow",
                        "cell": p.cell_codes[c],
                        "shelter": p.shelter_ids[p.pair_shelter[k]],
                        "persons": int(self.flow[k]),
                        "walk_m": round(float(p.pair_walk_m[k]), 1),
                    },
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [cell_ll[c].tolist(), target_ll[n].tolist()],
                    },
                }
            )
        unplaced = self.unplaced_per_cell
        for c in np.flatnonzero(unplaced > 0).tolist():
            features.append(
                {
                    "type": "Feature",
                    "properties": {"kind": "unplaced", "cell": p.cell_codes[c], "persons": int(unplaced[c])},
                    "geometry": {"type": "Point", "coordinates": cell_ll[c].tolist()},
                }
            )
        json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
        out.write("\n")
        return len(features)


# --- solving ---------------------------------------------------------------------------------------


def optimal_plan(
    problem: EvacuationProblem, *, keep: np.ndarray | None = None, keep_bonus_m: float = 0.0
) -> EvacuationPlan:
    """The plan with the fewest unplaced people and, among those, the fewest person-metres (HiGHS).

    ``keep`` (persons per pair, e.g. the plan being revised) with ``keep_bonus_m`` > 0 makes staying
    put worth that many metres a person: a re-plan then moves someone only when it saves others more
    walking than that, so people already on their way are not redirected for a few metres.
    """
    started = time.perf_counter()
    n_pairs, n_cells, n_shelters = len(problem.pair_cell), problem.n_cells, problem.n_shelters
    if n_pairs == 0:
        return EvacuationPlan(problem, np.zeros(0, dtype=np.int64), "highs", 0, "no walkable pairs", 0.0)
    kept = np.empty(0, dtype=np.int64)
    if keep is not None and keep_bonus_m > 0:
        kept = np.flatnonzero(np.asarray(keep) > 0)
    # Variables: one flow per walkable pair, one "kept" flow per pair of ``keep`` (bounded by it), then
    # one "unplaced" slack per cell. Each column has a 1 in its cell's row and its shelter's row.
    n_vars = n_pairs + len(kept) + n_cells
    penalty = problem.penalty + keep_bonus_m * (n_shelters + 1) if len(kept) else problem.penalty
    cost = np.concatenate(
        [problem.pair_walk_m, problem.pair_walk_m[kept] - keep_bonus_m, np.full(n_cells, penalty)]
    )
    # imported when used, as above
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    pair_of = np.concatenate([np.arange(n_pairs), kept])
    flows = np.arange(len(pair_of))
    a_eq = coo_matrix(
        (
            np.ones(n_vars),
            (np.concatenate([problem.pair_cell[pair_of], np.arange(n_cells)]), np.arange(n_vars)),
        ),
        shape=(n_cells, n_vars),
    ).tocsr()
    a_ub = coo_matrix(
        (np.ones(len(flows)), (problem.pair_shelter[pair_of], flows)), shape=(n_shelters, n_vars)
    ).tocsr()
    upper = np.full(n_vars, np.inf)
    if len(kept):
        upper[n_pairs : n_pairs + len(kept)] = np.asarray(keep, dtype=float)[kept]
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=problem.capacity.astype(float),
        A_eq=a_eq,
        b_eq=problem.supply.astype(float),
        bounds=np.column_stack([np.zeros(n_vars), upper]),
        method="highs-ds",
    )
    seconds = time.perf_counter() - started
    if res.x is None:
        flow = np.zeros(n_pairs, dtype=np.int64)
    else:
        x = res.x[:n_pairs].copy()
        np.add.at(x, kept, res.x[n_pairs : n_pairs + len(kept)])
        flow = _integral(problem, x)
    return EvacuationPlan(problem, flow, "highs", int(res.status), str(res.message), seconds)


def _integral(problem: EvacuationProblem, x: np.ndarray) -> np.ndarray:
    """Round a (numerically) integral flow, then take back any person the rounding added beyond a
    supply or a capacity, from the longest walks first."""
    flow = np.maximum(np.rint(x), 0).astype(np.int64)
    for owner, limit in ((problem.pair_cell, problem.supply), (problem.pair_shelter, problem.capacity)):
        excess = np.bincount(owner, weights=flow, minlength=len(limit)).astype(np.int64) - limit
        for o in np.flatnonzero(excess > 0).tolist():
            ks = np.flatnonzero((owner == o) & (flow > 0))
            for k in ks[np.argsort(-problem.pair_walk_m[ks])].tolist():
                take = min(int(flow[k]), int(excess[o]))
                flow[k] -= take
                excess[o] -= take
                if excess[o] == 0:
                    break
    return flow


def greedy_plan(problem: EvacuationProblem) -> EvacuationPlan:
    """The nearest-shelter baseline: the shortest walks first, each filled as far as it goes."""
    started = time.perf_counter()
    left = problem.supply.copy()
    room = problem.capacity.copy()
    flow = np.zeros(len(problem.pair_cell), dtype=np.int64)
    pc, ps = problem.pair_cell.tolist(), problem.pair_shelter.tolist()
    for k in np.argsort(problem.pair_walk_m, kind="stable").tolist():
        c, s = pc[k], ps[k]
        take = min(left[c], room[s])
        if take > 0:
            flow[k] = take
            left[c] -= take
            room[s] -= take
    return EvacuationPlan(problem, flow, "greedy", 0, "nearest shelter first", time.perf_counter() - started)


# --- from the database -----------------------------------------------------------------------------


def _entrance_points(shelter: Shelter) -> np.ndarray:
    if shelter.entrances is not None and not shelter.entrances.is_empty:
        pts = shapely.get_coordinates(shelter.entrances)
        if len(pts):
            return pts[:, :2]
    return np.array([[shelter.x, shelter.y]])


def load_problem(
    session: Session, config: EvacuationConfig | None = None, *, exclude: Iterable[str] = ()
) -> EvacuationProblem:
    """The city's cells and its open shelters of the configured classes (minus ``exclude``)."""
    config = config or EvacuationConfig()
    pop_col = GridCell.pop_night if config.population == "night" else GridCell.pop_day
    rows = session.execute(select(GridCell.code, GridCell.geometry, pop_col).order_by(GridCell.code)).all()
    if not rows:
        raise NoCity("the city has no grid cells: seed or import a city first")
    skip = set(exclude)
    shelters = [
        s
        for s in session.scalars(
            select(Shelter)
            .where(
                Shelter.status == ShelterStatus.OPEN.value, Shelter.shelter_class.in_(config.shelter_classes)
            )
            .order_by(Shelter.id)
        )
        if s.id not in skip
    ]
    staying = np.floor(np.array([r[2] or 0 for r in rows], dtype=float) * config.staying_share + 0.5).astype(
        np.int64
    )
    cells = np.asarray([r[1] for r in rows], dtype=object)
    codes = [r[0] for r in rows]
    return EvacuationProblem.build(
        codes,
        shapely.get_coordinates(shapely.centroid(cells)),
        staying,
        [s.id for s in shelters],
        [_entrance_points(s) for s in shelters],
        [s.capacity for s in shelters],
        config,
        shelter_xy=np.array([[s.x, s.y] for s in shelters], dtype=float).reshape(-1, 2),
        cell_district=np.array([c[:6] for c in codes], dtype=object),
        shelter_district=np.array(
            [s.district_code or (s.cell_code or "")[:6] or None for s in shelters], dtype=object
        ),
        shelter_occupancy=np.array([s.occupancy for s in shelters], dtype=np.int64),
        district_names=dict(session.execute(select(District.code, District.name)).all()),
        crs=city_crs(session),
    )


def plan_for_city(session: Session, config: EvacuationConfig | None = None) -> EvacuationPlan:
    return optimal_plan(load_problem(session, config))


# --- closing shelters and re-planning --------------------------------------------------------------


@dataclass(frozen=True)
class Replan:
    """What closing a shelter did to the plan."""

    closed: str
    displaced: int  # people the old plan sent to the closed shelter
    moved: int  # people whose shelter changed (including those now unplaced)
    newly_unplaced: int
    plan: EvacuationPlan
    changes: Changes

    def as_dict(self) -> dict:
        s = self.plan.summary(max_cells=20)
        return {
            "closed": self.closed,
            "displaced": self.displaced,
            "rehoused": self.displaced - max(self.newly_unplaced, 0),
            "moved": self.moved,
            "newly_unplaced": self.newly_unplaced,
            "cells_changed": len(self.changes.cells),
            "plan": {k: s[k] for k in ("solver_status", "assigned", "unplaced", "person_metres", "seconds")},
        }


def replan(previous: EvacuationPlan, closed_shelter: str, *, keep_bonus_m: float = 0.0) -> Replan:
    """Re-plan without ``closed_shelter``: its people (and whoever must make room for them) move.

    ``keep_bonus_m`` > 0 holds everyone else where they were unless moving them saves more than that
    many metres of walking a person (see ``optimal_plan``); 0 gives the plain optimum.
    """
    j = previous.shelter_of(closed_shelter)
    problem = previous.problem.without([closed_shelter])
    still_open = previous.problem.pair_shelter != j
    plan = optimal_plan(problem, keep=previous.flow[still_open], keep_bonus_m=keep_bonus_m)
    old = _pair_flows(previous)
    new = _pair_flows(plan)
    moved = sum(max(v - new.get(k, 0), 0) for k, v in old.items())
    changed = {c for c, _ in (set(old.items()) ^ set(new.items()))}
    codes = previous.problem.cell_codes
    return Replan(
        closed_shelter,
        int(previous.load[j]),
        int(moved),
        plan.unplaced - previous.unplaced,
        plan,
        Changes(cells=frozenset(codes[c] for c, _ in changed)),
    )


def _pair_flows(plan: EvacuationPlan) -> dict[tuple[int, int], int]:
    p = plan.problem
    used = np.flatnonzero(plan.flow > 0)
    return {(int(p.pair_cell[k]), int(p.pair_shelter[k])): int(plan.flow[k]) for k in used.tolist()}


def set_shelter_status(
    session: Session,
    clock: Clock,
    actor_role: str | Role | None,
    shelter_id: str,
    status: str | ShelterStatus,
    *,
    actor: str | None = None,
) -> Changes:
    """Open, close or mark damaged a shelter (only the civil-defence office may); journaled."""
    role = require_civil_defence(actor_role, "open or close a shelter")
    who = Officer.of(role, actor)
    try:
        new = ShelterStatus(str(status).strip().lower())
    except ValueError:
        raise InputError(
            f"unknown shelter status {status!r} (one of {', '.join(s.value for s in ShelterStatus)})"
        ) from None
    shelter = session.get(Shelter, shelter_id)
    if shelter is None:
        raise NotFound(f"no shelter {shelter_id!r}")
    if shelter.status == new.value:
        return Changes()
    now = clock.now()
    previous, shelter.status, shelter.updated_at = shelter.status, new.value, now
    seq = journal.append(
        session,
        journal.NewEvent(
            "shelter.status_changed",
            who.name,
            now,
            f"shelter/{shelter_id}",
            {"shelter": shelter_id, "from": previous, "to": new.value},
            shelter.district_code,
        ),
    )
    session.flush()
    return Changes(journal_seq=seq)


def close_shelter(
    session: Session,
    clock: Clock,
    actor_role: str | Role | None,
    shelter_id: str,
    *,
    config: EvacuationConfig | None = None,
    actor: str | None = None,
    keep_bonus_m: float = REPLAN_KEEP_BONUS_M,
) -> Replan:
    """Close a shelter and re-plan: the plan before (with it open) against the plan after."""
    shelter = session.get(Shelter, shelter_id)
    if shelter is None:
        raise NotFound(f"no shelter {shelter_id!r}")
    require_civil_defence(actor_role, "open or close a shelter")
    config = config or EvacuationConfig()
    if shelter.status != ShelterStatus.OPEN.value:
        raise InputError(f"shelter {shelter_id} is already {shelter.status}")
    before = optimal_plan(load_problem(session, config))
    changes = set_shelter_status(session, clock, actor_role, shelter_id, ShelterStatus.CLOSED, actor=actor)
    return replan_closed(before, shelter_id, changes, keep_bonus_m=keep_bonus_m)


def replan_closed(
    before: EvacuationPlan,
    shelter_id: str,
    changes: Changes,
    *,
    keep_bonus_m: float = REPLAN_KEEP_BONUS_M,
) -> Replan:
    """What closing ``shelter_id`` (recorded as ``changes``) does to the plan ``before`` it closed."""
    if shelter_id not in set(before.problem.shelter_ids.tolist()):
        # Not a shelter the plan uses (another class): closing it moves nobody.
        return Replan(shelter_id, 0, 0, 0, before, changes)
    result = replan(before, shelter_id, keep_bonus_m=keep_bonus_m)
    return dataclasses.replace(result, changes=result.changes | changes)


@dataclass(frozen=True)
class OccupancyReport:
    shelter: str
    persons: int
    capacity: int
    at: dt.datetime
    applied: bool  # False: an older report than the one stored (arrived late), ignored
    over_capacity: bool
    changes: Changes

    def as_dict(self) -> dict:
        return {
            "shelter": self.shelter,
            "occupancy": self.persons,
            "capacity": self.capacity,
            "free": self.capacity - self.persons,
            "at": self.at.isoformat(),
            "applied": self.applied,
            "over_capacity": self.over_capacity,
            "journal_seq": self.changes.journal_seq,
        }

    @classmethod
    def from_dict(cls, d: dict) -> OccupancyReport:
        seq = d.get("journal_seq")
        return cls(
            d["shelter"], int(d["occupancy"]), int(d["capacity"]), dt.datetime.fromisoformat(d["at"]),
            bool(d["applied"]), bool(d["over_capacity"]), Changes(journal_seq=seq) if seq else Changes(),
        )  # fmt: skip


def report_occupancy(
    session: Session, shelter_id: str, persons: int, at: dt.datetime, *, reporter: str = "shelter"
) -> OccupancyReport:
    """A head count from a shelter's warden. Reports older than the stored one are ignored (they may
    arrive late and out of order over the links); a count above capacity is kept and flagged."""
    if persons is None or int(persons) != persons or persons < 0:
        raise InputError(f"occupancy must be a whole number of persons, at least 0, not {persons!r}")
    persons = int(persons)
    shelter = session.get(Shelter, shelter_id)
    if shelter is None:
        raise NotFound(f"no shelter {shelter_id!r}")
    if shelter.occupancy_at is not None and at < shelter.occupancy_at:
        return OccupancyReport(
            shelter_id, shelter.occupancy, shelter.capacity, shelter.occupancy_at, False,
            shelter.occupancy > shelter.capacity, Changes(),
        )  # fmt: skip
    shelter.occupancy, shelter.occupancy_at = persons, at
    over = persons > shelter.capacity
    seq = journal.append(
        session,
        journal.NewEvent(
            "shelter.occupancy",
            reporter,
            at,
            f"shelter/{shelter_id}",
            {
                "shelter": shelter_id,
                "occupancy": persons,
                "capacity": shelter.capacity,
                "over_capacity": over,
            },
            shelter.district_code,
        ),
    )
    session.flush()
    return OccupancyReport(shelter_id, persons, shelter.capacity, at, True, over, Changes(journal_seq=seq))


def list_shelters(session: Session, shelter_class: str | None = None) -> list[dict]:
    stmt = select(Shelter).order_by(Shelter.id)
    if shelter_class:
        stmt = stmt.where(Shelter.shelter_class == shelter_class)
    return [
        {
            "id": s.id,
            "name": s.name,
            "class": s.shelter_class,
            "district": s.district_code,
            "status": s.status,
            "usable_area_m2": s.usable_area_m2,
            "capacity": s.capacity,
            "occupancy": s.occupancy,
            "occupancy_at": s.occupancy_at.isoformat() if s.occupancy_at else None,
        }
        for s in session.scalars(stmt)
    ]


def write_plan(plan: EvacuationPlan, fmt: str, out: TextIO) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown plan format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if fmt == "csv":
        plan.write_csv(out)
    elif fmt == "geojson":
        plan.write_geojson(out)
    else:
        json.dump(plan.summary(), out, ensure_ascii=False, default=str)
        out.write("\n")
