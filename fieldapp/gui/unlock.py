"""The unlock screen: user and passphrase, or the recovery key and a new passphrase.

Key derivation (scrypt, about 2 s) runs in a worker so the window never freezes. After five
failed passphrases each further try waits longer; the count lives in a small file in the
vault folder, so closing and restarting the app does not reset it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from fieldapp.errors import FieldappError, VaultBusy, WrongPassphrase
from fieldapp.fileio import atomic_write
from fieldapp.gui.passphrase import PassphrasePair
from fieldapp.gui.workers import Worker, error_message, start_key_work
from fieldapp.i18n import _, ngettext
from fieldapp.store.vault import Vault, normalise_recovery_key

ATTEMPTS_FILE = "unlock-attempts.json"
FREE_ATTEMPTS = 5
FIRST_WAIT, MAX_WAIT = 15.0, 900.0
ERROR_STYLE = "color: #b00020; font-weight: bold;"


class UnlockThrottle:
    """Failed passphrase attempts of a vault folder and how long the next try must wait.

    After FREE_ATTEMPTS failures the wait starts at 15 s and doubles with each failure, up to 15
    minutes. Wall-clock time is stored so a restart keeps waiting; a clock moved backwards
    never makes the wait longer than its full length.
    """

    def __init__(self, vault_path: Path):
        self.path = Path(vault_path) / ATTEMPTS_FILE

    def _read(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return max(0, int(data.get("failures", 0))), float(data.get("last_failure", 0.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return 0, 0.0

    @property
    def failures(self) -> int:
        return self._read()[0]

    @staticmethod
    def wait_after(failures: int) -> float:
        if failures < FREE_ATTEMPTS:
            return 0.0
        return min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - FREE_ATTEMPTS))

    def seconds_to_wait(self) -> float:
        failures, last = self._read()
        full = self.wait_after(failures)
        if not full:
            return 0.0
        return max(0.0, min(full, full - (time.time() - last)))

    def record_failure(self) -> int:
        failures = self._read()[0] + 1
        self._write(failures, time.time())
        return failures

    def reset(self) -> None:
        if self.path.exists():
            self._write(0, 0.0)

    def _write(self, failures: int, last: float) -> None:
        try:
            atomic_write(self.path, json.dumps({"failures": failures, "last_failure": last}).encode())
        except OSError:
            pass  # a read-only vault folder must not stop anyone unlocking


class _Pages:
    """Two forms, one shown. Unlike a QStackedWidget, the short form does not take the height of
    the long one."""

    def __init__(self, *widgets: QWidget):
        self.widgets = widgets
        self._current = 0

    def currentIndex(self) -> int:  # noqa: N802 - reads like the Qt widget it replaces
        return self._current

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        self._current = index
        for position, widget in enumerate(self.widgets):
            widget.setVisible(position == index)


class UnlockScreen(QWidget):
    """Emits `unlocked(session)`. Shown by the main window whenever the vault is locked."""

    unlocked = Signal(object)

    def __init__(self, vault: Vault, parent: QWidget | None = None):
        super().__init__(parent)
        self.vault = vault
        self.throttle = UnlockThrottle(vault.path)
        self.worker: Worker | None = None
        self._last_error = ""
        self._wait_text = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        self.heading = QLabel()
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.6)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.folder = QLabel(str(vault.path))
        self.folder.setStyleSheet("color: palette(mid);")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("message")

        self.pages = _Pages(self._build_passphrase_page(), self._build_recovery_page())

        box = QWidget()
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.addWidget(self.heading)
        inner.addWidget(self.folder)
        inner.addSpacing(12)
        inner.addWidget(self.pages.widgets[0])
        inner.addWidget(self.pages.widgets[1])
        inner.addWidget(self.message)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(box)
        column.addStretch(2)
        outer.addLayout(column, 3)
        outer.addStretch(1)
        self.retranslate()
        self.reset()

    # -- building ----------------------------------------------------------------------------
    def _build_passphrase_page(self) -> QWidget:
        page = QWidget()
        self.user = QComboBox()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.forgot_button = QPushButton()
        self.forgot_button.setFlat(True)
        self.forgot_button.clicked.connect(self.show_recovery)
        self.user_label, self.passphrase_label = QLabel(), QLabel()
        self.user_label.setBuddy(self.user)
        self.passphrase_label.setBuddy(self.passphrase)
        form = QFormLayout()
        form.addRow(self.user_label, self.user)
        form.addRow(self.passphrase_label, self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.forgot_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return page

    def _build_recovery_page(self) -> QWidget:
        page = QWidget()
        self.recovery_intro = QLabel()
        self.recovery_intro.setWordWrap(True)
        self.recovery_key = QPlainTextEdit()
        self.recovery_key.setTabChangesFocus(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.recovery_key.setFont(mono)
        self.recovery_key.setFixedHeight(self.recovery_key.fontMetrics().lineSpacing() * 3 + 16)
        self.recovery_user = QComboBox()
        self.recovery_user.setEditable(True)
        self.new_passphrase = PassphrasePair()
        self.recover_button = QPushButton()
        self.recover_button.clicked.connect(self.try_recover)
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.show_passphrase)
        self.key_label, self.recovery_user_label = QLabel(), QLabel()
        self.key_label.setBuddy(self.recovery_key)
        self.recovery_user_label.setBuddy(self.recovery_user)
        form = QFormLayout()
        form.addRow(self.key_label, self.recovery_key)
        form.addRow(self.recovery_user_label, self.recovery_user)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.recover_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.recovery_intro)
        layout.addLayout(form)
        layout.addWidget(self.new_passphrase)
        layout.addLayout(buttons)
        return page

    def retranslate(self) -> None:
        self.heading.setText(_("The vault is locked"))
        self.user_label.setText(_("&User:"))
        self.passphrase_label.setText(_("&Passphrase:"))
        self.unlock_button.setText(_("&Unlock"))
        self.forgot_button.setText(_("&Forgot passphrase?"))
        self.recovery_intro.setText(_("Type the recovery key from the recovery sheet (spaces and line breaks do "
                                      "not matter), then choose the user and a new passphrase."))
        self.key_label.setText(_("Recovery &key:"))
        self.recovery_key.setPlaceholderText("AGE-SECRET-KEY-1…")
        self.recovery_user_label.setText(_("U&ser:"))
        self.recover_button.setText(_("&Open and set new passphrase"))
        self.back_button.setText(_("&Back"))
        self.new_passphrase.retranslate()
        self._show_wait()

    # -- state -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the passphrase form, nothing typed kept (shown again after each lock)."""
        self.passphrase.clear()
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.message.clear()
        users = self.vault.users()
        for combo in (self.user, self.recovery_user):
            current = combo.currentText()
            combo.clear()
            combo.addItems(users)
            if current in users:
                combo.setCurrentText(current)
        self.pages.setCurrentIndex(0)
        self._set_busy(False)
        self.check_not_open_elsewhere()
        self._show_wait()

    def focus_first_field(self) -> None:
        (self.passphrase if self.pages.currentIndex() == 0 else self.recovery_key).setFocus()

    def set_vault(self, vault: Vault) -> None:
        """The vault object that holds the lock (a new one after the first-run wizard)."""
        self.vault = vault
        self.throttle = UnlockThrottle(vault.path)

    def check_not_open_elsewhere(self) -> bool:
        """Take the vault's one-writer lock now, so a second window says so before any typing."""
        if not self.vault.exists():
            return True
        try:
            self.vault.acquire()
        except VaultBusy as error:
            self._error(str(error))
            return False
        except FieldappError as error:
            self._error(str(error))
            return False
        return True

    def show_recovery(self) -> None:
        self.recovery_user.setCurrentText(self.user.currentText())
        self.message.clear()
        self.pages.setCurrentIndex(1)
        self.recovery_key.setFocus()

    def show_passphrase(self) -> None:
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.message.clear()
        self.pages.setCurrentIndex(0)
        self._show_wait()
        self.passphrase.setFocus()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        for widget in (self.user, self.passphrase, self.forgot_button, self.recovery_key, self.recovery_user,
                       self.new_passphrase, self.recover_button, self.back_button):
            widget.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy and self.throttle.seconds_to_wait() <= 0)
        if busy:
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def _show_wait(self) -> None:
        """Disable Unlock and count down while the throttle says to wait."""
        wait = self.throttle.seconds_to_wait()
        if wait > 0 and self.worker is None:
            seconds = int(wait + 0.999)
            self.unlock_button.setEnabled(False)
            self._wait_text = ngettext("Too many wrong passphrases. Wait {n} second before the next try.",
                                       "Too many wrong passphrases. Wait {n} seconds before the next try.",
                                       seconds).format(n=seconds)
            if self.pages.currentIndex() == 0:
                self._error(f"{self._last_error}\n{self._wait_text}".strip())
            if not self._countdown.isActive():
                self._countdown.start()
        else:
            self._countdown.stop()
            if self.worker is None:
                self.unlock_button.setEnabled(True)

    def _tick(self) -> None:
        if self.throttle.seconds_to_wait() <= 0:
            self._countdown.stop()
            self.unlock_button.setEnabled(True)
            self._last_error = ""
            if self.pages.currentIndex() == 0:
                self.message.setStyleSheet("")
                self.message.setText(_("You can try again."))
            return
        self._show_wait()

    # -- unlocking ---------------------------------------------------------------------------
    def try_unlock(self) -> None:
        if self.worker is not None or not self.unlock_button.isEnabled():
            return
        user, passphrase = self.user.currentText(), self.passphrase.text()
        if not user:
            self._error(_("This vault has no user key slot."))
            return
        if not passphrase:
            self._error(_("Type your passphrase."))
            self.passphrase.setFocus()
            return
        self._last_error = ""
        self._set_busy(True, _("Opening the vault…"))
        self.worker = Worker(lambda report, cancelled: self.vault.unlock(user, passphrase),
                             on_done=self._unlocked, on_error=self._unlock_failed)
        start_key_work(self.worker, self)

    def _unlocked(self, session) -> None:
        self.worker = None
        self.throttle.reset()
        self._last_error = ""
        self.passphrase.clear()
        self.message.clear()
        self._set_busy(False)
        self.unlocked.emit(session)

    def _unlock_failed(self, error: BaseException) -> None:
        self.worker = None
        self._set_busy(False)
        self.passphrase.selectAll()
        self.passphrase.setFocus()
        if isinstance(error, WrongPassphrase):
            failures = self.throttle.record_failure()
            left = FREE_ATTEMPTS - failures
            text = str(error)
            if left > 0:
                text += " " + ngettext("{n} more try before each try must wait.",
                                       "{n} more tries before each try must wait.", left).format(n=left)
            self._last_error = text
            self._error(text)
            self._show_wait()
            return
        self._error(error_message(error))

    def try_recover(self) -> None:
        if self.worker is not None:
            return
        key = normalise_recovery_key(self.recovery_key.toPlainText())
        user = self.recovery_user.currentText().strip()
        if not key:
            self._error(_("Type the recovery key."))
            return
        problem = self.new_passphrase.problem()
        if problem:
            self._error(problem)
            return
        new_passphrase = self.new_passphrase.value()

        def work(report, cancelled):
            session = self.vault.unlock_with_recovery(key, user)
            try:
                session.set_passphrase(user, new_passphrase)
            except BaseException:
                session.lock()
                raise
            return session

        self._set_busy(True, _("Opening the vault with the recovery key…"))
        self.worker = Worker(work, on_done=self._recovered, on_error=self._recover_failed)
        start_key_work(self.worker, self)

    def _recovered(self, session) -> None:
        self.worker = None
        self.throttle.reset()
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.pages.setCurrentIndex(0)
        self.user.clear()
        self.user.addItems(self.vault.users())
        self.user.setCurrentText(session.user)
        self._set_busy(False)
        self.message.clear()
        self.unlocked.emit(session)

    def _recover_failed(self, error: BaseException) -> None:
        self.worker = None
        self._set_busy(False)
        self._error(error_message(error))
