"""Day-by-day trends (intake per channel, open and overdue at each day's end) equal a count of the plain
rows in Python, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import select

from data.db import make_engine, session_factory, upgrade_schema
from data.errors import InputError
from data.models import Case
from modes.everyday.history import generate_history
from modes.everyday.trends import MAX_DAYS, daily_trends, day_ends
from tests.modes.test_history import backend_url, drop_schema

END = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 3, 2, 10, 30)  # a morning after the history: today has no reports yet
DAYS = 10


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def trend_city(request, tmp_path_factory):
    from data.demo_city import seed_city

    url, schema = backend_url(request, tmp_path_factory, "trend")
    engine = make_engine(url)
    upgrade_schema(engine)
    Session = session_factory(engine)
    with Session() as s, s.begin():
        seed_city(s, scale="small", seed=2, at=dt.datetime(2026, 1, 1))
    with Session() as s, s.begin():
        generate_history(s, days=DAYS, seed=9, end=END, per_day=70)
    yield Session
    engine.dispose()
    drop_schema(schema)


def test_trends_equal_a_count_of_the_rows(trend_city):
    with trend_city() as s:
        t = daily_trends(s, now=NOW, days=DAYS + 1)
        rows = s.execute(
            select(
                Case.reported_at,
                Case.channel,
                Case.state,
                Case.dispatched_at,
                Case.deadline,
                Case.closed_at,
                Case.voided_at,
                Case.suspended_at,
            )
        ).all()
    first = NOW.date() - dt.timedelta(days=DAYS)
    assert t.days[0] == first and t.days[-1] == NOW.date() and len(t.days) == DAYS + 1
    intake: dict[str, list[int]] = defaultdict(lambda: [0] * (DAYS + 1))
    for r in rows:
        i = (r.reported_at.date() - first).days
        if 0 <= i <= DAYS:
            intake[r.channel][i] += 1
    assert {k: list(v) for k, v in t.intake.items() if any(v)} == dict(intake)
    assert set(t.intake) >= {"supervisor", "camera", "hotline", "internet", "patrol", "media"}
    ends = day_ends(t.period, NOW)
    assert ends[-1] == NOW and ends[0] == dt.datetime.combine(first + dt.timedelta(days=1), dt.time())
    for i, e in enumerate(ends):
        live = [
            r
            for r in rows
            if r.reported_at <= e
            and r.state != "merged"
            and (r.closed_at is None or r.closed_at > e)
            and (r.voided_at is None or r.voided_at > e)
        ]
        late = [
            r
            for r in live
            if r.dispatched_at is not None
            and r.dispatched_at <= e
            and r.deadline is not None
            and r.deadline < e
            and (r.suspended_at is None or r.suspended_at > e)
        ]
        assert (t.open[i], t.overdue[i]) == (len(live), len(late)), e
    assert max(t.overdue) > 0 and t.open[-1] > 0


def test_a_chosen_period_and_its_limits(trend_city):
    with trend_city() as s:
        t = daily_trends(s, now=NOW, start="2026-02-25", end="2026-02-27")
        assert t.days == (dt.date(2026, 2, 25), dt.date(2026, 2, 26), dt.date(2026, 2, 27))
        assert all(len(v) == 3 for v in t.intake.values()) and len(t.open) == 3
        with pytest.raises(InputError, match="at most"):
            daily_trends(s, now=NOW, days=MAX_DAYS + 1)
        with pytest.raises(InputError, match="after"):
            daily_trends(s, now=NOW, start="2026-02-27", end="2026-02-25")
