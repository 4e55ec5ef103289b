"""The clock warning of docs/DESIGN.md 5 in the window: shown right after unlock, before any record
can be written, when the laptop's clock reads earlier than the release of the app."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from fieldapp.gui.main_window import MainWindow
from fieldapp.store.vault import Vault
from fieldapp.core import hlc
from tests.conftest import PASSPHRASE

JAN_2000_MS = 946_684_800_000


def unlock(qtbot, context, path) -> MainWindow:
    window = MainWindow(context, Vault(path))
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.unlock_screen.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    return window


def test_a_laptop_clock_reset_to_2000_is_told_at_unlock(qtbot, context, vault_copy, monkeypatch):
    monkeypatch.setattr(hlc, "_physical_ms", lambda: JAN_2000_MS)  # a dead CMOS battery
    window = unlock(qtbot, context, vault_copy[0])
    box = window.clock_warning
    qtbot.waitUntil(box.isVisible, timeout=3000)
    assert box.isModal() and box.windowTitle() == "Check this laptop's clock"
    assert "earlier than the release of this version of fieldapp" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not box.isVisible()
    window.lock()
    window.vault.release()


def test_no_warning_when_the_clock_is_right(qtbot, context, vault_copy):
    window = unlock(qtbot, context, vault_copy[0])
    assert getattr(window, "clock_warning", None) is None
    window.lock()
    window.vault.release()
