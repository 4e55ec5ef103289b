"""Windows open at a size that fits the laptop they are on."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Open at width × height, or smaller to fit the screen's free area (a laptop at 125 % or
    150 % scaling has far fewer logical pixels), never under a taskbar."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    free = screen.availableGeometry()
    frame_width, title_height = 16, 32  # window borders and title bar, drawn outside the geometry
    window.resize(min(width, free.width() - frame_width), min(height, free.height() - title_height))
    if window.parentWidget() is not None:
        return  # a dialog: Qt centres it on its window when shown, keeping it on the screen
    top_left = free.topLeft() + QPoint((free.width() - window.width()) // 2, max(0, (free.height() - title_height
                                                                                     - window.height()) // 2))
    window.move(top_left)
