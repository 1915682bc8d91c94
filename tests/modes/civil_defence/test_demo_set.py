"""The demo civil-defence set added to the small demo city: what it promises (places per district with a
deliberate shortfall, sirens with some out of service, receiving areas outside the city, teams)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from sqlalchemy import select

from data.civil_defence_demo import PLACES_RATIO, SHORT_DISTRICTS, STAYING_SHARE, add_demo
from data.civil_defence_models import (
    PERSONNEL_CLASSES,
    ProfessionalTeam,
    ReceivingArea,
    Shelter,
    Siren,
    SirenStatus,
    TeamKind,
)
from data.errors import InputError, NoCity
from data.models import GridCell, JournalEvent

AT = dt.datetime(2026, 3, 2, 9, 0)


def _rows(session, model) -> list:
    return session.scalars(select(model).order_by(model.id)).all()


def test_places_per_district_with_a_deliberate_shortfall(small_city):
    cells = small_city.execute(select(GridCell.code, GridCell.pop_night)).all()
    staying: dict[str, float] = {}
    for code, pop in cells:
        staying[code[:6]] = staying.get(code[:6], 0) + pop * STAYING_SHARE
    places: dict[str, int] = {}
    personnel = {c.value for c in PERSONNEL_CLASSES}
    for s in _rows(small_city, Shelter):
        if s.shelter_class in personnel:
            places[s.district_code] = places.get(s.district_code, 0) + s.capacity
            assert s.capacity == int(s.usable_area_m2)  # 1 m2 per person
    for d, need in staying.items():
        ratio = places[d] / need
        if d in SHORT_DISTRICTS:
            assert ratio == pytest.approx(SHORT_DISTRICTS[d], abs=0.01)
        else:
            assert PLACES_RATIO[0] - 0.01 <= ratio <= PLACES_RATIO[1] + 0.01
    assert any(places[d] < staying[d] for d in staying)  # at least one district is short


def test_shelters_have_footprints_entrances_and_every_class(small_city):
    shelters = _rows(small_city, Shelter)
    assert len(shelters) >= 20
    assert {s.shelter_class for s in shelters} == {
        "command_post", "medical", "professional_team", "personnel_1", "personnel_2", "support"
    }  # fmt: skip
    for s in shelters:
        doors = shapely.get_parts(s.entrances)
        assert 2 <= len(doors) <= 4
        assert shapely.distance(doors, s.footprint.exterior).max() < 1e-6  # on the outline
        assert s.footprint.area == pytest.approx(s.usable_area_m2 * 1.15, rel=1e-6)
        assert s.footprint.contains(shapely.Point(s.x, s.y))
        assert s.cell_code.startswith(s.district_code)


def test_sirens_teams_and_receiving_areas(small_city):
    sirens = _rows(small_city, Siren)
    assert len(sirens) >= 3
    assert any(s.status != SirenStatus.IN_SERVICE.value for s in sirens)
    cells = {c.code: c.geometry for c in _rows_cells(small_city)}
    assert all(cells[s.cell_code].intersects(shapely.Point(s.x, s.y)) for s in sirens)
    teams = _rows(small_city, ProfessionalTeam)
    districts = {s.district_code for s in sirens} | {t.district_code for t in teams}
    for d in districts:
        assert {t.kind for t in teams if t.district_code == d} == {k.value for k in TeamKind}
    city = shapely.union_all(list(cells.values()))
    areas = _rows(small_city, ReceivingArea)
    assert len(areas) == 3
    assert all(not a.geometry.intersects(city) and a.capacity > 0 for a in areas)


def _rows_cells(session):
    return session.scalars(select(GridCell)).all()


def test_demo_is_deterministic_and_added_once(session, small_city_rows):
    from data.demo_city import write_city

    write_city(session, small_city_rows, at=AT)

    def snapshot(summary: dict) -> tuple:
        shelters = [(s.id, s.capacity, round(s.x, 6), round(s.y, 6)) for s in _rows(session, Shelter)]
        return summary, shelters, [(s.id, s.status, s.power_w) for s in _rows(session, Siren)]

    savepoint = session.begin_nested()
    first = snapshot(add_demo(session, seed=3, at=AT))
    savepoint.rollback()
    assert not _rows(session, Shelter)
    second = snapshot(add_demo(session, seed=3, at=AT))
    snapshots = [first, second]
    assert snapshots[0] == snapshots[1]
    assert session.scalars(select(JournalEvent).where(JournalEvent.kind == "civil_defence.demo_added")).one()
    with pytest.raises(InputError, match="already has"):
        add_demo(session, seed=3, at=AT)


def test_demo_needs_a_city(session):
    with pytest.raises(NoCity):
        add_demo(session, seed=1, at=AT)


def test_gap_and_shortfall_constants_name_real_districts():
    # Songbei is in both demo scales, so the small city has its shortfall too.
    assert "230109" in SHORT_DISTRICTS
    assert np.all(np.array(list(SHORT_DISTRICTS.values())) < 1)
