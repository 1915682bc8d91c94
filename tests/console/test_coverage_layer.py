"""Supervisor coverage quality in the console, on a small city with 30 days of generated history: the
map's coverage measure colours each cell by its public-first share in fixed classes (grey where too few
problems to judge, unfilled without one), as a recount of the case rows by hand says; its legend says
so in English and in Chinese; the dashboard's table lists every supervisor as ``kpi --by supervisor``
does, the ones with too few problems greyed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from console.everyday.dashboard import DashboardPanel
from console.everyday.dashboard_services import DashboardServices
from console.measures import COVERAGE_BREAKS, COVERAGE_COLOURS, MEASURE_BY_KEY, TOO_FEW_COLOUR
from console.theme import TEXT_DIM
from console.workers import WorkerPool
from data.models import Case, Supervisor
from modes.common.clock import FixedClock
from modes.everyday.evaluation import PUBLIC_CHANNELS, evaluate
from modes.everyday.history import generate_history

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock
END = dt.date(2009, 9, 17)
FIRST = dt.datetime.combine(NOW.date() - dt.timedelta(days=29), dt.time())


@pytest.fixture(scope="module")
def history(make_session):
    with make_session() as s, s.begin():
        return generate_history(s, days=30, seed=5, end=END, per_day=80)


@pytest.fixture(scope="module")
def recount(make_session, history) -> Counter:
    """(cell, "problems" | "public") and (supervisor id, ...) counted over the case rows by hand."""
    counts = Counter()
    with make_session() as s:
        rows = s.execute(
            select(
                Case.cell_code,
                Case.supervisor_id,
                Case.reported_at,
                Case.filed_at,
                Case.voided_at,
                Case.channel,
            )
        ).all()
    for r in rows:
        if not FIRST <= r.reported_at < NOW.replace(hour=0, minute=0) + dt.timedelta(days=1):
            continue
        if r.filed_at is None or r.voided_at is not None or not 7 <= r.reported_at.hour < 19:
            continue
        for key in (r.cell_code, r.supervisor_id):
            counts[key, "problems"] += 1
            counts[key, "public"] += r.channel in PUBLIC_CHANNELS
    return counts


def _legend(panel) -> list[str]:
    """The legend's texts, as its grid holds them now (the replaced labels wait for deletion)."""
    grid = panel.legend_grid
    items = (grid.itemAt(i).widget() for i in range(grid.count()))
    return [w.text() for w in items if isinstance(w, QLabel) and w.text()]


def _expected_class(problems: int, public: int) -> int:
    if problems == 0:
        return -1
    if problems < 10:
        return len(COVERAGE_COLOURS)  # the grey class
    share = round(public / problems, 4)
    return min(int(np.searchsorted(COVERAGE_BREAKS, share, side="right")) - 1, len(COVERAGE_COLOURS) - 1)


def test_the_coverage_layer_colours_each_cell_by_its_share(open_window, recount):
    window = open_window("commander")  # at the fixtures' clock, NOW
    window.layers_panel.set_measure("coverage")
    classes = window.map.choropleth_classes
    codes = window.snapshot.cells.codes
    expected = np.array([_expected_class(recount[c, "problems"], recount[c, "public"]) for c in codes])
    assert (classes.of_cell == expected).all()
    assert {-1, len(COVERAGE_COLOURS)} <= set(expected.tolist())  # some cells unfilled, some grey
    assert len(set(expected.tolist()) - {-1, len(COVERAGE_COLOURS)}) >= 2  # and shares in several classes
    assert classes.colours[-1] == TOO_FEW_COLOUR
    legend = _legend(window.layers_panel)
    assert legend[:2] == ["0 – 5 %", "5 – 10 %"]
    assert legend[-1] == "too few: under 10 problems"
    assert window.layers_panel.measure_box.currentText() == "Supervisor coverage: public-first share"


