"""The ICS 201 briefing as PDF: the Qt-free HTML of ``modes.emergency.brief`` laid out by a
``QTextDocument`` and printed through a ``QPdfWriter``; the map sketch is painted into a ``QImage``
from the same ``MapSnapshot`` and handed to the document as an image resource.

Works offscreen (no window): a ``QGuiApplication`` is made if none exists, because fonts need one.
Chinese renders with "WenQuanYi Micro Hei" (Debian ``fonts-wqy-microhei``, see design.md section 8);
the PDF's title carries the incident's number, type and level, so a file manager or a test can read
them without a text extractor.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
    QTextDocument,
)

from modes.emergency.brief import COLOUR_HEX, SVG_SIZE, Briefing, MapSnapshot, render_html

FONT_FAMILY = "WenQuanYi Micro Hei"
MAP_RESOURCE = "sanwei://brief/map.png"
RESOLUTION_DPI = 150


def ensure_gui_app() -> QGuiApplication:
    """The running application, or an offscreen one: text layout needs a QGuiApplication."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app


def _path(rings, to_px) -> QPainterPath:
    path = QPainterPath()
    for ring in rings:
        px, py = to_px(ring[:, 0], ring[:, 1])
        path.addPolygon(QPolygonF([QPointF(a, b) for a, b in zip(px, py, strict=True)]))
        path.closeSubpath()
    return path


def map_image(snapshot: MapSnapshot, size: int = SVG_SIZE * 2, colour: str = "red") -> QImage:
    """The sketch painted like the HTML's SVG: cells, affected cells, cordons, site, units, places."""
    ensure_gui_app()
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor("#f7f7f2"))
    minx, miny, maxx, maxy = snapshot.bounds
    scale = size / max(maxx - minx, maxy - miny)

    def to_px(xs, ys):
        return (np.asarray(xs) - minx) * scale, (maxy - np.asarray(ys)) * scale

    accent = QColor(COLOUR_HEX.get(colour, "#d32f2f"))
    p = QPainter(image)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 224, 178, 180))
        p.drawPath(_path(snapshot.affected_outer, to_px))
        p.setBrush(QColor(255, 171, 145, 210))
        p.drawPath(_path(snapshot.affected_inner, to_px))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor("#b0b0a8"), 1.0))
        p.drawPath(_path(snapshot.cells, to_px))
        if snapshot.site:
            site_fill = QColor(accent)
            site_fill.setAlpha(90)
            p.setBrush(site_fill)
            p.setPen(QPen(accent, 2))
            p.drawPath(_path(snapshot.site, to_px))
            p.setBrush(Qt.BrushStyle.NoBrush)
        outer_pen = QPen(QColor("#f57c00"), 4, Qt.PenStyle.DashLine)
        p.setPen(outer_pen)
        p.drawPath(_path(snapshot.outer, to_px))
        p.setPen(QPen(accent, 5))
        p.drawPath(_path(snapshot.inner, to_px))

        font = QFont(FONT_FAMILY)
        font.setPixelSize(max(12, size // 50))
        p.setFont(font)
        for pt in snapshot.points:
            (x,), (y,) = to_px([pt.x], [pt.y])
            if not (0 <= x <= size and 0 <= y <= size):
                continue
            if pt.kind == "site":
                p.setPen(QPen(Qt.GlobalColor.black, 2))
                p.setBrush(accent)
                p.drawEllipse(QPointF(x, y), 12, 12)
            elif pt.kind == "unit":
                p.setPen(QPen(Qt.GlobalColor.white, 2))
                p.setBrush(QColor("#1565c0"))
                p.drawRect(QRectF(x - 8, y - 8, 16, 16))
            elif pt.kind == "hospital":
                p.setPen(QPen(QColor("#2e7d32"), 5))
                p.drawLine(QPointF(x, y - 9), QPointF(x, y + 9))
                p.drawLine(QPointF(x - 9, y), QPointF(x + 9, y))
            elif pt.kind == "shelter":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("#6a1b9a"))
                p.drawPolygon(QPolygonF([QPointF(x, y - 9), QPointF(x + 9, y + 8), QPointF(x - 9, y + 8)]))
            else:  # camera
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("#455a64"))
                p.drawEllipse(QPointF(x, y), 4, 4)
                continue
            p.setPen(QPen(QColor("#222222")))
            p.drawText(QPointF(x + 12, y - 8), pt.label)
        p.setBrush(QBrush())
        p.setPen(QPen(Qt.GlobalColor.black, 5))
        bar_m = _scale_bar_m(maxx - minx)
        p.drawLine(QPointF(20, size - 24), QPointF(20 + bar_m * scale, size - 24))
        p.drawText(QPointF(20, size - 34), f"{bar_m:g} m")
        p.drawText(QPointF(size - 50, 36), "N↑")
    finally:
        p.end()
    return image


def _scale_bar_m(width_m: float) -> float:
    from modes.emergency.brief import _scale_bar_m as same  # noqa: PLC0415 - one rule for SVG and QImage

    return same(width_m)


def briefing_document(briefing: Briefing) -> QTextDocument:
    ensure_gui_app()
    doc = QTextDocument()
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, briefing.title)
    doc.addResource(
        QTextDocument.ResourceType.ImageResource,
        QUrl(MAP_RESOURCE),
        map_image(briefing.map, colour=briefing.incident.colour),
    )
    doc.setHtml(render_html(briefing, map_src=MAP_RESOURCE))
    return doc


def briefing_pdf(briefing: Briefing) -> bytes:
    """The briefing as PDF bytes (A4 portrait)."""
    doc = briefing_document(briefing)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(briefing.title)
    writer.setCreator("Sanwei 三位一体 emergency mode")
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    # Lay the document out on the printable page, in the writer's device pixels.
    page = writer.pageLayout().paintRectPixels(RESOLUTION_DPI)
    doc.setPageSize(QSizeF(page.width(), page.height()))
    doc.print_(writer)
    buffer.close()
    return bytes(data.data())
