"""No file-dialog history outside the vault: Qt's own settings are put back after a dialog closes."""

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from fieldapp.gui.app import create_application
from fieldapp.gui.dialog_history import DialogHistoryGuard


def _conf_text() -> str:
    path = QSettings(QSettings.Scope.UserScope, "QtProject").fileName()
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _close_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QFileDialog):
            widget.reject()


def test_a_closed_file_dialog_leaves_no_folder_in_qt_settings(qapp, tmp_path):
    assert isinstance(create_application([]).dialog_history_guard, DialogHistoryGuard)  # the app has one
    secret = tmp_path / "MONUSCO-Beni-survivors"
    secret.mkdir()
    guard = DialogHistoryGuard(qapp)
    QTimer.singleShot(200, _close_dialogs)
    QFileDialog.getSaveFileName(None, "Save", str(secret / "sheet.pdf"),
                                options=QFileDialog.Option.DontUseNativeDialog)
    assert "MONUSCO-Beni-survivors" in _conf_text()  # what Qt itself does when a dialog closes
    guard.restore()  # what the app does as soon as its window has the focus again
    assert "MONUSCO-Beni-survivors" not in _conf_text()
    guard.deleteLater()
