"""Locking: by inactivity, Ctrl+L, quick exit (Ctrl+Shift+Q, Esc three times); then no widget
or model holds a record and the key is gone. Copied record text leaves the clipboard."""

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QTextEdit)

from fieldapp.domain.records import Referral
from fieldapp.errors import VaultError
from fieldapp.gui import protection as protection_module
from fieldapp.gui.protection import clear_sensitive_clipboard, copy_sensitive

NOW = datetime.now(timezone.utc)


@pytest.fixture
def shown(window, session, context):
    """Home showing one urgent referral, as an adviser would see it."""
    record = Referral(survivor_code="BNI-2026-0042", reported_at=NOW - timedelta(minutes=3),
                      incident_date=NOW.date(), incident_type="rape", sex="female", age_group="18-59",
                      displacement="idp", disability="no", perpetrator_category="unknown", entry_point="self")
    context.records_changed.emit(session.referrals.create(record))
    assert window.pages[0].urgent.tree.topLevelItemCount() == 1
    assert any("BNI-2026-0042" in text for text in strings_in(window))  # what locking must wipe
    return window


def strings_in(window) -> list[str]:
    """Every text the window's widgets and item models hold, shown or not."""
    texts = [label.text() for label in window.findChildren(QLabel)]
    texts += [edit.text() for edit in window.findChildren(QLineEdit)]
    texts += [edit.toPlainText() for edit in window.findChildren(QPlainTextEdit)]
    texts += [edit.toPlainText() for edit in window.findChildren(QTextEdit)]

    def walk(model, parent, depth=0):
        try:
            columns = model.columnCount(parent)
        except TypeError:  # list models keep columnCount private: one column
            columns = 1
        for row in range(min(model.rowCount(parent), 500)):
            for column in range(columns):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if value is not None:
                        texts.append(str(value))
            if depth < 3:
                walk(model, model.index(row, 0, parent), depth + 1)

    for model in window.findChildren(QAbstractItemModel):
        walk(model, QModelIndex())
    return texts


def assert_locked_and_empty(window, session, context):
    # Closed dialogs are deleted as soon as the event loop runs again.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not context.is_unlocked
    assert session.locked and all(byte == 0 for byte in session._key)
    with pytest.raises(VaultError):
        session.connection
    assert window.stack.currentWidget() is window.unlock_screen
    assert window.pages[0].urgent.tree.topLevelItemCount() == 0
    # Neither the survivor code nor the site shows anywhere, in any page, model, form or label.
    leaks = [text for text in strings_in(window) if "BNI-2026" in text or "Beni field office" in text]
    assert not leaks
    assert window.status.text() == "Locked" and window.windowTitle() == "fieldapp"


def test_locks_after_inactivity(qtbot, shown, session, context):
    shown.protection.set_timeout_seconds(0.3)
    qtbot.waitUntil(lambda: not context.is_unlocked, timeout=3000)
    assert_locked_and_empty(shown, session, context)


def test_input_postpones_the_inactivity_lock(qtbot, shown, context):
    shown.protection.set_timeout_seconds(0.4)
    nav = shown.nav.viewport()
    for step in range(8):
        qtbot.mouseMove(nav, QPoint(10 + step, 10 + step))
        qtbot.wait(100)
    assert context.is_unlocked
    qtbot.waitUntil(lambda: not context.is_unlocked, timeout=3000)


