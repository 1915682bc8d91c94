"""The everyday dashboard's figures: the period's intake, open and overdue trends, the KPIs with grades of
every department and district, and each supervisor's coverage quality, all counted in SQL
(``modes.everyday.trends``, ``evaluation`` and ``coverage``).

One call, one session, one frozen DTO. The caller brings the trends (the console keeps the past days'
figures between refreshes and recounts today alone, ``trends.recount_last_day``); the KPIs count the
same cases the trends did (``DailyTrends.exercises``: real ones unless asked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from modes.everyday.config import EverydayConfig
from modes.everyday.coverage import SupervisorCoverage, supervisor_coverage
from modes.everyday.evaluation import evaluate
from modes.everyday.trends import DailyTrends

DASHBOARD_DAYS = 30


@dataclass(frozen=True)
class RateRow:
    """One department's or district's standing over the period."""

    kind: str  # department | district
    key: str
    name: str
    closure_rate: float | None  # closed / due to close
    on_time_rate: float | None  # closed on time / due to close
    due_to_close: int
    score: float
    grade: str
    colour: str  # the grade's standard colour name: green, blue, yellow, red, black

    def label(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class DashboardFigures:
    first: dt.date
    last: dt.date
    as_of: dt.datetime
    days: tuple[dt.date, ...]
    intake: dict[str, tuple[int, ...]]  # channel -> reports per day
    open: tuple[int, ...]
    overdue: tuple[int, ...]
    departments: tuple[RateRow, ...]  # by score, best first
    districts: tuple[RateRow, ...]
    grades: tuple[tuple[float, str, str], ...]  # (lower bound, grade, colour), best first
    exercises: str = "leave"  # which cases the figures count: leave (real only), include or only
    # Supervisor coverage quality (modes.everyday.coverage), weakest first; fewer problems than
    # coverage_min: too few to judge
    coverage: tuple[SupervisorCoverage, ...] = ()
    coverage_min: int = 10

    def ranking(self, kind: str) -> tuple[RateRow, ...]:
        return self.departments if kind == "department" else self.districts


def rate_rows(doc: dict, kind: str) -> tuple[RateRow, ...]:
    """An ``evaluate`` document's rows, best score first."""
    rows = [
        RateRow(
            kind=kind,
            key=str(r["key"]),
            name=r.get("name") or "",
            closure_rate=r.get("closure_rate"),
            on_time_rate=r.get("on_time_rate"),
            due_to_close=int(r.get("due_to_close", 0)),
            score=float(r["score"]),
            grade=r["grade"],
            colour=r["colour"],
        )
        for r in doc["rows"]
    ]
    rows.sort(key=lambda r: (-r.score, r.key))
    return tuple(rows)


def dashboard_figures(session: Session, trends: DailyTrends, now: dt.datetime) -> DashboardFigures:
    """The trends' period with every department's and district's KPIs, as of ``now``, counting the cases
    the trends counted (``trends.exercises``)."""
    config = EverydayConfig.load(session)
    first, last = trends.period.first, trends.period.last
    period = {"start": first, "end": last, "now": now, "config": config, "exercises": trends.exercises}
    by_department = evaluate(session, by="department", **period)
    by_district = evaluate(session, by="district", **period)
    by_supervisor = evaluate(session, by="supervisor", **period)
    return DashboardFigures(
        first=first,
        last=last,
        as_of=now,
        days=trends.days,
        intake=trends.intake,
        open=trends.open,
        overdue=trends.overdue,
        departments=rate_rows(by_department, "department"),
        districts=rate_rows(by_district, "district"),
        grades=tuple((float(b), g, c) for b, g, c in config.evaluation["grades"]),
        exercises=trends.exercises,
        coverage=supervisor_coverage(session, now, doc=by_supervisor),
        coverage_min=config.supervision.min_problems,
    )
