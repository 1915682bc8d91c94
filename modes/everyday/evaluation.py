"""Evaluation (综合评价): rates, composite scores and grades per department, district, supervisor and seat.

Formulas follow CJ/T 292 as printed by production platforms (reference/standards.md section 3); weights,
volume bands and grade bands come from ``EverydayConfig.evaluation``. Everything is counted in SQL with
``GROUP BY`` and conditional aggregates (``count(*) FILTER (WHERE ...)``); no case is loaded into Python.

The period
    ``start`` and ``end`` are days (``YYYY-MM-DD``), both inclusive: the period is
    [start 00:00, end + 1 day 00:00) in the city's local time. Default: the 30 days ending on ``now``'s
    date. Outcomes are as of ``now``: a case reported in the period and closed after it counts as closed.

Which date a case counts by
    Case-based objects (``by`` = department, district, supervisor): a case belongs to the period when its
    ``reported_at`` falls in it; everything else about it (filed, closed, overdue...) is its state at
    ``now``. Seat roles (``by`` = role): each action in ``case_history`` counts by the time it was taken
    (``case_history.at``) and belongs to the person who took it (``actor``, with their ``role``). A
    seat's step is on time when it came by the due time of the stage clock it stopped, which its history
    row keeps (``stage_due``): every attempt its own, so a dispatch is judged by its own filing or return
    and never by a later rework, and every clock counts working time for an ordinary case's working
    limits (``modes.everyday.stage_clocks``).

Who a case belongs to
    department: the department it is dispatched to (``department_code``; the last one after a return);
    only cases that were dispatched (``dispatched_at`` set) count: what was never sent is not its work.
    district: ``district_code`` of its cell. supervisor: the supervisor of its cell (``supervisor_id``).

Counts (case-based)
    reported        every report, duplicates included
    merged          reports linked to an open original (duplicates)
    filed           ``filed_at`` set (立案; self-fixed cases are filed when the fix is approved)
    voided          ``voided_at`` set; ``voided_after_filing`` also filed (作废 after 立案)
    dispatched      ``dispatched_at`` set (派遣)
    reworked        ``rework_count`` > 0 (返工: sent back after a failed check)
    returned, extended, suspended   the special paths taken at least once
    closed          ``closed_at`` set (结案, any closure kind); ``closed_on_time`` closure kind normal;
                    ``closed_overdue`` closure kind overdue
    in_handling     dispatched, and neither closed nor voided
    overdue_open    in handling and overdue at ``now`` (``modes.everyday.overdue``: not suspended, as
                    挂账 stops the clock, and past its deadline)
    due_to_close    closed + overdue_open (应结案数 = 处置数 + 超时未处置数)
    public_filed    filed cases reported by the public (hotline, internet, media): 监督举报
    duty_filed      (supervisor, cell) problems in the supervisors' duty hours: filed, not voided,
                    reported in a duty period (``EverydayConfig.supervision``; docs/coverage_quality.md)
    duty_public_filed   those the public reported first: problems the patrol missed (漏报)
    evaluated, satisfied   satisfaction callbacks, and those "satisfied" or "basic"

Rates (None when the denominator is 0)
    closure_rate = closed / due_to_close; on_time_rate = closed_on_time / due_to_close;
    accurate_filing_rate = (filed - voided_after_filing) / filed;
    accurate_dispatch_rate = (dispatched - reworked) / dispatched; rework_rate = reworked / dispatched;
    overdue_open_rate = overdue_open / in_handling; public_report_rate (district) = public_filed / filed;
    public_first_rate and missed_rate (supervisor, and cell with ``by`` = cell) = duty_public_filed /
    duty_filed, ``enough`` when duty_filed reaches ``supervision.min_problems``;
    valid_report_rate = supervisor_reports_filed / supervisor_reports;
    verify_on_time_rate = verified_on_time / verify_tasks; check_on_time_rate likewise;
    satisfaction_rate = satisfied / evaluated.

Scores
    Each indicator scores 0-100: a rate scores rate x 100, a rate where less is better (rework, public
    reports, missed reports) (1 - rate) x 100; counts score by bands (volume bands: more is better, a
    value above a bound gets its score; filed bands: fewer is better, a value up to a bound gets its
    score). Counts are scaled to a 30-day month first, so bands mean the same for any period length.
    The composite ``score`` is the weighted mean of the indicators that apply (an indicator whose rate
    has no denominator is left out and the remaining weights are rescaled), rounded to 2 decimals; the
    grade is the first band whose lower bound the score reaches (A >= 90 green ... E black).

Exercise cases
    Real KPIs leave out the cases an exercise's inject reported, and the seats' actions on them
    (``exercises``: leave, the default; include; only, ``modes.common.exercise_filter``). From the
    journal, a case is an exercise's when its ``case.report`` says so (``exercise``), and a purged
    exercise's cases (``exercise.purged``) are no longer counted at all, as in the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, DateTime, Integer, String, and_, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from data.errors import InputError
from data.models import Case, CaseHistory, Department, District, GridCell, JournalEvent, Staff, Supervisor
from modes.common.exercise_filter import (
    PURGED_EVENT,
    exercise_choice,
    exercise_conditions,
    keeps,
)
from modes.everyday.config import DutyHours, EverydayConfig
from modes.everyday.overdue import is_overdue, overdue_condition

BY = ("department", "district", "supervisor", "role", "cell")
SEAT_ROLES = ("supervisor", "operator", "shift_leader", "dispatcher")
PUBLIC_CHANNELS = ("hotline", "internet", "media")
DEFAULT_DAYS = 30
MONTH_DAYS = 30.0


# --- the period -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def begin(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time())

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight after the last day."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time())

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _day(value, label: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{label} must be a date YYYY-MM-DD, not {value!r}") from None


def period_of(start, end, now: dt.datetime) -> Period:
    last = _day(end, "--to") or now.date()
    first = _day(start, "--from") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InputError(f"--from {first} is after --to {last}: the period would be empty")
    return Period(first, last)


# --- scoring ------------------------------------------------------------------------------------------


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def band_more(value: float, bands: list) -> float:
    """Volume bands, more is better: the score of the first bound the value exceeds, else 0."""
    for bound, score in bands:
        if value > bound:
            return float(score)
    return 0.0


def band_fewer(value: float, bands: list) -> float:
    """Filed-count bands, fewer is better: the score of the first bound the value does not exceed."""
    for bound, score in bands:
        if value <= bound:
            return float(score)
    return 0.0


def grade_of(score: float, grades: list) -> tuple[str, str]:
    for bound, grade, colour in grades:
        if score >= bound:
            return grade, colour
    bound, grade, colour = grades[-1]
    return grade, colour


def composite(indicators: dict[str, float | None], weights: dict[str, float]) -> float:
    """The weighted mean of the indicators that apply, rescaled to their weights."""
    used = {k: w for k, w in weights.items() if indicators.get(k) is not None}
    total = sum(used.values())
    if not total:
        return 0.0
    return round(sum(indicators[k] * w for k, w in used.items()) / total, 2)


def _pct(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def _inv(rate: float | None) -> float | None:
    return None if rate is None else (1 - rate) * 100


# --- case-based counts ---------------------------------------------------------------------------------

CASE_COUNTS = (
    "reported",
    "merged",
    "filed",
    "voided",
    "voided_after_filing",
    "dispatched",
    "reworked",
    "returned",
    "extended",
    "suspended",
    "closed",
    "closed_on_time",
    "closed_overdue",
    "in_handling",
    "overdue_open",
    "public_filed",
    "evaluated",
    "satisfied",
)
# A department sees only dispatched cases: merged, voided-before-dispatch and public-report counts say
# nothing about its work, and filed = dispatched = reported. Fewer aggregates also keep a million-case
# query under a second on SQLite.
DEPARTMENT_COUNTS = (
    "reported",
    "reworked",
    "returned",
    "extended",
    "suspended",
    "closed",
    "closed_on_time",
    "closed_overdue",
    "in_handling",
    "overdue_open",
    "evaluated",
    "satisfied",
)
SUPERVISOR_COUNTS = (
    "duty_filed",
    "duty_public_filed",
    "supervisor_reports",
    "supervisor_reports_filed",
    "verify_tasks",
    "verified_on_time",
    "check_tasks",
    "checked_on_time",
)
COUNTS_BY = {
    "department": DEPARTMENT_COUNTS,
    "district": CASE_COUNTS,
    "supervisor": CASE_COUNTS + SUPERVISOR_COUNTS,
}
# On SQLite, above this many cases in the period a scan beats looking each row up through the
# reported_at index (measured: a year of a million cases took 40 s through that index, ~1 s scanned).
SQLITE_SCAN_ABOVE = 20_000


def _case_conditions(
    now: dt.datetime,
    names: Iterable[str],
    *,
    dispatched_only: bool = False,
    duty: DutyHours | None = None,
) -> dict[str, ColumnElement[bool] | None]:
    """The SQL condition of each count (None: every row counts); ``dispatched_only`` when the query's
    WHERE already keeps only dispatched cases (the department view), to test less per row; ``duty`` the
    supervisors' duty hours, for the coverage counts."""
    c = Case
    # Coverage quality (docs/coverage_quality.md): problems (filed, not voided) reported while the
    # supervisors were on duty, and those the public reported first.
    problem = and_(c.filed_at.is_not(None), c.voided_at.is_(None))
    duty_problem = and_(problem, on_duty_condition(duty)) if duty is not None else problem
    # Open in handling: dispatched, neither closed nor voided (a merged case is never dispatched).
    open_ = and_(c.closed_at.is_(None), c.voided_at.is_(None))
    in_handling = open_ if dispatched_only else and_(c.dispatched_at.is_not(None), open_)
    conds: dict[str, ColumnElement[bool] | None] = {
        "reported": None,
        "merged": c.state == "merged",
        "filed": c.filed_at.is_not(None),
        "voided": c.voided_at.is_not(None),
        "voided_after_filing": and_(c.voided_at.is_not(None), c.filed_at.is_not(None)),
        "dispatched": c.dispatched_at.is_not(None),
        "reworked": c.rework_count > 0,
        "returned": c.return_count > 0,
        "extended": c.extension_count > 0,
        "suspended": c.suspension_count > 0,
        "closed": c.closed_at.is_not(None),
        "closed_on_time": c.closure_kind == "normal",
        "closed_overdue": c.closure_kind == "overdue",
        "in_handling": in_handling,
        "overdue_open": and_(in_handling, overdue_condition(now)),
        "public_filed": and_(c.filed_at.is_not(None), c.channel.in_(PUBLIC_CHANNELS)),
        "evaluated": c.satisfaction.is_not(None),
        "satisfied": c.satisfaction.in_(("satisfied", "basic")),
        "duty_filed": duty_problem,
        "duty_public_filed": and_(duty_problem, c.channel.in_(PUBLIC_CHANNELS)),
        "supervisor_reports": and_(c.channel == "supervisor", c.state != "merged"),
        "supervisor_reports_filed": and_(c.channel == "supervisor", c.filed_at.is_not(None)),
        "verify_tasks": and_(c.verify_due.is_not(None), or_(c.verified_at.is_not(None), c.verify_due < now)),
        "verified_on_time": c.verified_at <= c.verify_due,
        "check_tasks": and_(c.check_due.is_not(None), or_(c.checked_at.is_not(None), c.check_due < now)),
        "checked_on_time": c.checked_at <= c.check_due,
    }
    return {n: conds[n] for n in names}


