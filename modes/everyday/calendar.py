"""Working-time arithmetic for deadlines.

Ordinary cases count working time only (by default 08:00-12:00 and 14:00-18:00 on working days);
urgent cases run on a continuous clock. Weekends and holidays are configuration: a set of holiday
dates and a set of make-up working days (调休) that override weekends.

Two time lines with the same operations (``TimeLine``): ``WorkingCalendar`` on datetimes, what the
case desk uses, and ``WorkingClock`` on whole seconds after a midnight, the same calendar as a table for
bulk work (a year of generated history asks it tens of millions of times). ``Limit.due`` runs on
either, so a rule written once against ``TimeLine`` (the case desk's effects) works on both.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

import numpy as np

from data.errors import InputError

MINUTE = dt.timedelta(minutes=1)
T = TypeVar("T")


class TimeLine(Protocol[T]):
    """Working-time arithmetic on moments of type ``T`` (datetimes, or seconds after a base)."""

    @property
    def minutes_per_day(self) -> int: ...

    def add_working(self, start: T, minutes: float) -> T: ...

    def working_minutes(self, start: T, end: T) -> float: ...

    def add_minutes(self, start: T, minutes: float) -> T: ...

    def minutes_between(self, start: T, end: T) -> float: ...


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


@dataclass(frozen=True)
class WorkingCalendar:
    periods: tuple[tuple[dt.time, dt.time], ...] = ((_t("08:00"), _t("12:00")), (_t("14:00"), _t("18:00")))
    weekend: frozenset[int] = frozenset({5, 6})  # Monday is 0
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # weekend days worked in lieu

    @classmethod
    def from_config(cls, cfg: dict) -> WorkingCalendar:
        periods = tuple(
            (_t(a), _t(b)) for a, b in cfg.get("periods", [("08:00", "12:00"), ("14:00", "18:00")])
        )
        for a, b in periods:
            if not a < b:
                raise ValueError(f"working period {a}-{b} is empty or reversed")
        return cls(
            periods=periods,
            weekend=frozenset(cfg.get("weekend", [5, 6])),
            holidays=frozenset(dt.date.fromisoformat(d) for d in cfg.get("holidays", [])),
            workdays=frozenset(dt.date.fromisoformat(d) for d in cfg.get("workdays", [])),
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    @cached_property
    def minutes_per_day(self) -> int:
        return sum(
            (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)) // MINUTE
            for a, b in self.periods
        )

    def _day_periods(self, day: dt.date):
        if self.is_working_day(day):
            for a, b in self.periods:
                yield dt.datetime.combine(day, a), dt.datetime.combine(day, b)

    def add_working(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment when ``minutes`` of working time have passed after ``start``."""
        remaining = dt.timedelta(minutes=minutes)
        if remaining <= dt.timedelta(0):
            return start
        day = start.date()
        for _ in range(3700):  # ten years of days: a limit, not a loop that can hang on a bad calendar
            for a, b in self._day_periods(day):
                if b <= start:
                    continue
                begin = max(a, start)
                if begin + remaining <= b:
                    return begin + remaining
                remaining -= b - begin
            day += dt.timedelta(days=1)
        raise ValueError("the working calendar has no working time in the next ten years")

    def working_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working minutes between two moments (negative if ``end`` is before ``start``)."""
        if end < start:
            return -self.working_minutes(end, start)
        total = dt.timedelta(0)
        day = start.date()
        while day <= end.date():
            for a, b in self._day_periods(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total / MINUTE

    def add_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """Clock time, not working time: ``minutes`` later."""
        return start + dt.timedelta(minutes=minutes)

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Clock minutes from ``start`` to ``end``."""
        return (end - start).total_seconds() / 60


