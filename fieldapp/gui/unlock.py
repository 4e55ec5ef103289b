"""The unlock screen: user name and passphrase; or the recovery key (or k of its shares) and a new
passphrase; the language switch; and quick delete.

The user name is typed, never listed: a locked laptop tells nobody who uses it. Key derivation
(scrypt, about 2 s) runs in a worker so the window never freezes. Failed passphrases are counted
by the vault itself (store/throttle.py), the same count for the command line; after five, each
try waits longer. Quick delete counts down 5 seconds, which any key cancels.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from fieldapp import i18n
from fieldapp.errors import FieldappError, VaultBusy, WrongPassphrase
from fieldapp.gui.passphrase import PassphrasePair
from fieldapp.gui.qt_i18n import apply_language, language_names
from fieldapp.gui.widgets.scroll import vertical_scroll
from fieldapp.gui.workers import Worker, error_message, start_key_work
from fieldapp.i18n import _, ngettext
from fieldapp.paths import remember_language
from fieldapp.store.quick_delete import VaultDeleted, describe
from fieldapp.store.throttle import FREE_ATTEMPTS, UnlockThrottled
from fieldapp.store.vault import Vault, normalise_recovery_key

ERROR_STYLE = "color: #b00020; font-weight: bold;"
COUNTDOWN_SECONDS = 5
PASSPHRASE_PAGE, RECOVERY_PAGE, COUNTDOWN_PAGE, DELETED_PAGE = range(4)


class _Pages:
    """Forms, one shown. Unlike a QStackedWidget, a short form does not take the height of a long one."""

    def __init__(self, *widgets: QWidget):
        self.widgets = widgets
        self._current = 0

    def currentIndex(self) -> int:  # noqa: N802 - reads like the Qt widget it replaces
        return self._current

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        self._current = index
        for position, widget in enumerate(self.widgets):
            widget.setVisible(position == index)


class _CountdownPage(QWidget):
    """Takes the keyboard while counting: any key pressed cancels."""

    key_pressed = Signal()

    def __init__(self):
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        self.key_pressed.emit()
        event.accept()


class UnlockColumn(QWidget):
    """What the unlock screen's scroll area shows. The screen itself is covered by the scroll area and
    never paints: this is the first widget of it drawn (benchmarks/bench_gui.py times that frame)."""


class UnlockScreen(QWidget):
    """Emits `unlocked(session)`. Shown by the main window whenever the vault is locked."""

    unlocked = Signal(object)
    deleted = Signal()

    def __init__(self, vault: Vault, parent: QWidget | None = None, context=None):
        super().__init__(parent)
        self.vault = vault
        self.context = context
        self.worker: Worker | None = None
        self._last_error = ""
        self._wait_text = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._delete_left = 0
        self._delete_timer = QTimer(self)
        self._delete_timer.setInterval(1000)
        self._delete_timer.timeout.connect(self._delete_tick)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.6)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.folder = QLabel(str(vault.path))
        self.folder.setWordWrap(True)
        self.folder.setStyleSheet("color: palette(mid);")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("message")
        self.language_buttons: dict[str, QPushButton] = {}
        languages = QHBoxLayout()
        languages.addStretch(1)
        for code, name in language_names():
            button = QPushButton(name)  # each language in its own language, never translated
            button.setFlat(True)
            button.setCheckable(True)
            button.clicked.connect(lambda _checked=False, c=code: self.choose_language(c))
            languages.addWidget(button)
            self.language_buttons[code] = button

        self.pages = _Pages(self._build_passphrase_page(), self._build_recovery_page(),
                            self._build_countdown_page(), self._build_deleted_page())

        box = QWidget()
        box.setMaximumWidth(560)
        inner = QVBoxLayout(box)
        inner.addLayout(languages)
        inner.addWidget(self.heading)
        inner.addWidget(self.folder)
        inner.addSpacing(12)
        for widget in self.pages.widgets:
            inner.addWidget(widget)
        inner.addWidget(self.message)
        # On a small screen (1024 × 600) the longest form scrolls up and down, never sideways.
        content = UnlockColumn()
        row = QHBoxLayout(content)
        row.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(box)
        column.addStretch(2)
        row.addLayout(column, 3)
        row.addStretch(1)
        self.scroll = vertical_scroll(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.retranslate()
        self.reset()

    # -- building ----------------------------------------------------------------------------
    def _build_passphrase_page(self) -> QWidget:
        page = QWidget()
        self.user = QLineEdit()
        self.user.setMaxLength(40)
        self.user.returnPressed.connect(lambda: self.passphrase.setFocus())
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.forgot_button = QPushButton()
        self.forgot_button.setFlat(True)
        self.forgot_button.clicked.connect(self.show_recovery)
        self.quick_delete_button = QPushButton()
        self.quick_delete_button.setFlat(True)
        self.quick_delete_button.setStyleSheet("color: #b00020;")
        self.quick_delete_button.clicked.connect(self.start_quick_delete)
        self.user_label, self.passphrase_label = QLabel(), QLabel()
        self.user_label.setBuddy(self.user)
        self.passphrase_label.setBuddy(self.passphrase)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.user_label, self.user)
        form.addRow(self.passphrase_label, self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.forgot_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        below = QHBoxLayout()
        below.addWidget(self.quick_delete_button)
        below.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addSpacing(16)
        layout.addLayout(below)
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
        self.recovery_key.setFixedHeight(self.recovery_key.fontMetrics().lineSpacing() * 5 + 16)
        self.recovery_key.textChanged.connect(self._show_share_progress)
        self.share_progress = QLabel()
        self.share_progress.setWordWrap(True)
        self.share_progress.setAccessibleName("shares typed")
        self.recovery_user = QLineEdit()
        self.recovery_user.setMaxLength(40)
        self.new_passphrase = PassphrasePair()
        self.recover_button = QPushButton()
        self.recover_button.clicked.connect(self.try_recover)
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.show_passphrase)
        self.key_label, self.recovery_user_label = QLabel(), QLabel()
        self.key_label.setBuddy(self.recovery_key)
        self.recovery_user_label.setBuddy(self.recovery_user)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.key_label, self.recovery_key)
        form.addRow("", self.share_progress)
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

    def _build_countdown_page(self) -> QWidget:
        page = _CountdownPage()
        page.key_pressed.connect(self.cancel_quick_delete)
        self.countdown_page = page
        self.countdown_label = QLabel()
        self.countdown_label.setWordWrap(True)
        font = self.countdown_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.countdown_label.setFont(font)
        self.countdown_label.setStyleSheet("color: #b00020;")
        self.countdown_hint = QLabel()
        self.countdown_hint.setWordWrap(True)
        self.cancel_delete_button = QPushButton()
        self.cancel_delete_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays on the page
        self.cancel_delete_button.clicked.connect(self.cancel_quick_delete)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.countdown_hint)
        layout.addWidget(self.cancel_delete_button, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _build_deleted_page(self) -> QWidget:
        page = QWidget()
        self.deleted_text = QLabel()
        self.deleted_text.setWordWrap(True)
        self.deleted_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.deleted_text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.quit_button = QPushButton()
        self.quit_button.clicked.connect(lambda: self.window().close())
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.deleted_text)
        layout.addWidget(self.quit_button, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def retranslate(self) -> None:
        deleted = self.pages.currentIndex() == DELETED_PAGE
        self.heading.setText(_("The vault was deleted from this laptop") if deleted else _("The vault is locked"))
        self.user_label.setText(_("&User name:"))
        self.user.setPlaceholderText(_("as it was created, e.g. amina.k"))
        self.passphrase_label.setText(_("&Passphrase:"))
        self.unlock_button.setText(_("&Unlock"))
        self.forgot_button.setText(_("&Forgot passphrase?"))
        self.quick_delete_button.setText(_("Quick &delete…"))
        self.quick_delete_button.setToolTip(_("Destroy this laptop's copy of the vault for good, after a 5-second "
                                              "countdown. Backups and bundles already sent are not touched."))
        self.recovery_intro.setText(_("Type the recovery key from the recovery sheet, or the words of enough "
                                      "recovery shares one after the other (spaces and line breaks do not "
                                      "matter), then your user name and a new passphrase."))
        self.key_label.setText(_("Recovery &key or shares:"))
        self.recovery_key.setPlaceholderText(_("AGE-SECRET-KEY-1…, or the shares' words"))
        self.recovery_user_label.setText(_("U&ser name:"))
        self.recover_button.setText(_("&Open and set new passphrase"))
        self.back_button.setText(_("&Back"))
        self.cancel_delete_button.setText(_("Cancel"))
        self.countdown_hint.setText(_("Every key slot, the recovery slot included, then the database will be "
                                      "overwritten and removed. Press any key to cancel."))
        self.quit_button.setText(_("&Quit"))
        if self.pages.currentIndex() == COUNTDOWN_PAGE:
            self._show_countdown()
        for code, button in self.language_buttons.items():
            button.setChecked(code == i18n.language())
        self.new_passphrase.retranslate()
        self._show_share_progress()
        self._show_wait()

    # -- language ----------------------------------------------------------------------------
    def choose_language(self, code: str) -> None:
        """Switch here, before any vault is open; the next start on this computer uses it too."""
        apply_language(code, self.context)
        remember_language(i18n.language())
        if self.context is None:
            self.retranslate()
        for language, button in self.language_buttons.items():
            button.setChecked(language == i18n.language())

    # -- state -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the passphrase form, nothing typed kept (shown again after each lock)."""
        if self.pages.currentIndex() == DELETED_PAGE:
            return
        remember_language(i18n.language())  # the language last used on this computer, for the next start
        self.user.clear()
        self.passphrase.clear()
        self.recovery_key.clear()
        self.recovery_user.clear()
        self.new_passphrase.clear()
        self.message.clear()
        self.pages.setCurrentIndex(PASSPHRASE_PAGE)
        self._set_busy(False)
        self.check_not_open_elsewhere()
        self._show_wait()

    def focus_first_field(self) -> None:
        index = self.pages.currentIndex()
        if index == PASSPHRASE_PAGE:
            (self.passphrase if self.user.text() else self.user).setFocus()
        elif index == RECOVERY_PAGE:
            self.recovery_key.setFocus()

    def set_vault(self, vault: Vault) -> None:
        """The vault object that holds the lock (a new one after the first-run wizard)."""
        self.vault = vault

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
        self.recovery_user.setText(self.user.text())
        self.message.clear()
        self.pages.setCurrentIndex(RECOVERY_PAGE)
        self.recovery_key.setFocus()

    def show_passphrase(self) -> None:
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.message.clear()
        self.pages.setCurrentIndex(PASSPHRASE_PAGE)
        self._show_wait()
        self.passphrase.setFocus()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        for widget in (self.user, self.passphrase, self.forgot_button, self.recovery_key, self.recovery_user,
                       self.new_passphrase, self.recover_button, self.back_button, self.quick_delete_button):
            widget.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy and self.vault.attempts.seconds_to_wait() <= 0)
        if busy:
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def _show_wait(self) -> None:
        """Disable Unlock and count down while the vault's counter says to wait."""
        wait = self.vault.attempts.seconds_to_wait()
        if wait > 0 and self.worker is None:
            seconds = int(wait + 0.999)
            self.unlock_button.setEnabled(False)
            self._wait_text = ngettext("Too many wrong passphrases. Wait {n} second before the next try.",
                                       "Too many wrong passphrases. Wait {n} seconds before the next try.",
                                       seconds).format(n=seconds)
            if self.pages.currentIndex() == PASSPHRASE_PAGE:
                self._error(f"{self._last_error}\n{self._wait_text}".strip())
            if not self._countdown.isActive():
                self._countdown.start()
        else:
            self._countdown.stop()
            if self.worker is None:
                self.unlock_button.setEnabled(True)

    def _tick(self) -> None:
        if self.vault.attempts.seconds_to_wait() <= 0:
            self._countdown.stop()
            self.unlock_button.setEnabled(True)
            self._last_error = ""
            if self.pages.currentIndex() == PASSPHRASE_PAGE:
                self.message.setStyleSheet("")
                self.message.setText(_("You can try again."))
            return
        self._show_wait()

    # -- unlocking ---------------------------------------------------------------------------
    def try_unlock(self) -> None:
        if self.worker is not None or not self.unlock_button.isEnabled():
            return
        user, passphrase = self.user.text().strip(), self.passphrase.text()
        if not user and self.vault.user_slot_count() != 1:  # a vault of one user needs no name typed
            self._error(_("Type your user name."))
            self.user.setFocus()
            return
        if not passphrase:
            self._error(_("Type your passphrase."))
            self.passphrase.setFocus()
            return
        self._last_error = ""
        self._set_busy(True, _("Opening the vault…"))
        vault = self.vault
        self.worker = Worker(lambda report, cancelled: vault.unlock(user or None, passphrase),
                             on_done=self._unlocked, on_error=self._unlock_failed)
        start_key_work(self.worker, self)

    def _unlocked(self, session) -> None:
        self.worker = None
        self._last_error = ""
        self.passphrase.clear()
        self.message.clear()
        self._set_busy(False)
        self.unlocked.emit(session)
        self._tell_warnings(session)

    def _tell_warnings(self, session) -> None:
        """Failed unlocks since the last visit, or a counter set back: said once, to whoever opens."""
        if not session.unlock_warnings:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, _("Failed unlocks"), "\n\n".join(session.unlock_warnings),
                          QMessageBox.StandardButton.Ok, self.window())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _unlock_failed(self, error: BaseException) -> None:
        self.worker = None
        self._set_busy(False)
        if isinstance(error, VaultDeleted):
            self._show_deleted(str(error))
            return
        self.passphrase.selectAll()
        self.passphrase.setFocus()
        if isinstance(error, WrongPassphrase):
            failures = getattr(error, "failures", self.vault.attempts.failures)
            left = FREE_ATTEMPTS - failures
            text = str(error)
            if left > 0:
                text += " " + ngettext("{n} more try before each try must wait.",
                                       "{n} more tries before each try must wait.", left).format(n=left)
            self._last_error = text
            self._error(text)
            self._show_wait()
            return
        if isinstance(error, UnlockThrottled):
            self._show_wait()
            return
        self._error(error_message(error))

    # -- recovery ----------------------------------------------------------------------------
    def _show_share_progress(self) -> None:
        """While shares are typed: how many are read, how many more the vault needs."""
        # Imported on the recovery page only: the share code and its word list are not needed to start.
        from fieldapp.store.shares import describe_reading, looks_like_shares, read_shares

        text = self.recovery_key.toPlainText()
        if not looks_like_shares(text):
            self.share_progress.clear()
            return
        complete = text if text[-1:].isspace() else text.rsplit(None, 1)[0] if " " in text.strip() else ""
        try:
            reading = read_shares(complete)
        except FieldappError as error:
            self.share_progress.setStyleSheet(ERROR_STYLE)
            self.share_progress.setText(str(error))
            return
        self.share_progress.setStyleSheet("")
        self.share_progress.setText(describe_reading(reading))

    def try_recover(self) -> None:
        if self.worker is not None:
            return
        text = self.recovery_key.toPlainText()
        user = self.recovery_user.text().strip()
        if not text.strip():
            self._error(_("Type the recovery key."))
            return
        if not user:
            self._error(_("Type your user name."))
            self.recovery_user.setFocus()
            return
        problem = self.new_passphrase.problem()
        if problem:
            self._error(problem)
            return
        new_passphrase = self.new_passphrase.value()
        vault = self.vault
        from fieldapp.store.shares import looks_like_shares

        with_shares = looks_like_shares(text)
        key = text if with_shares else normalise_recovery_key(text)

        def work(report, cancelled):
            session = vault.unlock_with_shares(key, user) if with_shares else vault.unlock_with_recovery(key, user)
            try:
                session.set_passphrase(session.user, new_passphrase)
            except BaseException:
                session.lock()
                raise
            return session

        self._set_busy(True, _("Opening the vault with the recovery key…"))
        self.worker = Worker(work, on_done=self._recovered, on_error=self._recover_failed)
        start_key_work(self.worker, self)

    def _recovered(self, session) -> None:
        self.worker = None
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.pages.setCurrentIndex(PASSPHRASE_PAGE)
        self.user.setText(session.user)
        self._set_busy(False)
        self.message.clear()
        self.unlocked.emit(session)
        self._tell_warnings(session)

    def _recover_failed(self, error: BaseException) -> None:
        self.worker = None
        self._set_busy(False)
        self._error(error_message(error))

    # -- quick delete ------------------------------------------------------------------------
    def start_quick_delete(self) -> None:
        """Count down 5 seconds (any key cancels), then destroy this laptop's copy of the vault."""
        if self.worker is not None or not self.vault.path.exists():
            return
        self._page_before_delete = self.pages.currentIndex()
        self._delete_left = COUNTDOWN_SECONDS
        self.message.clear()
        self.pages.setCurrentIndex(COUNTDOWN_PAGE)
        self._show_countdown()
        self.countdown_page.setFocus()
        self.countdown_page.grabKeyboard()
        self._delete_timer.start()

    def _show_countdown(self) -> None:
        self.countdown_label.setText(ngettext("Deleting the vault in {n} second…", "Deleting the vault in {n} seconds…",
                                              self._delete_left).format(n=self._delete_left))

    def cancel_quick_delete(self) -> None:
        if not self._delete_timer.isActive():
            return
        self._delete_timer.stop()
        self.countdown_page.releaseKeyboard()
        self.pages.setCurrentIndex(self._page_before_delete)
        self.message.setStyleSheet("")
        self.message.setText(_("Quick delete cancelled; nothing was deleted."))
        self.focus_first_field()

    def _delete_tick(self) -> None:
        self._delete_left -= 1
        if self._delete_left > 0:
            self._show_countdown()
            return
        self._delete_timer.stop()
        self.countdown_page.releaseKeyboard()
        try:
            report = self.vault.quick_delete()
        except FieldappError as error:
            self.pages.setCurrentIndex(self._page_before_delete)
            self._error(str(error))
            return
        self._show_deleted(describe(report))

    def _show_deleted(self, text: str) -> None:
        self.pages.setCurrentIndex(DELETED_PAGE)
        self.folder.setText(str(self.vault.path))
        self.deleted_text.setText(text)
        self.message.clear()
        self.retranslate()
        self.quit_button.setFocus()
        self.deleted.emit()
