"""The one meaning of overdue (``modes.everyday.overdue``): its SQL condition, its in-memory twin and its
as-of form agree on the same rows, at the edges (a deadline exactly now, a suspended case, finished
cases, a case without deadline), and every reader of it says the same: the queue, ``case list``, the
case desk's view, the map, the choropleth's per-cell count, the KPIs and the dashboard's trend.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from data.models import Case, EventType
from modes.common.clock import FixedClock
from modes.everyday.case_filter import CaseFilter
from modes.everyday.case_map import open_cases, open_cases_per_cell
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.evaluation import evaluate
from modes.everyday.overdue import NOT_RUNNING, is_overdue, overdue_as_of, overdue_condition
from modes.everyday.queue import QueueOrder, count, list_cases, page
from modes.everyday.trends import daily_trends
from tests.modes.conftest import X0, Y0

OP, SUP, LEAD, DISP, DEPT = (
    Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher", "department")
)
HOUR = dt.timedelta(hours=1)

# Each case: the steps it is taken through, then its deadline relative to now (None: no deadline).
EDGES: dict[str, tuple[tuple[tuple[str, Actor], ...], dt.timedelta | None]] = {
    "handling_late": ((("accept", OP), ("file", LEAD), ("dispatch", DISP), ("start", DEPT)), -HOUR),
    "handling_in_time": ((("accept", OP), ("file", LEAD), ("dispatch", DISP), ("start", DEPT)), HOUR),
    "deadline_exactly_now": ((("accept", OP), ("file", LEAD), ("dispatch", DISP)), dt.timedelta(0)),
    "a_second_late": ((("accept", OP), ("file", LEAD), ("dispatch", DISP)), -dt.timedelta(seconds=1)),
    "no_deadline": ((("accept", OP), ("file", LEAD), ("dispatch", DISP), ("start", DEPT)), None),
    "suspended_late": (
        (
            ("accept", OP),
            ("file", LEAD),
            ("dispatch", DISP),
            ("start", DEPT),
            ("request_suspension", DEPT),
            ("approve_suspension", DISP),
        ),
        -HOUR,
    ),
    "resumed_late": (
        (
            ("accept", OP),
            ("file", LEAD),
            ("dispatch", DISP),
            ("start", DEPT),
            ("request_suspension", DEPT),
            ("approve_suspension", DISP),
            ("resume", DISP),
        ),
        -HOUR,
    ),
    "waiting_at_the_centre_late": ((("accept", OP),), -HOUR),
    "closed_late": ((("accept", OP), ("file", LEAD), ("dispatch", DISP), ("close_error", LEAD)), -HOUR),
    "evaluated_late": (
        (("accept", OP), ("file", LEAD), ("dispatch", DISP), ("close_error", LEAD), ("evaluate", OP)),
        -HOUR,
    ),
    "voided_late": ((("accept", OP), ("file", LEAD), ("void", LEAD)), -HOUR),
}
OVERDUE = {"handling_late", "a_second_late", "resumed_late", "waiting_at_the_centre_late"}
# Overdue in handling (the KPIs' overdue_open, the dashboard's trend): the overdue cases dispatched.
OVERDUE_IN_HANDLING = OVERDUE - {"waiting_at_the_centre_late"}


@pytest.fixture
def edges(tiny_city, clock):
    """(session, now, {name: case id}): one case per edge, plus a linked duplicate given a past
    deadline (a finished state must win over the deadline)."""
    desk = CaseDesk(tiny_city, clock)
    types = tiny_city.scalars(
        select(EventType.code).where(EventType.urgent.is_(False)).order_by(EventType.code).limit(len(EDGES))
    ).all()
    ids = {}
    for (name, (steps, _)), type_code in zip(EDGES.items(), types, strict=True):
        doc, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code=type_code)
        for action, actor in steps:
            satisfaction = "satisfied" if action == "evaluate" else None
            desk.act(doc["id"], action, actor, f"{action} for the test", satisfaction=satisfaction)
        ids[name] = doc["id"]
    doc, _ = desk.report(OP, x=X0 + 52, y=Y0 + 50, channel="hotline", type_code=types[0])
    assert doc["state"] == "merged"
    ids["merged"] = doc["id"]
    clock.advance(hours=2)  # every step lies in the past
    now = clock.now()
    for name, case_id in ids.items():
        offset = EDGES[name][1] if name in EDGES else -HOUR
        tiny_city.get(Case, case_id).deadline = None if offset is None else now + offset
    tiny_city.flush()
    return tiny_city, now, ids


def _where(session, condition) -> set[int]:
    return set(session.scalars(select(Case.id).where(condition)))


def test_the_rule_at_its_edges(edges):
    session, now, ids = edges
    names = {v: k for k, v in ids.items()}
    overdue = {names[i] for i in _where(session, overdue_condition(now))}
    assert overdue == OVERDUE
    states = {name: session.get(Case, i).state for name, i in ids.items()}
    assert states["suspended_late"] == "suspended" and states["resumed_late"] == "handling"
    assert {states[n] for n in ("closed_late", "evaluated_late", "voided_late", "merged")} == {
        "closed",
        "evaluated",
        "voided",
        "merged",
    }


def test_the_twin_and_the_as_of_form_agree_with_the_sql_on_every_row(edges):
    session, now, ids = edges
    in_sql = _where(session, overdue_condition(now))
    rows = session.execute(select(Case.id, Case.state, Case.deadline).where(Case.id.in_(ids.values()))).all()
    assert {r.id for r in rows if is_overdue(r.state, r.deadline, now)} == in_sql
    assert _where(session, overdue_as_of(now)) == in_sql
    # A second later the case due exactly now is overdue too, by all three.
    later = now + dt.timedelta(seconds=1)
    in_sql_later = _where(session, overdue_condition(later))
    assert in_sql_later == in_sql | {ids["deadline_exactly_now"]}
    assert {r.id for r in rows if is_overdue(r.state, r.deadline, later)} == in_sql_later
    assert _where(session, overdue_as_of(later)) == in_sql_later


@pytest.mark.parametrize(
    "state, deadline, expected",
    [
        ("handling", dt.datetime(2026, 3, 2, 8, 59, 59), True),
        ("handling", dt.datetime(2026, 3, 2, 9, 0), False),  # due exactly now: not passed yet
        ("handling", None, False),
        ("reported", dt.datetime(2026, 3, 1), True),
        *((state, dt.datetime(2026, 3, 1), False) for state in sorted(NOT_RUNNING)),
    ],
)
def test_the_twin_alone(state, deadline, expected):
    assert is_overdue(state, deadline, dt.datetime(2026, 3, 2, 9, 0)) is expected


def test_the_queue_case_list_and_the_desk_say_the_same(edges):
    session, now, ids = edges
    expected = {ids[n] for n in OVERDUE}
    assert count(session, CaseFilter(overdue=True), now) == len(OVERDUE)
    listed = list_cases(session, now, overdue=True, limit=100)
    assert {c["id"] for c in listed["cases"]} == expected and listed["total"] == len(OVERDUE)
    every = list_cases(session, now, limit=100)["cases"]
    assert {c["id"] for c in every if c["overdue"]} == expected
    rows = page(session, CaseFilter(), QueueOrder(), 0, 100, now)
    assert set(rows.ids[rows.overdue].tolist()) == expected
    desk = CaseDesk(session, FixedClock(now))
    assert {i for i in ids.values() if desk.show(i)["overdue"]} == expected


def test_the_map_and_the_choropleth_say_the_same(edges):
    session, now, ids = edges
    shown = open_cases(session, now, lambda keys: {})
    assert set(shown.ids[shown.overdue].tolist()) == {ids[n] for n in OVERDUE}
    # Overdue cases come last: the map draws them on top.
    assert shown.overdue.tolist() == sorted(shown.overdue.tolist())
    cells = session.scalars(select(Case.cell_code).distinct()).all()
    codes = np.array(sorted(cells))
    assert open_cases_per_cell(session, codes, overdue_at=now).sum() == len(OVERDUE)
    # The choropleth used to count a suspended case past its deadline as overdue; the clock is stopped.
    open_ones = {n for n in ids if n not in {"closed_late", "evaluated_late", "voided_late", "merged"}}
    assert open_cases_per_cell(session, codes).sum() == len(open_ones)


def test_kpis_and_the_trend_count_the_overdue_cases_in_handling(edges):
    session, now, ids = edges
    doc = evaluate(session, by="district", start=now.date(), end=now.date(), now=now)
    assert sum(r["overdue_open"] for r in doc["rows"]) == len(OVERDUE_IN_HANDLING)
    trend = daily_trends(session, now=now, days=1)
    assert trend.overdue == (len(OVERDUE_IN_HANDLING),)
