"""Drawing a polygon on the map: corners by click, a rubber band to the cursor, double-click or Enter
closes, Backspace takes back the last corner, Esc cancels.

The tool sits over a ``MapPanel`` as an event filter on its view: while it draws, it takes the left
button (a click places a corner instead of selecting what lies there, and a drag does not pan) and the
keys above; the wheel still zooms and the other buttons still work. What is drawn so far is one
``GraphicsObject`` on the view box. The finished ring goes out in the city CRS, as every other
coordinate leaving the map does; whether it is a valid polygon is for the caller (the rules) to say.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen

DRAW_COLOUR = QColor("#00e5ff")
CLICK_SLOP_PX = 5  # a press and release further apart than this is a drag, not a corner
Z = 30.0  # above every layer and the selection


class DrawingItem(pg.GraphicsObject):
    """The corners placed so far, the edges between them and the rubber band to the cursor."""

    def __init__(self):
        super().__init__()
        self.setZValue(Z)
        self.corners: list[QPointF] = []  # map-local
        self.cursor: QPointF | None = None
        self._rect = QRectF()

    def set_state(self, corners: list[QPointF], cursor: QPointF | None) -> None:
        self.prepareGeometryChange()
        self.corners, self.cursor = list(corners), cursor
        points = self.corners + ([cursor] if cursor is not None else [])
        if points:
            xs, ys = [p.x() for p in points], [p.y() for p in points]
            rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
            # Room for the corner marks, which are drawn in pixels whatever the zoom.
            px = self.pixelLength(pg.Point(1, 0)) or 1.0
            self._rect = rect.adjusted(-12 * px, -12 * px, 12 * px, 12 * px)
        else:
            self._rect = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args) -> None:
        if not self.corners:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        edges = QPainterPath(self.corners[0])
        for c in self.corners[1:]:
            edges.lineTo(c)
        pen = QPen(DRAW_COLOUR, 2.0)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.drawPath(edges)
        if self.cursor is not None:
            band = QPen(DRAW_COLOUR, 1.5, Qt.PenStyle.DashLine)
            band.setCosmetic(True)
            p.setPen(band)
            p.drawLine(self.corners[-1], self.cursor)
            if len(self.corners) >= 2:  # where the ring will close
                closing = QPen(DRAW_COLOUR, 1.0, Qt.PenStyle.DotLine)
                closing.setCosmetic(True)
                p.setPen(closing)
                p.drawLine(self.cursor, self.corners[0])
        marks = QPen(QColor("#ffffff"), 7.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap)
        marks.setCosmetic(True)
        p.setPen(marks)
        p.drawPoints(self.corners)
        first = QPen(DRAW_COLOUR, 9.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap)
        first.setCosmetic(True)
        p.setPen(first)
        p.drawPoint(self.corners[0])


class PolygonDrawTool(QObject):
    """One drawing at a time over a map panel; ``start`` begins it, ``drawn`` or ``cancelled`` ends it."""

    drawn = Signal(object)  # tuple[tuple[float, float], ...]: the corners in the city CRS, ring open
    cancelled = Signal()
    changed = Signal()  # a corner was placed or taken back

    def __init__(self, map_panel, parent: QObject | None = None):
        super().__init__(parent)
        self.map = map_panel
        self.active = False
        self._corners: list[QPointF] = []  # map-local
        self._cursor: QPointF | None = None
        self._pressed_at = None  # viewport position of a left press while drawing
        self.item = DrawingItem()
        self.item.setVisible(False)
        map_panel.viewbox.addItem(self.item, ignoreBounds=True)
        map_panel.view.installEventFilter(self)  # keys
        map_panel.view.viewport().installEventFilter(self)  # the mouse
        # The corner marks are sized in pixels: a zoom while drawing changes the room they need.
        map_panel.viewbox.sigRangeChanged.connect(self._on_range_changed)

    # --- state ---------------------------------------------------------------------------------------

    @property
    def vertices(self) -> tuple[tuple[float, float], ...]:
        """The corners placed so far, city CRS."""
        ox, oy = self._origin()
        return tuple((c.x() + ox, c.y() + oy) for c in self._corners)

    def _origin(self) -> tuple[float, float]:
        snapshot = self.map.snapshot
        return tuple(snapshot.origin) if snapshot is not None else (0.0, 0.0)

    def start(self) -> None:
        """Begin a new drawing (dropping one in progress); the map's view takes the keys."""
        self.active = True
        self._corners, self._cursor, self._pressed_at = [], None, None
        self.map.view.setCursor(Qt.CursorShape.CrossCursor)
        self.map.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._redraw()

    def add_local(self, x: float, y: float) -> None:
        """A corner at a map-local point (what a click there does)."""
        if not self.active:
            return
        p = QPointF(x, y)
        if self._corners and _same_place(self._corners[-1], p, self._pixel()):
            return  # the second click of a double-click, or a shaky hand: no zero-length edge
        self._corners.append(p)
        self._redraw()
        self.changed.emit()

    def remove_last(self) -> None:
        if self.active and self._corners:
            self._corners.pop()
            self._redraw()
            self.changed.emit()

    def finish(self) -> None:
        """Close the ring and hand it over, whatever its corners (the caller judges them)."""
        if not self.active:
            return
        ring = self.vertices
        self._stop()
        self.drawn.emit(ring)

    def cancel(self) -> None:
        if self.active:
            self._stop()
            self.cancelled.emit()

    def _stop(self) -> None:
        self.active = False
        self._corners, self._cursor, self._pressed_at = [], None, None
        self.map.view.unsetCursor()
        self._redraw()

    def _redraw(self) -> None:
        self.item.set_state(self._corners, self._cursor if self._corners else None)
        self.item.setVisible(self.active)

    def _on_range_changed(self, *_args) -> None:
        if self.active:
            self._redraw()

    def _pixel(self) -> float:
        return self.map.metres_per_pixel()

    # --- input ---------------------------------------------------------------------------------------

    def _local(self, viewport_pos) -> QPointF:
        scene = self.map.view.mapToScene(viewport_pos.toPoint())
        return self.map.viewbox.mapSceneToView(scene)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            return self._on_key(event.key())
        if watched is not self.map.view.viewport():
            return False
        if kind == QEvent.Type.MouseMove:
            self._cursor = self._local(event.position())
            self._redraw()
            return False  # hover and the cursor readout go on as usual
        if not isinstance(event, QMouseEvent) or event.button() != Qt.MouseButton.LeftButton:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            self._pressed_at = event.position()
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            pressed, self._pressed_at = self._pressed_at, None
            at = event.position()
            if pressed is not None and (at - pressed).manhattanLength() <= CLICK_SLOP_PX:
                p = self._local(at)
                self.add_local(p.x(), p.y())
            return True
        if kind == QEvent.Type.MouseButtonDblClick:
            p = self._local(event.position())
            self.add_local(p.x(), p.y())  # skipped when the first click of the pair placed it
            self.finish()
            return True
        return False

    def _on_key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        elif key == Qt.Key.Key_Backspace:
            self.remove_last()
        elif key == Qt.Key.Key_Escape:
            self.cancel()
        else:
            return False
        return True


def _same_place(a: QPointF, b: QPointF, m_per_px: float) -> bool:
    return abs(a.x() - b.x()) <= 2 * m_per_px and abs(a.y() - b.y()) <= 2 * m_per_px
