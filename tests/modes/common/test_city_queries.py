"""The console's reads below the screen (Qt-free): details, search, staff, overview, the journal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.city import get_meta
from data.models import Camera, Component, GridCell, Staff, Supervisor
from modes.common import city_queries
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.mode_switch import EVENT_KIND, Mode, switch_mode


def test_search_finds_each_kind(make_session, snapshot):
    with make_session() as s:
        cell, legacy = s.execute(
            select(GridCell.code, GridCell.legacy_code).where(GridCell.legacy_code.is_not(None))
        ).first()
        comp_id, comp_legacy = s.execute(
            select(Component.id, Component.legacy_id).where(Component.legacy_id.is_not(None))
        ).first()
        cam = s.scalar(select(Camera.id))
        sup = s.execute(select(Supervisor.id, Supervisor.code)).first()
        search = city_queries.search
        assert search(s, snapshot, cell).key == cell
        assert search(s, snapshot, legacy).key == cell
        hit = search(s, snapshot, comp_id)
        assert (hit.kind, hit.key) == ("component", comp_id)
        assert search(s, snapshot, comp_legacy).key == comp_id
        assert search(s, snapshot, f"  {cam.lower()} ").key == cam
        assert search(s, snapshot, sup.code).key == str(sup.id)
        district = str(snapshot.districts.codes[0])
        hit = search(s, snapshot, district)
        assert hit.kind == "district" and hit.bounds[0] < hit.x < hit.bounds[2]
        assert search(s, snapshot, snapshot.streets.names[0]).kind == "street"
        assert search(s, snapshot, "no such thing") is None
        assert search(s, snapshot, "999999999999999") is None


def test_details_dtos(make_session, snapshot):
    with make_session() as s:
        code = str(snapshot.cells.codes[5])
        d = city_queries.cell_details(s, code)
        n = s.scalar(select(func.count()).select_from(Component).where(Component.cell_code == code))
        assert d.code == code and d.district.code == code[:6] and d.community.code == code[:12]
        assert d.components_total == n
        comp = s.scalar(select(Component).limit(1))
        cd = city_queries.component_details(s, comp.id)
        assert cd.owner.code == comp.owner_code and cd.owner.name
        cam = s.scalar(select(Camera).limit(1))
        camd = city_queries.camera_details(s, snapshot, cam.id)
        assert camd.stream_url == cam.stream_url and camd.status == cam.status
        assert camd.cells_seen >= 1
        assert city_queries.cell_details(s, "000000000000000") is None
        assert city_queries.component_details(s, "no such component") is None
        assert city_queries.camera_details(s, snapshot, "no such camera") is None


def test_supervisor_details_count_their_cells(make_session, snapshot):
    with make_session() as s:
        sup = s.scalar(select(Supervisor).order_by(Supervisor.id).limit(1))
        n_cells = s.scalar(select(func.count()).select_from(GridCell).where(GridCell.supervisor_id == sup.id))
        d = city_queries.supervisor_details(s, snapshot, sup.id)
        assert (d.id, d.code, d.name, d.cells) == (sup.id, sup.code, sup.name, n_cells)
        assert d.district.code == sup.district_code and d.district.name
        assert d.has_fix == (sup.last_x is not None and sup.last_y is not None)
        i = snapshot.supervisor_index(sup.id)
        (x,), (y,) = snapshot.to_city([snapshot.supervisors.x[i]], [snapshot.supervisors.y[i]])
        assert (d.x, d.y) == (float(x), float(y))  # a reported position, or the centre of their patch
        assert city_queries.supervisor_details(s, snapshot, -1) is None


def test_staff_list_and_overview(make_session, snapshot):
    with make_session() as s:
        staff = city_queries.staff_list(s)
        assert len(staff) == s.scalar(select(func.count()).select_from(Staff))
        assert list(staff) == sorted(staff, key=lambda e: (e.role, e.login))
        overview = city_queries.city_overview(s)
        assert overview.name == get_meta(s, "city_name", "") and overview.crs == snapshot.crs
        assert overview.counts["cells"] == len(snapshot.cells.codes)


def test_journal_entries_and_the_last_mode_switch(session, tiny_city):
    assert city_queries.last_mode_event(session) is None
    clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0))
    commander = Actor.of("commander", "cmdr01", login="cmdr01")
    switch_mode(session, clock, commander, Mode.EMERGENCY, "a flood")
    clock.advance(minutes=5)
    switch_mode(session, clock, commander, Mode.EVERYDAY, "the water went down")
    last = city_queries.last_mode_event(session)
    assert (last.kind, last.actor, last.payload["to"]) == (EVENT_KIND, "cmdr01", "everyday")
    entries = city_queries.journal_entries_after(session, last.seq - 2)
    assert [e.seq for e in entries] == [last.seq - 1, last.seq]
    assert entries[0].payload["to"] == "emergency" and entries[-1] == last
    assert city_queries.journal_entries_after(session, last.seq) == []
    assert len(city_queries.journal_entries_after(session, 0, limit=1)) == 1