def _counted(cond: ColumnElement[bool] | None):
    return func.count() if cond is None else func.count().filter(cond)


class _row_value(FunctionElement):
    """A column SQLite must take from the row it reads (``+column``), so its planner cannot choose that
    column's index; other databases see the plain column."""

    inherit_cache = True
    type = DateTime()  # wraps reported_at: binds compare as datetimes


class _row_number(_row_value):
    inherit_cache = True
    type = Integer()  # wraps exercise_id


def row_value_number(column):
    """An integer column SQLite must read from the row, not through its own index (``_row_value``)."""
    return _row_number(column)


@compiles(_row_value)
def _row_value_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_row_value, "sqlite")
def _row_value_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


class _time_of_day(FunctionElement):
    """A datetime's time of day as ``HH:MM:SS`` text, which compares as the times do."""

    inherit_cache = True
    type = String()


@compiles(_time_of_day)
def _time_of_day_default(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'HH24:MI:SS')"


@compiles(_time_of_day, "sqlite")
def _time_of_day_sqlite(element, compiler, **kw):
    return f"strftime('%H:%M:%S', {compiler.process(element.clauses, **kw)})"


class _weekday(FunctionElement):
    """A datetime's day of the week, Monday = 0 as Python counts."""

    inherit_cache = True
    type = Integer()


