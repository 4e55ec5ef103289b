"""Protection of what is on screen (docs/DESIGN.md 5): auto-lock after inactivity, quick exit
(Ctrl+Shift+Q, or Esc three times within 2 s) and clearing copied record text from the clipboard
and, on X11, from the PRIMARY selection.

One application-wide event filter watches input, so the keys work in every window and dialog.
It only signals; the main window does the locking.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox,
                               QVBoxLayout, QWidget)

from fieldapp.i18n import _

DEFAULT_LOCK_MINUTES = 5
MIN_LOCK_MINUTES, MAX_LOCK_MINUTES = 1, 60
ESC_PRESSES, ESC_WINDOW_SECONDS = 3, 2.0
CLIPBOARD_SECONDS = 30
QUICK_EXIT_KEYS = QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_Q)
SETTING_LOCK_MINUTES = "auto_lock_minutes"
# The vault refuses fewer than 3 (store/vault.py): a slip of the fingers must not destroy it.
MIN_DELETE_FAILURES, MAX_DELETE_FAILURES, DEFAULT_DELETE_FAILURES = 3, 99, 10

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin, QEvent.Type.TabletPress}


def _clock() -> float:
    # A suspended laptop must come back locked: CLOCK_BOOTTIME counts the time asleep,
    # CLOCK_MONOTONIC (time.monotonic on Linux) does not. Windows' monotonic clock does.
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


def clamp_minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LOCK_MINUTES
    return max(MIN_LOCK_MINUTES, min(MAX_LOCK_MINUTES, minutes))


class Protection(QObject):
    """Watches input for the whole application. `lock_requested` after inactivity,
    `lock_keys_pressed` on Ctrl+L, `quick_exit_requested` on the quick-exit keys. Inactivity and
    Ctrl+L count only while active (unlocked)."""

    lock_requested = Signal()
    lock_keys_pressed = Signal()
    quick_exit_requested = Signal()

    def __init__(self, app: QApplication, parent: QObject | None = None):
        super().__init__(parent)
        self._timeout = DEFAULT_LOCK_MINUTES * 60.0
        self._last_activity = _clock()
        self._esc_times: list[float] = []
        self._active = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check_idle)
        self._configure_timer()
        self._app = app
        self._watching = False

    def start_watching(self) -> None:
        """Watch every input event of the application (idempotent). The main window calls this
        once it is on screen: the first event through a Python filter costs PySide 50 ms."""
        if not self._watching:
            self._watching = True
            self._app.installEventFilter(self)

    # -- inactivity --------------------------------------------------------------------------
    def set_timeout_minutes(self, minutes: int) -> None:
        self.set_timeout_seconds(clamp_minutes(minutes) * 60.0)

    def set_timeout_seconds(self, seconds: float) -> None:
        """Any duration; the settings dialog keeps users to 1–60 minutes, tests use less."""
        self._timeout = max(0.05, float(seconds))
        self._configure_timer()

    @property
    def timeout_seconds(self) -> float:
        return self._timeout

    def _configure_timer(self) -> None:
        # Checked often rather than one long timer, so a laptop waking from sleep locks at once.
        self._timer.setInterval(int(max(25, min(2000, self._timeout * 1000 / 4))))

    def set_active(self, active: bool) -> None:
        """Count inactivity only while a session is open."""
        self._active = active
        self._esc_times.clear()
        self.touch()
        if active:
            self.start_watching()
            self._timer.start()
        else:
            self._timer.stop()

    def touch(self) -> None:
        self._last_activity = _clock()

    def idle_seconds(self) -> float:
        return _clock() - self._last_activity

    def _check_idle(self) -> None:
        if self._active and self.idle_seconds() >= self._timeout:
            self._active = False
            self._timer.stop()
            self.lock_requested.emit()

    # -- input -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind not in _ACTIVITY:
            return False
        self._last_activity = _clock()
        # A key press is delivered to the window, then the focus widget, then each parent that
        # ignores it. Only the first delivery to a widget is spontaneous: count that one.
        if kind == QEvent.Type.KeyPress and isinstance(watched, QWidget) and event.spontaneous():
            return self._key_pressed(event)
        return False

    def _key_pressed(self, event) -> bool:
        if event.isAutoRepeat():
            return False
        key, modifiers = event.key(), event.modifiers()
        control, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Q and modifiers & control and modifiers & shift:
            self._esc_times.clear()
            self.quick_exit_requested.emit()
            return True
        if key == Qt.Key.Key_L and modifiers == control and self._active:
            # The Lock menu entry has this shortcut too, but a shortcut needs an active window and
            # is blocked by a modal dialog; the key press itself always arrives here.
            self._esc_times.clear()
            self.lock_keys_pressed.emit()
            return True
        if key == Qt.Key.Key_Escape and not modifiers & ~Qt.KeyboardModifier.KeypadModifier:
            now = _clock()
            self._esc_times = [t for t in self._esc_times if now - t <= ESC_WINDOW_SECONDS] + [now]
            if len(self._esc_times) >= ESC_PRESSES:
                self._esc_times.clear()
                self.quick_exit_requested.emit()
                return True
        elif key not in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
            self._esc_times.clear()
        return False


class ClipboardGuard(QObject):
    """Clears text it put on the clipboard after a delay, unless something else replaced it."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._text: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def copy(self, text: str, seconds: float = CLIPBOARD_SECONDS) -> None:
        QGuiApplication.clipboard().setText(text)
        self._text = text
        self._timer.start(int(seconds * 1000))

    def clear(self) -> None:
        self._timer.stop()
        if self._text is not None:
            clipboard = QGuiApplication.clipboard()
            if clipboard.text() == self._text:
                clipboard.clear()
            self._text = None


