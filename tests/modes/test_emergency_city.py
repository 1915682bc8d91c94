"""Impact, units, dispatch and the replay on the small demo city with its demo rescue units, on SQLite and PostgreSQL.

The impact is held to a brute-force version written here with plain shapely over every row (its own
wedge construction included), the nearest units to a sort of every unit, and the cameras listed to
the geometry of sight itself: a point of the area lies within the camera's range and field of view.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from types import SimpleNamespace

import numpy as np
import pytest
import shapely
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from data import journal
from data.city import FINISHED_CASE_STATES
from data.db import make_engine, session_factory, upgrade_schema
from data.emergency_demo import UNIT_PLANS, bases_for, seed_emergency
from data.emergency_models import Capability, DispatchTask, Incident, MedicalFacility, RescueUnit
from data.errors import InputError, NotFound
from data.models import Camera, Case, Component, GridCell, JournalEvent
from modes.common.clock import FixedClock
from modes.common.state_table import article
from modes.emergency import dispatch as dsp
from modes.emergency import incidents as inc
from modes.emergency import queries
from modes.emergency.brief import build_briefing, render_html
from modes.emergency.desk import PER_NEED, IncidentDesk
from modes.emergency.impact import ImpactIndex, cordons, incident_impact
from modes.emergency.incidents import Actor, IncidentRefused
from modes.emergency.replay import incident_moments, live_matches
from modes.emergency.resources import UnitIndex
from modes.everyday.case_map import open_cases, open_cases_as_of
from modes.everyday.cases import Actor as CaseActor
from modes.everyday.cases import CaseDesk

NOW = dt.datetime(2026, 3, 2, 10, 0)
COMMANDER = Actor.of("commander", "王指挥")


def _backend_url(request, tmp_path_factory) -> tuple[str, str | None]:
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("em") / "city.db"), None
    from tests.conftest import PG_URL, pg_admin_engine

    admin = pg_admin_engine()
    schema = f"em_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def em_city(request, tmp_path_factory):
    """The small demo city with its demo units and hospitals, committed; indexes loaded once."""
    from data.demo_city import seed_city

    url, schema = _backend_url(request, tmp_path_factory)
    engine = make_engine(url)
    upgrade_schema(engine)
    make_session = session_factory(engine)
    with make_session() as s, s.begin():
        seed_city(s, scale="small", seed=1, at=NOW)
        seed_emergency(s, seed=1, at=NOW)
        try:  # the civil-defence mode's shelters, when that mode is in the tree
            from data.civil_defence_demo import add_demo
        except ImportError:
            pass
        else:
            add_demo(s, seed=1, at=NOW)
    with make_session() as s:
        index = ImpactIndex.load(s)
    yield SimpleNamespace(engine=engine, index=index, backend=request.param)
    engine.dispose()
    if schema:
        from tests.conftest import PG_URL

        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def es(em_city):
    """A session on the city whose writes are rolled back after the test."""
    conn = em_city.engine.connect()
    outer = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


# --- brute force ----------------------------------------------------------------------------------------


def brute_wedge(x, y, heading, fov, reach, steps=16):
    """The same wedge as the index's, built point by point: apex, then the arc from left to right."""
    pts = [(x, y)]
    for k in range(steps):
        a = math.radians(heading - fov / 2 + fov * k / (steps - 1))
        pts.append((x + reach * math.sin(a), y + reach * math.cos(a)))
    pts.append((x, y))
    return shapely.Polygon(pts)


def brute_impact(session, site, inner, outer) -> dict:
    cells = session.execute(
        select(GridCell.code, GridCell.geometry, GridCell.pop_day, GridCell.pop_night)
    ).all()
    zones = {}
    for name, poly in (("inner", inner), ("outer", outer)):
        shares = {}
        for code, g, day, night in cells:
            a = g.intersection(poly).area
            if a > 0:
                shares[code] = (a / g.area, day * a / g.area, night * a / g.area)
        zones[name] = shares
    comps = {}
    for cid, x, y, owner in session.execute(
        select(Component.id, Component.x, Component.y, Component.owner_code)
    ):
        if outer.intersects(shapely.Point(x, y)):
            comps.setdefault(owner, set()).add(cid)
    cams = []
    for c in session.scalars(select(Camera)):
        if brute_wedge(c.x, c.y, c.heading_deg, c.fov_deg, c.range_m).intersects(outer):
            cams.append((site.distance(shapely.Point(c.x, c.y)), c.id))
    cases = set()
    for cid, x, y, state in session.execute(select(Case.id, Case.x, Case.y, Case.state)):
        if state not in FINISHED_CASE_STATES and outer.intersects(shapely.Point(x, y)):
            cases.add(cid)
    return {"zones": zones, "components": comps, "cameras": [c for _, c in sorted(cams)], "cases": cases}


