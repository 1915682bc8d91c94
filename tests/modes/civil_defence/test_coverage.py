"""Siren coverage against a brute-force shapely computation on the small demo city; incremental
recomputation; suggestions; the status change service."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import select

from data.civil_defence_models import Siren, SirenStatus
from data.errors import InputError, NotFound
from data.models import JournalEvent, Role
from modes.civil_defence.authority import CivilDefenceRefused
from modes.civil_defence.coverage import (
    DEFAULT_RULE,
    CoverageModel,
    RadiusRule,
    set_siren_status,
    suggest_sirens,
)


@pytest.fixture(scope="module")
def city(small_city_rows):
    codes = [c["code"] for c in small_city_rows.cells]
    polys = shapely.from_wkb([c["geometry"] for c in small_city_rows.cells])  # stored as WKB
    pop = np.array([c["pop_night"] for c in small_city_rows.cells], dtype=float)
    return codes, polys, pop


@pytest.fixture(scope="module")
def sirens(city):
    """Eight sirens of mixed reach scattered over the city (fixed seed), so disks overlap and leave gaps."""
    _, polys, _ = city
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = shapely.total_bounds(polys)
    xy = np.column_stack([rng.uniform(minx, maxx, 8), rng.uniform(miny, maxy, 8)])
    radii = rng.uniform(250, 700, 8)
    return [f"T{i}" for i in range(8)], xy, radii


def _brute_force(polys, xy, radii, on) -> np.ndarray:
    """Each cell's area inside the union of circles, computed here the plain way (64-gon circles)."""
    disks = [Point(x, y).buffer(r, quad_segs=16) for (x, y), r, o in zip(xy, radii, on, strict=True) if o]
    if not disks:
        return np.zeros(len(polys))
    union = shapely.union_all(disks)
    return np.array([p.intersection(union).area for p in polys])


def _model(city, sirens, on) -> CoverageModel:
    codes, polys, pop = city
    ids, xy, radii = sirens
    return CoverageModel(codes, polys, pop, ids, xy, radii, on)


def test_coverage_equals_brute_force(city, sirens):
    _, polys, pop = city
    _, xy, radii = sirens
    on = np.ones(8, dtype=bool)
    on[3] = False
    model = _model(city, sirens, on)
    expected = _brute_force(polys, xy, radii, on)
    assert model.covered_area == pytest.approx(expected, rel=1e-9, abs=1e-6)
    # Population proportional to the covered share of each cell.
    share = expected / shapely.area(polys)
    assert model.covered_total() == pytest.approx(float((pop * share).sum()), rel=1e-9)
    report = model.report()
    assert report.population == pytest.approx(pop.sum())
    assert sum(d.covered for d in report.districts) == pytest.approx(report.covered)
    assert sum(d.sirens_in_service + d.sirens_out for d in report.districts) <= 8
    # Uncovered cells are exactly those with people outside every disk, worst first.
    gaps = pop - pop * share
    assert {c.cell for c in report.uncovered_cells} == {city[0][i] for i in np.flatnonzero(gaps >= 0.5)}
    assert [c.uncovered for c in report.uncovered_cells] == sorted(
        (c.uncovered for c in report.uncovered_cells), reverse=True
    )


def test_status_changes_recompute_only_what_they_touch(city, sirens):
    _, polys, _ = city
    ids, xy, radii = sirens
    on = np.ones(8, dtype=bool)
    model = _model(city, sirens, on)
    before = model.covered_area.copy()
    changed = model.set_in_service("T2", False)
    on[2] = False
    expected = _brute_force(polys, xy, radii, on)
    assert model.covered_area == pytest.approx(expected, rel=1e-9, abs=1e-6)
    # Only cells the disk reaches changed, and every reported cell did change.
    reach = shapely.intersects(polys, Point(*xy[2]).buffer(radii[2], quad_segs=16))
    assert set(changed.tolist()) <= set(np.flatnonzero(reach).tolist())
    assert set(np.flatnonzero(np.abs(before - expected) > 1e-6).tolist()) == set(changed.tolist())
    # Back in service: back to where it was; the full recomputation agrees too.
    model.set_in_service("T2", True)
    assert model.covered_area == pytest.approx(before, rel=1e-9, abs=1e-6)
    model.recompute_all_brute_force()
    assert model.covered_area == pytest.approx(before, rel=1e-9, abs=1e-6)
    assert len(model.set_in_service("T2", True)) == 0  # no change, nothing recomputed
    with pytest.raises(NotFound):
        model.set_in_service("nope", False)


