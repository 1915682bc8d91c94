"""What the dashboard reads: ``modes.everyday.dashboard``'s figures, run in the worker pool.

The past days' trend figures are kept between calls: a day's intake never changes once it is over, and
its open and overdue counts change only when a deadline or a suspension is edited afterwards, so a
refresh counts today alone (``trends.recount_last_day``) and recounts the whole period every
``PAST_TTL_S`` seconds or on a new day (on a Harbin month, 1.4 s for the whole period against a few
milliseconds for today).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from data.db import SessionFactory
from modes.common.clock import Clock
from modes.everyday.dashboard import DASHBOARD_DAYS, DashboardFigures, dashboard_figures
from modes.everyday.evaluation import Period, period_of
from modes.everyday.trends import DailyTrends, daily_trends, recount_last_day

PAST_TTL_S = 600.0


class DashboardServices:
    def __init__(self, session_factory: SessionFactory, clock: Clock, days: int = DASHBOARD_DAYS):
        self.session_factory = session_factory
        self.clock = clock
        self.days = days
        self._lock = threading.Lock()
        self._past: tuple[Period, DailyTrends, float] | None = None  # period, full trends, when counted
        # The console's exercise-records choice (ConsoleServices.exercise_records): real cases unless asked.
        self.exercises = "leave"

    def set_exercises(self, choice: str) -> None:
        """Count real cases (leave), exercise cases too (include) or only them; the kept past is dropped."""
        with self._lock:
            if choice != self.exercises:
                self.exercises = choice
                self._past = None

    def figures(self) -> DashboardFigures:
        """Runs in a worker: the ``days`` days ending today, as of now."""
        now = self.clock.now()
        period = period_of(now.date() - dt.timedelta(days=self.days - 1), now.date(), now)
        with self.session_factory() as s:
            trends: DailyTrends | None = None
            with self._lock:  # one full count at a time: a second caller waits and takes it
                past = self._past
                if (
                    past is None
                    or past[0] != period
                    or past[1].exercises != self.exercises
                    or time.monotonic() - past[2] > PAST_TTL_S
                ):
                    trends = daily_trends(s, now=now, days=self.days, exercises=self.exercises)
                    self._past = (period, trends, time.monotonic())
            if trends is None:
                trends = recount_last_day(s, past[1], now)
            return dashboard_figures(s, trends, now)
