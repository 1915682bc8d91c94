"""Day-by-day figures of the everyday loop for the dashboard: intake per channel, open and overdue cases.

Counted in SQL with conditional aggregates, as ``modes.everyday.evaluation`` counts its KPIs; no case is
loaded into Python. Days are the city's local calendar days, like evaluation's periods (``Period``).

Intake
    every report (duplicates included) by the day of its ``reported_at`` and its channel.

Open and overdue at the end of each day
    A case is open at instant ``e`` when it was reported by ``e``, was not linked as a duplicate (state
    ``merged``), and was neither closed nor voided by ``e``. It is overdue at ``e`` when it was
    dispatched by ``e`` and overdue at ``e`` by the one rule (``modes.everyday.overdue.overdue_as_of``:
    open, not suspended, its deadline before ``e``): overdue in handling, as the KPIs count it
    (``overdue_open``). ``e`` is midnight after each day, or ``now`` for today. The deadline is the
    case's current one (extensions move it; the table keeps no earlier value), and a suspension that was
    later resumed leaves no trace on the row, so past days are counted as the cases stand now: the last
    point equals what the queue shows of the dispatched cases (its "overdue only" also lists cases still
    waiting at the centre past their provisional deadline), earlier points are a close reconstruction.

Exercise cases
    left out unless asked (``exercises``: leave, include or only, ``modes.common.exercise_filter``); the
    trends keep the choice, so that a recount of today (``recount_last_day``) counts the same cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.models import Case
from modes.common.exercise_filter import exercise_choice, exercise_conditions
from modes.everyday.cases import Channel
from modes.everyday.evaluation import Period, period_of
from modes.everyday.overdue import overdue_as_of

MAX_DAYS = 400  # two aggregates a day; SQLite allows 2,000 result columns


@dataclass(frozen=True)
class DailyTrends:
    period: Period
    days: tuple[dt.date, ...]
    intake: dict[str, tuple[int, ...]]  # channel -> reports per day, every channel present
    open: tuple[int, ...]  # open cases at the end of each day
    overdue: tuple[int, ...]  # of those, overdue
    exercises: str = "leave"  # which cases were counted: leave (real only), include or only


def _day_of(session: Session, column):
    # CAST(... AS DATE) means a number in SQLite: its date() gives the ISO day as text.
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def daily_intake(session: Session, period: Period, exercises: str = "leave") -> dict[str, tuple[int, ...]]:
    """Reports per channel and day of the period (zero-filled)."""
    day = _day_of(session, Case.reported_at)
    rows = session.execute(
        select(day.label("day"), Case.channel, func.count())
        .where(
            Case.reported_at >= period.begin,
            Case.reported_at < period.end,
            *exercise_conditions(exercises, Case.exercise_id),
        )
        .group_by(day, Case.channel)
    ).all()
    out = {c.value: [0] * period.days for c in Channel}
    for d, channel, n in rows:
        i = (_as_date(d) - period.first).days
        if 0 <= i < period.days:
            out.setdefault(channel, [0] * period.days)[i] += int(n)
    return {k: tuple(v) for k, v in out.items()}


def day_ends(period: Period, now: dt.datetime) -> list[dt.datetime]:
    """The instant each day's open/overdue figure is taken: midnight after the day, or now for today."""
    return [
        min(dt.datetime.combine(period.first + dt.timedelta(days=i + 1), dt.time()), now)
        for i in range(period.days)
    ]


def open_and_overdue(
    session: Session, period: Period, now: dt.datetime, exercises: str = "leave"
) -> tuple[tuple[int, ...], ...]:
    """Open and overdue cases at the end of each day, in one scan (two aggregates per day)."""
    if period.days > MAX_DAYS:
        raise InputError(f"a trend covers at most {MAX_DAYS} days, not {period.days}")
    ends = day_ends(period, now)
    c = Case

    def open_at(e: dt.datetime):
        return and_(
            c.reported_at <= e,
            or_(c.closed_at.is_(None), c.closed_at > e),
            or_(c.voided_at.is_(None), c.voided_at > e),
        )

    def overdue_in_handling_at(e: dt.datetime):
        return and_(c.dispatched_at <= e, overdue_as_of(e))

    columns = []
    for i, e in enumerate(ends):
        columns.append(func.count().filter(open_at(e)).label(f"open_{i}"))
        columns.append(func.count().filter(overdue_in_handling_at(e)).label(f"overdue_{i}"))
    first = min(ends)
    row = session.execute(
        select(*columns).where(
            c.reported_at <= max(ends),
            c.state != "merged",
            or_(c.closed_at.is_(None), c.closed_at > first),
            or_(c.voided_at.is_(None), c.voided_at > first),
            *exercise_conditions(exercises, Case.exercise_id),
        )
    ).one()
    opened = tuple(int(row[2 * i]) for i in range(len(ends)))
    overdue = tuple(int(row[2 * i + 1]) for i in range(len(ends)))
    return opened, overdue


def daily_trends(
    session: Session,
    *,
    now: dt.datetime,
    start=None,
    end=None,
    days: int = 30,
    exercises: str = "leave",
) -> DailyTrends:
    """Intake, open and overdue per day: the ``days`` days ending on ``now``'s date, or ``start``..``end``;
    ``exercises``: leave (real cases only), include or only."""
    exercises = exercise_choice(exercises)
    if start is None and end is None:
        period = period_of(now.date() - dt.timedelta(days=days - 1), now.date(), now)
    else:
        period = period_of(start, end, now)
    opened, overdue = open_and_overdue(session, period, now, exercises)
    return DailyTrends(
        period=period,
        days=tuple(period.first + dt.timedelta(days=i) for i in range(period.days)),
        intake=daily_intake(session, period, exercises),
        open=opened,
        overdue=overdue,
        exercises=exercises,
    )


def recount_last_day(session: Session, kept: DailyTrends, now: dt.datetime) -> DailyTrends:
    """``kept`` with its last day (today) counted again as of ``now`` and its earlier days as they were.

    A day's intake never changes once it is over, and its open and overdue counts change only when a
    deadline or a suspension is edited afterwards: a refresh may count today alone (a few milliseconds
    against 1.4 s for a Harbin month) and recount the whole period now and then."""
    period = kept.period
    today = Period(period.last, period.last)
    intake = daily_intake(session, today, kept.exercises)
    (opened,), (overdue,) = open_and_overdue(session, today, now, kept.exercises)
    zeros = (0,) * period.days
    return DailyTrends(
        period=period,
        days=kept.days,
        intake={
            c: (*kept.intake.get(c, zeros)[:-1], intake.get(c, (0,))[0])
            for c in sorted(kept.intake.keys() | intake.keys())
        },
        open=(*kept.open[:-1], opened),
        overdue=(*kept.overdue[:-1], overdue),
        exercises=kept.exercises,
    )