def _sites(em_city, n: int = 6):
    """Sites in the city: in front of cameras, looking at them (so some cameras must be listed), and
    random cell centres."""
    idx = em_city.index
    rng = np.random.default_rng(5)
    out = []
    for k in rng.permutation(len(idx.cam_ids)):
        h = math.radians(idx.cam_heading[k])
        d = idx.cam_range[k] * 0.8
        x, y = idx.cam_x[k] + d * math.sin(h), idx.cam_y[k] + d * math.cos(h)
        if idx.locate(x, y) is not None:  # not on the river
            out.append((float(x), float(y)))
        if len(out) == n // 2:
            break
    for k in rng.choice(len(idx.cell_codes), size=n - len(out), replace=False):
        c = idx.cell_polygons[k].representative_point()
        out.append((c.x, c.y))
    return out


# --- impact ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inner_r", "outer_r"), [(60.0, 200.0), (150.0, 500.0)])
def test_impact_equals_brute_force(em_city, es, clock, inner_r, outer_r):
    desk = CaseDesk(es, clock)
    for k, (x, y) in enumerate(_sites(em_city)):
        # open cases in and out of the cordon, one of them finished (voided) and so left out
        for dx in (10.0, outer_r * 0.7, outer_r * 3):
            try:
                desk.report(
                    CaseActor.of("operator"), x=x + dx, y=y, channel="hotline", type_code="06010", text=f"{k}"
                )
            except InputError:  # outside the city
                pass
        site, inner, outer = cordons(x, y, inner_radius_m=inner_r, outer_radius_m=outer_r)
        view, _ = inc.open_incident(
            es,
            clock,
            COMMANDER,
            em_city.index,
            type_code="fire",
            x=x,
            y=y,
            inner_radius_m=inner_r,
            outer_radius_m=outer_r,
        )
        got = incident_impact(es, em_city.index, es.get(Incident, view.id), at=NOW)
        want = brute_impact(es, site, inner, outer)
        for zone in (got.inner, got.outer):
            expect = want["zones"][zone.name]
            assert {c.code for c in zone.cells} == set(expect)
            for c in zone.cells:
                assert c.fraction == pytest.approx(expect[c.code][0], rel=1e-9, abs=1e-12)
            assert zone.pop_day == pytest.approx(sum(v[1] for v in expect.values()), rel=1e-9)
            assert zone.pop_night == pytest.approx(sum(v[2] for v in expect.values()), rel=1e-9)
            assert {m.code for m in zone.communities} == {c[:12] for c in expect}
        assert {d.department: set(d.ids) for d in got.components} == want["components"]
        assert [c.id for c in got.cameras] == want["cameras"]
        assert {c.id for c in got.open_cases} == want["cases"]
    assert journal.verify(es) > 0


def test_listed_cameras_really_see_the_area(em_city, es):
    idx = em_city.index
    seen = 0
    for x, y in _sites(em_city, 10):
        site, inner, outer = cordons(x, y, inner_radius_m=50, outer_radius_m=150)
        for cam in idx.impact(site, inner, outer).cameras:
            part = brute_wedge(cam.x, cam.y, cam.heading_deg, cam.fov_deg, cam.range_m).intersection(outer)
            p = part.representative_point()
            dx, dy = p.x - cam.x, p.y - cam.y
            bearing = math.degrees(math.atan2(dx, dy)) % 360  # clockwise from north
            off = (bearing - cam.heading_deg + 180) % 360 - 180
            assert math.hypot(dx, dy) <= cam.range_m + 1e-6
            assert abs(off) <= cam.fov_deg / 2 + 1e-6
            assert outer.intersects(p)
            seen += 1
        distances = [c.distance_m for c in idx.impact(site, inner, outer).cameras]
        assert distances == sorted(distances)
    assert seen >= 5  # the sites were chosen in front of cameras