def test_no_sirens_covers_nobody(city):
    codes, polys, pop = city
    model = CoverageModel(codes, polys, pop, [], np.empty((0, 2)), [], [])
    assert model.covered_total() == 0
    assert model.report().uncovered == pytest.approx(pop.sum())


def test_radius_rule():
    assert DEFAULT_RULE.radius("electronic", 1200) == pytest.approx(1000)
    assert DEFAULT_RULE.radius("electro_mechanical", 4000) == pytest.approx(1000)
    # Four times the power: twice the reach (6 dB per doubling of distance).
    assert DEFAULT_RULE.radius("electronic", 4800) == pytest.approx(2000)
    assert DEFAULT_RULE.radius("electronic", 10) == DEFAULT_RULE.min_m
    assert RadiusRule(reference_m=800).radius("electronic", 1200) == pytest.approx(800)
    with pytest.raises(InputError):
        DEFAULT_RULE.radius("pneumatic", 1000)
    with pytest.raises(InputError):
        DEFAULT_RULE.radius("electronic", 0)


def test_suggestions_cover_more_people_with_exact_gains(city, sirens):
    model = _model(city, sirens, np.ones(8, dtype=bool))
    before = model.covered_total()
    picks = suggest_sirens(model, 3, power_w=300)  # 500 m reach: the small city has room for three
    assert len(picks) == 3
    assert all(p.gain_people > 0 for p in picks)
    assert picks[0].gain_people >= picks[-1].gain_people
    # The reported gains are exact: adding the sites to the model gives the same total.
    for p in picks:
        model.add_siren(f"new-{p.rank}", p.x, p.y, p.radius_m)
    assert model.covered_total() == pytest.approx(before + sum(p.gain_people for p in picks), rel=1e-9)
    assert picks[-1].covered_after == pytest.approx(model.covered_total(), rel=1e-9)
    # The first pick is as good as the best single candidate site, computed exactly by brute force.
    _, polys, pop = city
    ids, xy, radii = sirens
    base = _brute_force(polys, xy, radii, np.ones(8, dtype=bool))
    areas = shapely.area(polys)
    gap = pop - pop * base / areas
    best = 0.0
    for c in np.argsort(-gap)[:20]:
        site = shapely.point_on_surface(polys[c])
        with_site = _brute_force(
            polys, np.vstack([xy, [[site.x, site.y]]]), np.r_[radii, 500.0], np.ones(9, bool)
        )
        best = max(best, float((pop * (with_site - base) / areas).sum()))
    assert picks[0].gain_people >= 0.97 * best


def test_suggest_needs_a_positive_count(city, sirens):
    with pytest.raises(InputError):
        suggest_sirens(_model(city, sirens, np.ones(8, dtype=bool)), 0)


# --- the service on the database -------------------------------------------------------------------


def test_siren_status_change_is_refused_journaled_and_incremental(small_city, clock):
    model = CoverageModel.load(small_city)
    siren = small_city.scalars(select(Siren).where(Siren.status == SirenStatus.IN_SERVICE.value)).first()
    with pytest.raises(CivilDefenceRefused):
        set_siren_status(small_city, clock, Role.COMMANDER, siren.id, "out_of_service")
    result = set_siren_status(small_city, clock, "civil-defence", siren.id, "out_of_service", model=model)
    assert (result.previous, result.status) == ("in_service", "out_of_service")
    assert result.covered_after < result.covered_before
    assert result.changes.cells and result.changes.journal_seq
    event = small_city.scalars(select(JournalEvent).where(JournalEvent.kind == "siren.status_changed")).one()
    assert event.subject == f"siren/{siren.id}" and event.district_code == siren.district_code
    assert small_city.get(Siren, siren.id).status == "out_of_service"
    # A model loaded afresh from the database agrees with the incrementally updated one.
    fresh = CoverageModel.load(small_city)
    assert fresh.covered_area == pytest.approx(model.covered_area, rel=1e-9, abs=1e-6)
    # Same status again: nothing happens.
    assert (
        set_siren_status(small_city, clock, "civil_defence", siren.id, "out_of_service").changes.journal_seq
        == 0
    )
    with pytest.raises(InputError, match="unknown siren status"):
        set_siren_status(small_city, clock, "civil_defence", siren.id, "broken")
    with pytest.raises(NotFound):
        set_siren_status(small_city, clock, "civil_defence", "no-such-siren", "in_service")


def test_demo_city_coverage_report(small_city):
    report = CoverageModel.load(small_city).report()
    assert report.sirens_total >= 3
    assert report.sirens_in_service < report.sirens_total  # the demo has sirens out of service
    assert 0 < report.covered < report.population  # and a gap
    assert report.uncovered_cells
