"""A hidden start mode for the packaged app's smoke test: with FIELDAPP_SCREENSHOT=FILE set, the app
starts as usual, lets the window paint, saves it as a PNG to FILE and quits (status 0 if saved).

It proves that the frozen program finds its Qt plugins, fonts and translations; nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from fieldapp.fileio import atomic_write

ENVIRONMENT_VARIABLE = "FIELDAPP_SCREENSHOT"
# Long enough for the first paint and the deferred work of a page, short enough for CI.
DELAY_MS = 1500


def png_bytes(widget: QWidget) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        return b""
    buffer.close()
    return bytes(data)


def install(window: QWidget, delay_ms: int = DELAY_MS) -> bool:
    """If the variable is set, schedule the screenshot of `window` and the exit. True if scheduled."""
    target = os.environ.get(ENVIRONMENT_VARIABLE)
    if not target:
        return False

    def shoot() -> None:
        data = png_bytes(window)
        if data:
            atomic_write(Path(target), data)
        QApplication.exit(0 if data else 1)

    QTimer.singleShot(delay_ms, shoot)
    return True
