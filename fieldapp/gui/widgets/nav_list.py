"""The main window's navigation: as wide as its longest label in the language shown (in French
"Parties et engagements"), so it never scrolls sideways nor cuts a page's name."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListWidget, QStyle, QWidget

MIN_WIDTH = 140
PADDING = (6, 8)  # vertical, horizontal padding of an entry, in pixels


class NavList(QListWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet("QListWidget::item {{ padding: {0}px {1}px; }}".format(*PADDING))
        self.setMinimumWidth(MIN_WIDTH)

    def needed_width(self) -> int:
        """The width that shows every label whole: text, padding, the delegate's margins, the
        frame, and the vertical scroll bar when the entries are taller than the list."""
        metrics = self.fontMetrics()
        text = max((metrics.horizontalAdvance(self.item(row).text()) for row in range(self.count())), default=0)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        width = text + 2 * PADDING[1] + 2 * margin + 2 * self.frameWidth() + 4
        if self.count() and self.sizeHintForRow(0) * self.count() + 2 * self.frameWidth() > self.height():
            width += self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return max(MIN_WIDTH, width)

    def fit_labels(self) -> None:
        """After the labels change (pages added, language switched): wide enough for them."""
        width = self.needed_width()
        if self.minimumWidth() != width:
            self.setMinimumWidth(width)
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.needed_width(), super().sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().height() != event.size().height():
            self.fit_labels()  # a short window shows the vertical scroll bar
