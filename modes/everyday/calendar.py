"""Working-time arithmetic for deadlines.

Ordinary cases count working time only (by default 08:00-12:00 and 14:00-18:00 on working days);
urgent cases run on a continuous clock. Weekends and holidays are configuration: a set of holiday
dates and a set of make-up working days (调休) that override weekends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MINUTE = dt.timedelta(minutes=1)


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

    @property
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


@dataclass(frozen=True)
class Limit:
    """A time limit: an amount in a unit, counted in working time or continuously."""

    amount: float
    unit: str  # minutes | hours | days | working_hours | working_days

    UNITS = ("minutes", "hours", "days", "working_hours", "working_days")

    def __post_init__(self):
        if self.unit not in self.UNITS:
            raise ValueError(f"unknown time-limit unit {self.unit!r} (one of {', '.join(self.UNITS)})")
        if self.amount <= 0:
            raise ValueError(f"time limit must be positive, got {self.amount}")

    @classmethod
    def parse(cls, value) -> Limit:
        """``[4, "working_hours"]`` or ``"4 working_hours"``."""
        if isinstance(value, str):
            amount, unit = value.split()
        else:
            amount, unit = value
        return cls(float(amount), unit)

    @property
    def working(self) -> bool:
        return self.unit.startswith("working_")

    def due(self, start: dt.datetime, calendar: WorkingCalendar, *, continuous: bool = False) -> dt.datetime:
        """When this limit runs out if started at ``start``.

        ``continuous`` (urgent cases) counts working units as clock time: 1 working day = 24 hours.
        """
        if self.unit == "working_hours":
            minutes = self.amount * 60
        elif self.unit == "working_days":
            minutes = self.amount * (24 * 60 if continuous else calendar.minutes_per_day)
        else:
            minutes = self.amount * {"minutes": 1, "hours": 60, "days": 24 * 60}[self.unit]
        if self.working and not continuous:
            return calendar.add_working(start, minutes)
        return start + dt.timedelta(minutes=minutes)

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount} {self.unit}"
