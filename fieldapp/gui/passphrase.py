"""A new passphrase typed twice, with a strength indicator (first-run wizard and recovery)."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QWidget

from fieldapp.i18n import N_, _
from fieldapp.store.vault import MIN_PASSPHRASE

# Guessed first by anyone who finds the laptop: a passphrase built on these is weak whatever its length.
COMMON = ("password", "motdepasse", "passphrase", "azerty", "qwerty", "123456", "abcdef", "monusco",
          "minusca", "unmiss", "unsom", "minusma", "unitednations", "nationsunies", "welcome", "bienvenue",
          "fieldapp", "admin", "letmein", "iloveyou", "jetaime", "soleil", "beni", "goma", "bunia", "bangui",
          "juba", "mogadishu", "bamako", "kinshasa")
LEVELS = (N_("Too short"), N_("Weak"), N_("Fair"), N_("Good"), N_("Strong"))
COLOURS = ("#b00020", "#b00020", "#9a6700", "#1a7f37", "#1a7f37")


def strength(passphrase: str) -> int:
    """0 too short, 1 weak, 2 fair, 3 good, 4 strong: a rough estimate of guessing effort."""
    if len(passphrase) < MIN_PASSPHRASE:
        return 0
    pool = 0
    for pattern, size in ((r"[a-z]", 26), (r"[A-Z]", 26), (r"[0-9]", 10), (r"[^A-Za-z0-9]", 33)):
        if re.search(pattern, passphrase):
            pool += size
    # Repeated characters (aaaaaaaaaa, 1212121212) add length but little to guess.
    effective = min(len(passphrase), 2 * len(set(passphrase)))
    bits = effective * math.log2(max(pool, 2))
    folded = re.sub(r"[^a-z0-9]", "", passphrase.lower())
    if any(word in folded for word in COMMON) and len(folded) - max(
            len(word) for word in COMMON if word in folded) < 6:
        bits = min(bits, 35)
    if bits < 40:
        return 1
    if bits < 60:
        return 2
    if bits < 80:
        return 3
    return 4


class PassphrasePair(QWidget):
    """Two password fields and a strength bar; `problem()` says what is wrong, or None."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.verdict = QLabel()
        self.first_label, self.second_label, self.meter_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.first_label, self.first)
        form.addRow(self.second_label, self.second)
        form.addRow(self.meter_label, self.meter)
        form.addRow("", self.verdict)
        self.first_label.setBuddy(self.first)
        self.second_label.setBuddy(self.second)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self.retranslate()

    def retranslate(self) -> None:
        self.first_label.setText(_("&New passphrase:"))
        self.second_label.setText(_("&Again:"))
        self.meter_label.setText(_("Strength:"))
        self.first.setPlaceholderText(_("at least {n} characters; a few words are easy to remember").format(
            n=MIN_PASSPHRASE))
        self._update()

    def value(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def problem(self) -> str | None:
        text = self.first.text()
        if len(text) < MIN_PASSPHRASE:
            return _("A passphrase needs at least {n} characters.").format(n=MIN_PASSPHRASE)
        if self.second.text() != text:
            return _("The two passphrases differ.")
        return None

    def _update(self) -> None:
        text = self.first.text()
        level = strength(text)
        self.meter.setValue(level)
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {COLOURS[level]}; }}")
        if not text:
            message = ""
        elif level == 0:
            message = _("Too short: {count} of at least {n} characters.").format(count=len(text), n=MIN_PASSPHRASE)
        elif self.second.text() and self.second.text() != text:
            message = _(LEVELS[level]) + " · " + _("the two passphrases differ")
        else:
            message = _(LEVELS[level])
        self.verdict.setText(message)
        self.verdict.setStyleSheet(f"color: {COLOURS[level]};" if text else "")
        self.changed.emit()