def test_the_legend_in_chinese(qtbot, make_session, snapshot, history, translations):
    from console.layers_panel import LayersPanel

    translations("zh_CN")
    measure = MEASURE_BY_KEY["coverage"]
    with make_session() as s:
        values = measure.compute(s, snapshot, NOW)
    panel = LayersPanel()
    qtbot.addWidget(panel)
    panel.set_legend(measure, measure.classify(values))
    legend = _legend(panel)
    assert legend[-1] == "过少：不足 10 件"
    assert measure.title() == "监督员巡查覆盖：公众先报占比"


@pytest.fixture
def dashboard(qtbot, make_session, history):
    panel = DashboardPanel(DashboardServices(make_session, FixedClock(NOW)), WorkerPool())
    qtbot.addWidget(panel)
    panel.resize(420, 1600)
    with qtbot.waitSignal(panel.refreshed, timeout=60_000):
        panel.show()
    return panel


def test_the_dashboard_table_lists_each_supervisor_as_the_kpi_does(
    dashboard, make_session, recount, translations
):
    translations("en")
    model = dashboard.coverage_model
    with make_session() as s:
        doc = evaluate(s, by="supervisor", start=None, end=None, now=NOW)
        codes = dict(s.execute(select(Supervisor.code, Supervisor.id)).all())
    kpi = {r["key"]: r for r in doc["rows"]}
    assert model.rowCount() == len(kpi) > 5
    shown = []
    for i in range(model.rowCount()):
        cells = [model.data(model.index(i, c)) for c in range(model.columnCount())]
        row = model.rows[i]
        r = kpi[row.code]
        sid = codes[row.code]
        assert (row.problems, row.public_first) == (recount[sid, "problems"], recount[sid, "public"])
        assert (row.problems, row.public_first, row.share) == (
            r["duty_filed"], r["duty_public_filed"], r["public_first_rate"],
        )  # fmt: skip
        assert cells[0] == f"{row.name} ({row.code})" and cells[2] == f"{row.problems:,}"
        assert cells[4] == f"{row.share * 100:.1f}%"
        grey = model.data(model.index(i, 0), Qt.ItemDataRole.ForegroundRole)
        assert (grey == QColor(TEXT_DIM)) if not row.enough else grey is None
        shown.append(row)
    judged = [r for r in shown if r.enough]
    assert judged and [r.share for r in judged] == sorted((r.share for r in judged), reverse=True)
    assert all(not r.enough for r in shown[len(judged) :])  # too few to judge: after the others
    assert "fewer than 10 problems" in dashboard.coverage_note.text()


def test_the_console_opens_on_the_layer_and_the_table(qtbot, services_for, history, translations):
    """``console --measure coverage --page coverage``: the cells coloured by coverage, the dashboard
    open at its coverage table once the figures are drawn."""
    from console.main_window import MainWindow

    translations("en")
    window = MainWindow(services_for("commander", FixedClock(NOW)))
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.set_measure("coverage")
    window.open_page("coverage")
    dashboard = window.intake_tools.dashboard
    with qtbot.waitSignal(dashboard.refreshed, timeout=60_000):
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
    window.watcher.stop()
    assert window.layers_panel.measure_key() == "coverage"
    assert window.layers_panel.layer_boxes["choropleth"].isChecked()
    assert window.everyday_page.tabs.currentWidget() is dashboard
    qtbot.waitUntil(lambda: not dashboard.coverage_view.visibleRegion().isEmpty(), timeout=5000)
    assert dashboard.coverage_model.rowCount() > 0
    with pytest.raises(ValueError, match="unknown measure 'nothing'"):
        window.set_measure("nothing")


def test_an_unknown_measure_is_refused_before_the_console_opens(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "main.py", "console", "--db", f"sqlite:///{tmp_path / 'none.db'}", "--measure", "nothing",
         "--screenshot", str(tmp_path / "shot.png")],
        cwd=repo, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "unknown --measure 'nothing'" in done.stderr and "coverage" in done.stderr
    assert not (tmp_path / "shot.png").exists() and not (tmp_path / "none.db").exists()
