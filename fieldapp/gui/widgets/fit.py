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


def share_width(natural: list[int], minimum: list[int], available: int) -> list[int]:
    """Column widths for `available` pixels: each column its natural width when they all fit
    (the last one takes what is left); otherwise the widest give way first, down to a common
    cap but never under their minimum (the longest word, the heading), so short columns (dates,
    codes) stay whole and long texts wrap. Wider than `available` only when the minimums are."""
    if not natural:
        return []
    natural = [max(0, n) for n in natural]
    minimum = [min(max(0, m), n) for m, n in zip(minimum, natural)]
    if sum(natural) <= available:
        widths = list(natural)
        widths[-1] += available - sum(natural)
        return widths
    if sum(minimum) >= available:
        return list(minimum)

    def total(cap: int) -> int:
        return sum(max(m, min(n, cap)) for m, n in zip(minimum, natural))

    low, high = 0, max(natural)  # total(low) <= available < total(high)
    while high - low > 1:
        middle = (low + high) // 2
        if total(middle) <= available:
            low = middle
        else:
            high = middle
    widths = [max(m, min(n, low)) for m, n in zip(minimum, natural)]
    # The pixels the whole-number cap leaves go to the columns still narrower than their text.
    spare = available - sum(widths)
    for index in range(len(widths)):
        if spare <= 0:
            break
        if widths[index] < natural[index]:
            widths[index] += 1
            spare -= 1
    widths[-1] += max(0, spare)
    return widths