def test_a_wedge_points_clockwise_from_north(em_city):
    from modes.emergency.impact import wedges

    east, south = wedges([0.0, 0.0], [0.0, 0.0], [90.0, 180.0], [60.0, 60.0], [100.0, 100.0])
    assert east.contains(shapely.Point(50, 0)) and not east.contains(shapely.Point(0, 50))
    assert south.contains(shapely.Point(0, -50)) and not south.contains(shapely.Point(50, 0))


def test_hospitals_nearby(em_city, es):
    idx = em_city.index
    h = es.execute(select(MedicalFacility.x, MedicalFacility.y).limit(1)).one()
    site, inner, outer = cordons(h.x + 400, h.y, inner_radius_m=50, outer_radius_m=200)
    impact = idx.impact(site, inner, outer)
    assert impact.hospitals and impact.hospitals[0].distance_m == pytest.approx(400, abs=1e-6)
    assert not impact.hospitals[0].inside_outer
    assert [p.distance_m for p in impact.hospitals] == sorted(p.distance_m for p in impact.hospitals)
    assert all(p.distance_m <= 3000 for p in impact.hospitals)


def test_shelters_nearby_are_the_nearest_open_ones_that_hold_people(em_city, es):
    from data.civil_defence_models import Shelter

    rows = es.execute(select(Shelter.id, Shelter.x, Shelter.y, Shelter.status, Shelter.capacity)).all()
    assert rows, "the demo city brings its shelters"
    for x, y in _sites(em_city):
        site, inner, outer = cordons(x, y, inner_radius_m=100, outer_radius_m=300)
        got = em_city.index.impact(site, inner, outer).shelters
        want = sorted(
            (math.hypot(r.x - x, r.y - y), r.id) for r in rows if r.status == "open" and r.capacity > 0
        )
        want = [w for w in want if w[0] <= 3000][:5]
        assert [p.id for p in got] == [w[1] for w in want]
        assert all(p.inside_outer == outer.intersects(shapely.Point(p.x, p.y)) for p in got)


# --- demo units ---------------------------------------------------------------------------------------


def test_demo_units_cover_every_capability_and_belong_to_owners(em_city, es):
    counts = dict(
        es.execute(select(RescueUnit.capability, func.count()).group_by(RescueUnit.capability)).all()
    )
    assert set(counts) == {c.value for c in Capability}
    area_km2 = float(shapely.area(em_city.index.cell_polygons).sum()) / 1e6
    assert sum(counts.values()) == sum(bases_for(p.bases, area_km2) * p.per_base for p in UNIT_PLANS)
    assert all(u.department_code or u.district_code for u in es.scalars(select(RescueUnit)))
    with pytest.raises(InputError, match="already holds rescue units"):
        seed_emergency(es)


def test_the_harbin_plan_has_about_a_thousand_units():
    total = sum(p.bases * p.per_base for p in UNIT_PLANS)
    assert 950 <= total <= 1050


# --- nearest units ----------------------------------------------------------------------------------------


def brute_nearest(session, x, y, k, capability):
    rows = session.execute(
        select(RescueUnit.id, RescueUnit.x, RescueUnit.y, RescueUnit.capability, RescueUnit.status)
    ).all()
    cands = [
        (math.hypot(r.x - x, r.y - y), r.id)
        for r in rows
        if r.status == "available" and (capability is None or r.capability == capability)
    ]
    return sorted(cands)[:k]


def test_nearest_units_equal_brute_force_ties_included(em_city, es):
    units = UnitIndex.load(es)
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = em_city.index.bounds()
    points = list(zip(rng.uniform(minx, maxx, 25), rng.uniform(miny, maxy, 25), strict=True))
    points += [(float(units.xy[i, 0]), float(units.xy[i, 1])) for i in range(0, len(units), 9)]  # at a base
    for x, y in points:
        for cap in (None, "fire", "medical", "transport", "supplies"):
            for k in (1, 3, 10):
                got = units.nearest(x, y, k, cap)
                want = brute_nearest(es, x, y, k, cap)
                assert [u.unit_id for u in got] == [w[1] for w in want]
                assert [u.distance_m for u in got] == pytest.approx([w[0] for w in want], abs=1e-9)


