"""Who sees this: under the selection's details, the cameras whose field of view holds the point clicked
(or the case shown), nearest first, each openable in the video wall; for a selected camera, its own
"Play video"."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console import texts
from modes.common.sight import CameraInView

COMPASS_LABELS = {
    "N": QT_TRANSLATE_NOOP("Compass", "N"),
    "NE": QT_TRANSLATE_NOOP("Compass", "NE"),
    "E": QT_TRANSLATE_NOOP("Compass", "E"),
    "SE": QT_TRANSLATE_NOOP("Compass", "SE"),
    "S": QT_TRANSLATE_NOOP("Compass", "S"),
    "SW": QT_TRANSLATE_NOOP("Compass", "SW"),
    "W": QT_TRANSLATE_NOOP("Compass", "W"),
    "NW": QT_TRANSLATE_NOOP("Compass", "NW"),
}


def compass_label(point: str) -> str:
    """A compass point (N, NE, ... NW) in the console's language."""
    return QCoreApplication.translate("Compass", COMPASS_LABELS.get(point, point))


class SightList(QFrame):
    """``wall_requested(ids, first)``: open the wall on these cameras, ``first`` in the first tile."""

    wall_requested = Signal(object, int)  # tuple[str, ...], index of the camera to put first
    camera_play_requested = Signal(str)  # the selected camera's id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sight_list")
        self.cameras: tuple[CameraInView, ...] = ()
        self.camera_id: str | None = None
        self.title = QLabel()
        self.title.setObjectName("panel_title")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("sight_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Camera"), self.tr("Distance"), self.tr("Bearing"), self.tr("Status")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # Small at least: the details above and the mode's page below share the column's height.
        self.table.setMinimumHeight(56)
        self.table.setMaximumHeight(150)
        self.table.doubleClicked.connect(lambda index: self._request_wall(index.row()))
        self.table.setToolTip(self.tr("Double-click a camera to open the video wall with it first"))
        self.wall_button = QPushButton(self.tr("Video wall"))
        self.wall_button.setObjectName("sight_wall")
        self.wall_button.clicked.connect(lambda: self._request_wall(max(self.table.currentRow(), 0)))
        self.play_button = QPushButton(self.tr("Play video"))
        self.play_button.setObjectName("camera_play")
        self.play_button.clicked.connect(self._on_play)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.wall_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.clear()

    # --- what it shows ---------------------------------------------------------------------------------

    def show_cameras(self, subject: str, cameras: tuple[CameraInView, ...]) -> None:
        """The cameras that see ``subject`` (a translated phrase, e.g. "this point"), nearest first."""
        self.camera_id = None
        self.cameras = tuple(cameras)
        n = len(self.cameras)
        if n:
            self.title.setText(self.tr("Cameras that see {subject} ({n})").format(subject=subject, n=n))
        else:
            self.title.setText(self.tr("No camera sees {subject}").format(subject=subject))
        self.table.setRowCount(n)
        for r, c in enumerate(self.cameras):
            bearing = f"{c.bearing_deg:.0f}° {compass_label(c.compass)}"
            cells = (
                f"{c.name or c.id} · {c.id}",
                self.tr("{n} m").format(n=f"{c.distance_m:.0f}"),
                bearing,
                texts.camera_status_label(c.status),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                if col in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, item)
        self.table.setVisible(n > 0)
        self.wall_button.setVisible(n > 0)
        self.play_button.hide()
        self.title.show()
        self.show()

    def show_camera(self, camera_id: str) -> None:
        """A camera is selected: offer its own video."""
        self.camera_id = camera_id
        self.cameras = ()
        self.table.setRowCount(0)
        self.table.hide()
        self.wall_button.hide()
        self.title.hide()
        self.play_button.show()
        self.show()

    def clear(self) -> None:
        self.camera_id = None
        self.cameras = ()
        self.table.setRowCount(0)
        self.hide()

    def rows(self) -> list[tuple[str, ...]]:
        """The table's texts, row by row (for checks)."""
        return [
            tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
            for r in range(self.table.rowCount())
        ]

    # --- requests ------------------------------------------------------------------------------------

    def _request_wall(self, first: int) -> None:
        if self.cameras:
            self.wall_requested.emit(tuple(c.id for c in self.cameras), min(first, len(self.cameras) - 1))

    def _on_play(self) -> None:
        if self.camera_id is not None:
            self.camera_play_requested.emit(self.camera_id)
