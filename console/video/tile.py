"""One camera on the video wall: its picture, its name, its status and the time of its last frame.

Decoding runs on the player's own thread (``nodes.video.StreamPlayer``); the tile only shows. The player
thread leaves each frame in a slot under a lock and the wall's timer (``VideoWall``, 30 times a second
on the GUI thread) takes the newest one: no Qt object crosses threads, a slow GUI drops frames instead
of queueing them, and a stopped player's thread can end whenever it likes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from console import texts
from modes.common.sight import CameraFeed
from nodes.video import RETRY, Backoff, Frame, PlayerState, StreamError, StreamPlayer, resolve_stream_url

TILE_BACKGROUND = QColor("#05080b")
ERROR_TEXT = QColor("#ff8a80")
HINT_TEXT = QColor("#9aa7b4")


class _Slot:
    """The newest frame and the player's state changes, handed from the player thread to the GUI."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._states: list[PlayerState] = []

    def put_frame(self, frame: Frame) -> None:
        with self._lock:
            self._frame = frame

    def put_state(self, state: PlayerState) -> None:
        with self._lock:
            self._states.append(state)

    def take(self) -> tuple[Frame | None, list[PlayerState]]:
        with self._lock:
            frame, states = self._frame, self._states
            self._frame, self._states = None, []
        return frame, states


