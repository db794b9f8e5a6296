"""The bar chart of takings by hour, drawn with QPainter inside a QTextDocument.

The chart is a text object (one ``U+FFFC`` character with a custom object type) whose handler
paints it where the document lays it out, so it prints as vectors at the printer's resolution,
moves with the text across pages, and needs no image file or plotting library.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from app.reports.model import HourBucket

CHART_OBJECT = QTextFormat.ObjectTypes.UserObject + 1
OBJECT_REPLACEMENT = "\ufffc"
BAR = QColor(0x2E, 0x6F, 0xB5)
GRID = QColor(0xC8, 0xC8, 0xC8)
ASPECT = 0.34  # height / width


def _nice_step(top_fen: int) -> int:
    """A round gridline step (in fen, whole yuan) giving about four lines up to ``top_fen``."""
    raw = max(top_fen / 4, 100)
    step = 100
    while step * 10 <= raw:
        step *= 10
    for multiple in (1, 2, 5, 10):
        if step * multiple >= raw:
            return step * multiple
    return step * 10


def _yuan_label(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if not cents else f"{whole:,}.{cents:02d}"


class HourlyChart(QPyTextObject):
    """Paints one document's takings-by-hour chart (register it with :func:`insert_chart`)."""

    def __init__(self, buckets: Sequence[HourBucket], font: QFont) -> None:
        super().__init__()
        self.buckets = tuple(buckets)
        self.font = QFont(font)

    def intrinsicSize(  # noqa: N802 - Qt's name
        self, doc: QTextDocument, _pos: int, _format: QTextFormat
    ) -> QSizeF:
        """As wide as the text, a third as tall."""
        width = doc.pageSize().width() if doc.pageSize().width() > 0 else doc.textWidth()
        width = max(width - 2 * doc.documentMargin() - 4, 100.0)
        return QSizeF(width, width * ASPECT)

    def drawObject(  # noqa: N802 - Qt's name
        self,
        painter: QPainter,
        rect: QRectF | QRect,
        _doc: QTextDocument,
        _pos: int,
        _format: QTextFormat,
    ) -> None:
        """Axes, gridlines with yuan labels, one bar per hour with its amount, hour labels."""
        painter.save()
        try:
            self._paint(painter, QRectF(rect))
        finally:
            painter.restore()

    def _paint(self, painter: QPainter, rect: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font)
        small.setPointSizeF(self.font.pointSizeF() * 0.8)
        painter.setFont(small)
        metrics = QFontMetricsF(small, painter.device())
        line = metrics.height()
        top = max((b.amount_fen for b in self.buckets), default=0)
        step = _nice_step(top)
        lines = max(1, -(-top // step))
        scale_top = lines * step
        label_width = max(metrics.horizontalAdvance(_yuan_label(scale_top)), line) + line * 0.4
        plot = QRectF(
            rect.left() + label_width,
            rect.top() + line * 1.2,
            rect.width() - label_width - line * 0.2,
            rect.height() - line * 2.6,
        )
        thin = QPen(GRID)
        thin.setWidthF(max(line / 20, 1.0))
        axis = QPen(QColor(Qt.GlobalColor.black))
        axis.setWidthF(max(line / 14, 1.0))
        for i in range(lines + 1):
            y = plot.bottom() - plot.height() * i / lines
            painter.setPen(thin if i else axis)
            painter.drawLine(QLineF(plot.left(), y, plot.right(), y))
            painter.setPen(QColor(Qt.GlobalColor.black))
            text = _yuan_label(step * i)
            painter.drawText(
                QRectF(rect.left(), y - line / 2, label_width - line * 0.3, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
        painter.setPen(axis)
        painter.drawLine(QLineF(plot.bottomLeft(), plot.topLeft()))
        count = max(len(self.buckets), 1)
        slot = plot.width() / count
        every = 1 if slot >= metrics.horizontalAdvance("00") * 1.3 else 2
        for i, bucket in enumerate(self.buckets):
            x = plot.left() + slot * i
            height = plot.height() * bucket.amount_fen / scale_top if scale_top else 0
            bar = QRectF(x + slot * 0.15, plot.bottom() - height, slot * 0.7, height)
            if height > 0:
                painter.fillRect(bar, BAR)
                value = _yuan_label(bucket.amount_fen)
                if metrics.horizontalAdvance(value) <= slot * 0.95:  # else the table says it
                    painter.setPen(QColor(Qt.GlobalColor.black))
                    painter.drawText(
                        QRectF(x, bar.top() - line * 1.1, slot, line),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                        value,
                    )
            if i % every == 0:
                painter.setPen(QColor(Qt.GlobalColor.black))
                painter.drawText(
                    QRectF(x - slot, plot.bottom() + line * 0.2, slot * 3, line),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    f"{bucket.start:%H}",
                )
        painter.drawText(QPointF(plot.left(), rect.top() + line * 0.9), "¥")


def insert_chart(doc: QTextDocument, cursor: QTextCursor, chart: HourlyChart) -> None:
    """Put ``chart`` at ``cursor``; the document keeps the handler alive (Qt parents it)."""
    chart.setParent(doc)
    doc.documentLayout().registerHandler(CHART_OBJECT, chart)
    char = QTextCharFormat()
    char.setObjectType(CHART_OBJECT)
    cursor.insertText(OBJECT_REPLACEMENT, char)