@compiles(_weekday)
def _weekday_default(element, compiler, **kw):
    return f"(CAST(EXTRACT(ISODOW FROM {compiler.process(element.clauses, **kw)}) AS INTEGER) - 1)"


@compiles(_weekday, "sqlite")
def _weekday_sqlite(element, compiler, **kw):
    return f"((CAST(strftime('%w', {compiler.process(element.clauses, **kw)}) AS INTEGER) + 6) % 7)"


def on_duty_condition(duty: DutyHours, column=Case.reported_at) -> ColumnElement[bool]:
    """``DutyHours.on_duty`` in SQL: ``column`` falls in a duty period on a duty day."""
    tod = _time_of_day(column)
    periods = []
    for a, b in duty.periods:
        lo, hi = a.isoformat("seconds"), b.isoformat("seconds")
        periods.append(and_(tod >= lo, tod < hi) if a < b else or_(tod >= lo, tod < hi))
    cond = or_(*periods)
    if duty.days != frozenset(range(7)):
        cond = and_(cond, _weekday(column).in_(sorted(duty.days)))
    return cond


def _reported_in(session: Session, period: Period) -> list[ColumnElement[bool]]:
    """``reported_at`` in the period, in the form that gives SQLite a good plan.

    SQLite's planner takes the reported_at index for any range, then looks every row up in the table:
    right for a few thousand cases, ruinous for a year of them. Two index probes decide: when the
    period holds every case the condition is left out, when it holds many the rows are scanned.
    """
    column = Case.reported_at
    in_period = [column >= period.begin, column < period.end]
    if session.get_bind().dialect.name != "sqlite":
        return in_period
    # Two subqueries: SQLite answers a lone min() or max() from one end of the index, but scans the
    # whole index for both in one SELECT (0.14 s over a million cases, a third of the department query).
    first, last = session.execute(
        select(select(func.min(column)).scalar_subquery(), select(func.max(column)).scalar_subquery())
    ).one()
    if first is None or (period.begin <= first and last < period.end):
        return []
    # Counting stops one row past the threshold: the answer is only "few" or "many".
    probe = select(literal_column("1")).where(*in_period).limit(SQLITE_SCAN_ABOVE + 1).subquery()
    if session.scalar(select(func.count()).select_from(probe)) <= SQLITE_SCAN_ABOVE:
        return in_period
    scanned = _row_value(column)
    return [scanned >= period.begin, scanned < period.end]


