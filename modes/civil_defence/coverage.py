"""Siren coverage: who hears the alarm, who does not, and where new sirens would help most.

A siren is heard inside its audible disk: a circle of its audible radius (measured, else the
``RadiusRule`` by kind and power), drawn as a 64-sided polygon. A cell's covered area is the area of
the cell inside the union of the in-service sirens' disks.

Assumption: people are spread evenly over their cell, so a cell's covered population is its population
times the covered share of its area. Cells are small (about 25,000 m2) beside a disk (about 3 km2), so
the error is confined to the few cells on a disk's rim.

Recomputing after a status change touches only the cells the changed siren's disk reaches: every
(siren, cell) pair that intersects is found once with an STRtree, together with whether the disk
contains the whole cell; a cell that some in-service disk contains is covered without any geometry,
and only cells on the rims of disks are intersected again (bench/bench_sirens.py times it against a
full recomputation).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.city import city_crs
from data.civil_defence_models import Siren, SirenKind, SirenStatus
from data.errors import InputError, NoCity, NotFound
from data.geometry import WGS84, transformer
from data.models import District, GridCell, Role
from modes.civil_defence.authority import Officer, require_civil_defence
from modes.common.changes import Changes
from modes.common.clock import Clock

DISK_QUAD_SEGS = 16  # 64-sided disks: the area is 0.16 % short of the circle's
POPULATIONS = ("night", "day")


@dataclass(frozen=True)
class RadiusRule:
    """Audible radius from kind and power: ``reference_m`` at the kind's reference power, growing with
    the square root of power (spherical spreading: sound level falls 6 dB per doubling of distance and
    rises 3 dB per doubling of power), clamped to ``[min_m, max_m]``.

    The defaults put a typical rooftop siren (1,200 W electronic, 4 kW electro-mechanical) at the
    practitioners' ~1 km (reference/standards.md 4.2; an unofficial rule of thumb, hence configurable).
    """

    reference_w: dict[str, float] = field(
        default_factory=lambda: {
            SirenKind.ELECTRONIC.value: 1200.0,
            SirenKind.ELECTRO_MECHANICAL.value: 4000.0,
        }
    )
    reference_m: float = 1000.0
    exponent: float = 0.5
    min_m: float = 200.0
    max_m: float = 2500.0

    def radius(self, kind: str, power_w: float) -> float:
        ref = self.reference_w.get(kind)
        if ref is None:
            raise InputError(f"unknown siren kind {kind!r} (one of {', '.join(self.reference_w)})")
        if not power_w or power_w <= 0:
            raise InputError(f"siren power must be above 0 W, got {power_w!r}")
        r = self.reference_m * (power_w / ref) ** self.exponent
        return float(min(max(r, self.min_m), self.max_m))


DEFAULT_RULE = RadiusRule()


def audible_disks(xs: Sequence[float], ys: Sequence[float], radii: Sequence[float]) -> np.ndarray:
    """The polygons of audible disks (the same polygons wherever coverage is computed)."""
    return shapely.buffer(
        shapely.points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)),
        np.asarray(radii, dtype=float),
        quad_segs=DISK_QUAD_SEGS,
    )


def brute_force_covered_area(cells: Sequence, disks: Sequence) -> np.ndarray:
    """Each cell's area inside the union of ``disks``: the plain computation (tests, baseline)."""
    cells = np.asarray(cells, dtype=object)
    if len(disks) == 0:
        return np.zeros(len(cells))
    union = shapely.union_all(np.asarray(disks, dtype=object))
    shapely.prepare(union)
    return shapely.area(shapely.intersection(cells, union))


@dataclass(frozen=True)
class DistrictCoverage:
    district: str
    name: str
    population: float
    covered: float
    uncovered: float
    sirens_in_service: int
    sirens_out: int

    def as_dict(self) -> dict:
        return {
            "district": self.district,
            "name": self.name,
            "population": round(self.population),
            "covered": round(self.covered),
            "uncovered": round(self.uncovered),
            "covered_share": round(self.covered / self.population, 4) if self.population else None,
            "sirens_in_service": self.sirens_in_service,
            "sirens_out": self.sirens_out,
        }


