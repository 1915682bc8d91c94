"""The dashboard's figures equal the same figures computed independently (plain rows, counted in Python)
on a small city with 30 days of generated history, and are drawn as they are: curves, bars in the
grades' standard colours, and the ranking table."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from sqlalchemy import select

from console.everyday.dashboard import GRADE_COLOURS, DashboardPanel
from console.everyday.dashboard_services import DashboardServices
from console.workers import WorkerPool
from data.models import Case
from modes.common.clock import FixedClock
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.history import generate_history

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock
END = dt.date(2009, 9, 17)
FIRST = NOW.date() - dt.timedelta(days=29)
STANDARD = {"A": "green", "B": "blue", "C": "yellow", "D": "red", "E": "black"}


@pytest.fixture(scope="module")
def history(make_session):
    with make_session() as s, s.begin():
        return generate_history(s, days=30, seed=5, end=END, per_day=80)


@pytest.fixture(scope="module")
def rows(make_session, history):
    with make_session() as s:
        return s.execute(
            select(
                Case.reported_at,
                Case.channel,
                Case.state,
                Case.dispatched_at,
                Case.deadline,
                Case.closed_at,
                Case.voided_at,
                Case.suspended_at,
                Case.closure_kind,
                Case.department_code,
                Case.district_code,
            )
        ).all()


@pytest.fixture
def dashboard(qtbot, make_session, history):
    panel = DashboardPanel(DashboardServices(make_session, FixedClock(NOW)), WorkerPool())
    qtbot.addWidget(panel)
    panel.resize(420, 1400)
    with qtbot.waitSignal(panel.refreshed, timeout=60_000):
        panel.show()  # shown with stale figures: it reads them
    return panel


def day_ends() -> list[dt.datetime]:
    return [min(dt.datetime.combine(FIRST + dt.timedelta(days=i + 1), dt.time()), NOW) for i in range(30)]


def expected_trends(rows) -> tuple[dict, list[int], list[int]]:
    intake: dict[str, list[int]] = defaultdict(lambda: [0] * 30)
    for r in rows:
        i = (r.reported_at.date() - FIRST).days
        if 0 <= i < 30:
            intake[r.channel][i] += 1
    opened, overdue = [], []
    for e in day_ends():
        open_rows = [
            r
            for r in rows
            if r.reported_at <= e
            and r.state != "merged"
            and (r.closed_at is None or r.closed_at > e)
            and (r.voided_at is None or r.voided_at > e)
        ]
        opened.append(len(open_rows))
        overdue.append(
            sum(
                1
                for r in open_rows
                if r.dispatched_at is not None
                and r.dispatched_at <= e
                and r.deadline is not None
                and r.deadline < e
                and (r.suspended_at is None or r.suspended_at > e)
            )
        )
    return intake, opened, overdue


def expected_rates(rows, by: str) -> dict[str, tuple[float | None, float | None]]:
    """(closure rate, on-time rate) per department or district, from the rows."""
    counts: dict[str, Counter] = defaultdict(Counter)
    begin, end = (
        dt.datetime.combine(FIRST, dt.time()),
        dt.datetime.combine(NOW.date(), dt.time()) + dt.timedelta(days=1),
    )
    for r in rows:
        if not (begin <= r.reported_at < end):
            continue
        if by == "department":
            if r.dispatched_at is None or r.department_code is None:
                continue
            key = r.department_code
        else:
            key = r.district_code
        c = counts[key]
        c["closed"] += r.closed_at is not None
        c["on_time"] += r.closure_kind == "normal"
        c["overdue_open"] += (
            r.dispatched_at is not None
            and r.closed_at is None
            and r.voided_at is None
            and r.state != "suspended"
            and r.deadline is not None
            and r.deadline < NOW
        )
    out = {}
    for key, c in counts.items():
        due = c["closed"] + c["overdue_open"]
        out[key] = (c["closed"] / due if due else None, c["on_time"] / due if due else None)
    return out


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-4)


def test_the_figures_equal_an_independent_count(dashboard, rows, history):
    f = dashboard.figures
    assert (f.first, f.last, len(f.days)) == (FIRST, NOW.date(), 30)
    intake, opened, overdue = expected_trends(rows)
    assert sum(map(sum, intake.values())) > 1000  # a month of history is there to count
    for channel, counts in f.intake.items():
        assert list(counts) == intake.get(channel, [0] * 30), channel
    assert list(f.open) == opened and list(f.overdue) == overdue
    assert max(overdue) > 0 and max(opened) > max(overdue)

    for by, got in (("department", f.departments), ("district", f.districts)):
        want = expected_rates(rows, by)
        assert {r.key for r in got} == set(want)
        for r in got:
            assert close(r.closure_rate, want[r.key][0]), (by, r.key)
            assert close(r.on_time_rate, want[r.key][1]), (by, r.key)
            assert r.colour == STANDARD[r.grade]  # the standard grade colours
        assert [r.score for r in got] == sorted((r.score for r in got), reverse=True)


def test_charts_and_ranking_draw_the_figures(dashboard, qtbot):
    f = dashboard.figures
    xs = list(range(30))
    for channel, counts in f.intake.items():
        x, y = dashboard.intake_curves[channel].getData()
        assert list(x) == xs and list(y) == list(counts)
    assert list(dashboard.overdue_curve.getData()[1]) == list(f.overdue)

    for chart, rows in ((dashboard.department_chart, f.departments), (dashboard.district_chart, f.districts)):
        closure, on_time = chart.bar_widths()
        assert closure == pytest.approx([(r.closure_rate or 0) * 100 for r in rows])
        assert on_time == pytest.approx([(r.on_time_rate or 0) * 100 for r in rows])
        assert chart.bar_colours() == [QColor(GRADE_COLOURS[r.colour]).name() for r in rows]
        assert [t.toPlainText().split()[0] for t in chart.grade_items] == [r.grade for r in rows]

    model = dashboard.ranking_model
    grade_col = model.COLUMNS.index("grade")
    assert model.rowCount() == len(f.departments)
    for i, r in enumerate(f.departments):
        assert model.data(model.index(i, 1)) == r.label()
        assert model.data(model.index(i, grade_col)) == r.grade
        assert model.data(model.index(i, grade_col), Qt.ItemDataRole.BackgroundRole) == QColor(
            GRADE_COLOURS[r.colour]
        )
    dashboard.ranking_combo.setCurrentIndex(1)
    assert model.rowCount() == len(f.districts)
    assert [model.data(model.index(i, 1)) for i in range(model.rowCount())] == [
        r.label() for r in f.districts
    ]
    legend = [dashboard.grade_legend.itemAt(i).widget() for i in range(dashboard.grade_legend.count() - 1)]
    assert [w.objectName() for w in legend] == [f"grade_chip_{g}" for g in "ABCDE"]


def test_a_new_report_shows_after_the_next_refresh(dashboard, qtbot, make_session, router_for_city):
    before = dashboard.figures
    # Just refreshed: a journal advance waits for the minimum interval instead of reading again now.
    dashboard.on_journal_advanced()
    assert dashboard._timer.isActive()
    x, y = router_for_city
    with make_session() as s, s.begin():
        doc, _ = CaseDesk(s, FixedClock(NOW)).report(
            Actor.of("operator", "op1"), x=x, y=y, channel="media", type_code="06010"
        )
    with qtbot.waitSignal(dashboard.refreshed, timeout=60_000):
        dashboard.refresh()
    after = dashboard.figures
    assert after.intake["media"][-1] == before.intake["media"][-1] + 1
    assert after.open[-1] == before.open[-1] + (doc["state"] != "merged")
    # The refresh counted today alone and kept the past days: the same as counting everything anew.
    fresh = DashboardServices(make_session, FixedClock(NOW)).figures()
    assert (after.intake, after.open, after.overdue) == (fresh.intake, fresh.open, fresh.overdue)
    assert after.departments == fresh.departments and after.districts == fresh.districts


@pytest.fixture
def router_for_city(make_session):
    from modes.everyday.routing import Router

    with make_session() as s:
        p = Router.load(s).grid.polygons[5].representative_point()
    return float(p.x), float(p.y)


def test_the_window_has_the_dashboard_tab(open_window, qtbot, history):
    window = open_window("commander")
    tools = window.intake_tools
    with qtbot.waitSignal(tools.dashboard.refreshed, timeout=60_000):
        tools.show_dashboard()
    assert tools.dashboard.figures is not None and tools.dashboard.figures.departments
    titles = [window.everyday_page.tabs.tabText(i) for i in range(window.everyday_page.tabs.count())]
    assert "Intake" in titles and "Dashboard" in titles
