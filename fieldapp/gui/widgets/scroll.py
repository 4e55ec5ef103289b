"""A frameless area that scrolls only up and down: how a page or a form fits a 1366×768 or a
1024×600 screen without ever scrolling sideways."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def vertical_scroll(content: QWidget, area: QScrollArea | None = None) -> QScrollArea:
    """`area` (a plain QScrollArea by default) set up to hold `content` at the area's width."""
    area = area if area is not None else QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area
