"""Time, injected. Rules never read the wall clock themselves, so deadlines, drills and tests are
deterministic. Times are naive datetimes in the city's local time."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

# The city's local time, the one time every screen, command and record speaks (Harbin: UTC+8, no daylight
# saving). Records hold it as naive times; a wall-clock instant from elsewhere (a node's heartbeat) is
# shown converted to it, with the offset.
CITY_UTC_OFFSET = dt.timedelta(hours=8)
CITY_TZ = dt.timezone(CITY_UTC_OFFSET)


def offset_text(tz: dt.tzinfo = CITY_TZ) -> str:
    """``+08:00``."""
    total = int(tz.utcoffset(None).total_seconds()) // 60
    sign, total = ("-", -total) if total < 0 else ("+", total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def city_time(instant: float) -> dt.datetime:
    """A wall-clock instant (``time.time()``) in the city's local time, aware (it carries +08:00)."""
    return dt.datetime.fromtimestamp(instant, CITY_TZ)


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The wall clock in the city's local time (Harbin: UTC+8, no daylight saving)."""

    def __init__(self, utc_offset_hours: float | None = None):
        self._tz = CITY_TZ if utc_offset_hours is None else dt.timezone(dt.timedelta(hours=utc_offset_hours))

    def now(self) -> dt.datetime:
        """To the microsecond, as every time a node reads: a command's instant (``one_instant``) and a
        time a district sends with its acknowledgement must compare truly (an order is never received
        before it was sent), and an exercise clock at 120x moves two scenario minutes a wall second.
        Screens and reports format their times to the second or minute."""
        return dt.datetime.now(self._tz).replace(tzinfo=None)


def one_instant(clock: Clock) -> FixedClock:
    """The clock a command runs under: the moment it runs, to the microsecond, for all it does.

    Whatever the command writes (its rows and its journal events) then carries one time, however often
    its rules ask; and acts a fraction of a second apart keep their gap, which an exercise measures its
    players' responses by: at 120x a wall second is two exercise minutes."""
    return FixedClock(clock.now())


class FixedClock:
    """A clock that moves only when told to: tests, replays and accelerated drills."""

    def __init__(self, start: dt.datetime):
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now
