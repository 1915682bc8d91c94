"""Table models of the emergency panel: incidents (with the level's warning colour), tasks (overdue
ones red), suggested units, the log, cameras and places of an impact.

The rows are the modes' frozen DTOs; a model is a list of them and a few columns, each column a title
(translated at display time) and a function from a row to its text. The lists are short (tens of
incidents, hundreds of log lines), so they are held whole; sorting, where it matters, is the query's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console.emergency import texts
from console.exercises.texts import MARK_FG, STAMP

CONTEXT = "EmergencyTables"
OVERDUE_BG = "#b71c1c"  # a task past its due time and not done
OVERDUE_FG = "#ffffff"
_DARK_TEXT_ON = {"III"}  # yellow is too light for white text


@dataclass(frozen=True)
class Column:
    title: str  # marked with QT_TRANSLATE_NOOP("EmergencyTables", ...)
    text: Callable[[Any], str]
    right: bool = False  # numbers align right


def _time(t) -> str:
    return t.strftime("%m-%d %H:%M") if t is not None else ""


class RowsTableModel(QAbstractTableModel):
    """Rows (DTOs) under named columns; ``row_brushes`` may colour a whole row or one cell."""

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: tuple = ()

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def row(self, i: int):
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate(CONTEXT, self.columns[section].title)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)  # the tooltip: the whole text of a cell its column elides
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row, index.column())
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.foreground(row, index.column())
            return QBrush(QColor(colour)) if colour else None
        return None

    def background(self, row, column: int) -> str | None:
        return None

    def foreground(self, row, column: int) -> str | None:
        return None


INCIDENT_COLUMNS = (
    Column(
        QT_TRANSLATE_NOOP("EmergencyTables", "No."),
        lambda v: f"{STAMP} #{v.id}" if v.exercise else f"#{v.id}",  # a drill's incident, marked
        right=True,
    ),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Type"), lambda v: texts.type_label(v.type_code)),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Level"), lambda v: texts.level_short(v.level)),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Status"), lambda v: texts.status_label(v.status)),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Opened"), lambda v: _time(v.opened_at)),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Commander"), lambda v: v.commander),
)
NO_COLUMN, LEVEL_COLUMN = 0, 2


class IncidentTableModel(RowsTableModel):
    """The incidents, newest first; the level cell wears the level's warning colour."""

    def __init__(self, parent=None):
        super().__init__(INCIDENT_COLUMNS, parent)

    def background(self, row, column: int) -> str | None:
        return texts.LEVEL_HEX.get(row.level) if column == LEVEL_COLUMN else None

    def foreground(self, row, column: int) -> str | None:
        if column == LEVEL_COLUMN:
            return "#111111" if row.level in _DARK_TEXT_ON else "#ffffff"
        if column == NO_COLUMN and row.exercise:
            return MARK_FG
        return None

    def row_ids(self) -> list[int]:
        return [v.id for v in self.rows]

    def row_of(self, incident_id: int) -> int:
        return next((i for i, v in enumerate(self.rows) if v.id == incident_id), -1)


TASK_COLUMNS = (
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Task"), lambda o: str(o.task_id), right=True),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Unit"), lambda o: o.unit_name),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Status"), lambda o: texts.task_status_label(o.status)),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "ETA (min)"), lambda o: f"{o.eta_minutes:.0f}", right=True),
    Column(QT_TRANSLATE_NOOP("EmergencyTables", "Due"), lambda o: _time(o.due_at)),
    Column(
        QT_TRANSLATE_NOOP("EmergencyTables", "Owner"),
        lambda o: o.assignee_department or o.assignee_district or "",
    ),
)


class TaskTableModel(RowsTableModel):
    """The task board; a task past its due time and not finished is red."""

    def __init__(self, parent=None):
        super().__init__(TASK_COLUMNS, parent)

    def background(self, row, column: int) -> str | None:
        return OVERDUE_BG if row.overdue else None

    def foreground(self, row, column: int) -> str | None:
        return OVERDUE_FG if row.overdue else None


def suggestion_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Unit"), lambda u: u.name),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Capability"),
                lambda u: texts.capability_label(u.capability),
            ),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Distance (km)"),
                lambda u: f"{u.distance_m / 1000:.1f}",
                True,
            ),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "ETA (min)"),
                lambda u: f"{u.eta_minutes:.0f}",
                right=True,
            ),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Base"), lambda u: u.base),
        ),
        parent,
    )


def log_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Time"), lambda e: e.at.strftime("%H:%M:%S")),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Who"), lambda e: e.actor),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Entry"), lambda e: e.text),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Task"), lambda e: str(e.task_id) if e.task_id else ""
            ),
        ),
        parent,
    )


def camera_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Camera"), lambda c: c.id),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Name"), lambda c: c.name),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Distance (m)"),
                lambda c: f"{c.distance_m:.0f}",
                right=True,
            ),
        ),
        parent,
    )


def places_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Place"), lambda p: p.name),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Kind"), lambda p: _place_kind(p.kind)),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Distance (m)"),
                lambda p: f"{p.distance_m:.0f}",
                right=True,
            ),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Capacity"), lambda p: f"{p.capacity:,}", right=True),
        ),
        parent,
    )


PLACE_KINDS = {
    "hospital": QT_TRANSLATE_NOOP("EmergencyTables", "Hospital"),
    "emergency_centre": QT_TRANSLATE_NOOP("EmergencyTables", "Emergency centre"),
}


def _place_kind(kind: str) -> str:
    source = PLACE_KINDS.get(kind)
    if source:
        return QCoreApplication.translate(CONTEXT, source)
    return QCoreApplication.translate(CONTEXT, "Shelter") + f" ({kind})" if kind else ""


QT_TRANSLATE_NOOP("EmergencyTables", "Shelter")


ZONES = {
    "inner": QT_TRANSLATE_NOOP("EmergencyTables", "Inner"),
    "outer": QT_TRANSLATE_NOOP("EmergencyTables", "Outer"),
}


def departments_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Owner department"), lambda d: d.name),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Components"), lambda d: str(d.count), right=True),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "In inner cordon"), lambda d: str(d.inner), right=True
            ),
        ),
        parent,
    )


def cases_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Case"), lambda c: str(c.id), right=True),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Type"), lambda c: c.type_code),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "State"), lambda c: c.state),
            Column(
                QT_TRANSLATE_NOOP("EmergencyTables", "Zone"),
                lambda c: QCoreApplication.translate(CONTEXT, ZONES[c.zone]),
            ),
        ),
        parent,
    )


def roles_model(parent=None) -> RowsTableModel:
    """Rows are (position, person, agency) for every position, held or not."""
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Position"), lambda r: texts.position_label(r[0])),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Person"), lambda r: r[1]),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Agency"), lambda r: r[2]),
        ),
        parent,
    )


def timeline_model(parent=None) -> RowsTableModel:
    return RowsTableModel(
        (
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Time"), lambda e: e.at.strftime("%m-%d %H:%M:%S")),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Who"), lambda e: e.actor),
            Column(QT_TRANSLATE_NOOP("EmergencyTables", "Event"), lambda e: e.summary),
        ),
        parent,
    )