@dataclass(frozen=True)
class UncoveredCell:
    cell: str
    district: str
    population: float
    uncovered: float
    covered_share: float

    def as_dict(self) -> dict:
        return {
            "cell": self.cell,
            "district": self.district,
            "population": round(self.population),
            "uncovered": round(self.uncovered, 1),
            "covered_share": round(self.covered_share, 4),
        }


@dataclass(frozen=True)
class CoverageReport:
    population_kind: str
    population: float
    covered: float
    districts: tuple[DistrictCoverage, ...]
    uncovered_cells: tuple[UncoveredCell, ...]
    sirens_in_service: int
    sirens_total: int
    assumption: str = "population spread evenly within each cell: covered = population x covered area share"

    @property
    def uncovered(self) -> float:
        return self.population - self.covered

    def as_dict(self, max_cells: int | None = None) -> dict:
        cells = self.uncovered_cells if max_cells is None else self.uncovered_cells[:max_cells]
        return {
            "population_kind": self.population_kind,
            "population": round(self.population),
            "covered": round(self.covered),
            "uncovered": round(self.uncovered),
            "covered_share": round(self.covered / self.population, 4) if self.population else None,
            "sirens_in_service": self.sirens_in_service,
            "sirens_total": self.sirens_total,
            "districts": [d.as_dict() for d in self.districts],
            "uncovered_cell_count": len(self.uncovered_cells),
            "uncovered_cells": [c.as_dict() for c in cells],
            "assumption": self.assumption,
        }