def test_suggestions_skip_busy_units_and_give_a_straight_line_eta(em_city, es, clock):
    desk = IncidentDesk(es, clock, index=em_city.index)
    x, y = _sites(em_city, 2)[1]
    doc = desk.open(COMMANDER, type_code="0403", x=x, y=y, level="II")
    first = desk.suggest(doc["id"], need="gas_repair", limit=2)["units"]
    assert first[0]["eta_basis"] == "straight_line"
    assert first[0]["eta_minutes"] == pytest.approx(
        first[0]["distance_m"] / 1000 / first[0]["speed_kmh"] * 60, abs=0.06
    )
    desk.dispatch(COMMANDER, doc["id"], first[0]["unit"])
    again = desk.suggest(doc["id"], need="gas_repair", limit=2)["units"]
    assert first[0]["unit"] not in {u["unit"] for u in again}
    by_type = desk.suggest(doc["id"])  # no capability asked: the gas rupture's needs
    assert by_type["needs"] == ["gas_repair", "fire", "police"]
    with pytest.raises(InputError, match="unknown capability 'magic'"):
        desk.suggest(doc["id"], need="magic")


# --- dispatch and tasks --------------------------------------------------------------------------------------


def _incident_and_unit(em_city, es, clock, capability="fire"):
    x, y = _sites(em_city, 2)[1]
    view, _ = inc.open_incident(es, clock, COMMANDER, em_city.index, type_code="fire", x=x, y=y, level="III")
    unit = UnitIndex.load(es).nearest(x, y, 1, capability)[0]
    return view, unit


def test_dispatch_is_for_the_commander_and_assigns_the_units_owner(em_city, es, clock):
    view, unit = _incident_and_unit(em_city, es, clock)
    with pytest.raises(IncidentRefused, match="dispatcher may not dispatch units"):
        dsp.dispatch(es, clock, Actor.of("dispatcher"), view.id, unit.unit_id)
    order, changes = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, instructions="灭火")
    assert order.status == "assigned" and order.assignee_department == "fire"
    assert order.assignee_district == unit.district and order.ordered_at == NOW
    assert order.due_at == NOW + dt.timedelta(minutes=math.ceil(order.eta_minutes) + dsp.DEFAULT_WORK_MINUTES)
    assert es.get(RescueUnit, unit.unit_id).status == "assigned"
    ev = es.scalars(select(JournalEvent).where(JournalEvent.seq == changes.journal_seq)).one()
    assert (
        ev.kind == "incident.dispatched" and ev.district_code == unit.district
    )  # routed to the unit's district
    with pytest.raises(IncidentRefused, match=f"unit {unit.unit_id} is assigned .*task {order.task_id}"):
        dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id)
    with pytest.raises(NotFound, match="no rescue unit 'nope'"):
        dsp.dispatch(es, clock, COMMANDER, view.id, "nope")
    with pytest.raises(IncidentRefused, match=f"still has open tasks \\({order.task_id}\\)"):
        inc.set_status(es, clock, COMMANDER, view.id, "closed", note="false alarm")
    dsp.set_task_status(es, clock, COMMANDER, order.task_id, "cancelled")
    inc.set_status(es, clock, COMMANDER, view.id, "closed", note="false alarm")
    other = UnitIndex.load(es).nearest(view.x, view.y, 1, "police")[0]
    with pytest.raises(IncidentRefused, match="is closed"):
        dsp.dispatch(es, clock, COMMANDER, view.id, other.unit_id)


