"""The everyday dashboard: daily intake by channel, open and overdue trends, closure and on-time rates
by department and by district in their grades' standard colours, and a ranking table.

Figures come from ``DashboardServices.figures`` (SQL in ``modes.everyday``) in the worker pool. The
panel refreshes when the journal advances, at most every ``MIN_REFRESH_S`` seconds and only while it is
on screen; a panel that was hidden during changes refreshes when it is shown again.
"""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.everyday.case_texts import channel_label
from console.everyday.dashboard_services import DashboardServices
from console.theme import BORDER, PANEL, TEXT, TEXT_DIM
from console.workers import WorkerPool
from modes.everyday.coverage import SupervisorCoverage
from modes.everyday.dashboard import DashboardFigures, RateRow

MIN_REFRESH_S = 5.0
# The grade bands' standard colours (A green, B blue, C yellow, D red, E black), as drawn on screen.
GRADE_COLOURS = {
    "green": "#2e9d4f",
    "blue": "#2f73d9",
    "yellow": "#f0c419",
    "red": "#d93b30",
    "black": "#000000",
}
GRADE_TEXT = {
    "green": "#ffffff",
    "blue": "#ffffff",
    "yellow": "#101010",
    "red": "#ffffff",
    "black": "#ffffff",
}
CHANNEL_COLOURS = {
    "supervisor": "#4da3ff",
    "camera": "#5ee0e6",
    "hotline": "#ffc13b",
    "internet": "#c77dff",
    "patrol": "#4cd07d",
    "media": "#ff7a59",
}
OPEN_COLOUR = "#4da3ff"
OVERDUE_COLOUR = "#ff4d4f"
BAR_HEIGHT = 0.38
ROW_PX = 26  # vertical room per department or district in the rate charts
LABEL_PX = 128  # the rate charts' name column; longer names are shortened (the ranking has them whole)
LABEL_CHARS = 8
# The count charts' y range over their largest value: room for the legend (three rows, one) on top.
INTAKE_LEGEND_ROOM = 1.75
TREND_LEGEND_ROOM = 1.35


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def grade_colour(colour: str) -> QColor:
    return QColor(GRADE_COLOURS.get(colour, colour))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


class Chart(QWidget):
    """A view box with a left and a bottom axis: what the dashboard needs of a plot.

    Not ``pg.PlotWidget``: its ``PlotItem`` builds a settings menu of some sixty strings through Qt's
    translation system that no one here can open, which would all need catalogue entries. A wrapper,
    not a ``GraphicsLayoutWidget`` subclass: that one sets ``addItem`` and friends on each instance.
    """

    def __init__(self, height: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(PANEL)
        self.ci = self.view.ci
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)
        self.set_height(height)
        self.viewbox = pg.ViewBox(enableMenu=False)
        self.viewbox.setMouseEnabled(False, False)
        self.axes = {name: pg.AxisItem(name) for name in ("left", "bottom")}
        for axis in self.axes.values():
            axis.linkToView(self.viewbox)
            axis.setPen(pg.mkPen(BORDER))
            axis.setTextPen(pg.mkPen(TEXT_DIM))
        self.ci.addItem(self.axes["left"], 0, 0)
        self.ci.addItem(self.viewbox, 0, 1)
        self.ci.addItem(self.axes["bottom"], 1, 1)
        self.legend: pg.LegendItem | None = None

    def set_height(self, height: int) -> None:
        self.setMinimumHeight(height)
        self.setMaximumHeight(height)

    def getAxis(self, name: str) -> pg.AxisItem:
        return self.axes[name]

    def addItem(self, item) -> None:
        self.viewbox.addItem(item)

    def removeItem(self, item) -> None:
        self.viewbox.removeItem(item)

    def setXRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.viewbox.setXRange(lo, hi, padding=padding)

    def setYRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.viewbox.setYRange(lo, hi, padding=padding)

    def addLegend(self, **kw) -> pg.LegendItem:
        self.legend = pg.LegendItem(**kw)
        self.legend.setParentItem(self.viewbox)
        return self.legend

    def plot(self, xs, ys, *, pen, name: str) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(xs, ys, pen=pen, name=name)
        self.viewbox.addItem(curve)
        if self.legend is not None:
            self.legend.addItem(curve, name)
        return curve


