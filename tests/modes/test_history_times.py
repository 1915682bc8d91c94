"""The history writer's time texts: what SQLAlchemy stores on SQLite, and the journal's ISO form, for
every second, including those before the first simulated day and past the prepared horizon."""

from __future__ import annotations

import datetime as dt

import pytest

from modes.everyday.calendar import WorkingClock
from modes.everyday.config import EverydayConfig
from modes.everyday.history import BulkWriter

BASE = dt.datetime(2026, 2, 27)
DAYS = 3


@pytest.fixture
def writer(session):
    clock = WorkingClock(EverydayConfig.from_dict({}).calendar, BASE, DAYS)
    return BulkWriter(session, clock)


@pytest.mark.parametrize(
    "s",
    [0, 1, 59, 86399, 86400, 86400 + 3723, 2 * 86400 + 43210, DAYS * 86400 - 1, DAYS * 86400, 10 * 86400 + 7]
    + [-1, -86400, -86401],
)
def test_time_texts_match_the_datetime_they_stand_for(writer, s):
    moment = BASE + dt.timedelta(seconds=s)
    assert writer.db_time(s) == moment.isoformat(sep=" ", timespec="microseconds")
    assert writer.iso_time(s) == moment.isoformat(timespec="seconds")
