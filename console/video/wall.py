"""The video wall: 1, 4 or 9 tiles playing the cameras that see a point, a case or an incident, nearest
first, in a window of its own (it can go to a second screen).

The list beside the tiles holds every camera of the subject; double-clicking one plays it in the tile
last clicked. Closing the wall stops every player.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.video.demo_streams import DemoStreams
from console.video.tile import VideoTile
from modes.common.sight import CameraFeed
from nodes.video import RETRY, Backoff, is_demo_stream

LAYOUTS = (1, 4, 9)
POLL_MS = 33  # the tiles take their newest frames at up to 30 per second


@dataclass(frozen=True)
class WallCamera:
    feed: CameraFeed
    note: str = ""  # how it stands to the subject, e.g. "42 m · NE"


def tiles_for(n: int) -> int:
    """The smallest layout that shows ``n`` cameras (9 at most)."""
    return next((k for k in LAYOUTS if n <= k), LAYOUTS[-1])


class VideoWall(QWidget):
    """The wall window. ``open`` puts the subject's cameras in; ``tiles`` are the ones on screen."""

    layout_changed = Signal(int)

    def __init__(
        self,
        streams: DemoStreams | None = None,
        parent: QWidget | None = None,
        *,
        backoff: Backoff = RETRY,
    ):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("video_wall")
        self.setWindowTitle(self.tr("Sanwei · video wall"))
        self.resize(1280, 800)
        self.streams = streams
        self.backoff = backoff
        self.cameras: list[WallCamera] = []
        self.tiles: list[VideoTile] = []
        self.focus_index = 0
        self._waiting_for_streams = False

        self.title = QLabel(self.tr("Video wall"))
        self.title.setObjectName("panel_title")
        self.title.setWordWrap(True)
        self.streams_note = QLabel()
        self.streams_note.setObjectName("panel_hint")
        self.streams_note.hide()
        self.layout_buttons: dict[int, QToolButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.streams_note)
        for n in LAYOUTS:
            button = QToolButton()
            button.setObjectName(f"wall_layout_{n}")
            button.setText(self.tr("{n} tiles").format(n=n) if n > 1 else self.tr("1 tile"))
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, k=n: self.set_tile_count(k))
            group.addButton(button)
            bar.addWidget(button)
            self.layout_buttons[n] = button

        self.grid_box = QWidget()
        self.grid_box.setObjectName("wall_grid")
        self.grid = QGridLayout(self.grid_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.camera_list = QListWidget()
        self.camera_list.setObjectName("wall_cameras")
        self.camera_list.setProperty("data_text", True)
        self.camera_list.itemDoubleClicked.connect(self._on_item_chosen)
        self.list_hint = QLabel(self.tr("Double-click a camera to play it in the selected tile."))
        self.list_hint.setObjectName("panel_hint")
        self.list_hint.setWordWrap(True)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.camera_list, 1)
        side_layout.addWidget(self.list_hint)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.grid_box)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([1000, 260])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        if streams is not None:
            streams.settled.connect(self._on_streams_settled)
        self.set_tile_count(4, play=False)

    # --- what plays ----------------------------------------------------------------------------------

    def open(self, title: str, cameras: list[WallCamera], tiles: int | None = None) -> None:
        """Show ``cameras`` (nearest first): the first ones in the tiles, all of them in the list."""
        self.title.setText(title)
        self.cameras = list(cameras)
        self.camera_list.clear()
        for cam in self.cameras:
            status = texts.camera_status_label(cam.feed.status) if cam.feed.status else ""
            text = "  ·  ".join(filter(None, (cam.feed.name or cam.feed.id, cam.note, status)))
            item = QListWidgetItem(text)
            item.setToolTip(cam.feed.id)
            self.camera_list.addItem(item)
        self.focus_index = 0
        self.set_tile_count(tiles or tiles_for(len(self.cameras)), play=False)
        self._start()

    def set_tile_count(self, n: int, *, play: bool = True) -> None:
        if n not in LAYOUTS:
            raise ValueError(f"a wall has 1, 4 or 9 tiles, not {n}")
        self.layout_buttons[n].setChecked(True)
        if len(self.tiles) == n:
            return
        for tile in self.tiles[n:]:
            tile.clear()
            self.grid.removeWidget(tile)
            tile.deleteLater()
        del self.tiles[n:]
        while len(self.tiles) < n:
            tile = VideoTile(backoff=self.backoff)
            tile.clicked.connect(lambda t=tile: self._focus(t))
            self.tiles.append(tile)
        side = {1: 1, 4: 2, 9: 3}[n]
        for i, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, i // side, i % side)
        self.focus_index = min(self.focus_index, n - 1)
        self._mark_focus()
        self.layout_changed.emit(n)
        if play:
            self._start()

    def _start(self) -> None:
        """Play the first cameras in the tiles; demo cameras wait for the demo server to answer."""
        demo = any(is_demo_stream(c.feed.stream_url) for c in self.cameras[: len(self.tiles)])
        if demo and self.streams is not None and not self.streams.ensure():
            self._waiting_for_streams = True
            waiting = self.tr("Starting the demo stream server…")
            self.streams_note.setText(waiting)
            self.streams_note.show()
            for i, tile in enumerate(self.tiles):
                if i < len(self.cameras):
                    tile.hold(self.cameras[i].feed, self.cameras[i].note, waiting)
                else:
                    tile.clear()
            return
        self._waiting_for_streams = False
        self.streams_note.hide()
        base = self.streams.base if self.streams is not None else None
        for i, tile in enumerate(self.tiles):
            if i < len(self.cameras):
                cam = self.cameras[i]
                if tile.feed != cam.feed or tile.player is None:
                    tile.play(cam.feed, base, cam.note)
            else:
                tile.clear()
        if not self.timer.isActive():
            self.timer.start()

    @property
    def waiting_for_streams(self) -> bool:
        """The demo cameras wait for the demo stream server to come up."""
        return self._waiting_for_streams

    def _on_streams_settled(self, ok: bool) -> None:
        if not self._waiting_for_streams:
            return
        if not ok and self.streams is not None:
            self.streams_note.setText(self.streams.error)
        self._waiting_for_streams = False
        self._start()
        if not ok:
            self.streams_note.show()

    def play_in(self, index: int, camera: WallCamera) -> None:
        """Play ``camera`` in tile ``index``."""
        base = self.streams.base if self.streams is not None else None
        self.tiles[index].play(camera.feed, base, camera.note)
        if not self.timer.isActive():
            self.timer.start()

    def _on_item_chosen(self, item: QListWidgetItem) -> None:
        row = self.camera_list.row(item)
        if 0 <= row < len(self.cameras):
            self.play_in(self.focus_index, self.cameras[row])

    def _focus(self, tile: VideoTile) -> None:
        self.focus_index = self.tiles.index(tile)
        self._mark_focus()

    def _mark_focus(self) -> None:
        for i, tile in enumerate(self.tiles):
            tile.setStyleSheet("#video_tile { border: 2px solid #4fc3f7; }" if i == self.focus_index else "")

    def poll(self) -> int:
        """Take each tile's newest frame; the number of tiles that showed a new one."""
        return sum(tile.poll() for tile in self.tiles)

    def stop(self, wait: float = 0.0) -> None:
        """Stop every tile; ``wait``: seconds to give each player's thread to end."""
        self.timer.stop()
        for tile in self.tiles:
            tile.stop(wait)

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)