def test_an_order_id_is_applied_once_and_acknowledged_once(em_city, es, clock):
    view, unit = _incident_and_unit(em_city, es, clock)
    first, c1 = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, order_id="CMD-0001")
    again, c2 = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, order_id="CMD-0001")  # a resend
    assert again == first and c2.journal_seq == 0 and c1.journal_seq > 0
    assert (
        es.scalar(select(func.count()).select_from(DispatchTask).where(DispatchTask.order_id == "CMD-0001"))
        == 1
    )
    other = UnitIndex.load(es).nearest(view.x, view.y, 1, "police")[0]
    with pytest.raises(IncidentRefused, match="already used"):
        dsp.dispatch(es, clock, COMMANDER, view.id, other.unit_id, order_id="CMD-0001")

    at = NOW + dt.timedelta(minutes=2)
    clock.advance(minutes=5)
    acked, a1 = dsp.acknowledge(es, clock, "CMD-0001", at=at)
    clock.advance(minutes=5)
    acked2, a2 = dsp.acknowledge(es, clock, "CMD-0001", at=NOW + dt.timedelta(minutes=9))
    assert acked.acknowledged_at == at == acked2.acknowledged_at
    assert a1.journal_seq > 0 and a2.journal_seq == 0
    kinds = [e.kind for e in inc.timeline(es, view.id)]
    assert kinds.count("incident.dispatched") == 1 and kinds.count("incident.task_acknowledged") == 1
    with pytest.raises(NotFound):
        dsp.acknowledge(es, clock, "NO-SUCH-ORDER")


@pytest.mark.parametrize("step", dsp.TASK_STEPS, ids=lambda s: f"{s.source}-{s.target}")
def test_task_steps_follow_the_table(em_city, es, clock, step):
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id)
    path = {"assigned": [], "en_route": ["en_route"], "on_scene": ["en_route", "on_scene"]}[step.source]
    for status in path:
        dsp.set_task_status(es, clock, COMMANDER, order.task_id, status)
    for role in {"supervisor", "operator", "department", "dispatcher"} - {r.value for r in step.roles}:
        with pytest.raises(
            IncidentRefused, match=f"may not make {article(step.source)} {step.source} task {step.target}"
        ):
            dsp.set_task_status(es, clock, Actor.of(role), order.task_id, step.target)
    clock.advance(minutes=7)
    role = sorted(r.value for r in step.roles)[0]
    after, _ = dsp.set_task_status(es, clock, Actor.of(role), order.task_id, step.target, incident_id=view.id)
    assert after.status == step.target and getattr(after, step.stamp) == clock.now()
    assert after.acknowledged_at is not None or step.target == "cancelled"
    freed = step.target in ("done", "cancelled")
    assert (es.get(RescueUnit, unit.unit_id).status == "available") == freed


def test_illegal_task_orders_and_other_owners_are_refused(em_city, es, clock):
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id)
    with pytest.raises(
        IncidentRefused, match="assigned cannot become on_scene .*possible now: en_route, cancelled"
    ):
        dsp.set_task_status(es, clock, Actor.of("department"), order.task_id, "on_scene")
    with pytest.raises(IncidentRefused, match="assigned to fire, not to gas"):
        dsp.set_task_status(es, clock, Actor.of("department", department="gas"), order.task_id, "en_route")
    with pytest.raises(IncidentRefused, match=f"belongs to incident {view.id}, not 99"):
        dsp.set_task_status(es, clock, COMMANDER, order.task_id, "en_route", incident_id=99)
    by_order, _ = dsp.set_task_status(
        es, clock, Actor.of("department", department="fire"), order.order_id, "en_route"
    )
    assert by_order.status == "en_route"


def test_a_task_not_done_by_its_due_time_is_overdue_until_done(em_city, es, clock):
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, due_minutes=30)
    assert order.due_at == NOW + dt.timedelta(minutes=30) and not order.overdue
    clock.advance(minutes=30)
    assert not dsp.list_tasks(es, clock.now(), incident_id=view.id)[0].overdue  # due, not yet past it
    clock.advance(minutes=1)
    assert dsp.list_tasks(es, clock.now(), incident_id=view.id)[0].overdue
    assert [o.task_id for o in dsp.list_tasks(es, clock.now(), overdue=True)] == [order.task_id]
    for status in ("en_route", "on_scene", "done"):
        late, _ = dsp.set_task_status(es, clock, COMMANDER, order.task_id, status)
    assert not late.overdue and late.done_at > late.due_at
    assert dsp.list_tasks(es, clock.now(), overdue=True) == []
    assert "(late)" in inc.read_log(es, view.id)[-1].text
    with pytest.raises(IncidentRefused, match="must be a positive number"):
        dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, due_minutes=-5)


def test_an_index_kept_in_step_with_dispatches(em_city, es, clock):
    units = UnitIndex.load(es)
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, units=units)
    assert unit.unit_id not in {u.unit_id for u in units.nearest(view.x, view.y, 5, "fire")}
    dsp.set_task_status(es, clock, COMMANDER, order.task_id, "cancelled", units=units)
    assert units.nearest(view.x, view.y, 1, "fire")[0].unit_id == unit.unit_id


