"""Room to read: how the console's panels make room for their texts.

A side panel scrolls up and down when the column is short, never sideways: its content gets the
column's width, and the column is never narrower than the content needs (``PanelScroll``), so no text
is cut at the panel's edge. A table column sized for a known vocabulary (states, channels) is as wide as
its longest label (``fit_column``); a short table's columns fit their contents, the last one taking the
rest (``columns_fit_contents``).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QTableView,
    QWidget,
)


class PanelScroll(QScrollArea):
    """A vertical scroll area that asks for its content's minimum width: the panel scrolls when the
    column is short, and the column (a splitter's pane) cannot be dragged narrower than the content."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{widget.objectName() or 'panel'}_scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content's layout changed (a form shown, texts set): the width it needs may have too.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = inner.minimumSizeHint().expandedTo(inner.minimumSize()).width() + bar + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())


def unwrapped(widget: QWidget | None) -> QWidget | None:
    """The panel a ``PanelScroll`` holds (any other widget is itself)."""
    return widget.widget() if isinstance(widget, PanelScroll) else widget


class HoldsPanels:
    """For a tab or stack widget whose pages may sit in a ``PanelScroll``: ``widget``,
    ``currentWidget``, ``indexOf`` and ``setCurrentWidget`` speak of the panels themselves."""

    def widget(self, index: int) -> QWidget | None:
        return unwrapped(super().widget(index))

    def currentWidget(self) -> QWidget | None:
        return self.widget(self.currentIndex())

    def indexOf(self, widget: QWidget) -> int:
        return next((i for i in range(self.count()) if self.widget(i) is widget), super().indexOf(widget))

    def setCurrentWidget(self, widget: QWidget) -> None:
        self.setCurrentIndex(self.indexOf(widget))


class PageStack(HoldsPanels, QStackedWidget):
    """Pages shown one at a time, some of them in a ``PanelScroll`` (``add_scrolling``). Only the page on
    show decides how narrow the stack may be (a hidden page's table does not widen the column)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def add_scrolling(self, page: QWidget) -> int:
        return self.addWidget(PanelScroll(page))

    def minimumSizeHint(self) -> QSize:
        page = QStackedWidget.currentWidget(self)
        if page is None:
            return super().minimumSizeHint()
        own = page.minimumSizeHint().expandedTo(page.minimumSize())
        return QSize(own.width() + 2 * self.frameWidth(), super().minimumSizeHint().height())


def columns_fit_contents(view: QTableView) -> None:
    """Every column as wide as its header and cells need, the last one taking what room is left.

    Qt keeps a stretched last section at least as wide as it was when stretching was turned on (the
    header's default 100 px), which pushes a short last column ("Seconds") out of a table that would
    fit: the sections are sized to their contents first, so the last one's floor is its own header.
    Call it once the view has its model."""
    header = view.horizontalHeader()
    header.setDefaultSectionSize(header.minimumSectionSize())
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


def room_for_placeholder(edit: QLineEdit) -> None:
    """An empty field's placeholder says what goes in it: the field is never narrower than that."""
    fm = QFontMetrics(edit.font())
    chrome = edit.sizeHint().width() - 17 * fm.horizontalAdvance("x")  # Qt's hint: 17 x's and margins
    edit.setMinimumWidth(fm.horizontalAdvance(edit.placeholderText()) + chrome)


def fit_column(table: QTableView, column: int, texts: Iterable[str], *, header: str = "") -> int:
    """Set ``column`` as wide as the widest of ``texts`` (and its header) needs; returns the width."""
    fm = QFontMetrics(table.font())
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    width = max((fm.horizontalAdvance(t) for t in texts), default=0) + margin + 4
    h = table.horizontalHeader()
    width = max(width, h.sectionSizeFromContents(column).width() if h.model() is not None else 0)
    if header:
        width = max(width, QFontMetrics(h.font()).horizontalAdvance(header) + margin + 12)
    table.setColumnWidth(column, width)
    return width
