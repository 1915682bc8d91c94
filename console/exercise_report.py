"""The after-action report as PDF: the Qt-free HTML of ``modes.exercises.report`` laid out by a
``QTextDocument`` and painted page by page onto a ``QPdfWriter``, like the ICS 201 briefing
(``console.brief_export``).

Two things the layout engine cannot do itself: it draws no SVG, so the timeline's SVG is rendered into
a ``QImage`` by ``QSvgRenderer`` and handed to the document as an image resource; and it repeats nothing
on each page, so every page is painted here with the exercise marking above and the page number below
(an exercise's papers say 演练 EXERCISE on every page, so nobody takes them for the real thing).

Works offscreen; Chinese renders with "WenQuanYi Micro Hei" (``console.brief_export.FONT_FAMILY``).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from console.brief_export import FONT_FAMILY, ensure_gui_app
from modes.exercises.report import (
    AfterActionReport,
    chart_height,
    marking,
    render_html,
    timeline_svg,
)

CHART_RESOURCE = "sanwei://aar/timeline.png"
RESOLUTION_DPI = 150
CHART_SCALE = 2  # the timeline image at twice its layout size, so it stays sharp on paper
# The timeline drawn narrower than on screen, so its words keep a readable size across a page.
PAPER_CHART_WIDTH = 780
MARKING_RED = "#c62828"


def timeline_image(report: AfterActionReport, pixels_wide: int, width: int = PAPER_CHART_WIDTH) -> QImage:
    """The report's SVG timeline, drawn ``width`` units wide, rendered into an image ``pixels_wide``
    pixels wide (white background)."""
    ensure_gui_app()
    height = round(chart_height(report) * pixels_wide / width)
    image = QImage(pixels_wide, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    renderer = QSvgRenderer(QByteArray(timeline_svg(report, width).encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("the timeline's SVG did not parse")
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    finally:
        painter.end()
    return image


def report_document(report: AfterActionReport, chart_width: int = PAPER_CHART_WIDTH) -> QTextDocument:
    """The report laid out by Qt; ``chart_width``: the timeline's width in the document's pixels."""
    ensure_gui_app()
    doc = QTextDocument()
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(9.0)
    doc.setDefaultFont(font)
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, report.title)
    image = timeline_image(report, chart_width * CHART_SCALE)
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_RESOURCE), image)
    size = (chart_width, round(image.height() / CHART_SCALE))
    doc.setHtml(render_html(report, chart_src=CHART_RESOURCE, chart_size=size))
    return doc


def report_pdf(report: AfterActionReport) -> bytes:
    """The report as PDF bytes (A4 portrait), the exercise marking and the page number on every page."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(report.title)
    writer.setCreator("Sanwei 三位一体 exercises")
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    page = writer.pageLayout().paintRectPixels(RESOLUTION_DPI)
    band = RESOLUTION_DPI * 0.22  # the marking above and the page number below, each about 5.6 mm
    body = QSizeF(page.width(), page.height() - 2 * band)
    # The document counts an image's pixels at 96 to the inch and the page's at the writer's resolution:
    # the timeline is made as wide as the text (a little less, for the body's own margin).
    doc = report_document(report, chart_width=int(body.width() * 96 / RESOLUTION_DPI * 0.96))
    # Measure the text on the writer's own pixels, then cut the document into pages of the body's height.
    doc.documentLayout().setPaintDevice(writer)
    doc.setPageSize(body)
    pages = doc.pageCount()
    small = QFont(FONT_FAMILY)
    small.setPointSizeF(8.0)
    bold = QFont(FONT_FAMILY)
    bold.setPointSizeF(9.0)
    bold.setBold(True)
    top_text = marking(report)
    painter = QPainter(writer)
    try:
        for number in range(pages):
            if number:
                writer.newPage()
            top = QRectF(0, 0, page.width(), band * 0.8)
            painter.fillRect(top, QColor(MARKING_RED))
            painter.setPen(QColor("#ffffff"))
            painter.setFont(bold)
            painter.drawText(top, Qt.AlignmentFlag.AlignCenter, top_text)
            painter.save()
            painter.translate(QPointF(0, band - number * body.height()))
            doc.drawContents(painter, QRectF(0, number * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setPen(QColor("#455a64"))
            painter.setFont(small)
            bottom = QRectF(0, page.height() - band * 0.8, page.width(), band * 0.8)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, top_text)
            painter.drawText(
                bottom,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{report.header.title_zh} · exercise {report.header.exercise_id} · "
                f"第 {number + 1} / {pages} 页 page {number + 1} of {pages}",
            )
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())