class CoverageModel:
    """Covered area per cell under the current siren statuses, kept up to date incrementally."""

    def __init__(
        self,
        cell_codes: Sequence[str],
        cell_polygons: Sequence,
        population: Sequence[float],
        siren_ids: Sequence[str],
        siren_xy: np.ndarray,
        radii: Sequence[float],
        in_service: Sequence[bool],
        *,
        population_kind: str = "night",
        district_names: dict[str, str] | None = None,
    ):
        if len(cell_codes) == 0:
            raise NoCity("the city has no grid cells: seed or import a city first")
        self.codes = np.asarray(cell_codes, dtype=object)
        self.polygons = np.asarray(cell_polygons, dtype=object)
        self.areas = shapely.area(self.polygons)
        self.population = np.asarray(population, dtype=float)
        self.population_kind = population_kind
        self.district_of_cell = np.array([c[:6] for c in self.codes], dtype=object)
        self.district_codes = sorted(set(self.district_of_cell.tolist()))
        self._district_index = np.searchsorted(self.district_codes, self.district_of_cell)
        self.district_names = district_names or {}
        shapely.prepare(self.polygons)
        self._cell_tree = shapely.STRtree(self.polygons)

        self.siren_ids: list[str] = []
        self._siren_index: dict[str, int] = {}
        self.siren_xy = np.empty((0, 2))
        self.radii = np.empty(0)
        self.in_service = np.empty(0, dtype=bool)
        self.disks = np.empty(0, dtype=object)
        # For each cell, the sirens whose disk reaches it and whether that disk contains the whole cell.
        self._cell_sirens: list[list[int]] = [[] for _ in range(len(self.codes))]
        self._cell_contained: list[list[bool]] = [[] for _ in range(len(self.codes))]
        self._siren_cells: list[np.ndarray] = []
        self.covered_area = np.zeros(len(self.codes))
        self._siren_district = np.empty(0, dtype=np.int64)
        self._add(siren_ids, np.asarray(siren_xy, dtype=float).reshape(-1, 2), radii, in_service)
        self.recompute(np.arange(len(self.codes)))

    # --- loading -------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, session: Session, *, population: str = "night", rule: RadiusRule = DEFAULT_RULE
    ) -> CoverageModel:
        if population not in POPULATIONS:
            raise InputError(f"population must be one of {', '.join(POPULATIONS)}, not {population!r}")
        pop_col = GridCell.pop_night if population == "night" else GridCell.pop_day
        rows = session.execute(
            select(GridCell.code, GridCell.geometry, pop_col).order_by(GridCell.code)
        ).all()
        sirens = session.scalars(select(Siren).order_by(Siren.id)).all()
        names = dict(session.execute(select(District.code, District.name)).all())
        return cls(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] or 0 for r in rows],
            [s.id for s in sirens],
            np.array([[s.x, s.y] for s in sirens], dtype=float).reshape(-1, 2),
            [siren_radius(s, rule) for s in sirens],
            [s.status == SirenStatus.IN_SERVICE.value for s in sirens],
            population_kind=population,
            district_names=names,
        )

    def _add(
        self, ids: Sequence[str], xy: np.ndarray, radii: Sequence[float], in_service: Sequence[bool]
    ) -> np.ndarray:
        """Register sirens; returns the cells their disks reach (coverage not yet recomputed)."""
        ids = list(ids)
        first = len(self.siren_ids)
        twice = [sid for k, sid in enumerate(ids) if sid in self._siren_index or sid in ids[:k]]
        if twice:
            raise InputError(f"siren {twice[0]!r} is listed twice")
        self._siren_index.update((sid, first + k) for k, sid in enumerate(ids))
        self.siren_ids.extend(ids)
        disks = audible_disks(xy[:, 0], xy[:, 1], radii) if len(ids) else np.empty(0, dtype=object)
        self.siren_xy = np.vstack([self.siren_xy, xy])
        self.radii = np.concatenate([self.radii, np.asarray(radii, dtype=float)])
        self.in_service = np.concatenate([self.in_service, np.asarray(in_service, dtype=bool)])
        self.disks = np.concatenate([self.disks, disks])
        if not len(ids):
            return np.empty(0, dtype=np.int64)
        shapely.prepare(disks)
        pair_siren, pair_cell = self._cell_tree.query(disks, predicate="intersects")
        contained = shapely.contains(disks[pair_siren], self.polygons[pair_cell])
        for s, c, inside in zip(
            (pair_siren + first).tolist(), pair_cell.tolist(), contained.tolist(), strict=True
        ):
            self._cell_sirens[c].append(s)
            self._cell_contained[c].append(inside)
        order = np.argsort(pair_siren, kind="stable")
        bounds = np.searchsorted(pair_siren[order], np.arange(len(ids) + 1))
        self._siren_cells.extend(pair_cell[order][bounds[k] : bounds[k + 1]] for k in range(len(ids)))
        return np.unique(pair_cell)

    # --- computing -----------------------------------------------------------------------------------

    def recompute(self, cells: Iterable[int]) -> np.ndarray:
        """Recompute the covered area of ``cells``; returns those whose coverage changed."""
        changed = []
        for c in np.asarray(list(cells), dtype=np.int64).tolist():
            new = self._cell_area(c)
            if abs(new - self.covered_area[c]) > 1e-6:
                changed.append(c)
            self.covered_area[c] = new
        return np.asarray(changed, dtype=np.int64)

    def _cell_area(self, c: int) -> float:
        partial = []
        for s, inside in zip(self._cell_sirens[c], self._cell_contained[c], strict=True):
            if not self.in_service[s]:
                continue
            if inside:
                return float(self.areas[c])
            partial.append(s)
        if not partial:
            return 0.0
        cover = self.disks[partial[0]] if len(partial) == 1 else shapely.union_all(self.disks[partial])
        return float(shapely.area(shapely.intersection(self.polygons[c], cover)))

    def recompute_all_brute_force(self) -> None:
        """The full recomputation (the benchmark's baseline): union every in-service disk, intersect."""
        self.covered_area = brute_force_covered_area(self.polygons, self.disks[self.in_service])

    def siren_index(self, siren_id: str) -> int:
        try:
            return self._siren_index[siren_id]
        except KeyError:
            raise NotFound(f"no siren {siren_id!r}") from None

    def set_in_service(self, siren_id: str, in_service: bool) -> np.ndarray:
        """Switch one siren on or off; recomputes only the cells its disk reaches. Returns the indices
        of the cells whose coverage changed."""
        i = self.siren_index(siren_id)
        if bool(self.in_service[i]) == in_service:
            return np.empty(0, dtype=np.int64)
        self.in_service[i] = in_service
        return self.recompute(self._siren_cells[i])

    def add_siren(
        self, siren_id: str, x: float, y: float, radius: float, in_service: bool = True
    ) -> np.ndarray:
        reached = self._add([siren_id], np.array([[x, y]], dtype=float), [radius], [in_service])
        return self.recompute(reached)

    def clone(self) -> CoverageModel:
        twin = object.__new__(CoverageModel)
        twin.__dict__.update(self.__dict__)
        twin.siren_ids = list(self.siren_ids)
        twin._siren_index = dict(self._siren_index)
        twin.in_service = self.in_service.copy()
        twin._cell_sirens = [list(v) for v in self._cell_sirens]
        twin._cell_contained = [list(v) for v in self._cell_contained]
        twin._siren_cells = list(self._siren_cells)
        twin.covered_area = self.covered_area.copy()
        return twin

    # --- results -------------------------------------------------------------------------------------

    @property
    def covered_share(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(self.areas > 0, self.covered_area / self.areas, 0.0)
        return np.clip(share, 0.0, 1.0)

    @property
    def covered_population(self) -> np.ndarray:
        return self.population * self.covered_share

    def covered_total(self) -> float:
        return float(self.covered_population.sum())

    def report(self, min_uncovered: float = 0.5) -> CoverageReport:
        covered = self.covered_population
        nd = len(self.district_codes)
        pop_d = np.bincount(self._district_index, weights=self.population, minlength=nd)
        cov_d = np.bincount(self._district_index, weights=covered, minlength=nd)
        siren_d = self._siren_districts()
        districts = tuple(
            DistrictCoverage(
                code,
                self.district_names.get(code, ""),
                float(pop_d[k]),
                float(cov_d[k]),
                float(pop_d[k] - cov_d[k]),
                int(((siren_d == k) & self.in_service).sum()),
                int(((siren_d == k) & ~self.in_service).sum()),
            )
            for k, code in enumerate(self.district_codes)
        )
        gap = self.population - covered
        share = self.covered_share
        order = np.argsort(-gap, kind="stable")
        cells = tuple(
            UncoveredCell(
                self.codes[c],
                self.district_of_cell[c],
                float(self.population[c]),
                float(gap[c]),
                float(share[c]),
            )
            for c in order.tolist()
            if gap[c] >= min_uncovered
        )
        return CoverageReport(
            self.population_kind,
            float(self.population.sum()),
            float(covered.sum()),
            districts,
            cells,
            int(self.in_service.sum()),
            len(self.siren_ids),
        )

    def _siren_districts(self) -> np.ndarray:
        """Index (into ``district_codes``) of the district each siren stands in, -1 outside every cell."""
        known = len(self._siren_district)
        if known < len(self.siren_ids):  # sirens do not move: locate only the ones added since
            xy = self.siren_xy[known:]
            p, c = self._cell_tree.query(shapely.points(xy[:, 0], xy[:, 1]), predicate="intersects")
            found = np.full(len(xy), -1, dtype=np.int64)
            found[p[::-1]] = self._district_index[c[::-1]]
            self._siren_district = np.concatenate([self._siren_district, found])
        return self._siren_district


def siren_radius(siren: Siren, rule: RadiusRule = DEFAULT_RULE) -> float:
    if siren.audible_radius_m:
        return float(siren.audible_radius_m)
    return rule.radius(siren.kind, siren.power_w)


# --- suggestions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SirenSuggestion:
    rank: int
    x: float
    y: float
    lon: float
    lat: float
    cell: str
    district: str
    radius_m: float
    gain_people: float  # exact: covered population with this pick minus without it (after earlier picks)
    covered_after: float

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "cell": self.cell,
            "district": self.district,
            "radius_m": round(self.radius_m, 1),
            "gain_people": round(self.gain_people),
            "covered_after": round(self.covered_after),
        }


