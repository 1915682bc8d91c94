"""The controller page's MSEL table: one row an inject, over the columns ``modes.exercises.screens``
returns as arrays. A busy day is 2,000 injects: the model holds the arrays and formats only the cells
the view paints; a re-read with the same injects changes the cells in place (the selection and the
scroll position stay)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console.exercises import texts
from modes.exercises.screens import MselRows

CONTEXT = "MselTable"
COLUMNS = (
    ("no", QT_TRANSLATE_NOOP("MselTable", "No.")),
    ("time", QT_TRANSLATE_NOOP("MselTable", "Time")),
    ("kind", QT_TRANSLATE_NOOP("MselTable", "Kind")),
    ("to", QT_TRANSLATE_NOOP("MselTable", "To")),
    ("message", QT_TRANSLATE_NOOP("MselTable", "Message")),
    ("expected", QT_TRANSLATE_NOOP("MselTable", "Expected action")),
    ("within", QT_TRANSLATE_NOOP("MselTable", "Within")),
    ("state", QT_TRANSLATE_NOOP("MselTable", "State")),
    ("met", QT_TRANSLATE_NOOP("MselTable", "Met")),
    ("by", QT_TRANSLATE_NOOP("MselTable", "Who acted")),
    ("response", QT_TRANSLATE_NOOP("MselTable", "Response")),
)
COLUMN = {key: i for i, (key, _title) in enumerate(COLUMNS)}
NUMERIC = {COLUMN["no"], COLUMN["within"], COLUMN["response"]}
# The two columns of minutes say so in their header's tooltip: the table has no room for the unit.
HEADER_TIPS = {
    "within": QT_TRANSLATE_NOOP("MselTable", "Expected within, in minutes of exercise time"),
    "response": QT_TRANSLATE_NOOP("MselTable", "Minutes of exercise time from delivery to the action"),
}
MET_COLOURS = {1: "#4cd07d", 0: "#ff6b6b"}
_ROOT = QModelIndex()
NO_ROLE = Qt.ItemDataRole.UserRole + 1


def _minutes(value: float) -> str:
    return "" if math.isnan(value) else f"{value:g}" if value == int(value) else f"{value:.1f}"


def _time(seconds: float) -> str:
    s = int(seconds)
    return f"+{s // 3600:02d}:{s % 3600 // 60:02d}" + (f":{s % 60:02d}" if s % 60 else "")


class MselTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: MselRows | None = None
        self._brushes = {state: QBrush(QColor(colour)) for state, colour in texts.STATE_COLOURS.items()}
        self._met_brushes = {met: QBrush(QColor(colour)) for met, colour in MET_COLOURS.items()}

    def set_rows(self, rows: MselRows | None) -> None:
        old = self.rows
        same = (
            old is not None
            and rows is not None
            and len(old) == len(rows)
            and bool(np.array_equal(old.no, rows.no))
        )
        if same and len(rows):
            self.rows = rows
            last = self.index(len(rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    # --- Qt's model interface ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() or self.rows is None else len(self.rows)

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CONTEXT, COLUMNS[section][1])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][0] in HEADER_TIPS:
            return QCoreApplication.translate(CONTEXT, HEADER_TIPS[COLUMNS[section][0]])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        rows = self.rows
        if rows is None or not index.isValid():
            return None
        i, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(i, c)
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == COLUMN["state"]:
                return self._brushes.get(str(rows.state[i]))
            if c == COLUMN["met"]:
                return self._met_brushes.get(int(rows.met[i]))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and c in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COLUMN["message"]:
                return str(rows.message[i]) or None
            if c == COLUMN["expected"]:
                return str(rows.expected[i]) or None
            if c == COLUMN["state"] and rows.refusal[i]:
                return str(rows.refusal[i])
            return self.text(i, c) or None  # a narrow column elides: the whole text on hover
        if role == NO_ROLE:
            return str(rows.no[i])
        return None

    def text(self, i: int, c: int) -> str:
        rows = self.rows
        key = COLUMNS[c][0]
        if key == "no":
            return str(rows.no[i])
        if key == "time":
            return _time(float(rows.time_s[i]))
        if key == "kind":
            return texts.kind_label(str(rows.kind[i]))
        if key == "to":
            return str(rows.recipient[i])
        if key == "message":
            return str(rows.message[i]).replace("\n", " ")
        if key == "expected":
            return str(rows.expected[i])
        if key == "within":
            return _minutes(float(rows.within_min[i]))
        if key == "state":
            return texts.state_label(str(rows.state[i]))
        if key == "met":
            met = int(rows.met[i])
            if met < 0:
                return ""
            return (
                QCoreApplication.translate(CONTEXT, "met")
                if met
                else QCoreApplication.translate(CONTEXT, "missed")
            )
        if key == "by":
            return str(rows.acted_by[i])
        if key == "response":
            return _minutes(float(rows.response_min[i]))
        return ""

    # --- our interface -----------------------------------------------------------------------------------

    def no_at(self, row: int) -> str | None:
        rows = self.rows
        return str(rows.no[row]) if rows is not None and 0 <= row < len(rows) else None

    def row_of(self, no: str) -> int:
        return self.rows.row_of(no) if self.rows is not None else -1


# lupdate reads the strings the Met column translates at display time from here.
_MET_WORDS = (QT_TRANSLATE_NOOP("MselTable", "met"), QT_TRANSLATE_NOOP("MselTable", "missed"))