def _case_rows(
    session: Session,
    by: str,
    period: Period,
    now: dt.datetime,
    names: tuple[str, ...],
    exercises: str,
    duty: DutyHours | None = None,
) -> list:
    key = {
        "department": Case.department_code,
        "district": Case.district_code,
        "supervisor": Case.supervisor_id,
        "cell": Case.cell_code,
    }[by]
    conds = _case_conditions(now, names, dispatched_only=by == "department", duty=duty)
    # Real cases are nearly all the rows: SQLite must not take "exercise_id IS NULL" to its own index
    # (a lookup of every row, then a sort), but read it from ix_cases_kpi, whose last column it is, so
    # the department query still reads that index alone (migration ex_0002).
    where = [
        *_reported_in(session, period),
        key.is_not(None),
        *exercise_conditions(exercises, _row_number(Case.exercise_id)),
    ]
    if by == "department":
        where.append(Case.dispatched_at.is_not(None))
    stmt = (
        select(key.label("key"), *(_counted(conds[n]).label(n) for n in names))
        .where(*where)
        .group_by(key)
        .order_by(key)
    )
    return session.execute(stmt).all()


def _derived(counts: dict) -> dict:
    """The sums and rates a row's counts allow (a department row has no filing or public-report counts)."""
    if "dispatched" not in counts:  # a department row: every case in it was filed and dispatched
        counts["dispatched"] = counts["filed"] = counts["reported"]
    counts["due_to_close"] = counts["closed"] + counts["overdue_open"]
    rates = {
        "closure_rate": _rate(counts["closed"], counts["due_to_close"]),
        "on_time_rate": _rate(counts["closed_on_time"], counts["due_to_close"]),
        "accurate_dispatch_rate": _rate(counts["dispatched"] - counts["reworked"], counts["dispatched"]),
        "rework_rate": _rate(counts["reworked"], counts["dispatched"]),
        "overdue_open_rate": _rate(counts["overdue_open"], counts["in_handling"]),
        "satisfaction_rate": _rate(counts["satisfied"], counts["evaluated"]),
    }
    if "voided_after_filing" in counts:
        rates["accurate_filing_rate"] = _rate(
            counts["filed"] - counts["voided_after_filing"], counts["filed"]
        )
        rates["public_report_rate"] = _rate(counts["public_filed"], counts["filed"])
    if "supervisor_reports" in counts:
        # 漏报: the problems of the patch the public reported first while its supervisor was on duty
        rates["public_first_rate"] = _rate(counts["duty_public_filed"], counts["duty_filed"])
        rates["missed_rate"] = rates["public_first_rate"]
        rates["valid_report_rate"] = _rate(counts["supervisor_reports_filed"], counts["supervisor_reports"])
        rates["verify_on_time_rate"] = _rate(counts["verified_on_time"], counts["verify_tasks"])
        rates["check_on_time_rate"] = _rate(counts["checked_on_time"], counts["check_tasks"])
    return rates


def _score_department(counts: dict, rates: dict, ev: dict, month: float) -> dict[str, float | None]:
    cfg = ev["department"]
    return {
        "filed": band_fewer(counts["dispatched"] * month, cfg["filed_bands"]),
        "closure": _pct(rates["closure_rate"]),
        "on_time": _pct(rates["on_time_rate"]),
        "rework": _inv(rates["rework_rate"]),
    }


def _score_district(counts: dict, rates: dict, ev: dict, month: float, cells: int) -> dict[str, float | None]:
    cfg = ev["district"]
    per_cell = counts["filed"] * month / cells if cells else None
    return {
        "public_report": _inv(rates["public_report_rate"]),
        "filed": None if per_cell is None else band_fewer(per_cell, cfg["filed_per_cell_bands"]),
        "closure": _pct(rates["closure_rate"]),
        "on_time": _pct(rates["on_time_rate"]),
    }


def _score_supervisor(counts: dict, rates: dict, ev: dict, month: float) -> dict[str, float | None]:
    return {
        "valid_report": _pct(rates.get("valid_report_rate")),
        "missed": _inv(rates.get("missed_rate")),
        "verify_on_time": _pct(rates.get("verify_on_time_rate")),
        "check_on_time": _pct(rates.get("check_on_time_rate")),
    }


def _finish(row: dict, indicators: dict, weights: dict, ev: dict) -> dict:
    score = composite(indicators, weights)
    grade, colour = grade_of(score, ev["grades"])
    row["indicators"] = {k: (None if v is None else round(v, 2)) for k, v in indicators.items()}
    row.update(score=score, grade=grade, colour=colour)
    return row


