"""A small list whose columns share the width it has and whose long texts wrap onto more lines,
so a list on a 1024-pixel screen in French neither cuts words with "…" nor scrolls sideways.

Qt's tree view wraps text only inside the row height it already has: the delegate here makes
each row as tall as its wrapped text at the column's width, and the columns are sized again
whenever the list's width or its rows change.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import (QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget,
                               QTreeWidgetItem, QWidget)

from fieldapp.gui.widgets.fit import share_width


def text_margin(view: QWidget) -> int:
    """What Qt's item delegate leaves on each side of a cell's text."""
    return view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1


def line_count(text: str, font, width: int) -> int:
    """The lines Qt's item delegate draws `text` on at `width` (it lays text out with QTextLayout,
    whose breaks can differ by a pixel from QFontMetrics' measure)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = 0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        lines += 1
    layout.endLayout()
    return lines


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped at the width of its column."""

    def __init__(self, view: QTreeWidget):
        super().__init__(view)
        self._view = view

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt override
        size = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return size
        room = self._view.header().sectionSize(index.column()) - 2 * text_margin(self._view)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        lines = line_count(str(text), opt.font, room)
        if room <= 0 or lines <= 1:
            return size
        return QSize(size.width(), size.height() + (lines - 1) * QFontMetrics(opt.font).height())


class WrappingTree(QTreeWidget):
    """A QTreeWidget of a few dozen rows (Home's lists) that fits its columns to its width;
    `fitted` says the rows may have changed height."""

    fitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setItemDelegate(WrappingDelegate(self))
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._fitted_width = -1
        self._pending = False
        self._stale = True  # rows or headings changed since the last fit
        self.verticalScrollBar().rangeChanged.connect(lambda *_r: self.schedule_fit())
        model = self.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged,
                       model.headerDataChanged):
            signal.connect(self._rows_changed)

    def _rows_changed(self, *_args) -> None:
        self._stale = True
        self.schedule_fit()

    # -- measuring -----------------------------------------------------------------------------
    def _cell_widths(self) -> tuple[list[int], list[int]]:
        """Per column: the width of its longest text on one line, and of its longest word."""
        header = self.header()
        margin = 2 * text_margin(self) + 2
        natural = [header.sectionSizeHint(c) for c in range(self.columnCount())]
        minimum = list(natural)  # a heading is never cut
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            for column in range(self.columnCount()):
                text = item.text(column)
                if not text:
                    continue
                metrics = QFontMetrics(item.font(column))
                natural[column] = max(natural[column], metrics.horizontalAdvance(text) + margin)
                longest = max((metrics.horizontalAdvance(word) for word in text.split()), default=0)
                minimum[column] = max(minimum[column], longest + margin)
        return natural, minimum

    def fit_columns(self) -> None:
        """Share the viewport's width between the columns; rows grow to their wrapped text."""
        self._pending = False
        self._stale = False
        if self.columnCount() == 0:
            return
        width = self.viewport().width()
        natural, minimum = self._cell_widths()
        header = self.header()
        shown = [column for column in range(self.columnCount()) if not header.isSectionHidden(column)]
        sizes = share_width([natural[c] for c in shown], [minimum[c] for c in shown], width)
        for column, size in zip(shown, sizes):  # a hidden column gives its width to the others
            if header.sectionSize(column) != size:
                header.resizeSection(column, size)
        self._fitted_width = width
        self.doItemsLayout()  # the row heights follow the new column widths
        self.fitted.emit()

    def schedule_fit(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._fit_if_changed)

    def _fit_if_changed(self) -> None:
        if self._pending and (self._stale or self.viewport().width() != self._fitted_width):
            self.fit_columns()
        self._pending = False

    def rows_height(self) -> int:
        """The height of every row as laid out now (after fit_columns)."""
        return sum(self.visualItemRect(self.topLevelItem(row)).height() for row in range(self.topLevelItemCount()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.schedule_fit()

    def add_row(self, values: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(values)
        self.addTopLevelItem(item)
        return item
