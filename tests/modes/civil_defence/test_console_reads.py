"""What the civil-defence page reads (``modes.civil_defence.queries``), against the demo city's rows."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sqlalchemy import select

from data.civil_defence_models import PERSONNEL_CLASSES, Shelter, Siren, SirenStatus
from data.models import District
from modes.civil_defence import coverage, evacuation, queries


def test_districts_are_listed_by_code_with_their_names(small_city):
    rows = small_city.execute(select(District.code, District.name).order_by(District.code)).all()
    assert [(d.code, d.name) for d in queries.districts(small_city)] == [(c, n or "") for c, n in rows]


def test_the_siren_set_holds_every_siren_with_its_radius_and_status(small_city):
    rows = small_city.scalars(select(Siren).order_by(Siren.id)).all()
    sirens = queries.sirens(small_city)
    assert list(sirens.ids) == [r.id for r in rows] and len(rows) >= 3
    assert [queries.SIREN_STATUSES[i] for i in sirens.status_idx] == [r.status for r in rows]
    assert sirens.radius_m.tolist() == [coverage.siren_radius(r) for r in rows]
    assert (sirens.x.tolist(), sirens.y.tolist()) == ([r.x for r in rows], [r.y for r in rows])
    out = sum(r.status != SirenStatus.IN_SERVICE.value for r in rows)
    assert sirens.out_of_service == out > 0  # the demo has sirens out of service
    rows[0].status = (
        SirenStatus.OUT_OF_SERVICE.value if rows[0].status == SirenStatus.IN_SERVICE.value else "in_service"
    )
    small_city.flush()
    after = queries.sirens(small_city).out_of_service
    assert after == out + (1 if rows[0].status == SirenStatus.OUT_OF_SERVICE.value else -1)


def test_the_coverage_view_draws_the_in_service_disks_and_lists_the_gaps(small_city):
    model = coverage.CoverageModel.load(small_city)
    view = queries.coverage_view(model, queries.sirens(small_city))
    assert view.report == model.report()
    live = model.disks[model.in_service]
    assert view.covered_area.area == pytest.approx(shapely.union_all(live).area)
    assert list(view.uncovered_codes) == [c.cell for c in view.report.uncovered_cells]
    nobody = coverage.CoverageModel(
        model.codes, model.polygons, model.population, [], np.empty((0, 2)), [], []
    )
    assert queries.coverage_view(nobody, view.sirens).covered_area.is_empty


def test_the_shelters_are_the_personnel_shelters_the_plan_fills(small_city):
    classes = {c.value for c in PERSONNEL_CLASSES}
    rows = small_city.scalars(select(Shelter).order_by(Shelter.id)).all()
    listed = queries.personnel_shelters(small_city)
    assert [r.id for r in listed] == [r.id for r in rows if r.shelter_class in classes]
    assert len(listed) < len(rows)  # the demo has other shelters too (not for people)
    first = next(r for r in rows if r.id == listed[0].id)
    assert (listed[0].capacity, listed[0].occupancy, listed[0].status) == (
        first.capacity, first.occupancy or 0, first.status,
    )  # fmt: skip


def test_the_summary_strip_adds_up_the_coverage_and_the_plan(small_city):
    view = queries.coverage_view(coverage.CoverageModel.load(small_city), queries.sirens(small_city))
    plan = evacuation.optimal_plan(evacuation.load_problem(small_city))
    strip = queries.summary(view, plan)
    assert (strip.population, strip.covered) == (view.report.population, view.report.covered)
    assert strip.sheltered_capacity == plan.problem.capacity.sum() and strip.unplaced == plan.unplaced
    assert (strip.sirens_out, strip.sirens_total) == (view.sirens.out_of_service, len(view.sirens.ids))
    assert strip.covered_share == pytest.approx(view.report.covered / view.report.population)