def _population_points(model: CoverageModel, target_points: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    """A lattice of points over the populated cells, each carrying an equal share of its cell's people
    (so the points of a cell sum to its population); a cell the lattice misses gets one point."""
    populated = np.flatnonzero(model.population > 0)
    polys = model.polygons[populated]
    minx, miny, maxx, maxy = shapely.total_bounds(polys)
    spacing = float(np.clip(np.sqrt(model.areas[populated].sum() / target_points), 5.0, 50.0))
    gx, gy = np.meshgrid(
        np.arange(minx + spacing / 2, maxx, spacing), np.arange(miny + spacing / 2, maxy, spacing)
    )
    gx, gy = gx.ravel(), gy.ravel()
    pt, cell = shapely.STRtree(polys).query(shapely.points(gx, gy), predicate="intersects")
    pt, first = np.unique(pt, return_index=True)  # a point on a shared edge goes to one cell
    cell = cell[first]
    xy = np.column_stack([gx[pt], gy[pt]])
    missed = np.setdiff1d(np.arange(len(populated)), cell)
    if len(missed):
        extra = shapely.get_coordinates(shapely.point_on_surface(polys[missed]))
        xy = np.vstack([xy, extra])
        cell = np.concatenate([cell, missed])
    counts = np.bincount(cell, minlength=len(populated))
    weights = model.population[populated][cell] / counts[cell]
    return xy, weights


def suggest_sirens(
    model: CoverageModel,
    n: int,
    *,
    kind: str = SirenKind.ELECTRONIC.value,
    power_w: float = 1200.0,
    rule: RadiusRule = DEFAULT_RULE,
    crs: str | None = None,
    max_candidates: int = 5000,
) -> list[SirenSuggestion]:
    """``n`` new siren sites chosen greedily for the most people newly covered (maximum coverage).

    Candidates are the points-on-surface of cells with uncovered people. The greedy choice (lazy, as
    in CELF: a candidate's gain only shrinks as others are picked) runs over a lattice of population
    points; each pick's reported gain is then computed exactly on the cells, in pick order.
    """
    if n < 1:
        raise InputError(f"ask for at least one siren, not {n}")
    radius = rule.radius(kind, power_w)
    if not (model.population > 0).any():
        return []
    xy, weights = _population_points(model)
    inside = np.zeros(len(xy), dtype=bool)
    live = model.disks[model.in_service]
    if len(live):
        union = shapely.union_all(live)
        shapely.prepare(union)
        inside = shapely.contains_xy(union, xy[:, 0], xy[:, 1])
    open_xy, open_w = xy[~inside], weights[~inside]
    gap = model.population - model.covered_population
    cand_cells = np.flatnonzero(gap >= 1.0)
    cand_cells = cand_cells[np.argsort(-gap[cand_cells], kind="stable")][:max_candidates]
    if not len(cand_cells) or not len(open_xy):
        return []
    cand_xy = shapely.get_coordinates(shapely.point_on_surface(model.polygons[cand_cells]))
    # imported when used: a command-line call need not pay for scipy
    from scipy.spatial import cKDTree

    reach = cKDTree(open_xy).query_ball_point(cand_xy, radius)
    reach = [np.asarray(r, dtype=np.int64) for r in reach]
    taken = np.zeros(len(open_xy), dtype=bool)
    heap = [(-float(open_w[r].sum()), k, 0) for k, r in enumerate(reach)]
    heapq.heapify(heap)
    picks: list[int] = []
    rounds = 0
    while heap and len(picks) < n:
        neg, k, seen = heapq.heappop(heap)
        if seen == rounds:
            if -neg <= 0:
                break
            picks.append(k)
            taken[reach[k]] = True
            rounds += 1
            continue
        r = reach[k]
        heapq.heappush(heap, (-float(open_w[r][~taken[r]].sum()), k, rounds))

    twin = model.clone()
    before = twin.covered_total()
    to_wgs = transformer(crs, WGS84) if crs else None
    out = []
    for rank, k in enumerate(picks, start=1):
        x, y = (float(v) for v in cand_xy[k])
        twin.add_siren(f"suggested-{rank}", x, y, radius)
        after = twin.covered_total()
        lon, lat = to_wgs.transform(x, y) if to_wgs else (float("nan"), float("nan"))
        code = model.codes[cand_cells[k]]
        out.append(
            SirenSuggestion(rank, x, y, float(lon), float(lat), code, code[:6], radius, after - before, after)
        )
        before = after
    return out


# --- services --------------------------------------------------------------------------------------


def coverage_report(
    session: Session, *, population: str = "night", rule: RadiusRule = DEFAULT_RULE
) -> CoverageReport:
    return CoverageModel.load(session, population=population, rule=rule).report()


def suggest_for_city(
    session: Session, n: int, *, population: str = "night", **kw
) -> tuple[CoverageReport, list[SirenSuggestion]]:
    model = CoverageModel.load(session, population=population)
    return model.report(), suggest_sirens(model, n, crs=city_crs(session), **kw)


@dataclass(frozen=True)
class SirenStatusChanged:
    siren_id: str
    previous: str
    status: str
    covered_before: float | None
    covered_after: float | None
    changes: Changes

    def as_dict(self) -> dict:
        return {
            "siren": self.siren_id,
            "previous": self.previous,
            "status": self.status,
            "covered_before": None if self.covered_before is None else round(self.covered_before),
            "covered_after": None if self.covered_after is None else round(self.covered_after),
            "cells_changed": len(self.changes.cells),
            "journal_seq": self.changes.journal_seq,
        }


def set_siren_status(
    session: Session,
    clock: Clock,
    actor_role: str | Role | None,
    siren_id: str,
    status: str | SirenStatus,
    *,
    actor: str | None = None,
    model: CoverageModel | None = None,
) -> SirenStatusChanged:
    """Put a siren in or out of service (or record it damaged); journaled. With ``model``, the coverage
    is updated incrementally and ``changes.cells`` names the cells whose coverage changed."""
    role = require_civil_defence(actor_role, "change a siren's status")
    who = Officer.of(role, actor)
    try:
        new = SirenStatus(str(status).strip().lower().replace("-", "_"))
    except ValueError:
        raise InputError(
            f"unknown siren status {status!r} (one of {', '.join(s.value for s in SirenStatus)})"
        ) from None
    siren = session.get(Siren, siren_id)
    if siren is None:
        raise NotFound(f"no siren {siren_id!r}")
    previous = siren.status
    if previous == new.value:
        return SirenStatusChanged(siren_id, previous, new.value, None, None, Changes())
    now = clock.now()
    siren.status = new.value
    siren.updated_at = now
    seq = journal.append(
        session,
        journal.NewEvent(
            "siren.status_changed",
            who.name,
            now,
            f"siren/{siren_id}",
            {"siren": siren_id, "from": previous, "to": new.value},
            siren.district_code,
        ),
    )
    session.flush()
    before = after = None
    cells: frozenset[str] = frozenset()
    if model is not None:
        before = model.covered_total()
        changed = model.set_in_service(siren_id, new is SirenStatus.IN_SERVICE)
        after = model.covered_total()
        cells = frozenset(model.codes[changed].tolist())
    return SirenStatusChanged(
        siren_id, previous, new.value, before, after, Changes(cells=cells, journal_seq=seq)
    )