def _names(session: Session, by: str) -> dict:
    if by == "department":
        return dict(session.execute(select(Department.code, Department.name)).all())
    if by == "district":
        return dict(session.execute(select(District.code, District.name)).all())
    if by == "supervisor":
        return {
            i: (code, name)
            for i, code, name in session.execute(select(Supervisor.id, Supervisor.code, Supervisor.name))
        }
    return dict(session.execute(select(Staff.login, Staff.name)).all())


def _cells_per_supervisor(session: Session) -> dict[int, int]:
    """The cells of each supervisor's patch now (``GridCell.supervisor_id``)."""
    sup = GridCell.supervisor_id
    return dict(session.execute(select(sup, func.count()).where(sup.is_not(None)).group_by(sup)).all())


def _cells_per_district(session: Session) -> dict[str, int]:
    district = func.substr(GridCell.code, 1, 6)
    return dict(session.execute(select(district, func.count()).group_by(district)).all())


def _case_based(
    session: Session, by: str, period: Period, now: dt.datetime, config: EverydayConfig, exercises: str
) -> list[dict]:
    ev = config.evaluation
    duty = config.supervision
    names = COUNTS_BY[by]
    month = MONTH_DAYS / period.days
    labels = _names(session, by)
    cells = _cells_per_district(session) if by == "district" else {}
    patches = _cells_per_supervisor(session) if by == "supervisor" else {}
    out = []
    for r in _case_rows(session, by, period, now, names, exercises, duty if by == "supervisor" else None):
        counts = {n: int(getattr(r, n)) for n in names}
        rates = _derived(counts)
        if by == "supervisor":
            code, name = labels.get(r.key, (str(r.key), ""))
            row = {"key": code, "name": name, "cells": patches.get(r.key, 0)}
            # Too few problems in the duty hours to judge the patch's coverage by (greyed, not hidden).
            row["enough"] = counts["duty_filed"] >= duty.min_problems
            indicators = _score_supervisor(counts, rates, ev, month)
        else:
            row = {"key": r.key, "name": labels.get(r.key, "")}
            if by == "department":
                indicators = _score_department(counts, rates, ev, month)
            else:
                indicators = _score_district(counts, rates, ev, month, cells.get(r.key, 0))
        row.update(counts)
        row.update(rates)
        out.append(_finish(row, indicators, ev[by]["weights"], ev))
    return out


# --- seats: counted from the history rows ------------------------------------------------------------


def _minutes_between(session: Session, later, earlier):
    """``later - earlier`` in minutes, in the dialect's own date arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 1440.0
    return func.extract("epoch", later - earlier) / 60.0


def _limit_minutes(config: EverydayConfig, stage: str) -> float:
    """A stage limit as clock minutes: the rule for steps recorded before their history row kept the
    due time they were held to (migration clocks_0001)."""
    start = dt.datetime(2000, 1, 3)
    return (
        config.stage_limit(stage).due(start, config.calendar, continuous=True) - start
    ).total_seconds() / 60


def _on_time(h, before_clocks: ColumnElement[bool]) -> ColumnElement[bool]:
    """A seat's step on time: by the due time its history row kept for the stage attempt it completed
    (each attempt its own, however often a return or a rework started the stage again); a step
    recorded before history rows kept one by ``before_clocks``, the case's due columns as before."""
    due = h.stage_due
    return or_(and_(due.is_not(None), h.at <= due), and_(due.is_(None), before_clocks))


def _seat_rows(session: Session, period: Period, config: EverydayConfig, exercises: str = "leave") -> list:
    h, c = CaseHistory, Case
    act = h.action
    check_sent_late = _minutes_between(session, h.at, c.feedback_at) > _limit_minutes(config, "accept")
    close_late = _minutes_between(session, h.at, c.checked_at) > _limit_minutes(config, "file")
    verify_acts, check_acts = ("verify", "not_found"), ("check_pass", "check_fail")
    aggregates = {
        # 受理员: 受理数 (accepting or sending to verify), verify and check tasks sent on time
        "accepted": act.in_(("accept", "send_verify")),
        "verify_sent": act == "send_verify",
        "verify_sent_on_time": and_(act == "send_verify", _on_time(h, h.at <= c.accept_due)),
        "check_sent": act == "send_check",
        "check_sent_on_time": and_(
            act == "send_check", _on_time(h, or_(c.feedback_at.is_(None), ~check_sent_late))
        ),
        # 值班长: filing on time, filing accurately (not voided afterwards), closing on time
        "filed": act == "file",
        "filed_on_time": and_(act == "file", _on_time(h, h.at <= c.file_due)),
        "filed_then_voided": and_(act == "file", c.voided_at.is_not(None)),
        "closes": act == "close",
        "closed_on_time": and_(act == "close", _on_time(h, or_(c.checked_at.is_(None), ~close_late))),
        # 派遣员: dispatches, on time, and whether the case later needed rework
        "dispatches": act == "dispatch",
        "dispatched_on_time": and_(act == "dispatch", _on_time(h, h.at <= c.dispatch_due)),
        "dispatched_reworked": and_(act == "dispatch", c.rework_count > 0),
        # 监督员 at a seat: own reports (and whether filed), verifications and checks on time
        "reports": and_(act == "report", h.role == "supervisor"),
        "reports_filed": and_(act == "report", h.role == "supervisor", c.filed_at.is_not(None)),
        "verifications": act.in_(verify_acts),
        "verified_on_time": and_(act.in_(verify_acts), _on_time(h, h.at <= c.verify_due)),
        "checks": act.in_(check_acts),
        "checked_on_time": and_(act.in_(check_acts), _on_time(h, h.at <= c.check_due)),
    }
    stmt = (
        select(h.role, h.actor, *(func.count().filter(cond).label(n) for n, cond in aggregates.items()))
        .join(c, c.id == h.case_id)
        .where(
            h.at >= period.begin,
            h.at < period.end,
            h.role.in_(SEAT_ROLES),
            *exercise_conditions(exercises, Case.exercise_id),
        )
        .group_by(h.role, h.actor)
        .order_by(h.role, h.actor)
    )
    return session.execute(stmt).all(), tuple(aggregates)


