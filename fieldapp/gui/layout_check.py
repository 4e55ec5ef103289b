"""Does a window fit? Texts cut short and buttons out of sight, as a person would see them.

Used by the fit tests and by the screenshots tool (which prints what it finds), at the sizes of
the field laptops: 1366×768 and 1024×600 screens, less a taskbar and a title bar.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QCheckBox, QComboBox,
                               QHeaderView, QLabel, QListWidget, QPushButton, QRadioButton, QStyle, QStyleOptionComboBox,
                               QTreeWidget, QWidget)

TASKBAR = 40
TITLE_BAR = 30
SCREENS = {"1366x768": (1366, 768), "1024x600": (1024, 600)}


def window_size(screen: str) -> tuple[int, int]:
    """The room a maximised window gets on that screen."""
    width, height = SCREENS[screen]
    return width, height - TASKBAR - TITLE_BAR


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0


def _name(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    label = text() if callable(text) else ""
    return f"{type(widget).__name__} {label!r}" if label else type(widget).__name__


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def cut_texts(top: QWidget) -> list[str]:
    """Every visible text the window shows cut short: labels, buttons, check boxes, drop-downs,
    column headers, and the cells of small lists (Home, a referral's services)."""
    found = []
    for label in top.findChildren(QLabel):
        if not _shown(label, top) or label.wordWrap() or not label.text() or label.textFormat().name == "RichText":
            continue
        if label.text().lstrip().startswith("<"):
            continue
        needed = max(label.fontMetrics().horizontalAdvance(line) for line in _plain(label.text()).splitlines() or [""])
        room = label.contentsRect().width() - 2 * label.margin() - label.indent() if label.indent() > 0 else \
            label.contentsRect().width() - 2 * label.margin()
        if needed > room + 1:
            found.append(f"{_name(label)}: needs {needed} px, has {room}")
    for button in top.findChildren(QAbstractButton):
        if not _shown(button, top) or not button.text() or not isinstance(button, (QPushButton, QCheckBox,
                                                                                   QRadioButton)):
            continue
        if button.sizeHint().width() > button.width() + 1:
            found.append(f"{_name(button)}: needs {button.sizeHint().width()} px, has {button.width()}")
    for combo in top.findChildren(QComboBox):
        if not _shown(combo, top) or combo.isEditable() or not combo.currentText():
            continue
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, combo).width()
        needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
        if needed > room + 1:
            found.append(f"QComboBox {combo.currentText()!r}: needs {needed} px, has {room}")
    for header in top.findChildren(QHeaderView):
        if not _shown(header, top) or header.orientation() != Qt.Orientation.Horizontal or header.model() is None:
            continue
        for section in range(header.count()):
            if header.isSectionHidden(section) or header.sectionSize(section) == 0:
                continue
            text = str(header.model().headerData(section, header.orientation()) or "")
            # Qt's own measure of the title, its margins and the sort arrow.
            needed = header.sectionSizeHint(section)
            if text and needed > header.sectionSize(section) + 1:
                found.append(f"column {text!r}: needs {needed} px, has {header.sectionSize(section)}")
    for tree in top.findChildren(QTreeWidget):
        if not _shown(tree, top):
            continue
        header = tree.header()
        if tree.wordWrap():
            found += _cut_wrapped_cells(tree)
            continue
        for column in range(tree.columnCount()):
            needed = tree.sizeHintForColumn(column)
            if needed > header.sectionSize(column) + 1:
                found.append(f"cells of column {column} of a list: need {needed} px, have {header.sectionSize(column)}")
    return found


def _lines(text: str, font, width: int) -> tuple[int, float]:
    """How many lines Qt's text layout needs for `text` at `width`, and its widest line."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines, widest = 0, 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines += 1
        widest = max(widest, line.naturalTextWidth())
    layout.endLayout()
    return lines, widest


def _cut_wrapped_cells(tree: QTreeWidget) -> list[str]:
    """Cells of a list whose text wraps: cut if a word is wider than the column or the lines
    need more height than the row has (Qt then ends the last line with "…")."""
    found = []
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    header = tree.header()
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        height = tree.visualItemRect(item).height()
        for column in range(tree.columnCount()):
            text = item.text(column)
            if not text or header.isSectionHidden(column):
                continue
            room = header.sectionSize(column) - 2 * margin
            font = item.font(column)
            lines, widest = _lines(text, font, room)
            needed = lines * QFontMetrics(font).height()
            if widest > room + 1 or needed > height:
                found.append(f"cell {text!r} of a list: needs {lines} line(s) of {int(widest)} px, "
                             f"has {room} px × {height} px")
                break
    return found


def outside(top: QWidget, widgets: list[QWidget]) -> list[str]:
    """Which of `widgets` a person cannot see whole without scrolling sideways or resizing."""
    found = []
    window = QRect(QPoint(0, 0), top.size())
    for widget in widgets:
        if not widget.isVisibleTo(top):
            found.append(f"{_name(widget)}: hidden")
            continue
        corner = widget.mapTo(top, QPoint(0, 0))
        rect = QRect(corner, widget.size())
        if not window.contains(rect):
            found.append(f"{_name(widget)}: at {rect.getRect()}, window {window.width()}×{window.height()}")
            continue
        # Inside the window but scrolled out of a scroll area's viewport counts as out of sight.
        parent = widget.parentWidget()
        while parent is not None and parent is not top:
            if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QAbstractItemView):
                viewport = parent.viewport()
                inner = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
                if not viewport.rect().contains(inner):
                    found.append(f"{_name(widget)}: scrolled out of sight")
                break
            parent = parent.parentWidget()
    return found


def sideways_scrolling(top: QWidget) -> list[str]:
    """Scroll areas (forms, pages; not tables) that make a person scroll sideways."""
    found = []
    for area in top.findChildren(QAbstractScrollArea):
        # Tables of records may scroll sideways; the small lists (Home, the navigation) may not.
        if isinstance(area, QAbstractItemView) and not isinstance(area, (QTreeWidget, QListWidget)):
            continue
        if not _shown(area, top):
            continue
        bar = area.horizontalScrollBar()
        if bar.maximum() > 0 and bar.isVisible():
            found.append(f"{type(area).__name__} in {type(area.parentWidget()).__name__}: "
                         f"scrolls sideways by {bar.maximum()} px")
    return found
