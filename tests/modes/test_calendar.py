"""Working-time arithmetic: the clock of ordinary cases."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from data.errors import InputError
from modes.everyday.calendar import Limit, WorkingCalendar, WorkingClock

CAL = WorkingCalendar.from_config({"holidays": ["2026-04-06"], "workdays": ["2026-04-12"]})
D = dt.datetime


@pytest.mark.parametrize(
    "start, minutes, expected",
    [
        (D(2026, 3, 2, 9, 0), 60, D(2026, 3, 2, 10, 0)),  # inside the morning
        (D(2026, 3, 2, 11, 30), 60, D(2026, 3, 2, 14, 30)),  # across lunch
        (D(2026, 3, 2, 17, 30), 60, D(2026, 3, 3, 8, 30)),  # across the night
        (D(2026, 3, 6, 17, 0), 120, D(2026, 3, 9, 9, 0)),  # Friday evening -> Monday
        (D(2026, 3, 7, 10, 0), 30, D(2026, 3, 9, 8, 30)),  # reported on a Saturday
        (D(2026, 3, 2, 12, 30), 10, D(2026, 3, 2, 14, 10)),  # reported at lunch
        (D(2026, 4, 3, 17, 0), 120, D(2026, 4, 7, 9, 0)),  # Friday, then weekend and the 6 April holiday
        (D(2026, 4, 11, 17, 0), 120, D(2026, 4, 12, 10, 0)),  # Saturday; Sunday 12 April is a make-up day
    ],
)
def test_add_working(start, minutes, expected):
    assert CAL.add_working(start, minutes) == expected
    assert CAL.working_minutes(start, expected) == pytest.approx(minutes)


def test_working_day_is_eight_hours_and_limits_convert():
    assert CAL.minutes_per_day == 480
    start = D(2026, 3, 2, 9, 0)
    assert Limit.parse("4 working_hours").due(start, CAL) == D(2026, 3, 2, 15, 0)
    assert Limit.parse([2, "working_days"]).due(start, CAL) == D(2026, 3, 4, 9, 0)
    # Urgent cases run continuously: 4 working hours are 4 clock hours, a working day is 24 h.
    assert Limit.parse("4 working_hours").due(start, CAL, continuous=True) == D(2026, 3, 2, 13, 0)
    assert Limit.parse("1 working_days").due(start, CAL, continuous=True) == D(2026, 3, 3, 9, 0)
    assert Limit.parse("30 minutes").due(D(2026, 3, 2, 11, 50), CAL) == D(2026, 3, 2, 12, 20)


def test_bad_limits_and_calendars_are_refused():
    with pytest.raises(ValueError, match="unknown time-limit unit 'fortnights'"):
        Limit.parse("2 fortnights")
    with pytest.raises(ValueError, match="must be positive"):
        Limit.parse("0 hours")
    with pytest.raises(ValueError, match="empty or reversed"):
        WorkingCalendar.from_config({"periods": [["12:00", "08:00"]]})
    with pytest.raises(ValueError, match="no working time"):
        WorkingCalendar(weekend=frozenset(range(7))).add_working(D(2026, 3, 2), 10)


# --- the same calendar on seconds (bulk work) gives the same answers ----------------------------------------


@pytest.mark.parametrize(
    "calendar",
    [
        {},
        {"holidays": ["2026-04-06", "2026-05-01"], "workdays": ["2026-04-12"]},
        {"periods": [["08:30", "17:00"]], "weekend": [5, 6]},
        {"periods": [["00:00", "23:59"]], "weekend": []},
    ],
    ids=["default", "holidays", "boston", "always"],
)
def test_working_clock_gives_what_limit_due_and_the_calendar_give(calendar):
    cal = WorkingCalendar.from_config(calendar)
    base = dt.datetime(2026, 3, 1)
    clock = WorkingClock(cal, base, 200)
    rnd = random.Random(5)
    limits = [
        Limit.parse(v)
        for v in ("4 working_hours", "2 working_days", "15 working_days", "30 minutes", "4 hours")
    ]
    for _ in range(3000):
        s = rnd.randrange(0, 100 * 86400)
        if rnd.random() < 0.4:
            s -= s % 1800  # on period boundaries, where off-by-one errors live
        start = base + dt.timedelta(seconds=s)
        limit, continuous = rnd.choice(limits), rnd.random() < 0.2
        assert clock.to_dt(limit.due(s, clock, continuous=continuous)) == limit.due(
            start, cal, continuous=continuous
        )
        minutes = rnd.choice((1 / 60, 10, 95.5, 480, 2000))
        assert clock.to_dt(clock.add_working(s, minutes)) == cal.add_working(start, minutes)
        s2 = rnd.randrange(0, 120 * 86400)
        end = base + dt.timedelta(seconds=s2)
        assert clock.working_minutes(s, s2) == pytest.approx(cal.working_minutes(start, end))
        assert clock.minutes_between(s, s2) == cal.minutes_between(start, end)
    # Past the table the calendar itself answers.
    far = 300 * 86400
    assert clock.to_dt(clock.add_working(far, 90)) == cal.add_working(clock.to_dt(far), 90)


def test_working_clock_refuses_periods_off_whole_minutes():
    cal = WorkingCalendar.from_config({"periods": [["08:00:30", "12:00"]]})
    with pytest.raises(InputError, match="whole minutes"):
        WorkingClock(cal, dt.datetime(2026, 3, 1), 10)