# Which counts and rates a seat's row shows, and how its indicators score.
_SEAT_COUNTS = {
    "operator": ("accepted", "verify_sent", "verify_sent_on_time", "check_sent", "check_sent_on_time"),
    "shift_leader": ("filed", "filed_on_time", "filed_then_voided", "closes", "closed_on_time"),
    "dispatcher": ("dispatches", "dispatched_on_time", "dispatched_reworked"),
    "supervisor": (
        "reports",
        "reports_filed",
        "verifications",
        "verified_on_time",
        "checks",
        "checked_on_time",
    ),
}


def _seat_indicators(role: str, counts: dict, month: float, ev: dict) -> tuple[dict, dict]:
    c = counts
    if role == "operator":
        rates = {
            "verify_sent_on_time_rate": _rate(c["verify_sent_on_time"], c["verify_sent"]),
            "check_sent_on_time_rate": _rate(c["check_sent_on_time"], c["check_sent"]),
        }
        return rates, {
            "volume": band_more(c["accepted"] * month, ev["volume_bands"]),
            "verify_sent_on_time": _pct(rates["verify_sent_on_time_rate"]),
            "check_sent_on_time": _pct(rates["check_sent_on_time_rate"]),
        }
    if role == "shift_leader":
        rates = {
            "file_on_time_rate": _rate(c["filed_on_time"], c["filed"]),
            "accurate_filing_rate": _rate(c["filed"] - c["filed_then_voided"], c["filed"]),
            "close_on_time_rate": _rate(c["closed_on_time"], c["closes"]),
        }
        return rates, {
            "file_on_time": _pct(rates["file_on_time_rate"]),
            "accurate_filing": _pct(rates["accurate_filing_rate"]),
            "close_on_time": _pct(rates["close_on_time_rate"]),
        }
    if role == "dispatcher":
        rates = {
            "dispatch_on_time_rate": _rate(c["dispatched_on_time"], c["dispatches"]),
            "accurate_dispatch_rate": _rate(c["dispatches"] - c["dispatched_reworked"], c["dispatches"]),
        }
        return rates, {
            "volume": band_more(c["dispatches"] * month, ev["volume_bands"]),
            "dispatch_on_time": _pct(rates["dispatch_on_time_rate"]),
            "accurate_dispatch": _pct(rates["accurate_dispatch_rate"]),
        }
    rates = {
        "valid_report_rate": _rate(c["reports_filed"], c["reports"]),
        "verify_on_time_rate": _rate(c["verified_on_time"], c["verifications"]),
        "check_on_time_rate": _rate(c["checked_on_time"], c["checks"]),
    }
    # A seat sees only its own actions; 漏报 (missed reports) needs the patch: see by=supervisor.
    return rates, {
        "valid_report": _pct(rates["valid_report_rate"]),
        "missed": None,
        "verify_on_time": _pct(rates["verify_on_time_rate"]),
        "check_on_time": _pct(rates["check_on_time_rate"]),
    }


def _seats(session: Session, period: Period, config: EverydayConfig, exercises: str) -> list[dict]:
    ev = config.evaluation
    month = MONTH_DAYS / period.days
    labels = _names(session, "role")
    rows, _ = _seat_rows(session, period, config, exercises)
    out = []
    for r in rows:
        counts = {n: int(getattr(r, n)) for n in _SEAT_COUNTS[r.role]}
        rates, indicators = _seat_indicators(r.role, counts, month, ev)
        row = {
            "key": f"{r.role}:{r.actor}",
            "name": labels.get(r.actor, r.actor),
            "role": r.role,
            "actor": r.actor,
        }
        row.update(counts)
        row.update(rates)
        out.append(_finish(row, indicators, ev[r.role]["weights"], ev))
    return out


# --- the entry points -------------------------------------------------------------------------------------


