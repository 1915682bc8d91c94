"""What the dashboard reads: the last 30 days' intake, open and overdue trends, and the KPIs with grades
of every department and district, all counted in SQL by ``modes.everyday`` (trends and evaluation).

One call, one session, one frozen DTO: the dashboard runs it in the worker pool and draws the result.

The past days' trend figures are kept between calls: a day's intake never changes once it is over, and
its open and overdue counts change only when a deadline or a suspension is edited afterwards, so a
refresh counts today alone and recounts the whole period every ``PAST_TTL_S`` seconds or on a new day
(on a Harbin month, 1.4 s for the whole period against a few milliseconds for today).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from modes.common.clock import Clock
from modes.everyday.config import EverydayConfig
from modes.everyday.evaluation import Period, evaluate, period_of
from modes.everyday.trends import DailyTrends, daily_intake, daily_trends, open_and_overdue

SessionFactory = Callable[[], Session]
DASHBOARD_DAYS = 30
PAST_TTL_S = 600.0


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

    def ranking(self, kind: str) -> tuple[RateRow, ...]:
        return self.departments if kind == "department" else self.districts


def _rows(doc: dict, kind: str) -> tuple[RateRow, ...]:
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


class DashboardServices:
    def __init__(self, session_factory: SessionFactory, clock: Clock, days: int = DASHBOARD_DAYS):
        self.session_factory = session_factory
        self.clock = clock
        self.days = days
        self._lock = threading.Lock()
        self._past: tuple[Period, DailyTrends, float] | None = None  # period, full trends, when counted

    def _trends(self, s: Session, now: dt.datetime) -> DailyTrends:
        period = period_of(now.date() - dt.timedelta(days=self.days - 1), now.date(), now)
        with self._lock:
            past = self._past
            if past is None or past[0] != period or time.monotonic() - past[2] > PAST_TTL_S:
                full = daily_trends(s, now=now, days=self.days)
                self._past = (period, full, time.monotonic())
                return full
        kept = past[1]
        today = Period(period.last, period.last)
        intake = daily_intake(s, today)
        (opened,), (overdue,) = open_and_overdue(s, today, now)
        zeros = (0,) * self.days
        return DailyTrends(
            period=period,
            days=kept.days,
            intake={
                c: (*kept.intake.get(c, zeros)[:-1], intake.get(c, (0,))[0])
                for c in sorted(kept.intake.keys() | intake.keys())
            },
            open=(*kept.open[:-1], opened),
            overdue=(*kept.overdue[:-1], overdue),
        )

    def figures(self) -> DashboardFigures:
        """Runs in a worker: the ``days`` days ending today, as of now."""
        now = self.clock.now()
        with self.session_factory() as s:
            config = EverydayConfig.load(s)
            trends = self._trends(s, now)
            first, last = trends.period.first, trends.period.last
            by_department = evaluate(s, by="department", start=first, end=last, now=now, config=config)
            by_district = evaluate(s, by="district", start=first, end=last, now=now, config=config)
        return DashboardFigures(
            first=first,
            last=last,
            as_of=now,
            days=trends.days,
            intake=trends.intake,
            open=trends.open,
            overdue=trends.overdue,
            departments=_rows(by_department, "department"),
            districts=_rows(by_district, "district"),
            grades=tuple((float(b), g, c) for b, g, c in config.evaluation["grades"]),
        )
