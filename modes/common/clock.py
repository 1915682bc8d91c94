"""Time, injected. Rules never read the wall clock themselves, so deadlines, drills and tests are
deterministic. Times are naive datetimes in the city's local time."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The wall clock in the city's local time (Harbin: UTC+8, no daylight saving)."""

    def __init__(self, utc_offset_hours: float = 8.0):
        self._tz = dt.timezone(dt.timedelta(hours=utc_offset_hours))

    def now(self) -> dt.datetime:
        return dt.datetime.now(self._tz).replace(tzinfo=None, microsecond=0)

    def precise_now(self) -> dt.datetime:
        """With microseconds: an exercise clock at 120x moves two scenario minutes a wall second."""
        return dt.datetime.now(self._tz).replace(tzinfo=None)


class FixedClock:
    """A clock that moves only when told to: tests, replays and accelerated drills."""

    def __init__(self, start: dt.datetime):
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def precise_now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now
