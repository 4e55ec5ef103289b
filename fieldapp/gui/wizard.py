"""First run: create the vault (site, office code, first user, passphrase), then hand over the
recovery key once, with a printable recovery sheet, before anything else can be done.

Vault creation (two scrypt runs, about 4 s) runs in a worker so the window stays responsive.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget, QWizard, QWizardPage)

from fieldapp import i18n
from fieldapp.documents.recovery_sheet import key_lines, write_recovery_sheet
from fieldapp.errors import FieldappError
from fieldapp.gui.passphrase import PassphrasePair
from fieldapp.gui.qt_i18n import apply_language, language_names
from fieldapp.gui.workers import Worker, error_message, start_key_work
from fieldapp.i18n import _
from fieldapp.store.vault import OFFICE_CODE, USER_NAME, Vault

ERROR_STYLE = "color: #b00020;"


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    return label


class SitePage(QWizardPage):
    def __init__(self, vault_path: Path, context=None):
        super().__init__()
        self.context = context
        self.vault_path = vault_path
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.language = QComboBox()
        for code, name in language_names():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.language())))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.site = QLineEdit()
        self.office_code = QLineEdit()
        self.office_code.setMaxLength(8)
        self.office_code.textEdited.connect(lambda text: self.office_code.setText(text.upper()))
        self.problem = _error_label()
        self.language_label, self.site_label, self.code_label = QLabel(), QLabel(), QLabel()
        self.language_label.setBuddy(self.language)
        self.site_label.setBuddy(self.site)
        self.code_label.setBuddy(self.office_code)
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        form.addRow(self.site_label, self.site)
        form.addRow(self.code_label, self.office_code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.site.textChanged.connect(self.completeChanged)
        self.office_code.textChanged.connect(self.completeChanged)
        self.retranslate()

    def _language_chosen(self) -> None:
        apply_language(self.language.currentData(), self.context)
        self.wizard().retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Welcome to fieldapp"))
        self.setSubTitle(_("Create this office's encrypted vault."))
        self.intro.setText(_("Every record is kept encrypted in the folder {folder}. Nobody can read it without a "
                             "passphrase or the recovery key.").format(folder=self.vault_path))
        self.language_label.setText(_("&Language:"))
        self.site_label.setText(_("&Site name:"))
        self.site.setPlaceholderText(_("for example Beni field office"))
        self.code_label.setText(_("&Office code:"))
        self.office_code.setPlaceholderText(_("2 to 8 capitals used in survivor codes, e.g. BNI"))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.site.text().strip()) and bool(self.office_code.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if not OFFICE_CODE.match(self.office_code.text().strip().upper()):
            self.problem.setText(_("The office code must be 2 to 8 capital letters or digits, for example BNI."))
            return False
        self.problem.clear()
        return True


class UserPage(QWizardPage):
    """The commit page: Create starts the vault creation in a worker and moves on when it is done."""

    def __init__(self):
        super().__init__()
        self.setCommitPage(True)
        self.user = QLineEdit()
        self.user.setMaxLength(40)
        self.passphrase = PassphrasePair()
        self.problem = _error_label()
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.user_label = QLabel()
        self.user_label.setBuddy(self.user)
        form = QFormLayout()
        form.addRow(self.user_label, self.user)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.advice)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.user.textChanged.connect(self.completeChanged)
        self.passphrase.changed.connect(self.completeChanged)
        self.worker: Worker | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Your user and passphrase"))
        self.setSubTitle(_("Each person who uses this laptop gets their own user and passphrase."))
        self.user_label.setText(_("&User name:"))
        self.user.setPlaceholderText(_("letters, digits, dots or dashes, e.g. amina.k"))
        self.advice.setText(_("Nobody, not even headquarters, can recover a forgotten passphrase without the "
                              "recovery key shown on the next page."))
        self.passphrase.retranslate()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.worker is None and bool(self.user.text().strip()) and self.passphrase.problem() is None

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        wizard: FirstRunWizard = self.wizard()
        if wizard.session is not None:
            return True
        if self.worker is not None:
            return False
        user = self.user.text().strip()
        if not USER_NAME.match(user):
            self.problem.setText(_("“{name}” cannot be a user name: use 1 to 40 letters, digits, dots, dashes or "
                                   "underscores.").format(name=user))
            return False
        problem = self.passphrase.problem()
        if problem:
            self.problem.setText(problem)
            return False
        site = wizard.site_page.site.text().strip()
        code = wizard.site_page.office_code.text().strip().upper()
        passphrase = self.passphrase.value()
        path = wizard.vault_path
        self.problem.setStyleSheet("")
        self.problem.setText(_("Creating the vault… this takes a few seconds."))
        self.worker = Worker(lambda report, cancelled: Vault.create(path, site, code, user, passphrase),
                             on_done=self._created, on_error=self._failed)
        self.setEnabled(False)
        wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self.completeChanged.emit()
        start_key_work(self.worker, wizard)
        return False

    def _created(self, result) -> None:
        self.worker = None
        self.setEnabled(True)
        session, recovery_key = result
        self.passphrase.clear()
        self.problem.clear()
        wizard: FirstRunWizard = self.wizard()
        wizard.session, wizard.recovery_key = session, recovery_key
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        wizard.next()

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self.setEnabled(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setText(error_message(error))
        wizard = self.wizard()
        wizard.button(QWizard.WizardButton.BackButton).setEnabled(True)
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.completeChanged.emit()


class RecoveryPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.key = QLabel()
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.5)
        mono.setBold(True)
        self.key.setFont(mono)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setStyleSheet("border: 2px solid palette(text); padding: 10px;")
        self.key.setAccessibleName("recovery key")
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save_sheet)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.confirm = QCheckBox()
        self.confirm.toggled.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.key)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved)
        layout.addStretch(1)
        layout.addWidget(self.confirm)
        self.retranslate()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.key.setText("\n".join(key_lines(self.wizard().recovery_key or "")))
        # The vault exists now: there is nothing left to cancel, only the key to store.
        self.wizard().setOption(QWizard.WizardOption.NoCancelButton, True)

    def retranslate(self) -> None:
        self.setTitle(_("Your recovery key"))
        self.setSubTitle(_("Shown this once. It opens the vault if every passphrase is forgotten."))
        self.intro.setText(_("Print the recovery sheet or copy the key by hand, and keep it locked away, never "
                             "with this laptop. Without it, a forgotten passphrase means every record is lost."))
        self.save_button.setText(_("&Save recovery sheet (PDF)…"))
        self.confirm.setText(_("I have stored the recovery key in a safe place"))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.confirm.isChecked()

    def save_sheet(self) -> None:
        wizard: FirstRunWizard = self.wizard()
        session = wizard.session
        suggested = str(Path.home() / f"recovery-sheet-{session.office_code}.pdf")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save recovery sheet"), suggested, _("PDF files (*.pdf)"))
        if path:
            self.write_sheet(Path(path))

    def write_sheet(self, path: Path) -> bool:
        wizard: FirstRunWizard = self.wizard()
        try:
            write_recovery_sheet(path, wizard.session.site_name, wizard.session.office_code, wizard.recovery_key)
        except (OSError, FieldappError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            QMessageBox.warning(self, _("Save recovery sheet"), _("Cannot write {file}: {reason}").format(
                file=path, reason=reason))
            return False
        self.saved.setText(_("Saved to {file}. Print it, then delete the file from this laptop or keep it on a "
                             "USB stick stored apart.").format(file=path))
        return True


class FirstRunWizard(QWizard):
    """Emits `created(session)` once the key is confirmed as stored; the key is then forgotten."""

    created = Signal(object)
    quit_requested = Signal()

    def __init__(self, vault_path: Path, context=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.vault_path = Path(vault_path)
        self.session = None
        self.recovery_key: str | None = None
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.site_page = SitePage(self.vault_path, context)
        self.user_page = UserPage()
        self.recovery_page = RecoveryPage()
        for page in (self.site_page, self.user_page, self.recovery_page):
            self.addPage(page)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Create the vault"))
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Create vault"))
        # Qt's own Next/Back/Cancel/Finish come from qtbase_fr: dropping the custom text picks it up.
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton, QWizard.WizardButton.FinishButton):
            self.setButtonText(button, self._qt_button_text(button))
        for page in (self.site_page, self.user_page, self.recovery_page):
            page.retranslate()

    @staticmethod
    def _qt_button_text(button) -> str:
        from PySide6.QtCore import QCoreApplication

        source = {QWizard.WizardButton.NextButton: "&Next >", QWizard.WizardButton.BackButton: "< &Back",
                  QWizard.WizardButton.CancelButton: "Cancel", QWizard.WizardButton.FinishButton: "&Finish"}[button]
        return QCoreApplication.translate("QWizard", source)

    def accept(self) -> None:
        if self.session is None or not self.recovery_page.confirm.isChecked():
            return
        session, self.session = self.session, None
        self.recovery_key = None
        self.recovery_page.key.clear()
        super().accept()
        self.created.emit(session)

    def reject(self) -> None:
        if self.session is not None:
            # The vault exists and its key is on screen for the last time: leaving now would lose it.
            QMessageBox.information(self, _("Your recovery key"),
                                    _("Store the recovery key first, then tick the box and press Finish."))
            return
        if self.user_page.worker is not None:
            return
        super().reject()
        self.quit_requested.emit()