def test_ctrl_l_locks(qtbot, shown, session, context):
    shown.activateWindow()
    shown.nav.setFocus()
    qtbot.keyClick(shown.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert_locked_and_empty(shown, session, context)


def test_quick_exit_with_ctrl_shift_q_closes_dialogs_and_locks(qtbot, shown, session, context):
    box = QMessageBox(QMessageBox.Icon.Question, "Delete", "Delete BNI-2026-0042?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, shown)
    box.open()
    qtbot.waitUntil(box.isVisible)
    qtbot.keyClick(box, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert_locked_and_empty(shown, session, context)
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible() and isinstance(w, QMessageBox)]
    assert shown.isMinimized()


def test_quick_exit_with_escape_three_times(qtbot, shown, session, context):
    shown.nav.setFocus()
    qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
    qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
    assert context.is_unlocked
    # Delivered through the window like a real key press (window, then focus widget, then parents):
    # still counted once.
    qtbot.keyClick(shown.windowHandle(), Qt.Key.Key_Escape)
    assert_locked_and_empty(shown, session, context)


def test_escape_presses_too_far_apart_or_interrupted_do_not_quit(qtbot, shown, context, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(protection_module, "_clock", lambda: clock[0])
    shown.nav.setFocus()
    for _ in range(3):
        qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
        clock[0] += 1.5  # three presses over 3 s: never three within 2 s
    assert context.is_unlocked
    clock[0] += 5
    qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
    qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
    qtbot.keyClick(shown.nav, Qt.Key.Key_Down)  # typing in between starts the count again
    qtbot.keyClick(shown.nav, Qt.Key.Key_Escape)
    assert context.is_unlocked


def test_copied_record_text_leaves_the_clipboard(qtbot, shown, context):
    clipboard = QGuiApplication.clipboard()
    copy_sensitive("BNI-2026-0042", seconds=0.2)
    assert clipboard.text() == "BNI-2026-0042"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=2000)

    copy_sensitive("BNI-2026-0042", seconds=0.2)
    clipboard.setText("my own note")  # something the user copied since: left alone
    qtbot.wait(400)
    assert clipboard.text() == "my own note"

    copy_sensitive("BNI-2026-0043", seconds=30)
    shown.lock()
    assert clipboard.text() == ""
    clear_sensitive_clipboard()


def test_auto_lock_minutes_are_remembered_per_user(qtbot, shown, session):
    from PySide6.QtCore import QTimer

    from fieldapp.gui.protection import LockSettingsDialog

    def set_twelve():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LockSettingsDialog))
        assert dialog.minutes.minimum() == 1 and dialog.minutes.maximum() == 60
        assert dialog.minutes.value() == 5
        dialog.minutes.setValue(12)
        dialog.accept()

    QTimer.singleShot(0, set_twelve)
    shown.edit_protection_settings()
    assert session.user_settings()["auto_lock_minutes"] == 12
    assert shown.protection.timeout_seconds == 12 * 60


def test_ctrl_l_locks_from_inside_a_modal_dialog(qtbot, shown, session, context):
    box = QMessageBox(QMessageBox.Icon.Question, "Delete", "Delete BNI-2026-0042?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, shown)
    box.open()
    qtbot.waitUntil(box.isVisible)
    qtbot.keyClick(box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert_locked_and_empty(shown, session, context)
    assert not shown.isMinimized()  # a plain lock leaves the window where it is


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs Xvfb (xvfb-run)")
def test_lock_clears_the_x11_primary_selection(vault_copy):
    """A search typed and selected in the window is X11's PRIMARY selection, readable by any
    program on the display (a middle click pastes it): after Ctrl+L it is gone."""
    path, recovery_key = vault_copy
    probe = Path(__file__).resolve().parents[1] / "selection_probe.py"
    environment = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    environment["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, str(probe), str(path),
                           "amina", recovery_key], capture_output=True, text=True, env=environment, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("'")]
    assert lines == ["'BNI-2026-0042'", "''"], done.stdout + done.stderr


def test_the_settings_dialog_sets_the_quick_delete_after_wrong_passphrases(qtbot, shown, session):
    """The option the command line had (quick-delete --after-failures): a person ticks it, types
    the number and presses Enter; the vault keeps it for the locked app, and unticking ends it."""
    from PySide6.QtCore import QTimer

    from fieldapp.gui.protection import LockSettingsDialog

    seen = {}

    def choose(number: str | None):
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LockSettingsDialog))
        try:
            seen["checked"], seen["enabled"] = dialog.delete_box.isChecked(), dialog.failures.isEnabled()
            seen["warning"] = dialog.warning.isVisible() and "destroyed" in dialog.warning.text()
            qtbot.keyClick(dialog.delete_box, Qt.Key.Key_Space)  # ticks or unticks it
            target = dialog.delete_box
            if number is not None:
                target = dialog.failures.lineEdit()
                qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                qtbot.keyClicks(target, number)
            qtbot.keyClick(target, Qt.Key.Key_Return)  # the dialog's default button: OK
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, lambda: choose("4"))
    shown.edit_protection_settings()
    assert seen == {"checked": False, "enabled": False, "warning": True}
    assert session.vault.attempts.read().delete_after == 4
    assert session.audit.entries(limit=1)[0].action == "quick_delete_option"

    QTimer.singleShot(0, lambda: choose(None))  # shown ticked with 4; unticked, Enter
    shown.edit_protection_settings()
    assert seen["checked"] and seen["enabled"]
    assert session.vault.attempts.read().delete_after == 0