class RankingTableModel(QAbstractTableModel):
    """Departments or districts by composite score, best first, with the grade in its colour."""

    COLUMNS = ("rank", "name", "score", "grade", "closure", "on_time")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: tuple[RateRow, ...] = ()

    def set_rows(self, rows: tuple[RateRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return {
            "rank": self.tr("#"),
            "name": self.tr("Name"),
            "score": self.tr("Score"),
            "grade": self.tr("Grade"),
            "closure": self.tr("Closure"),
            "on_time": self.tr("On time"),
        }[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "rank": str(index.row() + 1),
                "name": row.label(),
                "score": f"{row.score:.1f}",
                "grade": row.grade,
                "closure": _percent(row.closure_rate),
                "on_time": _percent(row.on_time_rate),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == "name":
            return row.key
        if column == "grade" and role == Qt.ItemDataRole.BackgroundRole:
            return grade_colour(row.colour)
        if column == "grade" and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(GRADE_TEXT.get(row.colour, TEXT))
        if role == Qt.ItemDataRole.TextAlignmentRole and column != "name":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class CoverageTableModel(QAbstractTableModel):
    """Each supervisor's coverage quality: the share of the patch's problems in the duty hours that the
    public reported first; rows with too few problems to judge are greyed. (Not a subclass of the
    ranking's model: PySide6 looks a tr() string up along the class chain.)"""

    COLUMNS = ("supervisor", "cells", "problems", "public_first", "share")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: tuple[SupervisorCoverage, ...] = ()

    def set_rows(self, rows: tuple[SupervisorCoverage, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return {
            "supervisor": self.tr("Supervisor"),
            "cells": self.tr("Cells"),
            "problems": self.tr("Problems (n)"),
            "public_first": self.tr("Public first"),
            "share": self.tr("Share"),
        }[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "supervisor": f"{row.name} ({row.code})" if row.name else row.code,
                "cells": f"{row.cells:,}",
                "problems": f"{row.problems:,}",
                "public_first": f"{row.public_first:,}",
                "share": _percent(row.share),
            }[column]
        if role == Qt.ItemDataRole.ForegroundRole and not row.enough:
            return QColor(TEXT_DIM)
        if role == Qt.ItemDataRole.ToolTipRole and not row.enough:
            return self.tr("Too few problems to judge this patch's coverage by")
        if role == Qt.ItemDataRole.TextAlignmentRole and column != "supervisor":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RateChart(QWidget):
    """Closure (solid) and on-time (pale) rate bars per department or district, coloured by grade."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("panel_title")
        self.plot = Chart(120)
        self.plot.setXRange(0, 110, padding=0)
        self.plot.getAxis("bottom").setTicks([[(v, f"{v}%") for v in (0, 25, 50, 75, 100)]])
        self.plot.getAxis("left").setWidth(LABEL_PX)
        self.closure_bars: pg.BarGraphItem | None = None
        self.on_time_bars: pg.BarGraphItem | None = None
        self.grade_items: list[pg.TextItem] = []
        self.rows: tuple[RateRow, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot)

    def set_rows(self, rows: tuple[RateRow, ...]) -> None:
        self.rows = rows
        plot = self.plot
        for item in (self.closure_bars, self.on_time_bars, *self.grade_items):
            if item is not None:
                plot.removeItem(item)
        self.grade_items = []
        self.closure_bars = self.on_time_bars = None
        n = len(rows)
        height = max(90, n * ROW_PX + 40)
        plot.set_height(height)
        if not rows:
            # No department or district has a case in the period (a new city): no bars. pyqtgraph's bar
            # item cannot be made with none (it fails on an empty list of pens).
            plot.getAxis("left").setTicks([[]])
            plot.setYRange(-0.7, 0.7, padding=0)
            return
        ys = [n - 1 - i for i in range(n)]  # the best at the top
        edge = pg.mkPen("#c8d2dc", width=1)
        solid = [pg.mkBrush(grade_colour(r.colour)) for r in rows]
        pale = []
        for r in rows:
            c = grade_colour(r.colour)
            c.setAlpha(110)
            pale.append(pg.mkBrush(c))
        self.closure_bars = pg.BarGraphItem(
            x0=[0] * n,
            y=[y + BAR_HEIGHT / 2 for y in ys],
            height=BAR_HEIGHT,
            width=[(r.closure_rate or 0.0) * 100 for r in rows],
            brushes=solid,
            pens=[edge] * n,
        )
        self.on_time_bars = pg.BarGraphItem(
            x0=[0] * n,
            y=[y - BAR_HEIGHT / 2 for y in ys],
            height=BAR_HEIGHT,
            width=[(r.on_time_rate or 0.0) * 100 for r in rows],
            brushes=pale,
            pens=[edge] * n,
        )
        plot.addItem(self.closure_bars)
        plot.addItem(self.on_time_bars)
        for r, y in zip(rows, ys, strict=True):
            text = pg.TextItem(r.grade, color=GRADE_COLOURS.get(r.colour), anchor=(0, 0.5))
            if r.colour == "black":
                text.setColor(TEXT)  # black on the dark panel would vanish; the bar shows the colour
            text.setPos(101, y)
            plot.addItem(text)
            self.grade_items.append(text)
        plot.getAxis("left").setTicks([[(y, _short(r.label())) for r, y in zip(rows, ys, strict=True)]])
        plot.setYRange(-0.7, max(n, 1) - 0.3, padding=0)
        plot.setXRange(0, 110, padding=0)

    def bar_widths(self) -> tuple[list[float], list[float]]:
        """(closure, on-time) bar lengths in percent, in row order: what the chart shows."""
        if self.closure_bars is None or self.on_time_bars is None:
            return [], []
        return (
            [float(w) for w in self.closure_bars.opts["width"]],
            [float(w) for w in self.on_time_bars.opts["width"]],
        )

    def bar_colours(self) -> list[str]:
        if self.closure_bars is None:
            return []
        return [pg.mkBrush(b).color().name() for b in self.closure_bars.opts["brushes"]]


class DashboardPanel(QWidget):
    refreshed = Signal()
    failed = Signal(str)

    def __init__(self, services: DashboardServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dashboard_panel")
        self.services = services
        self.workers = workers
        self.figures: DashboardFigures | None = None
        self._loading = False
        self._again = False
        self._stale = True
        self._to_coverage = False  # keep the coverage table in view (console --page coverage)
        self._last_start = float("-inf")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        self._build()

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        self.period_label = QLabel(self.tr("Loading the figures…"))
        self.period_label.setObjectName("panel_hint")
        self.period_label.setWordWrap(True)
        layout.addWidget(self.period_label)

        intake_title = QLabel(self.tr("Daily intake by channel"))
        intake_title.setObjectName("panel_title")
        self.intake_plot = Chart(200)
        self.intake_plot.addLegend(
            offset=(4, 2), labelTextColor=TEXT, brush=pg.mkBrush(13, 20, 28, 190), colCount=2
        )
        self.intake_curves: dict[str, pg.PlotDataItem] = {}
        layout.addWidget(intake_title)
        layout.addWidget(self.intake_plot)

        trend_title = QLabel(self.tr("Open and overdue cases at the end of each day"))
        trend_title.setObjectName("panel_title")
        self.trend_plot = Chart(170)
        self.trend_plot.addLegend(
            offset=(4, 2), labelTextColor=TEXT, brush=pg.mkBrush(13, 20, 28, 190), colCount=2
        )
        self.open_curve = self.trend_plot.plot(
            [], [], pen=pg.mkPen(OPEN_COLOUR, width=2), name=self.tr("Open")
        )
        self.overdue_curve = self.trend_plot.plot(
            [], [], pen=pg.mkPen(OVERDUE_COLOUR, width=2), name=self.tr("Overdue")
        )
        layout.addWidget(trend_title)
        layout.addWidget(self.trend_plot)

        self.department_chart = RateChart(self.tr("Closure and on-time rates by department"))
        self.district_chart = RateChart(self.tr("Closure and on-time rates by district"))
        layout.addWidget(self.department_chart)
        layout.addWidget(self.district_chart)
        key = QLabel(
            self.tr("Solid bar: closure rate; pale bar: on-time rate; colour and letter: the grade.")
        )
        key.setObjectName("panel_hint")
        key.setWordWrap(True)
        layout.addWidget(key)
        self.grade_legend = QHBoxLayout()
        layout.addLayout(self.grade_legend)

        ranking_head = QHBoxLayout()
        ranking_title = QLabel(self.tr("Ranking"))
        ranking_title.setObjectName("panel_title")
        self.ranking_combo = QComboBox()
        self.ranking_combo.setObjectName("dashboard_ranking_kind")
        self.ranking_combo.addItem(self.tr("Departments"), "department")
        self.ranking_combo.addItem(self.tr("Districts"), "district")
        self.ranking_combo.currentIndexChanged.connect(self._update_ranking)
        ranking_head.addWidget(ranking_title)
        ranking_head.addStretch(1)
        ranking_head.addWidget(self.ranking_combo)
        layout.addLayout(ranking_head)
        self.ranking_model = RankingTableModel(self)
        self.ranking_view = QTableView()
        self.ranking_view.setObjectName("dashboard_ranking")
        self.ranking_view.setModel(self.ranking_model)
        self.ranking_view.verticalHeader().hide()
        self.ranking_view.setAlternatingRowColors(True)
        self.ranking_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.ranking_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.ranking_view.setMinimumHeight(220)
        layout.addWidget(self.ranking_view)

        coverage_title = QLabel(self.tr("Supervisor coverage: the public reported first"))
        coverage_title.setObjectName("panel_title")
        layout.addWidget(coverage_title)
        self.coverage_note = QLabel()
        self.coverage_note.setObjectName("panel_hint")
        self.coverage_note.setWordWrap(True)
        layout.addWidget(self.coverage_note)
        self.coverage_model = CoverageTableModel(self)
        self.coverage_view = QTableView()
        self.coverage_view.setObjectName("dashboard_coverage")
        self.coverage_view.setModel(self.coverage_model)
        self.coverage_view.verticalHeader().hide()
        self.coverage_view.setAlternatingRowColors(True)
        self.coverage_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.coverage_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.coverage_view.setMinimumHeight(220)
        layout.addWidget(self.coverage_view)
        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.scroll = scroll
        bar = scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._scroll_to_coverage)
        bar.actionTriggered.connect(self._on_user_scrolled)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def scroll_to_coverage(self) -> None:
        """Bring the supervisor coverage table into view, and keep it there while the figures arrive and
        the charts above it take their heights, until the user scrolls."""
        self._to_coverage = True
        self._scroll_to_coverage()

    def _scroll_to_coverage(self, *_range) -> None:
        if not self._to_coverage:
            return
        top = self.coverage_view.mapTo(self.scroll.widget(), QPoint(0, 0)).y()
        title_room = 80  # the table's title and note above it
        self.scroll.verticalScrollBar().setValue(max(top - title_room, 0))

    def _on_user_scrolled(self, *_action) -> None:
        self._to_coverage = False

    # --- refreshing ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the figures again now (in a worker); a refresh asked for meanwhile runs after it."""
        self._timer.stop()
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._stale = False
        self._last_start = time.monotonic()
        self.workers.submit(self.services.figures, self._on_figures, self._on_failed)

    def on_journal_advanced(self, *_args) -> None:
        """The city changed: refresh, but not more often than every few seconds, and only on screen."""
        self._stale = True
        if self.isVisible():
            self._schedule()

    def _schedule(self) -> None:
        if self._timer.isActive() or self._loading:
            self._again = self._again or self._loading
            return
        wait = MIN_REFRESH_S - (time.monotonic() - self._last_start)
        if wait <= 0:
            self.refresh()
        else:
            self._timer.start(int(wait * 1000))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._schedule()

    def _on_figures(self, figures: DashboardFigures) -> None:
        self._loading = False
        self.set_figures(figures)
        if self._again:
            self._again = False
            self._stale = True
            if self.isVisible():
                self._schedule()
        self.refreshed.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        message = f"{type(exc).__name__}: {exc}"
        self.period_label.setText(self.tr("The figures could not be read: {error}").format(error=message))
        self.failed.emit(message)

    # --- drawing ------------------------------------------------------------------------------------

    def set_exercise_records(self, choice: str) -> None:
        """Count real cases only (leave), exercise cases too (include) or only them; read again."""
        if choice == self.services.exercises:
            return
        self.services.set_exercises(choice)
        self.on_journal_advanced()

    def set_figures(self, f: DashboardFigures) -> None:
        self.figures = f
        period = self.tr("{first} to {last}, as of {now} (the last day so far)").format(
            first=f.first.isoformat(), last=f.last.isoformat(), now=f.as_of.strftime("%Y-%m-%d %H:%M")
        )
        if f.exercises == "include":
            period += self.tr(" · including exercise records (演练)")
        elif f.exercises == "only":
            period += self.tr(" · exercise records only (演练): not the real figures")
        self.period_label.setText(period)
        xs = list(range(len(f.days)))
        # Weekly ticks counted back from the last day (today so far: its intake is not complete).
        ticks = [(i, d.strftime("%m-%d")) for i, d in enumerate(f.days) if (len(f.days) - 1 - i) % 7 == 0]
        for plot in (self.intake_plot, self.trend_plot):
            plot.getAxis("bottom").setTicks([ticks])
            plot.setXRange(-0.5, max(len(xs) - 0.5, 0.5), padding=0)
        for channel, counts in f.intake.items():
            curve = self.intake_curves.get(channel)
            if curve is None:
                curve = self.intake_plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(CHANNEL_COLOURS.get(channel, TEXT), width=2),
                    name=channel_label(channel),
                )
                self.intake_curves[channel] = curve
            curve.setData(xs, list(counts))
        self.open_curve.setData(xs, list(f.open))
        self.overdue_curve.setData(xs, list(f.overdue))
        top_intake = max((max(v) for v in f.intake.values() if v), default=0)
        self.intake_plot.setYRange(0, max(top_intake, 1) * INTAKE_LEGEND_ROOM, padding=0)
        self.trend_plot.setYRange(0, max(max(f.open, default=0), 1) * TREND_LEGEND_ROOM, padding=0)
        self.department_chart.set_rows(f.departments)
        self.district_chart.set_rows(f.districts)
        self._update_grade_legend(f)
        self._update_ranking()
        self.coverage_note.setText(
            self.tr(
                "Per supervisor, the share of the patch's problems (filed, not voided) reported in the "
                "duty hours that the 12319 hotline, the internet or the media reported first; the "
                "weakest coverage first. Greyed: fewer than {n} problems, too few to judge."
            ).format(n=f.coverage_min)
        )
        self.coverage_model.set_rows(f.coverage)
        if self._to_coverage:
            self._scroll_to_coverage()

    def _update_grade_legend(self, f: DashboardFigures) -> None:
        while self.grade_legend.count():
            item = self.grade_legend.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for bound, grade, colour in f.grades:
            chip = QLabel(f" {grade} ≥ {bound:g} ")
            chip.setObjectName(f"grade_chip_{grade}")
            chip.setStyleSheet(
                f"background: {GRADE_COLOURS.get(colour, colour)}; color: {GRADE_TEXT.get(colour, TEXT)};"
                f" border: 1px solid #c8d2dc; border-radius: 2px;"
            )
            self.grade_legend.addWidget(chip)
        self.grade_legend.addStretch(1)

    def _update_ranking(self) -> None:
        if self.figures is None:
            return
        self.ranking_model.set_rows(self.figures.ranking(self.ranking_combo.currentData()))