# --- the briefing (HTML; the PDF is tested in tests/console) ---------------------------------------------------------


def test_the_briefing_has_the_ics_201_blocks_and_escapes_text(em_city, es, clock):
    desk = IncidentDesk(es, clock, index=em_city.index)
    x, y = _sites(em_city, 2)[0]
    doc = desk.open(COMMANDER, type_code="0403", x=x, y=y, level="II", title="<script>alert(1)</script> 燃气")
    iid = doc["id"]
    unit = desk.suggest(iid, need="gas_repair", limit=1)["units"][0]["unit"]
    desk.dispatch(COMMANDER, iid, unit, instructions="关阀 & 检测")
    desk.role(COMMANDER, iid, "operations", "李行动", "燃气公司")
    desk.add_log(Actor.of("dispatcher", "张派遣"), iid, "现场已封锁 <b>")
    briefing = build_briefing(es, clock, iid, em_city.index, prepared_by="王指挥")
    html = render_html(briefing)
    for block in (
        "1. 事件名称", "2. 事件编号", "3. 开始时间", "4. 现场图", "5. 态势摘要", "6. 填表人",
        "7. 当前与计划目标", "8. 当前与计划行动", "9. 当前组织", "10. 资源汇总",
    ):  # fmt: skip
        assert block in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "现场已封锁 &lt;b&gt;" in html and "关阀 &amp; 检测" in html
    assert f"#{iid}" in html and "燃气管道破裂" in html and "李行动" in html and unit in html
    assert "<svg" in html and "Ⅱ级 重大" in html and "国务院" in html  # level II: report within 4 hours
    assert briefing.impact.summary()["cells"] == doc["impact"]["cells"]
    with_img = render_html(briefing, map_src="map.png")
    assert '<img src="map.png"' in with_img and "<svg" not in with_img


# --- what the console reads (modes.emergency.queries) ---------------------------------------------------------


def test_the_board_shows_the_selected_incident_its_shapes_and_the_units_out(em_city, es, clock):
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id)
    inc.add_log(es, clock, COMMANDER, view.id, "现场已封锁")
    board = queries.incident_board(es, em_city.index, view.id, None, NOW)
    assert view.id in {v.id for v in board.incidents} and board.now == NOW
    assert board.selected.id == view.id and board.impact.summary()["cells"] >= 1
    assert [t.task_id for t in board.tasks] == [order.task_id]
    assert [line.text for line in board.log][-1] == "现场已封锁"
    assert [e.kind for e in board.timeline][:2] == ["incident.opened", "incident.dispatched"]
    shape = next(sh for sh in board.shapes if sh.id == view.id)
    assert (shape.level, shape.colour, shape.x, shape.y) == (view.level, view.colour, view.x, view.y)
    assert shape.outer.contains(shape.inner) and shape.inner.contains(shapely.Point(view.x, view.y))
    mark = next(m for m in board.units if m.task_id == order.task_id)
    unit_row = es.get(RescueUnit, unit.unit_id)
    assert (mark.unit_id, mark.name, mark.incident_id, mark.status) == (
        unit.unit_id, unit_row.name, view.id, order.status,
    )  # fmt: skip
    assert (mark.x, mark.y, mark.incident_x, mark.incident_y) == (unit_row.x, unit_row.y, view.x, view.y)

    # Nothing selected: the list and the map only. A finished task's unit and a closed incident leave the map.
    dsp.set_task_status(es, clock, COMMANDER, order.task_id, "cancelled")
    inc.set_status(es, clock, COMMANDER, view.id, "closed", note="false alarm")
    board = queries.incident_board(es, em_city.index, None, "closed", NOW)
    assert board.selected is None and board.impact is None and board.tasks == () and board.log == ()
    assert view.id in {v.id for v in board.incidents} and {v.status for v in board.incidents} == {"closed"}
    assert view.id not in {sh.id for sh in board.shapes}
    assert order.task_id not in {m.task_id for m in board.units}
    assert queries.incident_board(es, em_city.index, 10**9, None, NOW).selected is None


