"""Incident rules on the tiny hand-built city, on SQLite and PostgreSQL: the status machine (parametrised
over its table), who may do what, levels and colours, escalation from a case linked both ways, ICS
positions, the significant-events log and the timeline replayed from the journal."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from data import journal
from data.emergency_models import (
    LEVEL_COLOUR,
    Incident,
    IncidentLevel,
    IncidentLogEntry,
    IncidentStatus,
    WarningColour,
)
from data.errors import InputError, NotFound, OutsideCity
from data.models import JournalEvent, Role
from modes.common.state_table import article
from modes.emergency import incidents as inc
from modes.emergency.impact import ImpactIndex, incident_impact
from modes.emergency.incidents import STATUS_STEPS, Actor, IncidentRefused
from modes.everyday.cases import Actor as CaseActor
from modes.everyday.cases import CaseDesk

from .conftest import X0, Y0

COMMANDER = Actor.of("commander", "王指挥")
DISPATCHER = Actor.of("dispatcher", "张派遣")


@pytest.fixture
def city(tiny_city):
    return tiny_city, ImpactIndex.load(tiny_city)


def _open(city, clock, **kw):
    session, index = city
    args = {"type_code": "fire", "x": X0 + 100, "y": Y0 + 100, "level": "III", **kw}
    view, _ = inc.open_incident(session, clock, COMMANDER, index, **args)
    return view


def _walk_to(session, clock, incident_id: int, target: IncidentStatus) -> None:
    path = {
        IncidentStatus.REPORTED: [],
        IncidentStatus.RESPONDING: ["responding"],
        IncidentStatus.CONTAINED: ["responding", "contained"],
        IncidentStatus.CLOSED: ["responding", "contained", "closed"],
    }[target]
    for status in path:
        inc.set_status(session, clock, COMMANDER, incident_id, status)


# --- the status machine -------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STATUS_STEPS, ids=lambda s: f"{s.source}-{s.action}-{s.target}")
def test_every_step_of_the_table_works_for_its_roles(city, clock, step):
    session = city[0]
    for role in step.roles:
        view = _open(city, clock)
        _walk_to(session, clock, view.id, step.source)
        clock.advance(minutes=5)
        after, changes = inc.set_status(session, clock, Actor.of(role), view.id, step.target, note="why")
        assert after.status == step.target
        assert changes.journal_seq > 0
        if step.stamp:
            assert getattr(session.get(Incident, view.id), step.stamp) == clock.now()


@pytest.mark.parametrize("step", STATUS_STEPS, ids=lambda s: f"{s.source}-{s.action}-{s.target}")
def test_every_step_is_refused_to_the_other_roles_with_a_clear_message(city, clock, step):
    session = city[0]
    view = _open(city, clock)
    _walk_to(session, clock, view.id, step.source)
    for role in set(Role) - step.roles:
        with pytest.raises(
            IncidentRefused,
            match=f"may not make {article(step.source)} {step.source} incident {step.target}.*only",
        ):
            inc.set_status(session, clock, Actor.of(role), view.id, step.target, note="why")
    assert session.get(Incident, view.id).status == step.source


ILLEGAL = [
    (a, b)
    for a, b in itertools.product(IncidentStatus, IncidentStatus)
    if (a, b) not in {(s.source, s.target) for s in STATUS_STEPS}
]


def test_transitions_outside_the_table_are_refused(city, clock):
    session = city[0]
    for source, target in ILLEGAL:
        view = _open(city, clock)
        _walk_to(session, clock, view.id, source)
        with pytest.raises(IncidentRefused, match=f"that is {source} cannot become {target}.*possible now"):
            inc.set_status(session, clock, COMMANDER, view.id, target, note="x")


def test_a_false_alarm_needs_a_note_and_an_unknown_status_is_named(city, clock):
    view = _open(city, clock)
    with pytest.raises(IncidentRefused, match="say why"):
        inc.set_status(city[0], clock, COMMANDER, view.id, "closed")
    with pytest.raises(IncidentRefused, match="unknown incident status 'finished'"):
        inc.set_status(city[0], clock, COMMANDER, view.id, "finished")
    closed, _ = inc.set_status(city[0], clock, COMMANDER, view.id, "closed", note="误报 false alarm")
    assert closed.status == "closed" and closed.next_statuses == ()


def test_only_the_commander_opens(city, clock):
    for role in set(Role) - {Role.COMMANDER}:
        with pytest.raises(IncidentRefused, match="may not open an incident.*only commander"):
            inc.open_incident(
                city[0], clock, Actor.of(role), city[1], type_code="fire", x=X0 + 100, y=Y0 + 100
            )


def test_levels_have_their_colours_and_i_ii_start_the_four_hour_report_clock(city, clock):
    assert [LEVEL_COLOUR[lv] for lv in IncidentLevel] == [
        WarningColour.RED,
        WarningColour.ORANGE,
        WarningColour.YELLOW,
        WarningColour.BLUE,
    ]
    for level, colour in (("I", "red"), ("2", "orange"), ("III", "yellow"), ("iv", "blue")):
        view = _open(city, clock, level=level)
        assert view.colour == colour
    low = _open(city, clock, level="IV")
    assert low.report_due_at is None
    clock.advance(hours=1)
    raised, _ = inc.set_level(city[0], clock, COMMANDER, low.id, "II", note="casualties")
    assert raised.colour == "orange" and raised.report_due_at == clock.now().replace() + inc.REPORT_WITHIN
    with pytest.raises(IncidentRefused, match="unknown response level 'V'"):
        inc.set_level(city[0], clock, COMMANDER, low.id, "V")
    with pytest.raises(IncidentRefused, match="dispatcher may not change"):
        inc.set_level(city[0], clock, DISPATCHER, low.id, "I")


def test_bad_openings_are_refused_with_reasons(city, clock):
    session, index = city
    with pytest.raises(InputError, match="unknown incident type 'volcano'"):
        inc.open_incident(session, clock, COMMANDER, index, type_code="volcano", x=X0, y=Y0)
    with pytest.raises(IncidentRefused, match="smaller than the inner"):
        _open(city, clock, inner_radius_m=300, outer_radius_m=100)
    with pytest.raises(IncidentRefused, match="above 0 m"):
        _open(city, clock, inner_radius_m=0)
    with pytest.raises(OutsideCity, match="outside the city"):
        _open(city, clock, x=X0 - 5000, y=Y0)


def test_several_incidents_at_once_with_their_own_cells_and_districts(city, clock):
    a = _open(city, clock)
    b = _open(city, clock, type_code="0403", x=X0 + 300, y=Y0 + 300, level="II")
    assert (a.cell, a.district) == ("230102001001001", "230102")
    assert (b.cell, b.district) == ("230103001001002", "230103")
    assert b.type_name == "燃气管道破裂" and b.category == "accident"
    listed = inc.list_incidents(city[0])
    assert {v.id for v in listed} >= {a.id, b.id}
    assert [v.id for v in inc.list_incidents(city[0], status="reported")][:2] == [b.id, a.id]


def test_a_drawn_area_and_drawn_cordons_are_kept_and_used(city, clock):
    area = f"POLYGON(({X0 + 50} {Y0 + 50}, {X0 + 150} {Y0 + 50}, {X0 + 150} {Y0 + 150}, {X0 + 50} {Y0 + 150}, {X0 + 50} {Y0 + 50}))"
    outer = f"POLYGON(({X0} {Y0}, {X0 + 400} {Y0}, {X0 + 400} {Y0 + 400}, {X0} {Y0 + 400}, {X0} {Y0}))"
    view = _open(city, clock, x=None, y=None, area=area, inner_radius_m=0, outer_cordon=outer)
    assert view.area_wkt is not None and view.drawn_cordons
    impact = incident_impact(city[0], city[1], city[0].get(Incident, view.id))
    assert len(impact.inner.cells) == 1 and impact.inner.cells[0].fraction == pytest.approx(0.25)
    assert len(impact.outer.cells) == 4  # the drawn outer cordon is the whole tiny city
    assert impact.outer.pop_day == pytest.approx(4000)
    with pytest.raises(Exception, match="must be a polygon"):
        _open(city, clock, area="LINESTRING(0 0, 1 1)")


def test_cordons_are_described_as_they_were_made(city, clock):
    """Radii for radius cordons, "drawn by hand" for drawn ones (each cordon on its own), with the areas
    when they are given: what the command line and the briefing say."""
    square = f"POLYGON(({X0} {Y0}, {X0 + 400} {Y0}, {X0 + 400} {Y0 + 400}, {X0} {Y0 + 400}, {X0} {Y0}))"
    small = f"POLYGON(({X0 + 50} {Y0 + 50}, {X0 + 150} {Y0 + 50}, {X0 + 150} {Y0 + 150}, {X0 + 50} {Y0 + 150}, {X0 + 50} {Y0 + 50}))"
    round_ = _open(city, clock, inner_radius_m=40, outer_radius_m=120)
    assert not (round_.inner_drawn or round_.outer_drawn)
    assert inc.cordons_words(round_) == "inner 40 m, outer 120 m"
    assert inc.cordons_words(round_, 5026.5, 45238.9) == "inner 40 m (0.5 ha), outer 120 m (4.5 ha)"
    half = _open(city, clock, inner_cordon=small, outer_radius_m=300)
    assert (half.inner_drawn, half.outer_drawn, half.drawn_cordons) == (True, False, True)
    assert inc.cordons_words(half, 10_000, None) == "inner drawn by hand (1.0 ha), outer 300 m"
    both = _open(city, clock, inner_cordon=small, outer_cordon=square)
    assert inc.cordons_words(both) == "inner drawn by hand, outer drawn by hand"
    around = _open(city, clock, x=None, y=None, area=small, inner_radius_m=20, outer_radius_m=60)
    assert inc.cordons_words(around) == "inner 20 m, outer 60 m around the drawn area"
    # Through a node's answer and back, the flags stay.
    assert inc.IncidentView.from_dict(half.as_dict()) == half


def test_changing_the_area_recomputes_the_impact(city, clock):
    session, index = city
    view = _open(city, clock, inner_radius_m=20, outer_radius_m=50)
    before = incident_impact(session, index, session.get(Incident, view.id))
    moved, changes = inc.change_area(session, clock, DISPATCHER, index, view.id, outer_radius_m=500)
    after = incident_impact(session, index, session.get(Incident, view.id))
    assert changes.journal_seq > 0 and moved.outer_radius_m == 500
    assert len(before.outer.cells) == 1 and len(after.outer.cells) == 4
    assert after.component_count == 1 and before.component_count == 0
    grown, _ = inc.change_area(session, clock, COMMANDER, index, view.id, inner_radius_m=800)
    assert grown.outer_radius_m >= 800  # the outer cordon is pushed out with the inner one
    with pytest.raises(IncidentRefused, match="department may not change"):
        inc.change_area(session, clock, Actor.of("department"), index, view.id, outer_radius_m=100)


# --- escalation ---------------------------------------------------------------------------------------


def test_escalating_a_case_links_both_ways_in_one_action(city, clock):
    session, index = city
    desk = CaseDesk(session, clock)
    case_doc, _ = desk.report(
        CaseActor.of("supervisor"),
        x=X0 + 250,
        y=Y0 + 120,
        channel="supervisor",
        type_code="0401",
        text="路面塌陷约3米",
    )
    case_id = case_doc["id"]
    clock.advance(minutes=10)
    view, changes = inc.escalate_case(session, clock, COMMANDER, index, case_id, level="III")

    # incident -> case
    assert view.case_id == case_id and changes.cases == frozenset({case_id})
    assert view.type_code == "0401" and view.type_name == "路面塌陷"  # the case's event type carried over
    assert (view.x, view.y) == (X0 + 250, Y0 + 120)
    # case -> incident: its journal says so, and the lookup reads it back
    ev = session.scalars(
        select(JournalEvent).where(
            JournalEvent.subject == f"case/{case_id}", JournalEvent.kind == "case.escalated"
        )
    ).one()
    assert ev.payload["incident"] == view.id and ev.district_code == "230102"
    assert inc.incident_for_case(session, case_id) == view.id
    # the case keeps its state and its loop
    assert desk.show(case_id)["state"] == case_doc["state"]
    # the timeline shows both sides in order
    kinds = [e.kind for e in inc.timeline(session, view.id)]
    assert kinds[0] == "case.report" and "incident.opened" in kinds and kinds[-1] == "case.escalated"
    assert journal.verify(session) > 0

    with pytest.raises(IncidentRefused, match=f"already escalated to incident {view.id}"):
        inc.escalate_case(session, clock, COMMANDER, index, case_id)
    with pytest.raises(IncidentRefused, match="may not escalate"):
        inc.escalate_case(session, clock, DISPATCHER, index, case_id)


def test_a_finished_or_missing_case_is_not_escalated(city, clock):
    session, index = city
    desk = CaseDesk(session, clock)
    doc, _ = desk.report(CaseActor.of("operator"), x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="0406")
    desk.act(doc["id"], "void", CaseActor.of("shift_leader"), "重复")
    with pytest.raises(IncidentRefused, match="is voided"):
        inc.escalate_case(session, clock, COMMANDER, index, doc["id"])
    with pytest.raises(NotFound, match="no case 999999"):
        inc.escalate_case(session, clock, COMMANDER, index, 999999)


# --- ICS positions and the log --------------------------------------------------------------------------


def test_ics_positions_relieve_their_holders_and_transfer_command(city, clock):
    session = city[0]
    view = _open(city, clock)
    assert [(r.position, r.person) for r in inc.organisation(session, view.id)] == [("commander", "王指挥")]
    inc.assign_role(session, clock, COMMANDER, view.id, "operations", "李行动", "消防支队")
    inc.assign_role(session, clock, COMMANDER, view.id, "safety", "赵安全")
    clock.advance(minutes=30)
    inc.assign_role(session, clock, COMMANDER, view.id, "operations", "钱行动")
    inc.assign_role(session, clock, COMMANDER, view.id, "commander", "孙指挥")
    org = [(r.position, r.person) for r in inc.organisation(session, view.id)]
    assert org == [("commander", "孙指挥"), ("safety", "赵安全"), ("operations", "钱行动")]
    assert session.get(Incident, view.id).commander == "孙指挥"
    with pytest.raises(IncidentRefused, match="unknown ICS position 'chef'"):
        inc.assign_role(session, clock, COMMANDER, view.id, "chef", "x")
    with pytest.raises(IncidentRefused, match="dispatcher may not assign"):
        inc.assign_role(session, clock, DISPATCHER, view.id, "planning", "x")


def test_the_log_keeps_time_who_and_text_and_refuses_after_closing(city, clock):
    session = city[0]
    view = _open(city, clock)
    clock.advance(minutes=3)
    line, changes = inc.add_log(session, clock, DISPATCHER, view.id, "现场已封锁 <b>cordon set</b>")
    assert (line.at, line.actor, line.role) == (clock.now(), "张派遣", "dispatcher") and changes.journal_seq
    lines = inc.read_log(session, view.id)
    assert lines[0].kind == "status" and lines[-1].text == "现场已封锁 <b>cordon set</b>"
    with pytest.raises(IncidentRefused, match="needs text"):
        inc.add_log(session, clock, DISPATCHER, view.id, "  ")
    with pytest.raises(IncidentRefused, match="task 12345 is not a task of incident"):
        inc.add_log(session, clock, DISPATCHER, view.id, "x", task_id=12345)
    inc.set_status(session, clock, COMMANDER, view.id, "closed", note="false alarm")
    with pytest.raises(IncidentRefused, match="is closed"):
        inc.add_log(session, clock, DISPATCHER, view.id, "too late")
    # the log lines and the journal agree: one incident.log event per note
    notes = session.scalar(
        select(func.count())
        .select_from(IncidentLogEntry)
        .where(IncidentLogEntry.incident_id == view.id, IncidentLogEntry.kind == "note")
    )
    events = [e for e in inc.timeline(session, view.id) if e.kind == "incident.log"]
    assert notes == len(events) == 1


def test_the_timeline_replays_the_incident_from_the_journal_in_order(city, clock):
    session = city[0]
    view = _open(city, clock)
    for minutes, status in ((2, "responding"), (30, "contained"), (5, "closed")):
        clock.advance(minutes=minutes)
        inc.set_status(session, clock, COMMANDER, view.id, status)
    events = inc.timeline(session, view.id)
    assert [e.kind for e in events] == ["incident.opened"] + ["incident.status"] * 3
    assert [e.payload.get("to") for e in events[1:]] == ["responding", "contained", "closed"]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert all(e.subject == f"incident/{view.id}" for e in events)
    assert events[-1].summary == "status contained -> closed"
