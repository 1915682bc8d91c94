"""Map layers: a few big graphics items, each drawing thousands of features in one call.

Measured on this machine at 1600x1000 offscreen (design.md section 7/8): one item per cell costs
hundreds of milliseconds per repaint, one path for all 7,030 cells a few. pyqtgraph's ScatterPlotItem
took 0.6-1.6 s to take 100,000 points (a Python loop per point building its atlas keys) and ~80 ms to
repaint them all; ``PointLayer`` below keeps the same idea (one item, a pre-rendered symbol atlas,
``drawPixmapFragments``) with styles as a small integer per point, so setting data is numpy only, and
when more points would be visible than a person can read it draws a pre-computed raster instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from pyqtgraph.Qt import internals
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)

from modes.common.city_picture import Rings


def rings_path(rings: Rings) -> QPainterPath:
    """All rings as one path (one subpath per ring; odd-even fill keeps holes open)."""
    if len(rings.x) == 0:
        return QPainterPath()
    return pg.arrayToQPath(rings.x, rings.y, connect=rings.connect, finiteCheck=False)


def cosmetic_pen(
    colour: str | QColor, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine
) -> QPen:
    pen = QPen(QColor(colour))
    pen.setCosmetic(True)
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


@dataclass(frozen=True)
class StyledPath:
    path: QPainterPath
    pen: QPen | None
    brush: QBrush | None
    # Device-pixel offsets at which the path is stroked again. Qt strokes 1-pixel cosmetic pens on a
    # fast path and anything wider through a general stroker (tens of ms for a city boundary, a hundred
    # with antialiasing); a bold line is drawn as a few 1-pixel lines side by side instead.
    offsets: tuple[tuple[int, int], ...] = ((0, 0),)


def bold_offsets(width: int) -> tuple[tuple[int, int], ...]:
    """Offsets making a ``width``-pixel line out of 1-pixel strokes (both directions, for any slope)."""
    lo = -(width // 2)
    return tuple((dx, dy) for dx in range(lo, lo + width) for dy in range(lo, lo + width))


class PathLayer(pg.GraphicsObject):
    """A few pre-built paths drawn in order: all cell outlines, a choropleth class, a boundary level."""

    def __init__(self, *, antialias: bool = False, z: float = 0.0):
        super().__init__()
        self._items: list[StyledPath] = []
        self._rect = QRectF()
        self._antialias = antialias
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_paths(self, items: list[StyledPath]) -> None:
        self.prepareGeometryChange()
        self._items = [i for i in items if not i.path.isEmpty()]
        rect = QRectF()
        for item in self._items:
            rect = rect.united(item.path.controlPointRect())
        self._rect = rect
        self.update()

    def clear(self) -> None:
        self.set_paths([])

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
        base = painter.transform()
        for item in self._items:
            painter.setPen(item.pen if item.pen is not None else Qt.PenStyle.NoPen)
            painter.setBrush(item.brush if item.brush is not None else Qt.BrushStyle.NoBrush)
            for dx, dy in item.offsets:
                if dx or dy:
                    painter.setTransform(base * QTransform.fromTranslate(dx, dy))
                painter.drawPath(item.path)
            painter.setTransform(base)


@dataclass(frozen=True)
class CellRaster:
    """Cell index + 1 for every pixel of a grid over the city (0: no cell), north row first."""

    ids: np.ndarray  # (rows, cols) int16 (int32 beyond 32,766 cells)
    x0: float  # west edge, local metres
    y1: float  # north edge, local metres
    res: float  # metres per pixel


def rasterize_cells(
    rings: Rings, bounds: tuple[float, float, float, float], max_pixels: int = 12_000_000
) -> CellRaster:
    """Paint every cell in its own colour (its index + 1) into an image and read the indices back.

    Safe on a worker thread (QImage painting needs no GUI thread); ~12 M pixels, about 5 m each at
    Harbin scale.
    """
    x0, y0, x1, y1 = bounds
    res = max(math.sqrt(max((x1 - x0) * (y1 - y0), 1.0) / max_pixels), 0.5)
    w, h = int(math.ceil((x1 - x0) / res)) + 1, int(math.ceil((y1 - y0) / res)) + 1
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 0))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.setPen(Qt.PenStyle.NoPen)
    p.setTransform(QTransform(1 / res, 0, 0, -1 / res, -x0 / res, y1 / res))
    for i in range(len(rings.start)):
        a, b = int(rings.start[i]), int(rings.stop[i])
        if b - a < 3:
            continue
        p.setBrush(QColor.fromRgb((i + 1) & 0xFFFFFF))
        p.drawPath(pg.arrayToQPath(rings.x[a:b], rings.y[a:b], connect=rings.connect[a:b], finiteCheck=False))
    p.end()
    stride = image.bytesPerLine() // 4
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=stride * h).reshape(h, stride)[:, :w]
    dtype = np.int16 if len(rings.start) < 32767 else np.int32
    return CellRaster((pixels & 0xFFFFFF).astype(dtype), x0, y1, res)


class ChoroplethLayer(pg.GraphicsObject):
    """Cells filled by class.

    Zoomed out it draws a cell-index raster recoloured with numpy when the measure changes (one lookup
    per pixel, ~50 ms), so a frame is one scaled image blit (a few ms) instead of filling 7,030
    polygons (3-5x slower here). Zoomed in past the raster's resolution, or before the raster is built,
    it fills one path per colour class, built from the cells in view only.
    """

    def __init__(self, rings: Rings, bounds: np.ndarray, *, z: float = 0.0):
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._rings = rings
        self._cell_bounds = bounds  # (n, 4) local
        self._raster: CellRaster | None = None
        self._class_of_cell = np.full(len(rings.start), -1, dtype=np.int64)
        self._colours: list[QColor] = []
        self._lut = np.zeros(len(rings.start) + 1, dtype=np.uint32)
        self._pixels: np.ndarray | None = None
        self._image: QImage | None = None
        if len(bounds):
            self._rect = QRectF(
                QPointF(bounds[:, 0].min(), bounds[:, 1].min()),
                QPointF(bounds[:, 2].max(), bounds[:, 3].max()),
            )
        else:
            self._rect = QRectF()
        self.used_raster = False  # how the last paint filled (tests and benchmarks)

    def set_raster(self, raster: CellRaster) -> None:
        self._raster = raster
        self._recolour()
        self.update()

    def _recolour(self) -> None:
        if self._raster is None:
            return
        ids = self._raster.ids
        self._pixels = self._lut.take(ids)  # the QImage below borrows this memory
        h, w = ids.shape
        self._image = QImage(self._pixels.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied)

    @property
    def has_raster(self) -> bool:
        return self._raster is not None

    def set_classes(self, class_of_cell: np.ndarray, colours: list[QColor]) -> None:
        """``class_of_cell[i]`` indexes ``colours``; -1 leaves the cell unfilled."""
        self._class_of_cell = np.asarray(class_of_cell, dtype=np.int64)
        self._colours = list(colours)
        premultiplied = np.array([_premultiplied_argb(c) for c in colours] + [0], dtype=np.uint32)
        lut = np.zeros(len(self._class_of_cell) + 1, dtype=np.uint32)
        lut[1:] = premultiplied[np.where(self._class_of_cell >= 0, self._class_of_cell, len(colours))]
        self._lut = lut
        self._recolour()
        self.update()

    def clear(self) -> None:
        self.set_classes(np.full(len(self._class_of_cell), -1), [])

    @property
    def filled_classes(self) -> int:
        return len({int(k) for k in self._class_of_cell if k >= 0})

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self._colours:
            return
        t = painter.transform()
        m_per_px = 1.0 / max(abs(t.m11()), 1e-12)
        axis_aligned = abs(t.m12()) < 1e-12 and abs(t.m21()) < 1e-12
        # Each raster pixel may cover up to two screen pixels before its steps would show.
        self.used_raster = self._raster is not None and axis_aligned and m_per_px >= self._raster.res * 0.5
        if self.used_raster:
            self._paint_raster(painter, t)
        else:
            self._paint_paths(painter, t)

    def _paint_raster(self, painter: QPainter, t: QTransform) -> None:
        r = self._raster
        painter.save()
        # Image pixel (i, j) covers local x0 + i*res, y1 - j*res: row 0 is the north edge.
        painter.translate(r.x0, r.y1)
        painter.scale(r.res, -r.res)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(0, 0, self._image)
        painter.restore()

    def _paint_paths(self, painter: QPainter, t: QTransform) -> None:
        inverse, ok = t.inverted()
        if not ok:
            return
        device = painter.device()
        view = inverse.mapRect(QRectF(0, 0, device.width(), device.height()))
        b = self._cell_bounds
        in_view = (
            (b[:, 2] >= view.left())
            & (b[:, 0] <= view.right())
            & (b[:, 3] >= view.top())
            & (b[:, 1] <= view.bottom())
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # antialiased fills cost 5.5x
        painter.setPen(Qt.PenStyle.NoPen)
        for k, colour in enumerate(self._colours):
            which = np.flatnonzero(in_view & (self._class_of_cell == k))
            if len(which):
                painter.setBrush(QBrush(colour))
                painter.drawPath(rings_path(self._rings.select(which)))


def _premultiplied_argb(colour: QColor) -> int:
    a = colour.alpha()
    r, g, b = (round(v * a / 255) for v in (colour.red(), colour.green(), colour.blue()))
    return (a << 24) | (r << 16) | (g << 8) | b


class LabelLayer(pg.GraphicsObject):
    """Area names drawn in screen space, the level chosen by the zoom, overlapping labels skipped.

    One item for all levels: 7 district, 83 street and 480 community labels as text items would be 570
    items re-laid out on every zoom.
    """

    def __init__(self, *, z: float = 10.0):
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # level name -> (xs, ys, names, font, colour, max metres per pixel at which the level shows)
        self._levels: dict[str, tuple[np.ndarray, np.ndarray, tuple[str, ...], QFont, QColor, float]] = {}
        self._enabled: dict[str, bool] = {}
        self._rect = QRectF()

    def set_level(
        self, name: str, xs, ys, names, *, point_size: float, colour: str, bold: bool, max_m_per_px: float
    ):
        font = QFont()
        font.setPointSizeF(point_size)
        font.setBold(bold)
        self.prepareGeometryChange()
        self._levels[name] = (
            np.asarray(xs),
            np.asarray(ys),
            tuple(names),
            font,
            QColor(colour),
            max_m_per_px,
        )
        self._enabled.setdefault(name, True)
        rect = QRectF()
        for lx, ly, *_ in self._levels.values():
            if len(lx):
                rect = rect.united(QRectF(QPointF(lx.min(), ly.min()), QPointF(lx.max(), ly.max())))
        self._rect = rect.adjusted(-2000, -2000, 2000, 2000)
        self.update()

    def set_level_enabled(self, name: str, enabled: bool) -> None:
        self._enabled[name] = enabled
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        t = painter.transform()
        m_per_px = 1.0 / max(abs(t.m11()), 1e-12)
        device = painter.viewport() if widget is None else widget.rect()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        taken: list[QRectF] = []
        # Coarse levels first so a district name wins over the street names around it.
        for name, (xs, ys, names, font, colour, max_m) in self._levels.items():
            if not self._enabled.get(name, True) or m_per_px > max_m or len(xs) == 0:
                continue
            px = t.m11() * xs + t.m21() * ys + t.dx()
            py = t.m12() * xs + t.m22() * ys + t.dy()
            inside = np.flatnonzero(
                (px > -100) & (px < device.width() + 100) & (py > -30) & (py < device.height() + 30)
            )
            if len(inside) > 400:  # too many to read: skip the level rather than smear it
                continue
            painter.setFont(font)
            fm = QFontMetricsF(font)
            halo = QColor(0, 0, 0, 230)
            for i in inside:
                text = names[i]
                w = fm.horizontalAdvance(text)
                h = fm.height()
                r = QRectF(px[i] - w / 2, py[i] - h / 2, w, h)
                if any(r.intersects(o) for o in taken):
                    continue
                taken.append(r.adjusted(-4, -2, 4, 2))
                painter.setPen(halo)  # a drop shadow keeps names legible on bright cells
                painter.drawText(r.translated(1, 1), Qt.AlignmentFlag.AlignCenter, text)
                painter.setPen(colour)
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


@dataclass(frozen=True)
class PointStyle:
    symbol: str  # a pyqtgraph symbol name: o s t d + x h star ...
    size: float  # pixels
    brush: str
    pen: str | None = "#0a0f14"
    pen_width: float = 1.0


class PointLayer(pg.GraphicsObject):
    """Many points as one item: a symbol atlas and one ``drawPixmapFragments`` call per repaint.

    Each point has a style index (into ``styles``) and a visibility flag; filters only flip the flags.
    With more than ``max_symbols`` points in view it draws ``overview`` (a density raster in map
    coordinates) instead, because 100,000 symbols cost ~40 ms to blit and read as noise at city scale.
    """

    def __init__(
        self,
        styles: list[PointStyle],
        *,
        z: float = 5.0,
        max_symbols: int | None = None,
        compact_above_m_per_px: float | None = None,
    ):
        super().__init__()
        # Zoomed out beyond this many metres per pixel, symbols shrink so the city stays readable.
        self.compact_above = compact_above_m_per_px
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._styles = list(styles)
        self._atlas, self._source = self._build_atlas(self._styles)
        self._fragments = internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self.max_symbols = max_symbols
        self.x = np.empty(0)
        self.y = np.empty(0)
        self.style = np.empty(0, dtype=np.int16)
        self.visible = np.empty(0, dtype=bool)
        self._rect = QRectF()
        self._overview: QImage | None = None
        self._overview_rect = QRectF()
        self._overview_colours: np.ndarray | None = None
        self.symbols_drawn = 0  # points drawn as symbols in the last paint (tests and the status bar)
        self.showing_overview = False

    @staticmethod
    def _build_atlas(styles: list[PointStyle]) -> tuple[QPixmap, np.ndarray]:
        cell = int(max((s.size + 2 * s.pen_width for s in styles), default=8)) + 4
        image = QImage(cell * max(len(styles), 1), cell, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        source = np.zeros((len(styles), 4), dtype=float)
        for k, s in enumerate(styles):
            p.save()
            p.translate(k * cell + cell / 2, cell / 2)
            p.scale(s.size, s.size)
            pen = QPen(QColor(s.pen)) if s.pen else QPen(Qt.PenStyle.NoPen)
            if s.pen:
                pen.setWidthF(s.pen_width / s.size)
            p.setPen(pen)
            p.setBrush(QBrush(QColor(s.brush)))
            p.drawPath(Symbols[s.symbol])
            p.restore()
            source[k] = (k * cell, 0, cell, cell)
        p.end()
        return QPixmap.fromImage(image), source

    def set_points(
        self, x: np.ndarray, y: np.ndarray, style: np.ndarray, overview_colours: list[str] | None = None
    ):
        self.prepareGeometryChange()
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.style = np.asarray(style, dtype=np.int16)
        self.visible = np.ones(len(self.x), dtype=bool)
        if len(self.x):
            pad = 50.0
            self._rect = QRectF(
                QPointF(self.x.min() - pad, self.y.min() - pad),
                QPointF(self.x.max() + pad, self.y.max() + pad),
            )
        else:
            self._rect = QRectF()
        self._overview_colours = (
            np.array([_argb(QColor(c)) for c in overview_colours], dtype=np.uint32)
            if overview_colours
            else None
        )
        self._rebuild_overview()
        self.update()

    def set_visible_mask(self, visible: np.ndarray) -> None:
        self.visible = np.asarray(visible, dtype=bool)
        self._rebuild_overview()
        self.update()

    def set_styles(self, style: np.ndarray) -> None:
        self.style = np.asarray(style, dtype=np.int16)
        self._rebuild_overview()
        self.update()

    def _rebuild_overview(self, metres_per_px: float = 8.0) -> None:
        """A raster of the visible points, one pixel per ``metres_per_px``, coloured by style."""
        self._overview = None
        if self.max_symbols is None or self._overview_colours is None or not len(self.x):
            return
        r = self._rect
        w = int(np.ceil(r.width() / metres_per_px)) + 1
        h = int(np.ceil(r.height() / metres_per_px)) + 1
        buf = np.zeros((h, w), dtype=np.uint32)
        sel = self.visible
        col = ((self.x[sel] - r.left()) / metres_per_px).astype(np.int64)
        row = (h - 1) - ((self.y[sel] - r.top()) / metres_per_px).astype(np.int64)
        ok = (col >= 0) & (col < w) & (row >= 0) & (row < h)
        buf[row[ok], col[ok]] = self._overview_colours[self.style[sel][ok]]
        self._overview_buffer = buf  # QImage does not own the memory
        self._overview = QImage(buf.data, w, h, w * 4, QImage.Format.Format_ARGB32)
        self._overview_rect = QRectF(r.left(), r.top(), w * metres_per_px, h * metres_per_px)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        self.symbols_drawn = 0
        self.showing_overview = False
        if not len(self.x):
            return
        t = painter.transform()
        device = painter.viewport() if widget is None else widget.rect()
        px = t.m11() * self.x + t.m21() * self.y + t.dx()
        py = t.m12() * self.x + t.m22() * self.y + t.dy()
        margin = 12
        shown = np.flatnonzero(
            self.visible
            & (px > -margin)
            & (px < device.width() + margin)
            & (py > -margin)
            & (py < device.height() + margin)
        )
        if self.max_symbols is not None and len(shown) > self.max_symbols and self._overview is not None:
            self._paint_overview(painter)
            return
        self.symbols_drawn = len(shown)
        if not len(shown):
            return
        self._fragments.resize(len(shown))
        frags = self._fragments.ndarray()
        frags[:, 0] = px[shown]
        frags[:, 1] = py[shown]
        frags[:, 2:6] = self._source[self.style[shown]]
        scale = 1.0
        if self.compact_above is not None and 1.0 / max(abs(t.m11()), 1e-12) > self.compact_above:
            scale = 0.55
        frags[:, 6:10] = (scale, scale, 0.0, 1.0)
        painter.save()
        painter.resetTransform()
        painter.drawPixmapFragments(*self._fragments.drawargs(), self._atlas)
        painter.restore()

    def _paint_overview(self, painter: QPainter) -> None:
        self.showing_overview = True
        r = self._overview_rect
        painter.save()
        # The raster's row 0 is the north edge; the view's y axis points up.
        painter.translate(r.left(), r.bottom())
        painter.scale(1.0, -1.0)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(QRectF(0, 0, r.width(), r.height()), self._overview)
        painter.restore()


def _argb(colour: QColor) -> int:
    return (colour.alpha() << 24) | (colour.red() << 16) | (colour.green() << 8) | colour.blue()


class SelectionLayer(pg.GraphicsObject):
    """The selected cell's outline or a ring around the selected point, drawn above everything."""

    def __init__(self, *, z: float = 20.0):
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._path = QPainterPath()
        self._point: QPointF | None = None
        self._pen = cosmetic_pen("#ffe14d", 3.0)
        self._halo = cosmetic_pen(QColor(0, 0, 0, 180), 6.0)
        self._rect = QRectF()

    def set_path(self, path: QPainterPath) -> None:
        self.prepareGeometryChange()
        self._path, self._point = path, None
        self._rect = path.controlPointRect()
        self.update()

    def set_point(self, x: float, y: float) -> None:
        self.prepareGeometryChange()
        self._path, self._point = QPainterPath(), QPointF(x, y)
        self._rect = QRectF(x - 500, y - 500, 1000, 1000)
        self.update()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._path, self._point, self._rect = QPainterPath(), None, QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if not self._path.isEmpty():
            painter.setPen(self._halo)
            painter.drawPath(self._path)
            painter.setPen(self._pen)
            painter.drawPath(self._path)
        if self._point is not None:
            p = painter.transform().map(self._point)
            painter.save()
            painter.setTransform(QTransform())
            for pen in (self._halo, self._pen):
                painter.setPen(pen)
                painter.drawEllipse(p, 11.0, 11.0)
            painter.restore()


def symbol_pixmap(style: PointStyle, size: int = 18) -> QPixmap:
    """A legend swatch drawn exactly as the map draws the symbol."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.translate(size / 2, size / 2)
    scale = min(style.size, size - 4)
    p.scale(scale, scale)
    pen = QPen(QColor(style.pen)) if style.pen else QPen(Qt.PenStyle.NoPen)
    if style.pen:
        pen.setWidthF(style.pen_width / scale)
    p.setPen(pen)
    p.setBrush(QBrush(QColor(style.brush)))
    p.drawPath(Symbols[style.symbol])
    p.end()
    return QPixmap.fromImage(image)


def swatch_pixmap(colour: str, size: int = 14) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(QColor(colour))
    return pm