def test_suggested_units_are_the_nearest_of_the_need_or_of_the_types_needs(em_city, es, clock):
    x, y = _sites(em_city, 2)[1]
    view, _ = inc.open_incident(es, clock, COMMANDER, em_city.index, type_code="0403", x=x, y=y, level="II")
    units = UnitIndex.load(es)
    asked = queries.suggest_units(es, view.id, "fire", limit=3)
    assert [u.unit_id for u in asked] == [u.unit_id for u in units.nearest(x, y, 3, "fire")]
    by_type = queries.suggest_units(es, view.id)
    want = [u.unit_id for c in ("gas_repair", "fire", "police") for u in units.nearest(x, y, PER_NEED, c)]
    assert [u.unit_id for u in by_type] == want
    with pytest.raises(InputError, match="unknown capability 'magic'"):
        queries.suggest_units(es, view.id, "magic")


# --- the replay: the incident at each step, the open cases at a past moment ---------------------------


REPLAY_DISPATCHER = inc.Actor.of("dispatcher", "张派遣")


def _square(x: float, y: float, half: float) -> str:
    return shapely.box(x - half, y - half, x + half, y + half).wkt


def test_each_step_of_an_incident_is_its_state_then(em_city, es, clock):
    x, y = _sites(em_city, 2)[1]
    view, _ = inc.open_incident(
        es, clock, COMMANDER, em_city.index, type_code="fire", x=x, y=y, level="IV",
        inner_radius_m=100, outer_radius_m=300,
    )  # fmt: skip
    fire, police = (UnitIndex.load(es).nearest(x, y, 1, c)[0] for c in ("fire", "police"))
    clock.advance(minutes=2)
    t1, _ = dsp.dispatch(es, clock, COMMANDER, view.id, fire.unit_id)
    clock.advance(minutes=1)
    inc.set_level(es, clock, COMMANDER, view.id, "II")
    t2, _ = dsp.dispatch(es, clock, COMMANDER, view.id, police.unit_id)
    clock.advance(minutes=3)
    dsp.set_task_status(es, clock, COMMANDER, t1.task_id, "en_route")
    inc.set_status(es, clock, COMMANDER, view.id, "responding")
    clock.advance(minutes=4)
    outer = _square(x, y, 600)
    inc.change_area(es, clock, REPLAY_DISPATCHER, em_city.index, view.id, outer_cordon=outer)
    dsp.set_task_status(es, clock, COMMANDER, t1.task_id, "on_scene")
    dsp.set_task_status(es, clock, COMMANDER, t2.task_id, "cancelled")

    moments = incident_moments(es, view.id)
    events = inc.timeline(es, view.id)
    assert len(moments) == len(events) == 9
    assert [m.seq for m in moments] == [e.seq for e in events]
    assert [m.step for m in moments] == list(range(9))

    def units(m):
        return [(u.unit_id, u.status) for u in m.units]

    # By hand: (level, status, drawn, units and task states) after each event.
    expected = [
        ("IV", "reported", False, []),  # opened
        ("IV", "reported", False, [(fire.unit_id, "assigned")]),  # fire unit dispatched
        ("II", "reported", False, [(fire.unit_id, "assigned")]),  # raised to II
        ("II", "reported", False, [(fire.unit_id, "assigned"), (police.unit_id, "assigned")]),
        ("II", "reported", False, [(fire.unit_id, "en_route"), (police.unit_id, "assigned")]),
        ("II", "responding", False, [(fire.unit_id, "en_route"), (police.unit_id, "assigned")]),
        ("II", "responding", True, [(fire.unit_id, "en_route"), (police.unit_id, "assigned")]),  # drawn
        ("II", "responding", True, [(fire.unit_id, "on_scene"), (police.unit_id, "assigned")]),
        ("II", "responding", True, [(fire.unit_id, "on_scene")]),  # the police task cancelled
    ]
    assert [(m.level, m.status, m.drawn, units(m)) for m in moments] == expected
    assert [m.colour for m in moments[:2]] == ["blue"] * 2 and moments[2].colour == "orange"
    # The cordons: circles of the radii first, the drawn square (with the inner circle) after.
    site = shapely.Point(x, y)
    assert moments[0].shape.inner.area == pytest.approx(site.buffer(100, 16).area, rel=1e-3)
    assert moments[0].shape.outer.area == pytest.approx(site.buffer(300, 16).area, rel=1e-3)
    assert moments[6].shape.outer.equals(shapely.union(shapely.from_wkt(outer), moments[6].shape.inner))
    assert moments[5].shape.outer.area < moments[6].shape.outer.area
    # A unit is drawn at its base with a line to the site, as on the live map.
    mark = moments[1].units[0]
    assert (mark.incident_x, mark.incident_y) == (x, y) and mark.task_id == t1.task_id

    # The last step is the live state.
    row = es.get(Incident, view.id)
    assert live_matches(moments[-1], row)
    (live_shape,) = [s for s in queries.incident_shapes(es) if s.id == view.id]
    assert moments[-1].shape.outer.equals(live_shape.outer) and moments[-1].shape.inner.equals(
        live_shape.inner
    )
    live_units = [(u.unit_id, u.status) for u in queries.unit_marks(es) if u.incident_id == view.id]
    assert units(moments[-1]) == live_units

    # From the journal, not the row: a row changed behind the journal's back changes no step.
    es.execute(update(Incident).where(Incident.id == view.id).values(level="I", status="contained"))
    again = incident_moments(es, view.id)
    assert [(m.level, m.status, units(m)) for m in again] == [(m.level, m.status, units(m)) for m in moments]
    assert not live_matches(again[-1], es.get(Incident, view.id))


