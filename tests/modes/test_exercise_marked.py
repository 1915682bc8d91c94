"""Exercise incidents and alarms are unmistakable, on the tiny city (SQLite and PostgreSQL): they stay on
the boards the players work, each saying EXERCISE, an exercise incident's reporting deadline says it is
an exercise's, an exercise's case escalated opens an incident of that exercise, and a district's replica
board says EXERCISE as the centre's does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from modes.civil_defence import alarms
from modes.civil_defence.link_commands import build_alarm_keys
from modes.civil_defence.replica_board import board_from_replica, latest_board_from_replica
from modes.emergency import incidents as inc
from modes.emergency.brief import build_briefing, render_html
from modes.emergency.impact import ImpactIndex, incident_impact
from modes.everyday.cases import Actor as CaseActor
from modes.everyday.cases import CaseDesk
from tests.modes.conftest import X0, Y0

COMMANDER = inc.Actor.of("commander", "王指挥")
SUP = CaseActor.of("supervisor")
EXERCISE = 5


@pytest.fixture
def index(tiny_city):
    return ImpactIndex.load(tiny_city)


def _open(session, clock, index, **kw) -> inc.IncidentView:
    args = {"type_code": "fire", "x": X0 + 100, "y": Y0 + 100, "level": "II", **kw}
    view, _ = inc.open_incident(session, clock, COMMANDER, index, **args)
    return view


def test_an_exercise_incidents_reporting_deadline_says_it_is_an_exercises(tiny_city, clock, index):
    real = _open(tiny_city, clock, index)
    drill = _open(tiny_city, clock, index, exercise_id=EXERCISE)
    assert (drill.exercise, drill.exercise_id, real.exercise, real.exercise_id) == (
        True,
        EXERCISE,
        False,
        None,
    )
    due = f"{clock.now() + inc.REPORT_WITHIN:%Y-%m-%d %H:%M}"
    assert real.report_deadline == f"Ⅰ/Ⅱ级事件须于 {due} 前报国务院 Report to the State Council by {due}"
    assert drill.report_deadline.startswith(f"演练时限：Ⅰ/Ⅱ级事件须于 {due} 前报国务院")
    assert f"EXERCISE deadline: report to the State Council by {due}" in drill.report_deadline
    assert drill.as_dict()["report_deadline"] == drill.report_deadline
    assert inc.IncidentView.from_dict(drill.as_dict()) == drill
    low = _open(tiny_city, clock, index, level="IV", exercise_id=EXERCISE)
    assert low.report_deadline is None  # levels III and IV report to no one by a deadline


def test_the_briefing_of_an_exercise_incident_says_exercise_at_its_deadline(tiny_city, clock, index):
    drill = _open(tiny_city, clock, index, exercise_id=EXERCISE)
    real = _open(tiny_city, clock, index)
    drill_html = render_html(build_briefing(tiny_city, clock, drill.id, index))
    real_html = render_html(build_briefing(tiny_city, clock, real.id, index))
    assert "演练时限" in drill_html and "EXERCISE deadline: report to the State Council" in drill_html
    assert "演练 EXERCISE EXERCISE EXERCISE" in drill_html
    assert "演练" not in real_html and "EXERCISE" not in real_html
    assert "Report to the State Council by" in real_html


@pytest.mark.parametrize(
    "exercises, listed",
    [("include", {"real", "drill", "by_hand"}), ("leave", {"real"}), ("only", {"drill", "by_hand"})],
)
def test_incident_lists_keep_exercise_incidents_unless_asked_and_mark_them(
    tiny_city, clock, index, exercises, listed
):
    opened = {
        "real": _open(tiny_city, clock, index),
        "drill": _open(tiny_city, clock, index, exercise_id=EXERCISE),
        "by_hand": _open(tiny_city, clock, index, exercise=True),  # a drill someone opened by hand
    }
    names = {v.id: k for k, v in opened.items()}
    shown = inc.list_incidents(tiny_city, exercises=exercises)
    assert {names[v.id]: (v.exercise, v.exercise_id) for v in shown} == {
        k: {"real": (False, None), "drill": (True, EXERCISE), "by_hand": (True, None)}[k] for k in listed
    }


def test_an_exercise_case_escalated_opens_an_incident_of_that_exercise(tiny_city, clock, index):
    desk = CaseDesk(tiny_city, clock)
    drill_case, _ = desk.report(
        SUP, x=X0 + 60, y=Y0 + 60, channel="supervisor", type_code="06010", exercise_id=EXERCISE
    )
    real_case, _ = desk.report(SUP, x=X0 + 140, y=Y0 + 60, channel="supervisor", type_code="06010")
    escalated, _ = inc.escalate_case(tiny_city, clock, COMMANDER, index, drill_case["id"])
    assert (escalated.exercise, escalated.exercise_id, escalated.case_id) == (
        True,
        EXERCISE,
        drill_case["id"],
    )
    # Its impact lists its own exercise's open cases beside the real ones; a real incident only real ones.
    drill_inside = incident_impact(tiny_city, index, inc.get_incident(tiny_city, escalated.id)).open_cases
    assert sorted(c.id for c in drill_inside) == [drill_case["id"], real_case["id"]]
    real = _open(tiny_city, clock, index, x=X0 + 100, y=Y0 + 60)
    real_inside = incident_impact(tiny_city, index, inc.get_incident(tiny_city, real.id)).open_cases
    assert [c.id for c in real_inside] == [real_case["id"]]
    other = _open(tiny_city, clock, index, x=X0 + 100, y=Y0 + 60, exercise_id=EXERCISE + 1)
    other_inside = incident_impact(tiny_city, index, inc.get_incident(tiny_city, other.id)).open_cases
    assert [c.id for c in other_inside] == [real_case["id"]]  # never another exercise's cases


def _replicate(session, keys) -> None:
    """Write alarm keys into the replica's table as a district node's replica writer does."""
    for seq, (key, item) in enumerate(sorted(keys.items()), start=1):
        session.execute(
            text("INSERT INTO link_replica_entry (key, seq, uuid, props, body) VALUES (:k, :s, :u, :p, :b)"),
            {"k": key, "s": seq, "u": b"\0" * 16, "p": b"", "b": item.body},
        )


def test_a_districts_replica_board_says_exercise_as_the_centres_does(tiny_city, clock):
    real = alarms.issue_alarm(tiny_city, clock, "civil_defence", "pre", "all")
    clock.advance(minutes=1)
    drill = alarms.issue_alarm(tiny_city, clock, "civil_defence", "raid", "all", exercise_id=EXERCISE)
    centre = alarms.delivery_board(tiny_city, drill.alarm_id, clock.now())
    assert (centre.exercise, centre.exercise_id) == (True, EXERCISE)
    assert centre.as_dict()["exercise"] is True and centre.as_dict()["exercise_id"] == EXERCISE
    _replicate(tiny_city, build_alarm_keys(tiny_city, clock.now(), None))
    at_district = board_from_replica(tiny_city, drill.alarm_id, clock.now() + dt.timedelta(seconds=5))
    assert (at_district.exercise, at_district.exercise_id) == (True, EXERCISE)
    assert latest_board_from_replica(tiny_city, clock.now()).alarm_id == drill.alarm_id
    real_at_district = board_from_replica(tiny_city, real.alarm_id, clock.now())
    assert (real_at_district.exercise, real_at_district.exercise_id) == (False, None)
