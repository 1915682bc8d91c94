"""Stage clocks that tell the truth: every limit counts the time it says (working time on the city's
calendar, or natural time where it says so), across a lunch break and a weekend, and a rework or a return
starts the stages it reopens afresh without charging the earlier attempts. Every expected due time here
is worked out by hand from the calendar (08:00-12:00, 14:00-18:00, Monday to Friday) and written out;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import select

from data.models import CaseHistory
from modes.everyday import queue
from modes.everyday.case_filter import CaseFilter
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.evaluation import evaluate
from modes.everyday.queue import QueueOrder
from tests.modes.conftest import X0, Y0

OP, SUP, LEAD, DISP, DEPT = (
    Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher", "department")
)
D = dt.datetime


@pytest.fixture
def desk(tiny_city, clock):
    return CaseDesk(tiny_city, clock)


def _at(clock, text: str) -> None:
    clock.set(D.fromisoformat(text))


def _report(desk, clock, when: str, channel: str = "hotline", type_code: str = "06010") -> int:
    _at(clock, when)
    actor = SUP if channel == "supervisor" else OP
    doc, _ = desk.report(actor, x=X0 + 50, y=Y0 + 50, channel=channel, type_code=type_code)
    return doc["id"]


def _steps(desk, clock, case_id: int, *steps) -> None:
    for when, action, actor, *note in steps:
        _at(clock, when)
        kw = note[0] if note and isinstance(note[0], dict) else {}
        text = note[0] if note and isinstance(note[0], str) else ""
        desk.act(case_id, action, actor, text, **kw)


def _clocks(desk, case_id: int) -> dict[tuple[str, int], dict]:
    return {(c["stage"], c["attempt"]): c for c in desk.show(case_id)["stages"]}


def _pick(clock: dict, *keys: str) -> tuple:
    return tuple(clock[k] for k in keys)


WHEN = ("started", "due", "done")


# --- a lunch break ------------------------------------------------------------------------------------------


def test_limits_count_working_time_across_the_lunch_break(desk, clock):
    """A hotline report at 11:55 on Monday 2 March 2026: its 10 working minutes of acceptance are 5
    before the break and 5 after it."""
    cid = _report(desk, clock, "2026-03-02 11:55")
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "due", "clock", "limit") == (
        "2026-03-02T14:05:00",  # 11:55 + 5 min to 12:00, then 14:00 + 5 min
        "working",
        "10 working_minutes",
    )
    _at(clock, "2026-03-02 13:30")  # in the break: 5 working minutes gone, 5 left, not overdue
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "elapsed_minutes", "remaining_minutes", "running", "overdue") == (
        5.0,
        5.0,
        True,
        False,
    )
    _steps(
        desk,
        clock,
        cid,
        ("2026-03-02 14:03", "send_verify", OP),  # 8 working minutes after the report
        ("2026-03-02 14:20", "verify", SUP),
        ("2026-03-02 14:25", "file", LEAD),
        ("2026-03-02 14:30", "dispatch", DISP),
    )
    c = _clocks(desk, cid)
    assert _pick(c[("accept", 1)], *WHEN, "elapsed_minutes", "on_time") == (
        "2026-03-02T11:55:00", "2026-03-02T14:05:00", "2026-03-02T14:03:00", 8.0, True,
    )  # fmt: skip
    assert _pick(c[("verify", 1)], *WHEN, "elapsed_minutes", "on_time") == (
        "2026-03-02T14:03:00", "2026-03-02T14:33:00", "2026-03-02T14:20:00", 17.0, True,
    )  # fmt: skip
    assert _pick(c[("file", 1)], *WHEN, "on_time") == (
        "2026-03-02T14:20:00", "2026-03-02T14:50:00", "2026-03-02T14:25:00", True,
    )  # fmt: skip
    assert _pick(c[("dispatch", 1)], *WHEN, "elapsed_minutes", "on_time") == (
        "2026-03-02T14:25:00", "2026-03-02T14:55:00", "2026-03-02T14:30:00", 5.0, True,
    )  # fmt: skip
    # 暴露垃圾, 4 working hours from 14:30: 3 h 30 min to 18:00, the last 30 min from 08:00 on Tuesday.
    handle = c[("handle", 1)]
    assert _pick(handle, "started", "due", "limit", "clock", "running") == (
        "2026-03-02T14:30:00", "2026-03-03T08:30:00", "4 working_hours", "working", True,
    )  # fmt: skip


def test_a_stage_done_after_its_due_time_is_late_by_working_minutes(desk, clock):
    cid = _report(desk, clock, "2026-03-02 11:55", channel="supervisor")
    _steps(desk, clock, cid, ("2026-03-02 14:08", "accept", OP))  # due 14:05: 3 working minutes late
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "on_time", "overdue", "late_minutes", "elapsed_minutes") == (False, True, 3.0, 13.0)


# --- a weekend ----------------------------------------------------------------------------------------------


def test_a_friday_evening_report_is_due_on_monday_morning_and_not_overdue_on_saturday(desk, clock):
    """Reported at 17:55 on Friday 6 March: 5 working minutes before 18:00, 5 more from 08:00 on Monday
    9 March. On Saturday it has run 5 working minutes and is not overdue, whatever the clock on the
    wall says."""
    cid = _report(desk, clock, "2026-03-06 17:55")
    _at(clock, "2026-03-07 12:00")  # Saturday noon
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "due", "elapsed_minutes", "remaining_minutes", "overdue") == (
        "2026-03-09T08:05:00", 5.0, 5.0, False,
    )  # fmt: skip
    assert desk.show(cid)["overdue"] is False
    _at(clock, "2026-03-09 08:06")  # Monday: one working minute past
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "elapsed_minutes", "remaining_minutes", "overdue") == (11.0, -1.0, True)
    # The queue shows the same due time for the case's current stage, late since it passed.
    shown = queue.page(desk.session, CaseFilter(), QueueOrder(), 0, 10, clock.now())
    i = list(shown.ids).index(cid)
    assert (shown.stage_due[i], shown.stage_late[i]) == (np.datetime64("2026-03-09T08:05:00"), True)


def test_a_saturday_report_and_the_whole_intake_over_the_weekend(desk, clock):
    """Reported on Saturday 7 March at 10:00 and accepted at 10:04 (the seats work on Saturdays): no
    working time has passed, the acceptance was on time, and filing (30 working minutes from the
    acceptance) is due at 08:30 on Monday."""
    cid = _report(desk, clock, "2026-03-07 10:00", channel="supervisor")
    assert _clocks(desk, cid)[("accept", 1)]["due"] == "2026-03-09T08:10:00"
    _steps(desk, clock, cid, ("2026-03-07 10:04", "accept", OP))
    c = _clocks(desk, cid)
    assert _pick(c[("accept", 1)], "elapsed_minutes", "on_time") == (0.0, True)
    assert _pick(c[("file", 1)], "started", "due") == ("2026-03-07T10:04:00", "2026-03-09T08:30:00")
    # Filed on Monday at 08:20, dispatched at 08:50: 30 working minutes after 08:20 is 08:50, on time.
    _steps(desk, clock, cid, ("2026-03-09 08:20", "file", LEAD), ("2026-03-09 08:50", "dispatch", DISP))
    c = _clocks(desk, cid)
    assert _pick(c[("file", 1)], "elapsed_minutes", "on_time") == (20.0, True)
    assert _pick(c[("dispatch", 1)], "due", "elapsed_minutes", "on_time") == (
        "2026-03-09T08:50:00",
        30.0,
        True,
    )
    # 4 working hours from 08:50 on Monday: 3 h 10 min to 12:00, 50 min from 14:00: 14:50.
    assert c[("handle", 1)]["due"] == "2026-03-09T14:50:00"


# --- a rework and a return ------------------------------------------------------------------------------------


def _reworked(desk, clock) -> int:
    """Filed at 09:05 and dispatched at 09:10 on Monday 2 March; fed back, sent to check, the check
    failed at 11:50; the dispatcher re-dispatched at 14:10, across the lunch break."""
    cid = _report(desk, clock, "2026-03-02 09:00", channel="supervisor")
    _steps(
        desk,
        clock,
        cid,
        ("2026-03-02 09:02", "accept", OP),
        ("2026-03-02 09:05", "file", LEAD),
        ("2026-03-02 09:10", "dispatch", DISP),
        ("2026-03-02 09:20", "start", DEPT),
        ("2026-03-02 11:20", "feedback", DEPT),
        ("2026-03-02 11:25", "send_check", OP),
        ("2026-03-02 11:50", "check_fail", SUP, "still there"),
        ("2026-03-02 14:10", "rework", DISP),
    )
    return cid


def test_a_rework_starts_the_stages_it_reopens_afresh_and_charges_no_earlier_one(desk, clock):
    cid = _reworked(desk, clock)
    _at(clock, "2026-03-02 15:00")
    c = _clocks(desk, cid)
    # The first dispatch, 5 minutes after filing, stays on time: it is not charged for the rework.
    assert _pick(c[("dispatch", 1)], *WHEN, "elapsed_minutes", "on_time", "late_minutes") == (
        "2026-03-02T09:05:00", "2026-03-02T09:35:00", "2026-03-02T09:10:00", 5.0, True, None,
    )  # fmt: skip
    # The re-dispatch runs from the failed check: 10 working minutes to 12:00, 20 after 14:00.
    assert _pick(c[("dispatch", 2)], *WHEN, "elapsed_minutes", "on_time") == (
        "2026-03-02T11:50:00", "2026-03-02T14:20:00", "2026-03-02T14:10:00", 20.0, True,
    )  # fmt: skip
    # Handling, attempt 1: 4 working hours from 09:10 is 15:10; fed back at 11:20, on time.
    assert _pick(c[("handle", 1)], *WHEN, "on_time") == (
        "2026-03-02T09:10:00", "2026-03-02T15:10:00", "2026-03-02T11:20:00", True,
    )  # fmt: skip
    # Attempt 2 from the rework at 14:10: 3 h 50 min to 18:00, 10 min on Tuesday: 08:10.
    assert _pick(c[("handle", 2)], "started", "due", "done", "running", "elapsed_minutes") == (
        "2026-03-02T14:10:00", "2026-03-03T08:10:00", None, True, 50.0,
    )  # fmt: skip
    assert _pick(c[("send_check", 1)], *WHEN, "on_time") == (
        "2026-03-02T11:20:00", "2026-03-02T11:30:00", "2026-03-02T11:25:00", True,
    )  # fmt: skip
    assert _pick(c[("check", 1)], *WHEN, "on_time") == (
        "2026-03-02T11:25:00", "2026-03-02T11:55:00", "2026-03-02T11:50:00", True,
    )  # fmt: skip
    # The earlier stages keep their verdicts; nothing of this case is late.
    assert _pick(c[("accept", 1)], "done", "on_time") == ("2026-03-02T09:02:00", True)
    assert not any(clock_["overdue"] for clock_ in c.values())
    assert ("send_check", 2) not in c and ("check", 2) not in c  # not reopened until the next feedback
    # Each step that stopped a clock keeps the due time it was held to on its history row.
    kept = dict(
        desk.session.execute(
            select(CaseHistory.action, CaseHistory.stage_due).where(
                CaseHistory.case_id == cid, CaseHistory.action.in_(("dispatch", "rework"))
            )
        ).all()
    )
    assert kept == {"dispatch": D(2026, 3, 2, 9, 35), "rework": D(2026, 3, 2, 14, 20)}


def test_a_late_rework_is_late_by_its_own_clock_only(desk, clock):
    cid = _report(desk, clock, "2026-03-02 09:00", channel="supervisor")
    _steps(
        desk,
        clock,
        cid,
        ("2026-03-02 09:02", "accept", OP),
        ("2026-03-02 09:05", "file", LEAD),
        ("2026-03-02 09:10", "dispatch", DISP),
        ("2026-03-02 09:20", "start", DEPT),
        ("2026-03-02 10:00", "feedback", DEPT),
        ("2026-03-02 10:05", "send_check", OP),
        ("2026-03-02 10:30", "check_fail", SUP, "still there"),  # re-dispatch due 11:00
        ("2026-03-02 14:25", "rework", DISP),  # 90 working minutes to 12:00, 25 after: 85 late
    )
    c = _clocks(desk, cid)
    assert _pick(c[("dispatch", 1)], "on_time", "late_minutes") == (True, None)
    assert _pick(c[("dispatch", 2)], "due", "on_time", "late_minutes", "elapsed_minutes") == (
        "2026-03-02T11:00:00", False, 85.0, 115.0,
    )  # fmt: skip


def _returned(desk, clock) -> int:
    """Filed at 09:05 on Monday 2 March, dispatched late (09:50, due 09:35) to the wrong unit, which
    returned it (approved 10:30); dispatched again at 10:40."""
    cid = _report(desk, clock, "2026-03-02 09:00", channel="supervisor")
    _steps(
        desk,
        clock,
        cid,
        ("2026-03-02 09:02", "accept", OP),
        ("2026-03-02 09:05", "file", LEAD),
        ("2026-03-02 09:50", "dispatch", DISP, {"department": "water_supply"}),
        ("2026-03-02 10:00", "request_return", DEPT, "not ours"),
        ("2026-03-02 10:30", "approve_return", DISP),
        ("2026-03-02 10:40", "dispatch", DISP, {"department": "sanitation"}),
    )
    return cid


def test_a_return_starts_dispatch_afresh_and_the_misrouted_handling_is_not_charged(desk, clock):
    cid = _returned(desk, clock)
    c = _clocks(desk, cid)
    assert _pick(c[("dispatch", 1)], "due", "done", "on_time", "late_minutes") == (
        "2026-03-02T09:35:00", "2026-03-02T09:50:00", False, 15.0,
    )  # fmt: skip
    assert _pick(c[("dispatch", 2)], *WHEN, "on_time") == (
        "2026-03-02T10:30:00", "2026-03-02T11:00:00", "2026-03-02T10:40:00", True,
    )  # fmt: skip
    assert _pick(c[("handle", 1)], "done", "ended_by", "ended_at", "on_time") == (
        None, "approve_return", "2026-03-02T10:30:00", None,
    )  # fmt: skip
    # The handling limit counts again from the second dispatch: 10:40 + 4 working hours = 16:40.
    assert _pick(c[("handle", 2)], "started", "due", "running") == (
        "2026-03-02T10:40:00",
        "2026-03-02T16:40:00",
        True,
    )


def test_the_seats_are_judged_attempt_by_attempt_in_working_time(desk, clock):
    """The dispatcher's two dispatches of a returned case: the first late by its own clock, the second on
    time by its own; judged by the case's last due time alone, both were "on time". The operator sends
    a Friday-evening feedback to check on Monday at 08:03: 8 working minutes, on time."""
    _returned(desk, clock)
    evening = _report(desk, clock, "2026-03-06 09:00", channel="supervisor")
    _steps(
        desk,
        clock,
        evening,
        ("2026-03-06 09:02", "accept", OP),
        ("2026-03-06 09:05", "file", LEAD),
        ("2026-03-06 09:10", "dispatch", DISP),
        ("2026-03-06 09:20", "start", DEPT),
        ("2026-03-06 17:55", "feedback", DEPT),
        ("2026-03-09 08:03", "send_check", OP),  # 5 working minutes on Friday, 3 on Monday
    )
    rows = {r["key"]: r for r in evaluate(desk.session, by="role", start="2026-03-01", end="2026-03-31",
                                          now=D(2026, 3, 10))["rows"]}  # fmt: skip
    disp = rows["dispatcher:dispatcher"]
    assert (disp["dispatches"], disp["dispatched_on_time"]) == (3, 2)
    op = rows["operator:operator"]
    assert (op["check_sent"], op["check_sent_on_time"]) == (1, 1)
    assert _clocks(desk, evening)[("send_check", 1)]["due"] == "2026-03-09T08:05:00"


# --- suspension, natural time, urgent cases ---------------------------------------------------------------------


def test_the_handling_clock_does_not_run_while_suspended(desk, clock):
    cid = _report(desk, clock, "2026-03-02 09:00", channel="supervisor")
    _steps(
        desk,
        clock,
        cid,
        ("2026-03-02 09:02", "accept", OP),
        ("2026-03-02 09:05", "file", LEAD),
        ("2026-03-02 09:10", "dispatch", DISP),  # due 15:10
        ("2026-03-02 09:20", "start", DEPT),
        ("2026-03-02 10:00", "request_suspension", DEPT, "waiting for the owner"),
        ("2026-03-02 10:10", "approve_suspension", DISP),
    )
    _at(clock, "2026-03-02 17:00")
    handle = _clocks(desk, cid)[("handle", 1)]
    assert _pick(handle, "elapsed_minutes", "running", "paused", "overdue", "remaining_minutes") == (
        60.0, False, True, False, None,
    )  # fmt: skip
    # Resumed on Tuesday at 08:30: the 3 working hours left at 10:10 (110 minutes to 12:00, 70 from
    # 14:00 to 15:10) run from 08:30 to 11:30; 60 working minutes before the suspension, 30 since.
    _steps(desk, clock, cid, ("2026-03-03 08:30", "resume", DISP))
    _at(clock, "2026-03-03 09:00")
    handle = _clocks(desk, cid)[("handle", 1)]
    assert _pick(handle, "due", "elapsed_minutes", "running") == ("2026-03-03T11:30:00", 90.0, True)


def test_a_natural_time_limit_says_so_and_counts_the_clock(tiny_city, clock):
    EverydayConfig.from_dict({"stages": {"accept": [10, "minutes"]}}).save(tiny_city)
    desk = CaseDesk(tiny_city, clock)
    cid = _report(desk, clock, "2026-03-02 11:55")
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "due", "clock", "limit") == ("2026-03-02T12:05:00", "natural", "10 minutes")
    _at(clock, "2026-03-02 12:07")
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "elapsed_minutes", "remaining_minutes", "overdue") == (12.0, -2.0, True)
    # Verification keeps its working-time limit: 30 working minutes from 12:07 is 14:30.
    _steps(desk, clock, cid, ("2026-03-02 12:07", "send_verify", OP))
    assert _pick(_clocks(desk, cid)[("verify", 1)], "due", "clock") == ("2026-03-02T14:30:00", "working")


def test_an_urgent_case_counts_every_clock_in_natural_time(desk, clock):
    cid = _report(desk, clock, "2026-03-06 17:55", channel="supervisor", type_code="0401")  # 路面塌陷
    accept = _clocks(desk, cid)[("accept", 1)]
    assert _pick(accept, "due", "clock", "limit") == ("2026-03-06T18:05:00", "natural", "10 working_minutes")
    _steps(desk, clock, cid, ("2026-03-06 18:10", "accept", OP))
    assert _pick(_clocks(desk, cid)[("accept", 1)], "on_time", "late_minutes", "elapsed_minutes") == (
        False, 5.0, 15.0,
    )  # fmt: skip


# --- replication ------------------------------------------------------------------------------------------


def test_a_replica_keeps_each_attempts_due_time(desk, clock, tmp_path):
    """The case's history goes to district and console replicas with each step's stage due, so a
    replica shows the same attempts and verdicts; a step from a centre that sends none keeps none."""
    import sqlite3

    import msgpack

    from comms.wire import Entry
    from data.db import make_engine, upgrade_schema
    from data.models import Case
    from modes.common.picture import SPEC_BY_NAME, build_spec
    from nodes.replica_writer import apply_entries

    cid = _reworked(desk, clock)
    desk.session.flush()
    items = build_spec(desk.session, SPEC_BY_NAME["case"], clock.now(), where=Case.id == cid)
    ((key, item),) = items.items()
    path = tmp_path / "replica.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    older = msgpack.unpackb(item.body)
    older["id"] = cid + 1
    older["history"] = [step[:7] for step in older["history"]]  # a centre before stage dues
    db = sqlite3.connect(path)
    with db:
        apply_entries(
            db, [Entry(key, 1, body=item.body), Entry(f"/case/{cid + 1}", 2, body=msgpack.packb(older))]
        )
    kept = db.execute(
        "SELECT action, stage_due FROM case_history WHERE case_id = ? AND stage_due IS NOT NULL ORDER BY id",
        (cid,),
    ).fetchall()
    assert ("dispatch", "2026-03-02 09:35:00.000000") in kept and (
        "rework",
        "2026-03-02 14:20:00.000000",
    ) in kept
    assert db.execute("SELECT count(*) FROM case_history WHERE case_id = ?", (cid + 1,)).fetchone() == (9,)
    assert db.execute("SELECT count(*) FROM case_history WHERE case_id = ? AND stage_due IS NOT NULL",
                      (cid + 1,)).fetchone() == (0,)  # fmt: skip
    db.close()


def test_case_show_prints_the_clocks_for_a_person(tmp_path):
    """``case show`` without --json: each clock with its limit and the time it counts, due and done in
    city time, elapsed working minutes and its state."""
    from tests.test_cli import _a_cell_centre, run

    city = "sqlite:///" + str(tmp_path / "city.db")
    run("seed", "--scale", "small", "--seed", "3", "--db", city)
    _code, x, y = _a_cell_centre(city)
    at = {"SANWEI_CLOCK": "2026-03-02T11:55:00"}
    reported = run("report", "--x", str(x), "--y", str(y), "--type", "06010", "--channel", "hotline",
                   "--as", "city_operator", "--json", "--db", city, env=at)  # fmt: skip
    cid = str(json.loads(reported.stdout)["id"])
    run(
        "case",
        "act",
        cid,
        "send_verify",
        "--as",
        "city_operator",
        "--db",
        city,
        env={"SANWEI_CLOCK": "2026-03-02T14:03:00"},
    )
    out = run(
        "case", "show", cid, "--db", city, env={"SANWEI_CLOCK": "2026-03-02T14:10:00"}
    ).stdout.splitlines()
    assert "Stage clocks (city time, UTC+8; now Mon 2026-03-02 14:10):" in out
    rows = {
        line.split()[0]: " ".join(line.split())
        for line in out
        if line.startswith("  accept") or line.startswith("  verify")
    }
    assert rows["accept"] == "accept 10 min, working time 14:05 14:03 8 min done in 8 min, on time"
    assert rows["verify"] == "verify 30 min, working time 14:33 - 7 min 23 min left"
    # From Saturday the due times carry their day's name.
    out = run("case", "show", cid, "--db", city, env={"SANWEI_CLOCK": "2026-03-07T10:00:00"}).stdout
    verify = next(" ".join(line.split()) for line in out.splitlines() if line.startswith("  verify"))
    # Working time from 14:03 on Monday to Saturday: 3 h 57 min on Monday, 8 h on each of Tuesday to
    # Friday, none on Saturday: 35 h 57 min, of which 30 minutes were allowed.
    assert verify == "verify 30 min, working time Mon 03-02 14:33 - 35 h 57 min OVERDUE by 35 h 27 min"
