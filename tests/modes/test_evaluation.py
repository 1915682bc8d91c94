"""Evaluation: exact counts and rates on a small constructed loop, band and grade edges, the journal
giving the same figures as the tables, and bad input; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.models import Case, EventAssignment
from modes.common.clock import FixedClock
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.evaluation import (
    band_fewer,
    band_more,
    composite,
    evaluate,
    evaluate_from_journal,
    grade_of,
    period_of,
)
from tests.modes.conftest import X0, Y0
from tests.modes.test_history import END, NOW, history_city  # noqa: F401 - the shared fixture

OP, SUP, LEAD, DISP, DEPT = (
    Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher", "department")
)
D = dt.datetime
EVAL_NOW = D(2026, 3, 10, 12, 0)  # a Tuesday
PERIOD = {"start": "2026-03-01", "end": "2026-03-30"}  # 30 days: counts need no scaling for the bands


# --- a constructed loop with known outcomes ----------------------------------------------------------------


def _at(clock: FixedClock, text: str) -> None:
    clock.set(D.fromisoformat(text))


def _steps(desk: CaseDesk, clock: FixedClock, case_id: int, *steps) -> None:
    for when, action, actor, *rest in steps:
        _at(clock, when)
        kw = rest[0] if rest and isinstance(rest[0], dict) else {}
        note = rest[0] if rest and isinstance(rest[0], str) else ""
        desk.act(case_id, action, actor, note, **kw)


def _report(desk, clock, when, type_code, channel="supervisor", x=X0 + 50, y=Y0 + 50) -> int:
    _at(clock, when)
    doc, _ = desk.report(
        SUP if channel == "supervisor" else OP, x=x, y=y, channel=channel, type_code=type_code
    )
    assert doc["state"] == "reported", "constructed cases must not be linked as duplicates"
    return doc["id"]


def _intake(desk, clock, case_id, day="2026-03-02"):
    _steps(
        desk,
        clock,
        case_id,
        (f"{day} 09:05", "accept", OP),
        (f"{day} 09:10", "file", LEAD),
        (f"{day} 09:20", "dispatch", DISP),
        (f"{day} 09:30", "start", DEPT),
    )


def _check_and_close(desk, clock, case_id, day, hhmm="11:00"):
    h, m = map(int, hhmm.split(":"))
    t = D.fromisoformat(f"{day} {hhmm}")
    _steps(
        desk,
        clock,
        case_id,
        (t.isoformat(sep=" "), "feedback", DEPT),
        ((t + dt.timedelta(minutes=5)).isoformat(sep=" "), "send_check", OP),
        ((t + dt.timedelta(minutes=20)).isoformat(sep=" "), "check_pass", SUP),
        ((t + dt.timedelta(minutes=30)).isoformat(sep=" "), "close", LEAD),
    )


@pytest.fixture
def loop(tiny_city):
    """Nine cases in 道里 (sanitation) and 南岗 (enforcement) whose every outcome is known.

    A on time; B closed overdue; C overdue and open; D open inside its deadline; E filed then voided;
    F reworked once, then on time; G a hotline report, verified, on time, rated satisfied; H suspended
    past its deadline (the clock is stopped: not overdue); I in 南岗, on time.
    """
    s = tiny_city
    for code in ("06012", "06011", "06036", "06042", "06017", "06035"):
        s.add(EventAssignment(district_code="230102", event_type_code=code, department_code="sanitation"))
    s.flush()
    clock = FixedClock(D(2026, 3, 2, 9, 0))
    desk = CaseDesk(s, clock)
    ids = {}
    ids["A"] = _report(desk, clock, "2026-03-02 09:00", "06010")
    _intake(desk, clock, ids["A"])
    _check_and_close(desk, clock, ids["A"], "2026-03-02", "11:00")  # deadline 15:20 (4 working hours)
    ids["B"] = _report(desk, clock, "2026-03-02 09:00", "06012")
    _intake(desk, clock, ids["B"])
    _check_and_close(desk, clock, ids["B"], "2026-03-03", "17:00")  # deadline Mon 16:20 (5 working hours)
    ids["C"] = _report(desk, clock, "2026-03-02 09:00", "06011")
    _intake(desk, clock, ids["C"])  # 4 working days: due Fri 6 March 09:20, still in handling
    ids["E"] = _report(desk, clock, "2026-03-02 09:00", "06042")
    _steps(desk, clock, ids["E"], ("2026-03-02 09:05", "accept", OP), ("2026-03-02 09:10", "file", LEAD))
    _steps(desk, clock, ids["E"], ("2026-03-02 09:40", "void", LEAD, "立案有误"))
    ids["F"] = _report(desk, clock, "2026-03-02 09:00", "06017")
    _intake(desk, clock, ids["F"])
    _steps(
        desk,
        clock,
        ids["F"],
        ("2026-03-02 11:00", "feedback", DEPT),
        ("2026-03-02 11:05", "send_check", OP),
        ("2026-03-02 11:20", "check_fail", SUP, "未整改到位"),
        ("2026-03-02 11:30", "rework", DISP),
        ("2026-03-02 11:40", "start", DEPT),
    )
    _check_and_close(desk, clock, ids["F"], "2026-03-03", "10:00")
    ids["G"] = _report(desk, clock, "2026-03-02 14:00", "06010", channel="hotline")
    _steps(
        desk,
        clock,
        ids["G"],
        ("2026-03-02 14:05", "send_verify", OP),
        ("2026-03-02 14:20", "verify", SUP),
        ("2026-03-02 14:25", "file", LEAD),
        ("2026-03-02 14:30", "dispatch", DISP),
        ("2026-03-02 14:40", "start", DEPT),
    )
    _check_and_close(desk, clock, ids["G"], "2026-03-02", "17:00")
    _steps(desk, clock, ids["G"], ("2026-03-03 10:00", "evaluate", OP, {"satisfaction": "satisfied"}))
    ids["H"] = _report(desk, clock, "2026-03-02 09:00", "06035")
    _intake(desk, clock, ids["H"])
    _steps(
        desk,
        clock,
        ids["H"],
        ("2026-03-02 09:45", "request_suspension", DEPT, "纳入维修计划"),
        ("2026-03-02 10:00", "approve_suspension", DISP),
    )
    ids["I"] = _report(desk, clock, "2026-03-02 09:00", "06010", y=Y0 + 250)  # 南岗 -> enforcement
    _intake(desk, clock, ids["I"])
    _check_and_close(desk, clock, ids["I"], "2026-03-02", "10:30")
    ids["D"] = _report(desk, clock, "2026-03-09 16:00", "06036")
    _intake(desk, clock, ids["D"], day="2026-03-09")  # 2 working days: due Wed 11 March
    return s, ids


def _rows(doc):
    return {r["key"]: r for r in doc["rows"]}


def test_department_counts_rates_score_and_grade(loop):
    s, ids = loop
    doc = evaluate(s, by="department", now=EVAL_NOW, **PERIOD)
    assert (doc["from"], doc["to"], doc["counted_by"]) == ("2026-03-01", "2026-03-30", "cases.reported_at")
    rows = _rows(doc)
    assert set(rows) == {"sanitation", "enforcement"}
    san = rows["sanitation"]
    assert "voided" not in san and "public_filed" not in san  # not a department's business
    expected = {
        "reported": 7,  # A B C D F G H: E was never dispatched, so it is not the department's
        "filed": 7,
        "dispatched": 7,
        "reworked": 1,
        "suspended": 1,
        "closed": 4,  # A B F G
        "closed_on_time": 3,  # A F G
        "closed_overdue": 1,  # B
        "in_handling": 3,  # C D H
        "overdue_open": 1,  # C; H is suspended, D not yet due
        "due_to_close": 5,
        "evaluated": 1,
        "satisfied": 1,
    }
    assert {k: san[k] for k in expected} == expected
    assert san["closure_rate"] == 0.8 and san["on_time_rate"] == 0.6
    assert san["rework_rate"] == pytest.approx(0.1429) and san["accurate_dispatch_rate"] == pytest.approx(
        0.8571
    )
    assert san["overdue_open_rate"] == pytest.approx(0.3333)
    # 立案数 7 -> 100 (x10%), 结案率 80 (x30%), 按期 60 (x30%), 返工 (1 - 0.1429) x 100 (x30%)
    assert san["indicators"] == {"filed": 100.0, "closure": 80.0, "on_time": 60.0, "rework": 85.71}
    assert san["score"] == pytest.approx(77.71, abs=0.01)
    assert (san["grade"], san["colour"]) == ("B", "blue")
    enf = rows["enforcement"]
    assert (enf["closed"], enf["closed_on_time"], enf["due_to_close"], enf["score"], enf["grade"]) == (
        1, 1, 1, 100.0, "A",
    )  # fmt: skip


def test_district_view_counts_voids_and_public_reports(loop):
    s, _ = loop
    rows = _rows(evaluate(s, by="district", now=EVAL_NOW, **PERIOD))
    daoli = rows["230102"]
    assert (daoli["reported"], daoli["filed"], daoli["voided_after_filing"]) == (8, 8, 1)
    assert daoli["accurate_filing_rate"] == 0.875
    assert daoli["public_report_rate"] == 0.125  # G of 8 filed
    # 8 filed over 2 cells in a 30-day period: 4 per cell -> 75 (band "up to 5")
    assert daoli["indicators"]["filed"] == 75.0
    assert daoli["name"] == "道里区"
    assert rows["230103"]["reported"] == 1


def test_supervisor_view_counts_reports_verifications_and_checks(loop):
    s, _ = loop
    rows = _rows(evaluate(s, by="supervisor", now=EVAL_NOW, **PERIOD))
    sup = rows["230102-S001"]
    assert sup["supervisor_reports"] == 7 and sup["supervisor_reports_filed"] == 7  # all but G
    assert (sup["verify_tasks"], sup["verified_on_time"]) == (1, 1)  # G, 15 minutes after sending
    assert (sup["check_tasks"], sup["checked_on_time"]) == (4, 4)  # A B F G, their last checks
    # 漏报: of the 7 problems reported in the supervisor's duty hours (07:00-19:00; E was voided after
    # filing, no problem), G came from the public first.
    assert (sup["duty_filed"], sup["duty_public_filed"]) == (7, 1)
    assert sup["missed_rate"] == sup["public_first_rate"] == 0.1429
    assert (sup["cells"], sup["enough"]) == (2, False)  # fewer than 10 problems: too few to judge
    assert sup["indicators"] == {
        "valid_report": 100.0,
        "missed": 85.71,
        "verify_on_time": 100.0,
        "check_on_time": 100.0,
    }
    assert sup["score"] == 97.14 and sup["grade"] == "A"


def test_seat_view_counts_actions_by_who_took_them(loop):
    s, _ = loop
    doc = evaluate(s, by="role", now=EVAL_NOW, **PERIOD)
    assert doc["counted_by"] == "case_history.at"
    rows = _rows(doc)
    assert set(rows) == {
        "operator:operator",
        "shift_leader:shift_leader",
        "dispatcher:dispatcher",
        "supervisor:supervisor",
    }
    disp = rows["dispatcher:dispatcher"]
    assert (disp["dispatches"], disp["dispatched_on_time"], disp["dispatched_reworked"]) == (8, 8, 1)
    # 派遣数 8 -> 0 (x20%), 按时派遣 100 (x40%), 准确派遣 87.5 (x40%): exactly 75, the B band's edge
    assert disp["score"] == 75.0 and (disp["grade"], disp["colour"]) == ("B", "blue")
    op = rows["operator:operator"]
    assert (op["accepted"], op["verify_sent"], op["verify_sent_on_time"]) == (9, 1, 1)
    assert (op["check_sent"], op["check_sent_on_time"]) == (6, 6)
    lead = rows["shift_leader:shift_leader"]
    assert (lead["filed"], lead["filed_then_voided"], lead["closes"], lead["closed_on_time"]) == (9, 1, 5, 5)
    assert lead["accurate_filing_rate"] == pytest.approx(0.8889)
    sup = rows["supervisor:supervisor"]
    assert (sup["reports"], sup["reports_filed"], sup["verifications"], sup["checks"]) == (8, 8, 1, 6)
    assert sup["indicators"]["missed"] is None  # a seat cannot see what its patch missed


def test_a_period_outside_the_cases_is_empty_and_one_inside_counts_them(loop):
    s, _ = loop
    assert evaluate(s, by="department", start="2026-02-01", end="2026-02-28", now=EVAL_NOW)["rows"] == []
    only_ninth = _rows(evaluate(s, by="department", start="2026-03-09", end="2026-03-09", now=EVAL_NOW))
    assert only_ninth["sanitation"]["reported"] == 1  # D alone


def test_the_journal_alone_gives_the_same_kpis(loop):
    s, _ = loop
    for by in ("department", "district"):
        from_tables = evaluate(s, by=by, now=EVAL_NOW, **PERIOD)
        from_journal = evaluate_from_journal(s, by=by, now=EVAL_NOW, **PERIOD)
        assert from_journal["counted_by"] == "journal"
        assert from_journal["rows"] == from_tables["rows"]


def test_the_journal_agrees_on_generated_history_with_live_actions_on_top(history_city):  # noqa: F811
    conn = history_city.engine.connect()
    outer = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        # Live actions (one event per transition) on cases whose past is one bulk event.
        desk = CaseDesk(s, FixedClock(D(2026, 3, 2, 9, 0)))
        for case in s.scalars(select(Case).where(Case.state == "handling").order_by(Case.id).limit(5)):
            desk.act(case.id, "feedback", DEPT)
        for case in s.scalars(select(Case).where(Case.state == "filed").order_by(Case.id).limit(3)):
            desk.act(case.id, "dispatch", DISP)
        now = D(2026, 3, 2, 10, 0)
        for by in ("department", "district"):
            a = evaluate(s, by=by, start=str(END - dt.timedelta(days=11)), end=str(END), now=now)
            b = evaluate_from_journal(s, by=by, start=str(END - dt.timedelta(days=11)), end=str(END), now=now)
            assert a["rows"] and a["rows"] == b["rows"]
            closure = sum(r["closed"] for r in a["rows"]) / sum(r["due_to_close"] for r in a["rows"])
            assert closure > 0.9
    finally:
        s.close()
        outer.rollback()
        conn.close()


def test_kpis_are_counted_in_sql_not_in_python(loop):
    s, _ = loop
    config = EverydayConfig.load(s)
    statements, fetched = [], []
    conn = s.connection()

    @event.listens_for(conn, "before_cursor_execute")
    def _count(conn_, cursor, statement, params, context, executemany):
        statements.append(statement)

    try:
        doc = evaluate(s, by="department", now=EVAL_NOW, config=config, **PERIOD)
        fetched.append(len(doc["rows"]))
    finally:
        event.remove(conn, "before_cursor_execute", _count)
    # the department names, (on SQLite) one index-only count choosing the plan, one GROUP BY over the cases
    assert len(statements) == (3 if s.get_bind().dialect.name == "sqlite" else 2)
    assert "GROUP BY" in statements[-1] and "FILTER (WHERE" in statements[-1]


# The plan checked is SQLite's; PostgreSQL plans by its statistics, so this one runs on SQLite alone.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("exercises", ["leave", "include", "only"])
def test_department_kpis_read_the_covering_index_alone(loop, exercises):
    s, _ = loop
    assert s.get_bind().dialect.name == "sqlite"
    seen = []
    conn = s.connection()

    @event.listens_for(conn, "before_cursor_execute")
    def _record(conn_, cursor, statement, params, context, executemany):
        seen.append((statement, params))

    try:
        doc = evaluate(s, by="department", now=EVAL_NOW, exercises=exercises, **PERIOD)
    finally:
        event.remove(conn, "before_cursor_execute", _record)
    statement, params = seen[-1]
    assert ("exercise_id" in statement) is (exercises != "include")
    plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
    # The exercise condition is read from the index too (its last column): no table lookup, no sort.
    assert plan == ["SEARCH cases USING COVERING INDEX ix_cases_kpi (department_code>?)"]
    assert doc["exercises"] == exercises


# --- bands and grades ------------------------------------------------------------------------------------

GRADES = EverydayConfig.from_dict({}).evaluation["grades"]


@pytest.mark.parametrize(
    "score, grade, colour",
    [
        (100, "A", "green"),
        (90, "A", "green"),
        (89.99, "B", "blue"),
        (75, "B", "blue"),
        (74.99, "C", "yellow"),
        (60, "C", "yellow"),
        (59.99, "D", "red"),
        (40, "D", "red"),
        (39.99, "E", "black"),
        (0, "E", "black"),
    ],
)
def test_grade_band_edges(score, grade, colour):
    assert grade_of(score, GRADES) == (grade, colour)


def test_volume_and_filed_bands_at_their_edges():
    ev = EverydayConfig.from_dict({}).evaluation
    volume, filed = ev["volume_bands"], ev["department"]["filed_bands"]
    assert [band_more(v, volume) for v in (2001, 2000, 1201, 1200, 501, 500, 301, 300, 101, 100, 0)] == [
        100, 90, 90, 75, 75, 60, 60, 40, 40, 0, 0,
    ]  # fmt: skip
    assert [band_fewer(v, filed) for v in (0, 50, 51, 100, 101, 200, 500, 1000, 1001)] == [
        100, 100, 90, 90, 75, 75, 60, 40, 0,
    ]  # fmt: skip


def test_composite_leaves_out_indicators_without_data_and_rescales():
    weights = {"a": 0.4, "b": 0.2, "c": 0.4}
    assert composite({"a": 100.0, "b": 50.0, "c": 0.0}, weights) == 50.0
    assert composite({"a": 100.0, "b": 50.0, "c": None}, weights) == pytest.approx(83.33)
    assert composite({"a": None, "b": None, "c": None}, weights) == 0.0


def test_weights_and_bands_come_from_the_configuration(loop):
    s, _ = loop
    cfg = EverydayConfig.from_dict(
        {"evaluation": {"department": {"weights": {"filed": 0, "closure": 1, "on_time": 0, "rework": 0}}}}
    )
    san = _rows(evaluate(s, by="department", now=EVAL_NOW, config=cfg, **PERIOD))["sanitation"]
    assert san["score"] == 80.0 and san["grade"] == "B"
    cfg.save(s)  # stored in the city: evaluate reads it when no config is given
    assert _rows(evaluate(s, by="department", now=EVAL_NOW, **PERIOD))["sanitation"]["score"] == 80.0


# --- bad input -------------------------------------------------------------------------------------------


def test_unknown_by_and_bad_dates_are_refused(session):
    with pytest.raises(InputError, match="unknown --by 'street'"):
        evaluate(session, by="street", start=None, end=None, now=EVAL_NOW)
    with pytest.raises(InputError, match="--from must be a date YYYY-MM-DD, not '2026-13-01'"):
        evaluate(session, by="department", start="2026-13-01", end=None, now=EVAL_NOW)
    with pytest.raises(InputError, match="--to must be a date"):
        evaluate(session, by="district", start=None, end="yesterday", now=EVAL_NOW)
    with pytest.raises(InputError, match="is after --to"):
        evaluate(session, by="department", start="2026-03-10", end="2026-03-01", now=EVAL_NOW)
    with pytest.raises(InputError, match="department or district"):
        evaluate_from_journal(session, by="role", start=None, end=None, now=EVAL_NOW)


def test_default_period_is_the_30_days_ending_today():
    p = period_of(None, None, D(2026, 3, 10, 12, 0))
    assert (p.first, p.last, p.days) == (dt.date(2026, 2, 9), dt.date(2026, 3, 10), 30)
    assert p.end == D(2026, 3, 11)
