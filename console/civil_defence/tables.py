"""The small tables of the civil-defence page (at most a few hundred rows: districts, shelters, the
cells short of a place), as one table model over rows of display values."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

LATE_BRUSH = QBrush(QColor(183, 28, 28))  # a district that has not acknowledged in time
WARN_BRUSH = QBrush(QColor(122, 74, 0))  # short of places, over capacity
DONE_BRUSH = QBrush(QColor(20, 83, 45))  # acknowledged in time
FLAG_COLOURS = {"late": LATE_BRUSH, "warn": WARN_BRUSH, "ok": DONE_BRUSH}

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid parent of every row (a module-level default, not a call per use)


class RowsTableModel(QAbstractTableModel):
    """Rows of already formatted cells; each row may carry a key (what it is about) and a flag
    ("late", "warn", "ok" or "") that colours its background."""

    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple] = []
        self._keys: list[object] = []
        self._flags: list[str] = []
        self._align_right: set[int] = set()

    def set_headers(self, headers: Sequence[str]) -> None:
        self._headers = list(headers)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

    def set_numeric_columns(self, columns: Sequence[int]) -> None:
        self._align_right = set(columns)

    def set_rows(self, rows: Sequence[tuple], keys: Sequence[object] | None = None, flags=None) -> None:
        self.beginResetModel()
        self._rows = [tuple(r) for r in rows]
        self._keys = list(keys) if keys is not None else [None] * len(self._rows)
        self._flags = list(flags) if flags is not None else [""] * len(self._rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._rows[r]
            return "" if c >= len(row) or row[c] is None else str(row[c])
        if role == Qt.ItemDataRole.BackgroundRole:
            return FLAG_COLOURS.get(self._flags[r])
        if role == Qt.ItemDataRole.TextAlignmentRole and c in self._align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return None

    # --- for the panels and tests ---------------------------------------------------------------------

    def row(self, r: int) -> tuple:
        return self._rows[r]

    def key(self, r: int) -> object:
        return self._keys[r]

    def flag(self, r: int) -> str:
        return self._flags[r]

    def keys(self) -> list[object]:
        return list(self._keys)

    def row_of(self, key: object) -> int:
        try:
            return self._keys.index(key)
        except ValueError:
            return -1
