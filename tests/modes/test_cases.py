"""The case desk on a real database: routing, the loop, the special paths, clocks and refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data import journal
from data.errors import InputError, NotFound, OutsideCity
from data.models import Case, CaseHistory, JournalEvent
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.queue import list_cases
from modes.everyday.workflow import IllegalTransition
from tests.modes.conftest import X0, Y0

OP, SUP, LEAD, DISP, DEPT = (
    Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher", "department")
)


@pytest.fixture
def desk(tiny_city, clock):
    return CaseDesk(tiny_city, clock)


def _report(desk, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010", **kw):
    doc, _ = desk.report(OP, x=x, y=y, channel=channel, type_code=type_code, **kw)
    return doc


def _run(desk, case_id, *steps):
    for action, actor, *rest in steps:
        desk.act(case_id, action, actor, rest[0] if rest else "")
    return desk.show(case_id)


def test_report_is_located_and_routed_per_district(desk):
    a = _report(desk)
    assert (a["cell"], a["district"], a["department"], a["supervisor"]) == (
        "230102001001001",
        "230102",
        "sanitation",
        "230102-S001",
    )
    b = _report(desk, y=Y0 + 250)  # the same event type one row north, in 南岗
    assert (b["cell"], b["district"], b["department"]) == ("230103001001001", "230103", "enforcement")
    assert a["state"] == "reported" and a["deadline"] is not None and a["duplicate_of"] is None


def test_component_report_goes_to_the_owner(desk):
    doc, _ = desk.report(SUP, x=X0 + 300, y=Y0 + 100, channel="supervisor", component_id="2301020101000001")
    assert (doc["kind"], doc["type"], doc["department"], doc["component"]) == (
        "component",
        "01001",
        "water_supply",
        "23010201001000001",
    )


def test_unclear_responsibility_goes_to_the_district(desk):
    doc = _report(desk, type_code="09009")  # no assignment for 机动车乱停放 in the tiny city
    assert doc["department"] is None and doc["responsible"] == "district:230102"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"type_code": "77777"}, NotFound, "unknown event type code '77777'"),
        ({"x": X0 - 5000}, OutsideCity, "outside the city"),
        ({"channel": "pigeon"}, InputError, "unknown channel 'pigeon'"),
        ({"type_code": None}, InputError, "needs an event type code"),
    ],
)
def test_bad_reports_are_refused_and_write_nothing(desk, kwargs, error, message):
    before = desk.session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(error, match=message):
        _report(desk, **kwargs)
    assert desk.session.scalar(select(func.count()).select_from(Case)) == before


def test_full_loop_from_hotline_to_evaluation(desk, clock):
    case = _report(desk, text="垃圾堆在路边")
    cid = case["id"]
    clock.advance(minutes=5)
    desk.act(cid, "send_verify", OP)
    clock.advance(minutes=20)
    desk.act(cid, "verify", SUP, "confirmed on site")
    clock.advance(minutes=10)
    desk.act(cid, "file", LEAD)
    clock.advance(minutes=10)
    shown = _run(desk, cid, ("dispatch", DISP))
    # 暴露垃圾: 4 working hours from dispatch at 09:45 -> 13:45 falls in lunch -> 15:45.
    assert shown["deadline"] == "2026-03-02T15:45:00"
    clock.advance(minutes=30)
    desk.act(cid, "start", DEPT)
    clock.advance(hours=2)
    desk.act(cid, "feedback", DEPT, "cleared")
    desk.act(cid, "send_check", OP)
    clock.advance(minutes=15)
    desk.act(cid, "check_pass", SUP)
    desk.act(cid, "close", LEAD)
    shown = desk.show(cid)
    assert shown["state"] == "closed" and shown["closure_kind"] == "normal"
    desk.act(cid, "evaluate", OP, satisfaction="satisfied")
    shown = desk.show(cid)
    assert shown["state"] == "evaluated" and shown["satisfaction"] == "satisfied"
    assert [h["action"] for h in shown["history"]] == [
        "report",
        "send_verify",
        "verify",
        "file",
        "dispatch",
        "start",
        "feedback",
        "send_check",
        "check_pass",
        "close",
        "evaluate",
    ]
    stages = {s["stage"]: s for s in shown["stages"]}
    assert set(stages) == {"accept", "verify", "file", "dispatch", "handle", "send_check", "check", "close"}
    assert stages["verify"]["elapsed_minutes"] == 20 and not stages["verify"]["overdue"]
    # dispatched 09:45, fed back 12:15: the lunch break does not count.
    assert stages["handle"]["elapsed_minutes"] == 135 and stages["handle"]["clock"] == "working"
    assert shown["next_actions"] == []
    # One journal event per step, chained, and naming the case.
    events = desk.session.scalars(
        select(JournalEvent).where(JournalEvent.subject == f"case/{cid}").order_by(JournalEvent.seq)
    ).all()
    assert [e.kind for e in events] == [f"case.{h['action']}" for h in shown["history"]]
    assert journal.verify(desk.session) >= len(events)


def test_late_feedback_closes_overdue_and_shows_overdue_stage(desk, clock):
    cid = _report(desk, channel="supervisor")["id"]
    desk.act(cid, "accept", OP)
    desk.act(cid, "file", LEAD)
    desk.act(cid, "dispatch", DISP)
    clock.advance(days=1)  # 4 working hours long gone
    assert desk.show(cid)["overdue"] is True
    assert list_cases(desk.session, clock.now(), overdue=True)["total"] == 1
    _run(
        desk,
        cid,
        ("start", DEPT),
        ("feedback", DEPT),
        ("send_check", OP),
        ("check_pass", SUP),
        ("close", LEAD),
    )
    shown = desk.show(cid)
    assert shown["closure_kind"] == "overdue"
    assert {s["stage"]: s["overdue"] for s in shown["stages"]}["handle"] is True


def test_rework_return_extension_and_suspension_are_recorded(desk, clock):
    cid = _report(desk, channel="supervisor")["id"]
    _run(desk, cid, ("accept", OP), ("file", LEAD), ("dispatch", DISP), ("start", DEPT))
    # extension: asked with a reason and an amount, approved by the dispatcher; the deadline moves.
    before = desk.show(cid)["deadline"]
    desk.act(cid, "request_extension", DEPT, "needs a truck", extension="1 working_days")
    assert desk.show(cid)["pending"]["extension"] == "1 working_days"
    desk.act(cid, "approve_extension", DISP)
    after = desk.show(cid)
    # 4 working hours from 09:00 run into lunch: 15:00; one more working day: 15:00 the next day.
    assert before == "2026-03-02T15:00:00" and after["deadline"] == "2026-03-03T15:00:00"
    assert after["counts"]["extension"] == 1 and after["pending"] is None
    # suspension stops the clock: 2 working hours parked -> deadline 2 working hours later.
    desk.act(cid, "request_suspension", DEPT, "waiting for the owner")
    desk.act(cid, "approve_suspension", DISP)
    clock.advance(hours=2)
    desk.act(cid, "resume", DISP)
    assert desk.show(cid)["deadline"] == "2026-03-03T17:00:00"
    # return: misrouted, goes back to the centre and is re-dispatched elsewhere.
    desk.act(cid, "request_return", DEPT, "not ours")
    desk.act(cid, "approve_return", DISP)
    desk.act(cid, "dispatch", DISP, department="enforcement")
    shown = desk.show(cid)
    assert shown["department"] == "enforcement" and shown["counts"]["return"] == 1
    # rework after a failed check.
    _run(
        desk,
        cid,
        ("start", DEPT),
        ("feedback", DEPT),
        ("send_check", OP),
        ("check_fail", SUP, "still there"),
        ("rework", DISP),
    )
    shown = desk.show(cid)
    assert shown["state"] == "dispatched" and shown["counts"]["rework"] == 1


def test_self_fix_and_void_paths(desk):
    a = _report(desk, channel="supervisor")["id"]
    desk.act(a, "self_fix", SUP, "picked it up")
    desk.act(a, "approve_self_fix", LEAD)
    assert desk.show(a)["closure_kind"] == "normal"
    b = _report(desk, x=X0 + 250, type_code="07001")["id"]
    with pytest.raises(IllegalTransition, match="only a supervisor's own on-site report"):
        desk.act(b, "self_fix", SUP)
    desk.act(b, "send_verify", OP)
    desk.act(b, "not_found", SUP, "nothing there")
    desk.act(b, "void", LEAD, "could not be confirmed")
    assert desk.show(b)["state"] == "voided"


@pytest.mark.parametrize(
    "action, actor, note, message",
    [
        ("dispatch", DISP, "", "cannot dispatch a reported case"),
        ("accept", DEPT, "", "a department may not accept a reported case"),
        ("void", LEAD, "", "void needs a note"),
        ("accept", OP, "", "only a supervisor's own on-site report"),  # a hotline report must be verified
    ],
)
def test_illegal_actions_are_refused_and_change_nothing(desk, action, actor, note, message):
    cid = _report(desk)["id"]
    seq = journal.last_seq(desk.session)
    with pytest.raises(IllegalTransition, match=message):
        desk.act(cid, action, actor, note)
    assert desk.show(cid)["state"] == "reported"
    assert journal.last_seq(desk.session) == seq
    assert desk.session.scalar(select(func.count()).where(CaseHistory.case_id == cid)) == 1


def test_unknown_case_is_named(desk):
    with pytest.raises(NotFound, match="case 999999 does not exist"):
        desk.act(999999, "accept", OP)


def test_department_and_district_scope(desk):
    cid = _report(desk, channel="supervisor")["id"]
    _run(desk, cid, ("accept", OP), ("file", LEAD), ("dispatch", DISP))
    with pytest.raises(IllegalTransition, match="not water_supply"):
        desk.act(cid, "start", Actor.of("department", "供水", department="water_supply"))
    with pytest.raises(IllegalTransition, match="acts for district 230103"):
        desk.act(cid, "start", Actor.of("department", "x", district="230103"))
    desk.act(cid, "start", Actor.of("department", "环卫", department="sanitation"))


def test_duplicates_link_and_unlink(desk, clock):
    first = _report(desk)
    clock.advance(hours=1)
    near = _report(desk, x=X0 + 80, y=Y0 + 70)  # 39 m away, same cell
    assert near["state"] == "merged" and near["duplicate_of"] == first["id"]
    other_type = _report(desk, type_code="07001")
    assert other_type["duplicate_of"] is None
    far = _report(desk, x=X0 + 350, y=Y0 + 150)  # another cell, 320 m away
    assert far["duplicate_of"] is None
    assert desk.show(first["id"])["duplicates"] == [near["id"]]
    desk.act(near["id"], "unlink", OP, "a different pile")
    assert desk.show(near["id"])["state"] == "reported" and desk.show(first["id"])["duplicates"] == []
    clock.advance(hours=100)  # past the 72 h window: not a duplicate any more
    assert _report(desk)["duplicate_of"] is None


def test_duplicate_candidates_and_a_chosen_original(desk, clock):
    a = _report(desk, x=X0 + 100, y=Y0 + 100)  # cell ...001
    b = _report(desk, x=X0 + 210, y=Y0 + 100)  # cell ...002, 110 m from a: not its duplicate
    assert b["duplicate_of"] is None
    clock.advance(minutes=10)
    # At x0+195 (cell ...001): b is 15 m away, a shares the cell 95 m away; the nearest first.
    found = desk.duplicate_candidates("06010", X0 + 195, Y0 + 100, "230102001001001")
    assert [(round(d), c.id) for d, c in found] == [(15, b["id"]), (95, a["id"])]
    assert desk.duplicate_candidates("07001", X0 + 195, Y0 + 100, "230102001001001") == []
    assert _report(desk, x=X0 + 195, y=Y0 + 100)["duplicate_of"] == b["id"]  # the rule: the nearest
    chosen = _report(desk, x=X0 + 195, y=Y0 + 100, duplicate_of=a["id"])  # the operator's choice
    assert (chosen["state"], chosen["duplicate_of"]) == ("merged", a["id"])
    before = desk.session.scalar(select(func.count()).select_from(Case))
    far = _report(desk, x=X0 + 350, y=Y0 + 350, type_code="07001")
    with pytest.raises(InputError, match=f"case {far['id']} is not an open 06010 case"):
        _report(desk, x=X0 + 195, y=Y0 + 100, duplicate_of=far["id"])
    assert desk.session.scalar(select(func.count()).select_from(Case)) == before + 1


def test_urgent_case_runs_on_a_continuous_clock(desk, clock):
    clock.set(dt.datetime(2026, 3, 6, 17, 0))  # Friday evening
    doc, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="0401")  # 路面塌陷
    assert doc["urgent"] is True
    _run(desk, doc["id"], ("accept", OP), ("file", LEAD), ("dispatch", DISP))
    assert desk.show(doc["id"])["deadline"] == "2026-03-06T21:00:00"  # 4 clock hours, weekend or not
