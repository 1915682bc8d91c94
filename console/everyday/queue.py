"""The case queue: every case on record, a page at a time.

``CaseQueueModel`` never holds the table. Its row count comes from one ``COUNT`` query; rows come in
pages of ``PAGE_SIZE`` fetched by ``LIMIT``/``OFFSET`` when the view first asks for them, each page kept
as numpy columns, and only the last ``MAX_PAGES`` pages stay in memory. Sorting and filtering are new
SQL, never a proxy model (design section 8: a ``QSortFilterProxyModel`` took 13 s over 100,000 rows).

A page fetch is one short indexed read on the GUI thread (design section 3 allows short reads there);
running it in a worker would leave the view painting blank rows while it scrolls.

When the journal advances the model refreshes in place: the cache is dropped, the count re-read, and
rows the view remembers (selection, current row) are moved to where their cases now stand, so the
selection and the scroll position survive other consoles' work.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.everyday import case_texts
from console.everyday.services import CaseServices
from console.exercises.texts import MARK_FG, STAMP
from console.room import fit_column
from console.workers import WorkerPool
from modes.everyday.case_filter import CaseFilter
from modes.everyday.cases import Channel
from modes.everyday.queue import QUEUE_COLUMNS, QueueLookups, QueueOrder, QueuePage
from modes.everyday.workflow import State

PAGE_SIZE = 200
MAX_PAGES = 8

# Overdue rows on the dark control-room theme: a deep red ground with light red text reads at a glance
# across the room without hiding the text; a late stage (not yet overdue) only tints its due time amber.
OVERDUE_BG = QColor("#7a1c1c")
OVERDUE_FG = QColor("#ffd6d6")
LATE_FG = QColor("#ffb347")
ID_WIDTH, ID_WIDTH_MARKED = 70, 150  # the case column, wider while exercise cases may carry the mark
ELIDED = frozenset({"type", "place", "department", "reporter"})  # columns of names: a tooltip says it all

_ROOT = QModelIndex()
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2
_DISPLAY = Qt.ItemDataRole.DisplayRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_SERVED_ROLES = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _TOOLTIP, CASE_ID_ROLE, OVERDUE_ROLE})


def _fmt_time(t: np.datetime64) -> str:
    if np.isnat(t):
        return ""
    return str(t.astype("datetime64[m]")).replace("T", " ")


class CaseQueueModel(QAbstractTableModel):
    """A lazily fetched, SQL-sorted and SQL-filtered table of cases."""

    refreshed = Signal()  # after a filter, sort or live refresh: the count may have changed
    failed = Signal(str)  # a new filter or order could not be read

    def __init__(
        self,
        services: CaseServices,
        parent=None,
        *,
        page_size: int = PAGE_SIZE,
        workers: WorkerPool | None = None,
    ):
        super().__init__(parent)
        self.services = services
        self.page_size = page_size
        self.workers = workers
        self.pending = False  # a new filter or order is being read
        self._generation = 0
        self.lookups: QueueLookups = services.lookups()
        self.filter = CaseFilter()
        self.order = QueueOrder()
        self._wanted = (self.filter, self.order)  # what was asked for last (maybe still being read)
        self._pages: OrderedDict[int, QueuePage] = OrderedDict()
        self._shown: dict[int, list[list[str]]] = {}  # page offset -> its display texts
        self._marks: dict[int, frozenset[int]] = {}  # page offset -> the exercise cases on it
        self._last: QueuePage | None = None  # the page asked for last (paints ask row after row)
        self._count = services.count(self.filter)
        self.fetches = 0  # pages read from the database (tests and the benchmark look)
        self._brush_overdue_bg = QBrush(OVERDUE_BG)
        self._brush_overdue_fg = QBrush(OVERDUE_FG)
        self._brush_late_fg = QBrush(LATE_FG)
        self._brush_mark = QBrush(QColor(MARK_FG))
        self._headers = {
            "id": self.tr("Case"),
            "reported_at": self.tr("Reported"),
            "channel": self.tr("Channel"),
            "type": self.tr("Type"),
            "place": self.tr("District / street"),
            "department": self.tr("Department"),
            "state": self.tr("State"),
            "due": self.tr("Stage due"),
            "reporter": self.tr("Reporter"),
        }

    # --- Qt's model interface ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(QUEUE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[QUEUE_COLUMNS[section]]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # The view asks for a dozen roles per cell on every paint: answer the ones we do not serve
        # before touching a page.
        if role not in _SERVED_ROLES or not index.isValid():
            return None
        row = index.row()
        page = self._page_for(row)
        if page is None:
            return None
        i = row - page.offset
        if not 0 <= i < len(page):
            return None
        if role == _DISPLAY:
            shown = self._shown.get(page.offset)
            if shown is None:  # the page's texts, formatted once rather than at every paint
                marks = self._marks_of(page)
                shown = self._shown[page.offset] = [
                    [self._display(page, r, c, marks) for c in QUEUE_COLUMNS] for r in range(len(page))
                ]
            return shown[i][index.column()]
        column = QUEUE_COLUMNS[index.column()]
        if role == _BACKGROUND:
            return self._brush_overdue_bg if page.overdue[i] else None
        if role == _FOREGROUND:
            if page.overdue[i]:
                return self._brush_overdue_fg
            if column == "due" and page.stage_late[i]:
                return self._brush_late_fg
            if column == "id" and int(page.ids[i]) in self._marks_of(page):
                return self._brush_mark
            return None
        if role == _TOOLTIP:
            if column == "id" and int(page.ids[i]) in self._marks_of(page):
                return self.tr("An exercise's case, made by one of its injects: not a real report.")
            if column in ELIDED:  # free text in a narrow column: the whole of it on hover
                return self.data(index, _DISPLAY)
            if column != "due":
                return None
            if page.overdue[i]:
                return self.tr("The handling deadline has passed.")
            if page.stage_late[i]:
                return self.tr("This stage is past its due time.")
            return None
        if role == CASE_ID_ROLE:
            return int(page.ids[i])
        if role == OVERDUE_ROLE:
            return bool(page.overdue[i])
        return None

    def _marks_of(self, page: QueuePage) -> frozenset[int]:
        """The exercise cases on a page: none while they are left out, all when only they are shown,
        else one short read a page (kept with the page)."""
        choice = self.filter.exercises
        if choice == "leave":
            return frozenset()
        if choice == "only":
            return frozenset(int(i) for i in page.ids)
        marks = self._marks.get(page.offset)
        if marks is None:
            marks = self._marks[page.offset] = self.services.exercise_case_ids(page.ids.tolist())
        return marks

    def _display(self, page: QueuePage, i: int, column: str, marks: frozenset[int] = frozenset()) -> str:
        if column == "id":
            case_id = int(page.ids[i])
            return f"{case_id}  {STAMP}" if case_id in marks else str(case_id)
        if column == "reported_at":
            return _fmt_time(page.reported_at[i])
        if column == "channel":
            return case_texts.channel_label(page.channel[i])
        if column == "type":
            name = self.lookups.type_name(page.kind[i], page.type_code[i])
            return f"{name} ({page.type_code[i]})" if name else page.type_code[i]
        if column == "place":
            district = self.lookups.districts.get(page.district[i], page.district[i])
            street = self.lookups.streets.get(page.street[i], page.street[i])
            return f"{district} / {street}" if street else district
        if column == "department":
            code = page.department[i]
            return self.lookups.departments.get(code, code) if code else self.tr("(district)")
        if column == "state":
            return case_texts.state_label(page.state[i])
        if column == "due":
            due = _fmt_time(page.stage_due[i])
            if page.overdue[i]:
                return self.tr("OVERDUE {time}").format(time=due).strip()
            if page.stage_late[i]:
                return self.tr("late {time}").format(time=due)
            return due
        if column == "reporter":
            return page.reporter[i]
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        wanted = QueueOrder(QUEUE_COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
        if wanted != self._wanted[1]:
            self._requery(self._wanted[0], wanted)

    # --- our interface -------------------------------------------------------------------------------

    def set_filter(self, f: CaseFilter) -> None:
        if f != self._wanted[0]:
            self._requery(f, self._wanted[1])

    def _requery(self, f: CaseFilter, order: QueueOrder) -> None:
        """A new filter or order: count and read the first page, in a worker when the model has one.

        Most orderings and filters answer at once, but some must sort the whole table (the stage due
        time is computed: seconds over a million cases); meanwhile the view keeps showing the old rows
        and stays responsive. Only the latest request is applied."""
        self._wanted = (f, order)
        if self.workers is None:
            self._apply(f, order, *self._count_and_first_page(f, order))
            return
        self._generation += 1
        generation = self._generation
        self.pending = True
        self.workers.submit(
            lambda: self._count_and_first_page(f, order),
            lambda result: self._on_requeried(generation, f, order, result),
            lambda exc: self._on_requery_failed(generation, exc),
        )

    def _count_and_first_page(self, f: CaseFilter, order: QueueOrder) -> tuple[int, QueuePage]:
        # Runs in a worker: services only, no Qt.
        count = self.services.count(f)
        return count, self.services.page(f, order, 0, self.page_size, count)

    def _on_requeried(self, generation: int, f: CaseFilter, order: QueueOrder, result) -> None:
        if generation != self._generation:
            return  # a later request is on its way
        self.pending = False
        self._apply(f, order, *result)

    def _on_requery_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.pending = False
        self._wanted = (self.filter, self.order)
        self.failed.emit(str(exc) or type(exc).__name__)

    def _apply(self, f: CaseFilter, order: QueueOrder, count: int, first: QueuePage) -> None:
        self.beginResetModel()
        self.filter, self.order, self._count = f, order, count
        self._drop_pages()
        self._pages[0] = first
        self.fetches += 1
        self.endResetModel()
        self.refreshed.emit()

    def refresh(self) -> None:
        """Re-read after the city changed, keeping remembered rows on their cases."""
        # Announce first: the selection model turns its ranges into persistent indexes on this signal.
        self.layoutAboutToBeChanged.emit()
        remembered = self.persistentIndexList()
        ids: dict[int, int] = {}
        for idx in remembered:  # a handful: the selection's corners and the current row
            if idx.row() not in ids:
                cid = self.case_id_at(idx.row())
                if cid is not None:
                    ids[idx.row()] = cid
        self._drop_pages()
        self._count = self.services.count(self.filter)
        rows: dict[int, int | None] = {}
        for old_row, cid in ids.items():
            rows[old_row] = self.services.row_of(self.filter, self.order, cid)
        for idx in remembered:
            new_row = rows.get(idx.row(), idx.row()) if idx.row() in ids else idx.row()
            if new_row is None or new_row >= self._count:
                self.changePersistentIndex(idx, QModelIndex())
            else:
                self.changePersistentIndex(idx, self.index(new_row, idx.column()))
        self.layoutChanged.emit()
        self.refreshed.emit()

    def case_id_at(self, row: int) -> int | None:
        if not 0 <= row < self._count:
            return None
        page = self._page_for(row)
        if page is None or row - page.offset >= len(page):
            return None
        return int(page.ids[row - page.offset])

    def cached_case_id(self, row: int) -> int | None:
        """The case at a row if its page is in memory (no database read)."""
        start = row - row % self.page_size
        page = self._pages.get(start)
        if page is None or not 0 <= row - start < len(page):
            return None
        return int(page.ids[row - start])

    def row_of(self, case_id: int) -> int | None:
        row = self.services.row_of(self.filter, self.order, case_id)
        return row if row is not None and row < self._count else None

    @property
    def loaded_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def _page_for(self, row: int) -> QueuePage | None:
        last = self._last
        if last is not None and last.offset <= row < last.offset + self.page_size:
            return last
        start = row - row % self.page_size
        page = self._pages.get(start)
        if page is not None:
            self._pages.move_to_end(start)
        else:
            page = self.services.page(self.filter, self.order, start, self.page_size, self._count)
            self.fetches += 1
            self._pages[start] = page
            while len(self._pages) > MAX_PAGES:
                dropped, _ = self._pages.popitem(last=False)
                self._shown.pop(dropped, None)
                self._marks.pop(dropped, None)
        self._last = page
        return page

    def _drop_pages(self) -> None:
        self._pages.clear()
        self._shown.clear()
        self._marks.clear()
        self._last = None


class CaseQueuePanel(QWidget):
    """Filters, a count and the queue table; selecting a row announces the case."""

    case_selected = Signal(int)  # a row was selected
    case_activated = Signal(int)  # a row was double-clicked or Enter pressed

    def __init__(
        self, services: CaseServices, workers: WorkerPool | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("case_queue_panel")
        self.services = services
        self.workers = workers
        self.model = CaseQueueModel(services, self, workers=workers)
        self._announcing = True
        self._keep: int | None = None  # the case to select again once a new filter is applied
        self.exercises = "leave"  # the console's exercise-records setting (ConsoleServices), followed here

        self.state_box = self._combo("queue_state")
        self.state_box.addItem(self.tr("Any state"), None)
        for s in State:
            self.state_box.addItem(case_texts.state_label(s.value), s.value)
        self.channel_box = self._combo("queue_channel")
        self.channel_box.addItem(self.tr("Any channel"), None)
        for c in Channel:
            self.channel_box.addItem(case_texts.channel_label(c.value), c.value)
        self.type_box = self._combo("queue_type")
        self.type_box.setProperty("data_text", True)  # names of the standard's types
        self.department_box = self._combo("queue_department")
        self.department_box.setProperty("data_text", True)
        self.district_box = self._combo("queue_district")
        self.district_box.setProperty("data_text", True)
        self._fill_choices()
        self.overdue_box = QCheckBox(self.tr("Overdue only"))
        self.overdue_box.setObjectName("queue_overdue")
        self.overdue_box.toggled.connect(self._on_filter_changed)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("queue_search")
        self.search_box.setPlaceholderText(self.tr("Case id or text…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._on_filter_changed)
        self.search_box.textChanged.connect(self._on_search_text_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("queue_count")
        self.empty_hint = QLabel()  # what to do when no case is listed
        self.empty_hint.setObjectName("panel_hint")
        self.empty_hint.setProperty("role_name", "queue_empty")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()

        self.table = QTableView()
        self.table.setObjectName("case_queue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)  # the overdue colour must be the only tint
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view then never measures rows it does not show (a million of them).
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in zip(
            range(len(QUEUE_COLUMNS)), (ID_WIDTH, 120, 80, 150, 150, 130, 110, 150, 90), strict=True
        ):
            self.table.setColumnWidth(col, width)
        # The columns of a fixed vocabulary as wide as its longest word in this language.
        fit_column(
            self.table, QUEUE_COLUMNS.index("channel"), [case_texts.channel_label(c.value) for c in Channel]
        )
        fit_column(self.table, QUEUE_COLUMNS.index("state"), [case_texts.state_label(s.value) for s in State])
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.activated.connect(self._on_activated)
        header.sortIndicatorChanged.connect(self._on_sort_requested)
        self.model.refreshed.connect(self._on_refreshed)
        self.model.failed.connect(self._on_query_failed)

        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.state_box, 0, 0)
        filters.addWidget(self.channel_box, 0, 1)
        filters.addWidget(self.type_box, 0, 2)
        filters.addWidget(self.department_box, 1, 0)
        filters.addWidget(self.district_box, 1, 1)
        filters.addWidget(self.overdue_box, 1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.search_box, 1)
        bottom.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addLayout(bottom)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        self._update_count()

    def _combo(self, name: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)
        box.currentIndexChanged.connect(self._on_filter_changed)
        return box

    def _fill_choices(self) -> None:
        lookups = self.model.lookups
        for box in (self.type_box, self.department_box, self.district_box):
            box.blockSignals(True)
        self.type_box.addItem(self.tr("Any type"), None)
        self.department_box.addItem(self.tr("Any department"), None)
        for code, name in lookups.departments.items():
            self.department_box.addItem(name, code)
        self.district_box.addItem(self.tr("Any district"), None)
        for code, name in lookups.districts.items():
            self.district_box.addItem(name, code)
        for box in (self.type_box, self.department_box, self.district_box):
            box.blockSignals(False)
        # Which types occur takes a scan of the case table: in a worker when there is one.
        if self.workers is not None:
            self.workers.submit(self.services.types_in_use, self.set_types, self._on_types_failed)
        else:
            self.set_types(self.services.types_in_use())

    def set_types(self, keys: tuple[str, ...]) -> None:
        """Offer the types cases have (``kind:code``), keeping the current choice."""
        current = self.type_box.currentData()
        self.type_box.blockSignals(True)
        while self.type_box.count() > 1:
            self.type_box.removeItem(1)
        names = self.model.lookups.type_names
        for key in keys:
            code = key.partition(":")[2]
            self.type_box.addItem(f"{names.get(key, code)} ({code})", key)
        self.type_box.setCurrentIndex(max(self.type_box.findData(current), 0))
        self.type_box.blockSignals(False)

    def _on_types_failed(self, exc: BaseException) -> None:
        self.type_box.setToolTip(self.tr("The case types could not be read: {error}").format(error=str(exc)))

    # --- filters -------------------------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            state=self.state_box.currentData(),
            channel=self.channel_box.currentData(),
            type_key=self.type_box.currentData(),
            department=self.department_box.currentData(),
            district=self.district_box.currentData(),
            overdue=self.overdue_box.isChecked(),
            search=self.search_box.text().strip(),
            exercises=self.exercises,
        )

    def set_exercise_records(self, choice: str) -> None:
        """The console's exercise-records setting changed (leave | include | only): list accordingly."""
        if choice == self.exercises:
            return
        self.exercises = choice
        self.table.setColumnWidth(0, ID_WIDTH if choice == "leave" else ID_WIDTH_MARKED)
        self._on_filter_changed()

    def set_filter(self, **values) -> None:
        """Choose filters as a user would (tests, and other panels asking for a view of the queue)."""
        boxes = {
            "state": self.state_box,
            "channel": self.channel_box,
            "type_key": self.type_box,
            "department": self.department_box,
            "district": self.district_box,
        }
        for key, value in values.items():
            if key == "overdue":
                self.overdue_box.setChecked(bool(value))
            elif key == "search":
                self.search_box.setText(value)
                self._on_filter_changed()
            else:
                box = boxes[key]
                i = box.findData(value)
                if i < 0:
                    raise ValueError(f"the {key} filter has no choice {value!r}")
                box.setCurrentIndex(i)

    def _on_search_text_changed(self, text: str) -> None:
        if not text:  # the clear button: show everything again at once
            self._on_filter_changed()

    def _on_filter_changed(self, *_args) -> None:
        if not hasattr(self, "search_box"):
            return  # still building the combos
        self._keep = self.selected_case_id()
        self.model.set_filter(self.current_filter())
        self._show_pending()

    def _on_sort_requested(self, *_args) -> None:
        # The view has asked the model to sort (it connects first); while the rows are read in a worker
        # the selection is still there to remember.
        if self.model.pending:
            self._keep = self.selected_case_id()
            self._show_pending()

    def _show_pending(self) -> None:
        if self.model.pending:
            self.count_label.setText(self.tr("Searching…"))

    def _on_refreshed(self) -> None:
        self._update_count()
        keep, self._keep = self._keep, None
        if keep is not None:
            self.select_case(keep, announce=False)

    def _on_query_failed(self, reason: str) -> None:
        self._keep = None
        self.count_label.setText(self.tr("The queue could not be read: {error}").format(error=reason))

    def _update_count(self) -> None:
        text = self.tr("{count} cases").format(count=f"{self.model.rowCount():,}")
        choice = self.model.filter.exercises
        if choice == "include":
            text += " · " + self.tr("including exercise records")
        elif choice == "only":
            text += " · " + self.tr("exercise records only")
        self.count_label.setText(text)
        self.count_label.setStyleSheet(f"color: {MARK_FG};" if choice != "leave" else "")
        empty = self.model.rowCount() == 0 and not self.model.pending
        self.empty_hint.setText(self.empty_text() if empty else "")
        self.empty_hint.setVisible(empty)

    def empty_text(self) -> str:
        """What an empty queue says: which filter to loosen, or where cases come from."""
        f = self.model.filter
        if f != CaseFilter(exercises=f.exercises):
            return self.tr(
                "No case matches these filters: set a filter back to Any…, untick Overdue only or clear "
                "the search."
            )
        if f.exercises == "only":
            return self.tr("No exercise cases: they come from a running exercise's injects.")
        return self.tr(
            "No cases yet: reports come in from the Intake tab, the supervisors' devices and the 12319 "
            "hotline."
        )

    # --- selection -----------------------------------------------------------------------------------

    def selected_case_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.case_id_at(rows[0].row()) if rows else None

    def select_case(self, case_id: int, *, announce: bool = True) -> bool:
        """Select a case's row and scroll to it; False when the filter hides it."""
        row = self.model.row_of(case_id)
        if row is None:
            self.table.clearSelection()
            return False
        self._announcing = announce
        try:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._announcing = True
        return True

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._announcing or not current.isValid():
            return
        case_id = self.model.case_id_at(current.row())
        if case_id is not None:
            self.case_selected.emit(case_id)

    def _on_activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id_at(index.row())
        if case_id is not None:
            self.case_activated.emit(case_id)

    # --- live ----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """The city changed: re-read in place, keeping the selection and the scroll position."""
        bar = self.table.verticalScrollBar()
        scroll = bar.value()
        self._announcing = False
        try:
            self.model.refresh()
        finally:
            self._announcing = True
        bar.setValue(min(scroll, bar.maximum()))
