"""Backup and restore from the File menu: "Back up the vault…" writes one encrypted file (in a
worker, with progress), "Restore a backup…" brings one back into a new folder and offers to open it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QProcess
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton, QRadioButton, QVBoxLayout,
                               QWidget)

from fieldapp.gui.context import AppContext
from fieldapp.gui.workers import Worker, error_message
from fieldapp.i18n import _, format_number
from fieldapp.paths import app_command, default_vault_dir

if TYPE_CHECKING:
    from fieldapp.store.backup import BackupSummary

SUFFIX = ".fieldbackup"


def _file_filter() -> str:
    return _("fieldapp backups (*{suffix});;All files (*)").format(suffix=SUFFIX)


def _counts(summary: BackupSummary) -> str:
    return _("{referrals} referrals, {alerts} alerts, {trainings} trainings, {providers} providers").format(
        **{key: format_number(summary.counts.get(key, 0)) for key in ("referrals", "alerts", "trainings", "providers")})


def suggested_target() -> Path:
    """The usual vault folder on a new laptop; beside it when this laptop already has a vault."""
    usual = default_vault_dir()
    if not usual.exists() or not any(usual.iterdir()):
        return usual
    candidate = usual.with_name(f"{usual.name}-restored-{date.today():%Y%m%d}")
    number = 2
    while candidate.exists():
        candidate = usual.with_name(f"{usual.name}-restored-{date.today():%Y%m%d}-{number}")
        number += 1
    return candidate


class BackupActions(QObject):
    """The two File-menu entries, enabled and translated as the window locks, unlocks and switches language."""

    def __init__(self, window: QMainWindow, context: AppContext, menu):
        super().__init__(window)
        self.window, self.context = window, context
        self.worker: Worker | None = None
        self.backing_up = False
        self.message_box: QMessageBox | None = None
        self.backup_action = QAction(window)
        self.backup_action.triggered.connect(self.back_up)
        self.restore_action = QAction(window)
        self.restore_action.triggered.connect(self.restore)
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.backup_action)
        menu.insertAction(first, self.restore_action)
        menu.insertSeparator(first)
        context.unlocked.connect(self.update)
        context.locked.connect(self._locked)
        context.language_changed.connect(self.retranslate)
        self.retranslate()
        self.update()

    def retranslate(self) -> None:
        self.backup_action.setText(_("&Back up the vault…"))
        self.restore_action.setText(_("&Restore a backup…"))

    def update(self) -> None:
        self.backup_action.setEnabled(self.context.is_unlocked and self.worker is None)

    def _locked(self) -> None:
        # A backup or restore under way is stopped by the lock itself (AppContext.drop_session).
        self.update()

    # -- backup --------------------------------------------------------------------------------
    def suggested_name(self) -> str:
        session = self.context.session
        return f"{session.office_code or 'fieldapp'}-{date.today():%Y%m%d}{SUFFIX}"

    def back_up(self) -> None:
        if not self.context.is_unlocked or self.worker is not None:
            return
        path, _filter = QFileDialog.getSaveFileName(self.window, _("Back up the vault"),
                                                    str(Path.home() / self.suggested_name()), _file_filter())
        if path:
            self.start_backup(Path(path))

    def start_backup(self, path: Path) -> Worker:
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        from fieldapp.store.backup import write_backup  # imported when first used: quicker start-up

        session = self.context.session
        self.worker = self.context.jobs.run_with_progress(
            self.window, _("Back up the vault"),
            lambda report, cancelled: write_backup(session, path, report, cancelled),
            on_done=self._backed_up, on_error=self._failed, on_cancelled=self._finished,
            label=_("Writing {file}…").format(file=path.name))
        self.backing_up = True
        self.update()
        return self.worker

    def _backed_up(self, summary: BackupSummary) -> None:
        self._finished()
        self._tell(QMessageBox.Icon.Information, _("Back up the vault"), _(
            "Backup written to {file} ({size} MB): {counts}.\n\nIt opens only with a user's passphrase or the "
            "recovery key. Keep it away from this laptop: on another drive or a USB stick in a safe place.").format(
            file=summary.path, size=format_number(round(summary.size / 1e6, 1)), counts=_counts(summary)))

    def _failed(self, error: BaseException) -> None:
        self._finished()
        self._tell(QMessageBox.Icon.Warning, self.window.windowTitle(), error_message(error))

    def _finished(self) -> None:
        self.worker = None
        self.backing_up = False
        self.update()

    def _tell(self, icon, title: str, text: str, buttons=QMessageBox.StandardButton.Ok) -> QMessageBox:
        # Window-modal but not blocking: the event loop (auto-lock, quick exit) keeps running.
        self.message_box = QMessageBox(icon, title, text, buttons, self.window)
        self.message_box.open()
        return self.message_box

    # -- restore -------------------------------------------------------------------------------
    def restore(self) -> None:
        dialog = RestoreDialog(self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_restore(**dialog.values())
        dialog.deleteLater()

    def start_restore(self, source: Path, target: Path, passphrase: str | None, recovery_key: str | None,
                      user: str | None) -> Worker:
        from fieldapp.store.backup import restore_backup  # imported when first used: quicker start-up

        self.worker = self.context.jobs.run_with_progress(
            self.window, _("Restore a backup"),
            lambda report, cancelled: restore_backup(source, target, passphrase=passphrase, recovery_key=recovery_key,
                                                     user=user, progress=report, is_cancelled=cancelled),
            on_done=self._restored, on_error=self._failed, on_cancelled=self._finished,
            label=_("Checking and restoring {file}…").format(file=source.name))
        self.update()
        return self.worker

    def _restored(self, summary: BackupSummary) -> None:
        self._finished()
        box = self._tell(QMessageBox.Icon.Question, _("Restore a backup"), _(
            "{site} is restored into {path} and verified: {counts}.\n\nOpen it now in a new window?").format(
            site=summary.site_name, path=summary.path, counts=_counts(summary)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.buttonClicked.connect(lambda button: box.standardButton(button) == QMessageBox.StandardButton.Yes
                                  and self.open_in_new_window(summary.path))

    @staticmethod
    def open_in_new_window(path: Path) -> bool:
        command = app_command()
        return QProcess.startDetached(command[0], [*command[1:], "--vault", str(path)])[0]


class RestoreDialog(QDialog):
    """Which backup, which new folder, and the key that opens it (a passphrase or the recovery key)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Restore a backup"))
        self.setMinimumWidth(560)
        intro = QLabel(_("The backup is restored into a new, empty folder; the vault you have open is not "
                         "touched. Give the passphrase of any user of the backup, or its recovery key."))
        intro.setWordWrap(True)
        self.source = QLineEdit()
        self.target = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.recovery_key = QLineEdit()
        self.recovery_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.recovery_key.setPlaceholderText("AGE-SECRET-KEY-1…")
        self.user = QLineEdit()
        self.user.setPlaceholderText(_("optional: who restores with the recovery key"))
        self.by_passphrase = QRadioButton(_("With a passphrase"))
        self.by_recovery = QRadioButton(_("With the recovery key"))
        self.by_passphrase.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_passphrase)
        group.addButton(self.by_recovery)
        group.buttonToggled.connect(self._update)

        form = QFormLayout()
        form.addRow(_("Backup file:"), self._with_button(self.source, self._choose_source))
        form.addRow(_("New vault folder:"), self._with_button(self.target, self._choose_target))
        form.addRow(self.by_passphrase)
        form.addRow(_("Passphrase:"), self.passphrase)
        form.addRow(self.by_recovery)
        form.addRow(_("Recovery key:"), self.recovery_key)
        form.addRow(_("User:"), self.user)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(_("Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._update()

    def _with_button(self, edit: QLineEdit, choose) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        button = QPushButton(_("Browse…"))
        button.clicked.connect(choose)
        box.addWidget(button)
        return row

    def _choose_source(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Backup file"), str(Path.home()), _file_filter())
        if path:
            self.source.setText(path)
            if not self.target.text():
                self.target.setText(str(suggested_target()))

    def _choose_target(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("New vault folder"), str(Path.home()))
        if path:
            self.target.setText(path)

    def _update(self) -> None:
        by_passphrase = self.by_passphrase.isChecked()
        self.passphrase.setEnabled(by_passphrase)
        self.recovery_key.setEnabled(not by_passphrase)
        self.user.setEnabled(not by_passphrase)

    def problem_text(self) -> str | None:
        if not self.source.text().strip():
            return _("Choose the backup file.")
        if not Path(self.source.text().strip()).is_file():
            return _("There is no file {file}.").format(file=self.source.text().strip())
        if not self.target.text().strip():
            return _("Choose a new folder for the restored vault.")
        target = Path(self.target.text().strip())
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            return _("{path} is not empty: choose a new folder.").format(path=target)
        if self.by_passphrase.isChecked() and not self.passphrase.text():
            return _("Type the passphrase.")
        if self.by_recovery.isChecked() and not self.recovery_key.text().strip():
            return _("Type or paste the recovery key.")
        return None

    def _accept(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or "")
        if problem is None:
            self.accept()

    def values(self) -> dict:
        by_passphrase = self.by_passphrase.isChecked()
        return {"source": Path(self.source.text().strip()), "target": Path(self.target.text().strip()),
                "passphrase": self.passphrase.text() if by_passphrase else None,
                "recovery_key": None if by_passphrase else self.recovery_key.text().strip(),
                "user": None if by_passphrase else (self.user.text().strip() or None)}