def test_an_escalated_case_s_steps_show_the_incident_as_first_opened(em_city, es, clock):
    x, y = _sites(em_city, 2)[1]
    desk = CaseDesk(es, clock)
    doc, _ = desk.report(CaseActor.of("supervisor"), x=x, y=y, channel="supervisor", type_code="0401")
    clock.advance(minutes=10)
    view, _ = inc.escalate_case(es, clock, COMMANDER, em_city.index, doc["id"], level="III")
    clock.advance(minutes=1)
    inc.set_level(es, clock, COMMANDER, view.id, "I")
    events = inc.timeline(es, view.id)
    moments = incident_moments(es, view.id)
    assert len(moments) == len(events)
    assert events[0].kind == "case.report"
    assert [m.level for m in moments] == ["III"] * (len(events) - 1) + ["I"]
    assert all(m.units == () for m in moments)


def test_the_open_cases_at_a_past_moment_are_those_open_then_in_their_state_then(em_city, es, clock):
    names = lambda keys: {}  # noqa: E731 - names are not what is tested here
    desk = CaseDesk(es, clock)
    (x, y), (x2, y2) = _sites(em_city, 2)
    before = open_cases(es, clock.now(), names)
    t0 = clock.now()
    a, _ = desk.report(CaseActor.of("operator"), x=x, y=y, channel="hotline", type_code="0406")
    clock.advance(minutes=5)
    b, _ = desk.report(CaseActor.of("operator"), x=x2, y=y2, channel="hotline", type_code="0401")
    t1 = clock.now()
    clock.advance(minutes=5)
    desk.act(a["id"], "void", CaseActor.of("shift_leader"), "重复")
    t2 = clock.now()

    def ids(cases):
        return set(cases.ids.tolist()) - set(before.ids.tolist())

    def state(cases, case_id):
        (i,) = [k for k, v in enumerate(cases.ids.tolist()) if v == case_id]
        return cases.state_of(i)

    assert ids(open_cases_as_of(es, t0 - dt.timedelta(seconds=1), names)) == set()
    assert ids(open_cases_as_of(es, t0, names)) == {a["id"]}
    at1 = open_cases_as_of(es, t1, names)
    assert ids(at1) == {a["id"], b["id"]} and at1.at == t1
    assert state(at1, a["id"]) == a["state"]
    assert ids(open_cases_as_of(es, t2, names)) == {b["id"]}  # voided by then
    # Now, the past form agrees with the live one.
    live, past = open_cases(es, clock.now(), names), open_cases_as_of(es, clock.now(), names)
    assert sorted(live.ids.tolist()) == sorted(past.ids.tolist())
    assert sorted(
        zip(live.ids.tolist(), (live.state_of(i) for i in range(len(live))), strict=True)
    ) == sorted(zip(past.ids.tolist(), (past.state_of(i) for i in range(len(past))), strict=True))
    assert NOW <= t0