def evaluate(
    session: Session,
    *,
    by: str,
    start: str | dt.date | None,
    end: str | dt.date | None,
    now: dt.datetime,
    config: EverydayConfig | None = None,
    exercises: str = "leave",
) -> dict:
    """KPIs of every department, district, supervisor or seat with activity in the period; ``exercises``:
    leave (real cases only, the default), include or only."""
    if by not in BY:
        raise InputError(f"unknown --by {by!r}: one of {', '.join(BY)}")
    exercises = exercise_choice(exercises)
    period = period_of(start, end, now)
    config = config or EverydayConfig.load(session)
    if by == "role":
        rows = _seats(session, period, config, exercises)
    elif by == "cell":
        rows = _cell_rows(session, period, now, config, exercises)
    else:
        rows = _case_based(session, by, period, now, config, exercises)
    return _document(by, period, now, rows, exercises)


CELL_COUNTS = ("duty_filed", "duty_public_filed")


def _cell_rows(
    session: Session, period: Period, now: dt.datetime, config: EverydayConfig, exercises: str
) -> list[dict]:
    """Coverage quality per grid cell (docs/coverage_quality.md): the counts of ``by`` = supervisor,
    grouped by the case's cell, for every cell with a problem reported in its supervisor's duty hours.
    A cell has no score of its own: it is part of a supervisor's patch."""
    duty = config.supervision
    supervisors = {
        code: (sup_code, name)
        for code, sup_code, name in session.execute(
            select(GridCell.code, Supervisor.code, Supervisor.name).outerjoin(
                Supervisor, Supervisor.id == GridCell.supervisor_id
            )
        )
    }
    out = []
    for r in _case_rows(session, "cell", period, now, CELL_COUNTS, exercises, duty):
        problems, public = int(r.duty_filed), int(r.duty_public_filed)
        if not problems:
            continue
        sup_code, sup_name = supervisors.get(r.key, (None, None))
        out.append(
            {
                "key": r.key,
                "supervisor": sup_code,
                "name": sup_name or "",
                "duty_filed": problems,
                "duty_public_filed": public,
                "public_first_rate": _rate(public, problems),
                "enough": problems >= duty.min_problems,
            }
        )
    return out


def _document(by: str, period: Period, now: dt.datetime, rows: list[dict], exercises: str) -> dict:
    return {
        "by": by,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "as_of": now.isoformat(timespec="seconds"),
        "counted_by": "case_history.at" if by == "role" else "cases.reported_at",
        "exercises": exercises,
        "rows": rows,
    }


# --- the same from the journal alone ---------------------------------------------------------------------


@dataclass
class _Replayed:
    """What the KPIs need of one case, rebuilt from its journal events."""

    reported_at: dt.datetime
    district: str
    channel: str
    department: str | None = None
    state: str = "reported"
    filed_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    voided_at: dt.datetime | None = None
    closure_kind: str | None = None
    deadline: dt.datetime | None = None
    satisfaction: str | None = None
    reworks: int = 0
    returns: int = 0
    extensions: int = 0
    suspensions: int = 0
    exercise_id: int | None = None  # the exercise whose inject reported it (its case.report says)


