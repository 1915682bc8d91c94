"""The case panel's Clocks: each limit says whether it counts working or natural time, due times show
in city time with the day name where not today, and a reworked case shows both dispatch attempts, the
first with its own on-time verdict; in English and in Chinese."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from console.everyday.case_panel import CasePanel
from console.everyday.services import CaseServices
from console.workers import WorkerPool
from data.models import EventAssignment, GridCell
from modes.common.clock import FixedClock
from modes.everyday.cases import Actor, CaseDesk

D = dt.datetime
# Reported 11:00 on Friday 6 March 2026; seen from Saturday noon.
SATURDAY_NOON = D(2026, 3, 7, 12, 0)
_cells = itertools.count(11, 13)  # a fresh cell per case: no duplicate linking between tests


def _reworked_case(make_session) -> int:
    """Filed 11:05, dispatched 11:10 on Friday; fed back, sent to check, failed at 11:50; re-dispatched
    at 17:55 (due 14:20: late); running again since."""
    with make_session() as s, s.begin():
        cell = s.scalar(select(GridCell).order_by(GridCell.code).offset(next(_cells)).limit(1))
        type_code = s.scalar(
            select(EventAssignment.event_type_code)
            .where(EventAssignment.district_code == cell.code[:6], EventAssignment.event_type_code == "06010")
            .limit(1)
        )
        assert type_code == "06010"  # 暴露垃圾: 4 working hours
        clock = FixedClock(D(2026, 3, 6, 11, 0))
        desk = CaseDesk(s, clock)
        c = cell.geometry.centroid
        doc, _ = desk.report(
            Actor.of("supervisor", "someone"), x=c.x, y=c.y, channel="supervisor", type_code="06010"
        )
        assert doc["state"] == "reported"
        steps = (
            ("11:02", "accept", "operator"),
            ("11:05", "file", "shift_leader"),
            ("11:10", "dispatch", "dispatcher"),
            ("11:15", "start", "department"),
            ("11:30", "feedback", "department"),
            ("11:32", "send_check", "operator"),
            ("11:50", "check_fail", "supervisor"),
            ("17:55", "rework", "dispatcher"),
        )
        for hhmm, action, role in steps:
            clock.set(D.fromisoformat(f"2026-03-06 {hhmm}"))
            department = s.scalar(
                select(EventAssignment.department_code).where(
                    EventAssignment.district_code == cell.code[:6], EventAssignment.event_type_code == "06010"
                )
            )
            who = Actor.of(role, f"other-{role}", department=department if role == "department" else None)
            desk.act(doc["id"], action, who, "not done" if action == "check_fail" else "")
        return doc["id"]


@pytest.fixture
def panel(services_for, qtbot):
    workers = WorkerPool()
    built = CasePanel(CaseServices.of(services_for("commander", FixedClock(SATURDAY_NOON))), workers)
    qtbot.addWidget(built)
    built.resize(900, 700)
    built.show()
    yield built
    workers.shutdown()
    built.close()


def _rows(panel: CasePanel) -> dict[str, list[str]]:
    table = panel.clocks
    return {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    }


def test_the_clocks_say_their_time_and_keep_each_attempt(panel, make_session, translations):
    translations("en")
    case_id = _reworked_case(make_session)
    panel.show_case(case_id)
    rows = _rows(panel)
    stage, limit, due, done, elapsed, state = rows["Dispatch (1)"]
    assert (limit, due, done, elapsed, state) == (
        "30 min · working time", "Fri 03-06 11:35", "Fri 03-06 11:10", "5 min", "attempt 1: done in 5 min, on time",
    )  # fmt: skip
    # The re-dispatch ran from the failed check at 11:50: due after 10 working minutes to 12:00 and 20
    # after 14:00; done at 17:55, 4 h 5 min of working time after the check.
    _, limit, due, done, elapsed, state = rows["Dispatch (2)"]
    assert (due, done, state) == (
        "Fri 03-06 14:20",
        "Fri 03-06 17:55",
        "attempt 2: done in 4 h 5 min, late by 3 h 35 min",
    )
    # Handling again from 17:55 on Friday: 5 working minutes that day, none on Saturday; 4 working hours
    # run to 11:55 on Monday.
    _, limit, due, done, elapsed, state = rows["Handling (2)"]
    assert (limit, due, done, elapsed, state) == (
        "4 h · working time", "Mon 03-09 11:55", "—", "5 min", "attempt 2: 3 h 55 min left",
    )  # fmt: skip
    assert rows["Acceptance"][5] == "done in 2 min, on time"
    assert "UTC+8" in panel.clocks_note.text()


def test_the_clocks_in_chinese(panel, make_session, translations):
    translations("zh_CN")
    case_id = _reworked_case(make_session)
    panel.show_case(case_id)
    rows = _rows(panel)
    _, limit, due, _done, _elapsed, state = rows["派遣（第 1 次）"]
    assert (limit, due, state) == ("30分钟 · 工作时间", "周五 03-06 11:35", "第 1 次：用时5分钟，按时")
    assert rows["处置（第 2 次）"][2] == "周一 03-09 11:55"