class VideoPicture(QWidget):
    """The frame, scaled to fit and centred on black; a message in its place while there is none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("video_picture")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(160, 90))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self._pixels: np.ndarray | None = None  # the array the image's pixels live in
        self.message = ""
        self.message_is_error = False

    def set_frame(self, pixels: np.ndarray) -> None:
        h, w = pixels.shape[:2]
        self._pixels = pixels
        self.image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self.update()

    def set_message(self, text: str, *, error: bool = False) -> None:
        self.message, self.message_is_error = text, error
        self.update()

    def clear_frame(self) -> None:
        self.image, self._pixels = None, None
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), TILE_BACKGROUND)
        if self.image is not None:
            iw, ih = self.image.width(), self.image.height()
            k = min(self.width() / iw, self.height() / ih)
            w, h = iw * k, ih * k
            target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
            if abs(k - 1.0) > 0.01:
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, self.image)
        if self.message:
            p.setPen(ERROR_TEXT if self.message_is_error else HINT_TEXT)
            box = self.rect().adjusted(12, 12, -12, -12)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            if self.image is not None:  # over a frozen last frame: keep the picture readable
                box = self.rect().adjusted(0, self.height() - 60, 0, 0)
                p.fillRect(box, QColor(0, 0, 0, 170))
            p.drawText(box, flags, self.message)
        p.end()


class VideoTile(QFrame):
    """Plays one camera; ``state_changed`` carries each ``PlayerState`` as the GUI sees it."""

    state_changed = Signal(object)  # PlayerState
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, backoff: Backoff = RETRY):
        super().__init__(parent)
        self.setObjectName("video_tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.backoff = backoff
        self.feed: CameraFeed | None = None
        self.url = ""
        self.player: StreamPlayer | None = None
        self._slot = _Slot()
        self.state: PlayerState | None = None
        self.frames = 0  # frames shown since the camera was put in the tile
        self.last_frame_at: float | None = None  # wall-clock time of the last frame shown
        self.opened_at: float | None = None  # time.monotonic() when play() was called
        self.first_frame_shown_s: float | None = None  # from play() to the first frame on screen
        self.retry_delays: list[float] = []  # the waits the player announced, in order
        self.note = ""  # what the wall says of the camera (distance, bearing), under the picture

        self.name_label = QLabel()
        self.name_label.setObjectName("tile_name")
        self.name_label.setProperty("data_text", True)
        self.status_label = QLabel()
        self.status_label.setObjectName("tile_status")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.time_label = QLabel()
        self.time_label.setObjectName("tile_time")
        self.note_label = QLabel()
        self.note_label.setObjectName("tile_note")
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.picture = VideoPicture()
        head = QHBoxLayout()
        head.setContentsMargins(6, 2, 6, 0)
        head.addWidget(self.name_label, 1)
        head.addWidget(self.status_label)
        foot = QHBoxLayout()
        foot.setContentsMargins(6, 0, 6, 2)
        foot.addWidget(self.time_label, 1)
        foot.addWidget(self.note_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.picture, 1)
        layout.addLayout(foot)
        self._show_empty()

    # --- what the tile plays -------------------------------------------------------------------------

    def hold(self, feed: CameraFeed, note: str, message: str) -> None:
        """Show ``feed``'s labels and ``message`` without playing yet (``play`` follows)."""
        self.stop()
        self.feed, self.note, self.state = feed, note, None
        self.frames, self.last_frame_at, self.first_frame_shown_s = 0, None, None
        self.retry_delays = []
        self.name_label.setText(f"{feed.name or feed.id}  ·  {feed.id}")
        self.name_label.setToolTip(feed.stream_url)
        self.note_label.setText(note)
        self.status_label.setText(texts.camera_status_label(feed.status) if feed.status else "")
        self.time_label.setText(self.tr("No frame yet"))
        self.picture.clear_frame()
        self.picture.set_message(message)

    def play(self, feed: CameraFeed, streams_base: str | None = None, note: str = "") -> None:
        """Play ``feed``'s stream (a demo address on ``streams_base``), replacing what played here."""
        self.hold(feed, note, "")
        self.opened_at = time.monotonic()
        try:
            self.url = resolve_stream_url(feed.stream_url, streams_base)
        except StreamError as exc:
            self.url = ""
            self._on_state(PlayerState("failed", "", reason=str(exc)))
            return
        slot = self._slot = _Slot()  # a fresh slot: nothing of the camera before shows
        self.player = StreamPlayer(self.url, slot.put_frame, slot.put_state, backoff=self.backoff)
        self.player.set_box(max(self.picture.width(), 160), max(self.picture.height(), 90))
        self._on_state(PlayerState("connecting", self.url))
        self.player.start()

    def stop(self, wait: float = 0.0) -> None:
        """Stop playing (the player's thread ends by itself, within ``wait`` s if given; nothing of it
        shows any more)."""
        if self.player is not None:
            self.player.stop(wait)
            self.player = None
        self._slot = _Slot()

    def clear(self) -> None:
        self.stop()
        self.feed, self.url, self.state = None, "", None
        self._show_empty()

    # --- the wall's timer (GUI thread) -----------------------------------------------------------------

    def poll(self) -> bool:
        """Show what the player left since the last call; True when a new frame was shown."""
        frame, states = self._slot.take()
        for state in states:
            self._on_state(state)
        if frame is None or self.player is None:
            return False
        self.picture.set_frame(frame.image)
        self.frames += 1
        self.last_frame_at = frame.at
        if self.first_frame_shown_s is None and self.opened_at is not None:
            self.first_frame_shown_s = time.monotonic() - self.opened_at
        stamp = dt.datetime.fromtimestamp(frame.at).strftime("%H:%M:%S.%f")[:10]
        self.time_label.setText(self.tr("Last frame {time}").format(time=stamp))
        return True

    # --- showing -------------------------------------------------------------------------------------

    def _show_empty(self) -> None:
        self.name_label.setText(self.tr("No camera"))
        self.name_label.setToolTip("")
        self.status_label.setText("")
        self.time_label.setText("")
        self.note_label.setText("")
        self.picture.clear_frame()
        self.picture.set_message(self.tr("No camera in this tile"))

    def _on_state(self, state: PlayerState) -> None:
        self.state = state
        if state.phase == "failed" and state.retry_in is not None:
            self.retry_delays.append(state.retry_in)
        status = texts.camera_status_label(self.feed.status) if self.feed and self.feed.status else ""
        phase = {
            "connecting": self.tr("Connecting"),
            "playing": self.tr("Playing"),
            "failed": self.tr("Failed"),
            "stopped": self.tr("Stopped"),
        }[state.phase]
        self.status_label.setText(f"{status} · {phase}" if status else phase)
        self.status_label.setStyleSheet(
            {"playing": "color: #8bd17c;", "failed": "color: #ff8a80;"}.get(state.phase, "color: #ffd54f;")
        )
        if state.phase == "failed":
            if state.retry_in is not None:
                retry = self.tr("retry {n} in {s} s").format(n=state.failures, s=f"{state.retry_in:g}")
            else:
                retry = self.tr("not retried")
            self.picture.set_message(f"{state.reason}\n{retry}", error=True)
            self.setToolTip(state.reason)
        elif state.phase == "connecting":
            if self.frames == 0:
                self.picture.set_message(self.tr("Connecting to {url}…").format(url=self.url))
        else:
            self.picture.set_message("")
            self.setToolTip("")
        self.state_changed.emit(state)

    # --- Qt ------------------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.player is not None:
            self.player.set_box(self.picture.width(), self.picture.height())

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
