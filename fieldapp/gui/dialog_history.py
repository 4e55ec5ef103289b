"""Qt's file dialogs keep the folders they visited in Qt's own settings (QtProject.conf in the
user's config folder, the registry on Windows), outside the vault and readable by anyone who has
the disk. This puts those settings back as they were before the app started, each time one of
the app's windows is focused again (a file dialog has just closed) and at exit."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication

GROUP = "FileDialog"


def _settings() -> QSettings:
    return QSettings(QSettings.Scope.UserScope, "QtProject")


class DialogHistoryGuard(QObject):
    def __init__(self, app: QApplication):
        super().__init__(app)
        self._before = self._read()
        app.focusWindowChanged.connect(lambda _window: self.restore())
        app.aboutToQuit.connect(self.restore)

    @staticmethod
    def _read() -> dict:
        settings = _settings()
        settings.beginGroup(GROUP)
        values = {key: settings.value(key) for key in settings.allKeys()}
        settings.endGroup()
        return values

    def restore(self) -> None:
        if self._read() == self._before:
            return
        settings = _settings()
        settings.beginGroup(GROUP)
        settings.remove("")
        for key, value in self._before.items():
            settings.setValue(key, value)
        settings.endGroup()
        settings.sync()
