"""The wall clock and a command's one instant (modes/common/clock.py)."""

from __future__ import annotations

import datetime as dt

from modes.common.clock import CITY_TZ, FixedClock, SystemClock, one_instant


def test_the_system_clock_reads_the_city_time_to_the_microsecond():
    # A district's acknowledgement time is compared with the centre's sent time, both read from such a
    # clock: one cut to the second read earlier than the other within the same second.
    before = dt.datetime.now(CITY_TZ).replace(tzinfo=None)
    reads = [SystemClock().now() for _ in range(3)]
    after = dt.datetime.now(CITY_TZ).replace(tzinfo=None)
    assert all(before <= r <= after for r in reads) and reads == sorted(reads)
    assert {r.microsecond for r in reads} != {0}  # three reads all on a whole second: one in 10^18


def test_a_command_runs_at_one_instant_however_often_it_reads():
    clock = FixedClock(dt.datetime(2026, 3, 2, 8, 0, 0, 250_000))
    instant = one_instant(clock)
    clock.advance(seconds=1.5)
    assert instant.now() == instant.now() == dt.datetime(2026, 3, 2, 8, 0, 0, 250_000)
