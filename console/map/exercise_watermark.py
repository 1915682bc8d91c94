"""The EXERCISE watermark over the map: one item, the mark written large and diagonally across the view
in translucent violet, so a screenshot or a glance at the video wall cannot take the drill for real.

It is a child of the view box itself (not of the box's scaled contents), so it stays the same size and
place on screen however the map is zoomed or panned, and draws nothing the map's picking or bounds
would see. It takes no mouse buttons and no hover: clicks and drags go to the map beneath.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsObject

WATERMARK_COLOUR = QColor(224, 64, 251, 85)  # the exercise violet, mostly see-through
OUTLINE_COLOUR = QColor(26, 0, 38, 90)
Z_VALUE = 1_000  # above every map layer, below nothing that takes clicks (it takes none)


class ExerciseWatermark(QGraphicsObject):
    """``set_text`` what to write (the mark, with ``DEMO`` for a demo exercise); hidden until shown."""

    def __init__(self, viewbox) -> None:
        super().__init__(viewbox)
        self.viewbox = viewbox
        self.lines: tuple[str, ...] = ()
        self.setObjectName("exercise_watermark")
        self.setZValue(Z_VALUE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.hide()
        viewbox.sigResized.connect(self._on_resized)

    def set_text(self, *lines: str) -> None:
        if lines != self.lines:
            self.lines = tuple(line for line in lines if line)
            self.update()

    def _on_resized(self, *_args) -> None:
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        return self.viewbox.rect()

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        if not self.lines:
            return
        area = self.viewbox.rect()
        if area.width() < 40 or area.height() < 40:
            return
        longest = max(self.lines, key=len)
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(100.0)
        # Along the view's diagonal, sized so the mark spans most of it whatever the window's shape.
        diagonal = math.hypot(area.width(), area.height())
        angle = -math.degrees(math.atan2(area.height(), area.width()))
        at_100 = QFontMetricsF(font)
        width_at_100 = at_100.horizontalAdvance(longest) or 1.0
        # The lines' height across the diagonal must stay inside the narrower side as well.
        height_at_100 = at_100.height() * (1 + 0.5 * (len(self.lines) - 1))
        across = 2 * area.width() * area.height() / diagonal  # the view's height across its diagonal
        size = min(100.0 * 0.7 * diagonal / width_at_100, 100.0 * 0.5 * across / height_at_100)
        font.setPointSizeF(max(10.0, size))
        metrics = QFontMetricsF(font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(area.center())
        painter.rotate(angle)
        painter.setFont(font)
        line_height = metrics.height()
        top = -line_height * len(self.lines) / 2
        for i, line in enumerate(self.lines):
            if i:  # the lines under the mark (DEMO) are smaller
                font.setPointSizeF(font.pointSizeF() * 0.5)
                painter.setFont(font)
            rect = QRectF(-diagonal / 2, top + i * line_height, diagonal, line_height)
            painter.setPen(QPen(OUTLINE_COLOUR))
            painter.drawText(rect.translated(2, 2), Qt.AlignmentFlag.AlignCenter, line)
            painter.setPen(QPen(WATERMARK_COLOUR))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, line)
        painter.restore()