_guard: ClipboardGuard | None = None


def _clipboard_guard() -> ClipboardGuard:
    global _guard
    if _guard is None:
        _guard = ClipboardGuard(QApplication.instance())
    return _guard


def copy_sensitive(text: str, seconds: float = CLIPBOARD_SECONDS) -> None:
    """Copy text taken from a record; it leaves the clipboard after `seconds` and on lock."""
    _clipboard_guard().copy(text, seconds)


def clear_sensitive_clipboard() -> None:
    """On lock: copied record text leaves the clipboard, and on X11 whatever was selected in
    our windows (a search typed, a line of a record) stops being offered as the PRIMARY selection."""
    if _guard is not None:
        _guard.clear()
    clipboard = QGuiApplication.clipboard()
    if clipboard.supportsSelection() and clipboard.ownsSelection():
        clipboard.clear(QClipboard.Mode.Selection)


class LockSettingsDialog(QDialog):
    """Minutes of inactivity before the window locks (1–60), remembered per user, and the quick
    delete after N wrong passphrases in a row (docs/DESIGN.md 5; off unless set), for the whole vault."""

    def __init__(self, minutes: int, delete_after: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Protection settings"))
        self.minutes = QSpinBox()
        self.minutes.setRange(MIN_LOCK_MINUTES, MAX_LOCK_MINUTES)
        self.minutes.setValue(clamp_minutes(minutes))
        self.minutes.setSuffix(" " + _("min"))
        self.minutes.setAccessibleName(_("Lock after inactivity"))
        form = QFormLayout()
        form.addRow(_("Lock after inactivity:"), self.minutes)
        hint = QLabel(_("The window also locks with Ctrl+L. Quick exit: Ctrl+Shift+Q, or Esc three times."))
        hint.setWordWrap(True)
        self.delete_box = QCheckBox(_("Delete this laptop's copy of the vault after wrong passphrases"))
        self.delete_box.setChecked(delete_after > 0)
        self.failures = QSpinBox()
        self.failures.setRange(MIN_DELETE_FAILURES, MAX_DELETE_FAILURES)
        self.failures.setValue(delete_after if delete_after > 0 else DEFAULT_DELETE_FAILURES)
        self.failures.setAccessibleName(_("Wrong passphrases in a row before the vault is deleted"))
        self.failures.setEnabled(self.delete_box.isChecked())
        self.delete_box.toggled.connect(self.failures.setEnabled)
        delete_form = QFormLayout()
        delete_form.addRow(_("Wrong passphrases in a row:"), self.failures)
        self.warning = QLabel(_(
            "After that many wrong passphrases in a row, typed by anyone on the unlock screen or the command "
            "line, every key slot (the recovery one too) and the database are destroyed on this laptop, at once "
            "and without asking. Only backups and data files already sent remain. Someone holding the laptop "
            "can set it off on purpose. Applies to every user of this vault."))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addSpacing(12)
        layout.addWidget(self.delete_box)
        layout.addLayout(delete_form)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self.setMinimumWidth(min(560, self.sizeHint().width()))

    def value(self) -> int:
        return self.minutes.value()

    def delete_after(self) -> int:
        """Wrong passphrases in a row that delete the vault; 0 for never."""
        return self.failures.value() if self.delete_box.isChecked() else 0


def save_protection_settings(session, minutes: int, delete_after: int) -> None:
    """What the dialog chose: the vault-wide quick-delete option first (it is the one that can be
    refused, and then nothing is changed), then this user's lock minutes."""
    if delete_after != session.vault.attempts.read().delete_after:
        session.vault.set_delete_after_failures(session, delete_after)
    settings = session.user_settings()
    settings[SETTING_LOCK_MINUTES] = minutes
    session.save_user_settings(settings)