class WorkingClock:
    """``WorkingCalendar`` on whole seconds after ``base`` (a midnight), from a per-minute table.

    ``cum[i]`` holds the working seconds between ``base`` and minute ``i``; a minute is either wholly
    working or not, so the calendar's periods must start and end on whole minutes. A call costs a
    bisect instead of a walk over days. Past the table's horizon the calendar itself is asked (slow but
    exact); tests hold the two to the same answers.
    """

    def __init__(self, calendar: WorkingCalendar, base: dt.datetime, days: int):
        self.calendar = calendar
        self.base = base
        for a, b in calendar.periods:
            if a.second or a.microsecond or b.second or b.microsecond:
                raise InputError(f"working periods must start and end on whole minutes, not {a}-{b}")
        mask = np.zeros(days * 1440, dtype=np.int64)
        for d in range(days):
            day = base.date() + dt.timedelta(days=d)
            if calendar.is_working_day(day):
                for a, b in calendar.periods:
                    mask[d * 1440 + a.hour * 60 + a.minute : d * 1440 + b.hour * 60 + b.minute] = 1
        cum = np.zeros(len(mask) + 1, dtype=np.int64)
        np.cumsum(mask * 60, out=cum[1:])
        # array('q') rather than lists: a year and more of minutes as Python ints would take ~80 MB.
        self.working = array("q", mask.tobytes())
        self.cum = array("q", cum.tobytes())
        self.horizon = len(mask) * 60
        self.minutes_per_day = calendar.minutes_per_day

    def to_dt(self, s: int) -> dt.datetime:
        return self.base + dt.timedelta(seconds=s)

    def to_s(self, t: dt.datetime) -> int:
        return int((t - self.base).total_seconds())

    def _worked(self, s: int) -> int:
        i, r = divmod(s, 60)
        return self.cum[i] + self.working[i] * r

    def add_working(self, s: int, minutes: float) -> int:
        if minutes <= 0:
            return s
        if not 0 <= s < self.horizon:
            return self.to_s(self.calendar.add_working(self.to_dt(s), minutes))
        target = self._worked(s) + round(minutes * 60)
        i = bisect.bisect_left(self.cum, target)
        if i >= len(self.cum):
            return self.to_s(self.calendar.add_working(self.to_dt(s), minutes))
        if self.cum[i] == target:
            return i * 60
        return (i - 1) * 60 + (target - self.cum[i - 1])

    def working_minutes(self, a: int, b: int) -> float:
        if b < a:
            return -self.working_minutes(b, a)
        if a < 0 or b >= self.horizon:
            return self.calendar.working_minutes(self.to_dt(a), self.to_dt(b))
        return (self._worked(b) - self._worked(a)) / 60

    def add_minutes(self, s: int, minutes: float) -> int:
        return s + round(minutes * 60)

    def minutes_between(self, a: int, b: int) -> float:
        return (b - a) / 60


@dataclass(frozen=True)
class Limit:
    """A time limit: an amount in a unit, counted in working time or continuously."""

    amount: float
    unit: str  # minutes | hours | days (natural time) | working_minutes | working_hours | working_days
    # Worked out once (``due`` runs millions of times in bulk): whether ordinary cases count it in
    # working time, and its length in clock minutes (urgent cases: 1 working day = 24 hours).
    working: bool = field(init=False, repr=False, compare=False)
    _clock_minutes: float = field(init=False, repr=False, compare=False)

    UNITS = ("minutes", "hours", "days", "working_minutes", "working_hours", "working_days")
    _MINUTES = {
        "minutes": 1,
        "hours": 60,
        "days": 24 * 60,
        "working_minutes": 1,
        "working_hours": 60,
        "working_days": 24 * 60,
    }

    def __post_init__(self):
        if self.unit not in self.UNITS:
            raise ValueError(f"unknown time-limit unit {self.unit!r} (one of {', '.join(self.UNITS)})")
        if self.amount <= 0:
            raise ValueError(f"time limit must be positive, got {self.amount}")
        object.__setattr__(self, "working", self.unit.startswith("working_"))
        object.__setattr__(self, "_clock_minutes", self.amount * self._MINUTES[self.unit])

    @classmethod
    def parse(cls, value) -> Limit:
        """``[4, "working_hours"]`` or ``"4 working_hours"``."""
        if isinstance(value, str):
            amount, unit = value.split()
        else:
            amount, unit = value
        return cls(float(amount), unit)

    def due(self, start: T, calendar: TimeLine[T], *, continuous: bool = False) -> T:
        """When this limit runs out if started at ``start``, on either time line.

        ``continuous`` (urgent cases) counts working units as clock time: 1 working day = 24 hours.
        """
        if self.working and not continuous:
            if self.unit == "working_days":
                return calendar.add_working(start, self.amount * calendar.minutes_per_day)
            return calendar.add_working(start, self._clock_minutes)
        return calendar.add_minutes(start, self._clock_minutes)

    def counts_working(self, urgent: bool) -> bool:
        """Whether this limit counts working time for a case: a working unit, on an ordinary case.
        Otherwise it counts natural (clock) time: a natural unit, or any limit of an urgent case."""
        return self.working and not urgent

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount} {self.unit}"