def _parse(t: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(t) if t else None


def _apply(case: _Replayed, action: str, at: dt.datetime, payload: dict) -> None:
    """One live ``case.<action>`` event: the fields its effect recorded (see ``cases.EFFECTS``)."""
    if action == "file":
        case.filed_at = at
    elif action == "approve_self_fix":
        case.filed_at = case.filed_at or at
    elif action in ("dispatch", "rework"):
        case.dispatched_at = at
        if action == "dispatch" and "department" in payload:
            case.department = payload["department"]
        case.deadline = _parse(payload.get("deadline")) or case.deadline
        case.reworks += action == "rework"
    elif action in ("approve_extension", "resume"):
        case.deadline = _parse(payload.get("deadline")) or case.deadline
        case.extensions += action == "approve_extension"
    elif action == "approve_return":
        case.returns += 1
    elif action == "approve_suspension":
        case.suspensions += 1
    elif action == "void":
        case.voided_at = at
    elif action == "evaluate":
        case.satisfaction = payload.get("satisfaction")
    if payload.get("closure_kind"):
        case.closed_at = at
        case.closure_kind = payload["closure_kind"]


def cases_from_journal(session: Session) -> dict[int, _Replayed]:
    """Every case as the journal tells it: live events one by one, bulk history by its step list. A case
    an exercise's purge removed (``exercise.purged``) is gone from the journal's picture too."""
    cases: dict[int, _Replayed] = {}
    stmt = (
        select(
            JournalEvent.subject,
            JournalEvent.kind,
            JournalEvent.at,
            JournalEvent.district_code,
            JournalEvent.payload,
        )
        .where(or_(JournalEvent.kind.like("case.%"), JournalEvent.kind == PURGED_EVENT))
        .order_by(JournalEvent.seq)
        .execution_options(yield_per=10_000)
    )
    for subject, kind, at, district, payload in session.execute(stmt):
        if kind == PURGED_EVENT:
            for case_id in (payload.get("removed") or {}).get("cases", ()):
                cases.pop(int(case_id), None)
            continue
        case_id = int(subject.split("/", 1)[1])
        if kind == "case.history":
            final = payload["case"]
            steps = payload["steps"]
            case = cases[case_id] = _Replayed(
                _parse(steps[0][3]), district or final["cell"][:6], final["channel"], final["department"]
            )
            for action, _role, _actor, when in steps[1:]:
                t = _parse(when)
                if action in ("file",):
                    case.filed_at = t
                elif action == "approve_self_fix":
                    case.filed_at = case.filed_at or t
                    case.closed_at = t
                elif action in ("dispatch", "rework"):
                    case.dispatched_at = t
                    case.reworks += action == "rework"
                elif action in ("close", "close_error", "close_special"):
                    case.closed_at = t
                elif action == "void":
                    case.voided_at = t
                case.returns += action == "approve_return"
                case.extensions += action == "approve_extension"
                case.suspensions += action == "approve_suspension"
            case.state = final["state"]
            case.deadline = _parse(final["deadline"])
            case.closure_kind = final["closure_kind"]
            case.satisfaction = final["satisfaction"]
            continue
        action = kind.split(".", 1)[1]
        if action == "report":
            cases[case_id] = _Replayed(
                at, district or payload["cell"][:6], payload["channel"], payload["department"]
            )
            cases[case_id].state = payload["state"]
            cases[case_id].exercise_id = payload.get("exercise")
            continue
        case = cases.get(case_id)
        if case is None:  # an event of a case whose report is not in this journal: nothing to rebuild
            continue
        _apply(case, action, at, payload)
        case.state = payload.get("to") or case.state
    return cases


def _in_handling(c: _Replayed) -> bool:
    return c.dispatched_at is not None and c.closed_at is None and c.voided_at is None


_PY_COUNTS: dict[str, Callable[[_Replayed, dt.datetime], bool]] = {
    "reported": lambda c, now: True,
    "merged": lambda c, now: c.state == "merged",
    "filed": lambda c, now: c.filed_at is not None,
    "voided": lambda c, now: c.voided_at is not None,
    "voided_after_filing": lambda c, now: c.voided_at is not None and c.filed_at is not None,
    "dispatched": lambda c, now: c.dispatched_at is not None,
    "reworked": lambda c, now: c.reworks > 0,
    "returned": lambda c, now: c.returns > 0,
    "extended": lambda c, now: c.extensions > 0,
    "suspended": lambda c, now: c.suspensions > 0,
    "closed": lambda c, now: c.closed_at is not None,
    "closed_on_time": lambda c, now: c.closure_kind == "normal",
    "closed_overdue": lambda c, now: c.closure_kind == "overdue",
    "in_handling": lambda c, now: _in_handling(c),
    "overdue_open": lambda c, now: _in_handling(c) and is_overdue(c.state, c.deadline, now),
    "public_filed": lambda c, now: c.filed_at is not None and c.channel in PUBLIC_CHANNELS,
    "evaluated": lambda c, now: c.satisfaction is not None,
    "satisfied": lambda c, now: c.satisfaction in ("satisfied", "basic"),
}


def evaluate_from_journal(
    session: Session,
    *,
    by: str = "department",
    start: str | dt.date | None,
    end: str | dt.date | None,
    now: dt.datetime,
    config: EverydayConfig | None = None,
    exercises: str = "leave",
) -> dict:
    """Department or district KPIs recomputed from the journal alone (no case table is read).

    The same definitions as ``evaluate``; the journal is replayed case by case. Names and the number of
    cells per district (for the filed-per-cell band) come from the city model, not from the cases.
    ``exercises``: leave (real cases only, the default), include or only, by each case's report.
    """
    if by not in ("department", "district"):
        raise InputError(f"evaluate_from_journal counts by department or district, not {by!r}")
    exercises = exercise_choice(exercises)
    period = period_of(start, end, now)
    config = config or EverydayConfig.load(session)
    ev = config.evaluation
    month = MONTH_DAYS / period.days
    names = COUNTS_BY[by]
    groups: dict[str, dict[str, int]] = {}
    for case in cases_from_journal(session).values():
        if not (period.begin <= case.reported_at < period.end) or not keeps(exercises, case.exercise_id):
            continue
        if by == "department":
            if case.dispatched_at is None or case.department is None:
                continue
            key = case.department
        else:
            key = case.district
        counts = groups.setdefault(key, dict.fromkeys(names, 0))
        for name in names:
            counts[name] += bool(_PY_COUNTS[name](case, now))
    labels = _names(session, by)
    cells = _cells_per_district(session) if by == "district" else {}
    rows = []
    for key in sorted(groups):
        counts = groups[key]
        rates = _derived(counts)
        if by == "department":
            indicators = _score_department(counts, rates, ev, month)
        else:
            indicators = _score_district(counts, rates, ev, month, cells.get(key, 0))
        row = {"key": key, "name": labels.get(key, ""), **counts, **rates}
        rows.append(_finish(row, indicators, ev[by]["weights"], ev))
    doc = _document(by, period, now, rows, exercises)
    doc["counted_by"] = "journal"
    return doc
