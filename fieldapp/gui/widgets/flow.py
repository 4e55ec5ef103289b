"""Layouts that give way on a small screen instead of pushing the window wider.

FlowLayout puts its widgets in a row and wraps them onto the next line when the row is too
narrow (the filters of a list). Columns shows form grids side by side when there is room and one
under the other when there is not, so a form never scrolls sideways at 1024 pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QLayout, QSizePolicy, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Widgets left to right, wrapping; an item added with stretch=True takes the rest of its line."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items = []
        self._stretch: set[int] = set()
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def add_widget(self, widget: QWidget, stretch: bool = False) -> None:
        self.addWidget(widget)
        if stretch:
            self._stretch.add(id(self._items[-1]))

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - as QBoxLayout's
        """`widget` before the item at `index` (a page's own button before New)."""
        self.addChildWidget(widget)
        self._items.insert(index if 0 <= index <= len(self._items) else len(self._items), QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = sum(item.sizeHint().width() for item in self._visible()) + self.spacing() * max(0, len(self._visible()) - 1)
        height = max((item.sizeHint().height() for item in self._visible()), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self):
        return [item for item in self._items if item.widget() is None or not item.widget().isHidden()]

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        lines: list[list] = [[]]
        used = 0
        for item in self._visible():
            width = item.sizeHint().width()
            if lines[-1] and used + self.spacing() + width > area.width():
                lines.append([])
                used = 0
            used += (self.spacing() if lines[-1] else 0) + width
            lines[-1].append(item)
        y = area.y()
        for line in lines:
            height = max((item.sizeHint().height() for item in line), default=0)
            spare = area.width() - sum(item.sizeHint().width() for item in line) - self.spacing() * max(0, len(line) - 1)
            stretchers = [item for item in line if id(item) in self._stretch]
            x = area.x()
            for item in line:
                width = item.sizeHint().width()
                if stretchers and item in stretchers:
                    width += max(0, spare) // len(stretchers)
                width = min(width, area.width())
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - item.sizeHint().height()) // 2),
                                           QSize(width, item.sizeHint().height())))
                x += width + self.spacing()
            y += height + self.spacing()
        return y - self.spacing() - area.y() + margins.top() + margins.bottom() if lines[0] else 0


class Columns(QWidget):
    """Form grids side by side when `fit_width` says there is room, else one under the other."""

    def __init__(self, widgets: list[QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._widgets = widgets
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(18)
        for widget in widgets:
            self._layout.addWidget(widget, 1, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def side_by_side_width(self) -> int:
        return sum(widget.minimumSizeHint().width() for widget in self._widgets) + \
            self._layout.spacing() * (len(self._widgets) - 1)

    def fit_width(self, width: int) -> None:
        """Lay out for `width` pixels (the viewport of the form's scroll area)."""
        wanted = (QBoxLayout.Direction.LeftToRight if width >= self.side_by_side_width()
                  else QBoxLayout.Direction.TopToBottom)
        if wanted != self._layout.direction():
            self._layout.setDirection(wanted)
