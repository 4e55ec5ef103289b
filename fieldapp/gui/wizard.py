"""First run: create the vault (site, office code, places, first user, passphrase), then hand
over the recovery key once, with a printable recovery sheet (or share sheets), before anything
else can be done.

Vault creation (two scrypt runs, about 4 s) and loading the chosen P-code file run in a worker so
the window stays responsive. Every page scrolls up and down on a small screen, never sideways.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QRadioButton, QSpinBox, QVBoxLayout, QWidget, QWizard, QWizardPage)

from fieldapp import i18n
from fieldapp.documents.recovery_sheet import key_lines, write_recovery_sheet, write_share_sheets
from fieldapp.errors import FieldappError
from fieldapp.gui.passphrase import PassphrasePair
from fieldapp.gui.qt_i18n import apply_language, language_names
from fieldapp.gui.widgets.fields import ERROR_STYLE, error_label
from fieldapp.gui.widgets.scroll import vertical_scroll
from fieldapp.gui.workers import Worker, error_message, start_key_work
from fieldapp.i18n import _, format_number
from fieldapp.paths import remember_language, resources_dir
from fieldapp.store.vault import OFFICE_CODE, RECOVERY_SLOT, USER_NAME, Vault



def _scrolling(page: QWizardPage) -> QVBoxLayout:
    """The layout to fill for `page`, inside a frameless area that scrolls only up and down."""
    content = QWidget()
    scroll = vertical_scroll(content)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    page.scroll = scroll
    return QVBoxLayout(content)


def user_name_problem(name: str) -> str | None:
    """What is wrong with a user name, said as it is typed; None when it can be used."""
    if not name:
        return None
    if not USER_NAME.match(name) or name == RECOVERY_SLOT:
        return _("“{name}” cannot be a user name: use 1 to 40 letters, digits, dots, dashes or "
                 "underscores.").format(name=name)
    return None


def shipped_pcode_files() -> list[Path]:
    """The OCHA P-code files packaged with the app (the DR Congo one)."""
    folder = resources_dir() / "pcodes"
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


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
        self.problem = error_label()
        self.language_label, self.site_label, self.code_label = QLabel(), QLabel(), QLabel()
        self.language_label.setBuddy(self.language)
        self.site_label.setBuddy(self.site)
        self.code_label.setBuddy(self.office_code)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.language_label, self.language)
        form.addRow(self.site_label, self.site)
        form.addRow(self.code_label, self.office_code)
        layout = _scrolling(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.site.textChanged.connect(self.completeChanged)
        self.office_code.textChanged.connect(self.completeChanged)
        self.retranslate()

    def _language_chosen(self) -> None:
        apply_language(self.language.currentData(), self.context)
        remember_language(i18n.language())  # the unlock screen of the next start speaks it too
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


class PlacesPage(QWizardPage):
    """Places (the gazetteer) to load with the new vault, and where the directory comes from."""

    def __init__(self):
        super().__init__()
        self.shipped_files = shipped_pcode_files()
        self.shipped_places = self._read_shipped()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.choice = QButtonGroup(self)
        self.shipped = QRadioButton()
        self.other = QRadioButton()
        self.later = QRadioButton()
        for number, button in enumerate((self.shipped, self.other, self.later)):
            self.choice.addButton(button, number)
        self.shipped.setEnabled(bool(self.shipped_places))
        (self.shipped if self.shipped_places else self.later).setChecked(True)
        self.shipped_detail = QLabel()
        self.shipped_detail.setWordWrap(True)
        self.shipped_detail.setContentsMargins(24, 0, 0, 0)
        self.file = QLineEdit()
        self.file.setReadOnly(True)
        self.browse = QPushButton()
        self.browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.setContentsMargins(24, 0, 0, 0)
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        self.directory_hint = QLabel()
        self.directory_hint.setWordWrap(True)
        self.problem = error_label()
        layout = _scrolling(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.shipped)
        layout.addWidget(self.shipped_detail)
        layout.addWidget(self.other)
        layout.addLayout(file_row)
        layout.addWidget(self.later)
        layout.addSpacing(12)
        layout.addWidget(self.directory_hint)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.choice.idToggled.connect(lambda *_args: self.completeChanged.emit())
        self.retranslate()

    def _country(self) -> str:
        """The shipped file's country in the current language (the file's own name for it, in French)."""
        import re

        from babel import Locale

        top = next((place for place in self.shipped_places if place.level == 0), None)
        if top is None:
            return ""
        if i18n.language() == "fr" and top.name_fr:
            return re.sub(r"\s*\([^)]*\)$", "", top.name_fr)
        return Locale.parse(i18n.locale_name()).territories.get(top.pcode[:2], top.name_en or top.name_fr)

    def _read_shipped(self):
        from fieldapp.domain.gazetteer import read_pcode_file

        for path in self.shipped_files:
            try:
                return read_pcode_file(path)
            except FieldappError:
                continue
        return []

    def retranslate(self) -> None:
        self.setTitle(_("Places and service providers"))
        self.setSubTitle(_("Records name their place by its OCHA P-code."))
        self.intro.setText(_("Load the list of places now, so that every form can find a territory or a "
                             "health zone by its name. It can also be loaded later, on the Places page."))
        self.shipped.setText(_("Load the places shipped with fieldapp") if self.shipped_places
                             else _("No P-code file is shipped with this copy of fieldapp"))
        self.shipped_detail.setText(_("{country}: {count} places (OCHA P-codes)").format(
            country=self._country(), count=format_number(len(self.shipped_places))) if self.shipped_places else "")
        self.other.setText(_("Load another OCHA P-code file (CSV):"))
        self.file.setPlaceholderText(_("no file chosen"))
        self.browse.setText(_("&Choose…"))
        self.later.setText(_("Later, from the Places page"))
        self.directory_hint.setText(_("Service providers (the referral-pathway directory) come from headquarters in "
                                      "a bundle: import it on the Sync page when it arrives, or add providers on "
                                      "the Directory page."))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("OCHA P-code file"), str(Path.home()),
                                                    _("CSV files (*.csv);;All files (*)"))
        if path:
            self.file.setText(path)
            self.other.setChecked(True)
            self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.other.isChecked() or bool(self.file.text())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self.other.isChecked():
            from fieldapp.domain.gazetteer import read_pcode_file

            try:
                read_pcode_file(Path(self.file.text()))  # a bad file is said now, not after the vault exists
            except FieldappError as error:
                self.problem.setText(str(error))
                return False
        self.problem.clear()
        return True

    def places_to_load(self):
        """(places, source file name) chosen, or None."""
        if self.shipped.isChecked() and self.shipped_places:
            return self.shipped_places, self.shipped_files[0].name
        if self.other.isChecked() and self.file.text():
            from fieldapp.domain.gazetteer import read_pcode_file

            return read_pcode_file(Path(self.file.text())), Path(self.file.text()).name
        return None


class UserPage(QWizardPage):
    """The commit page: Create starts the vault creation in a worker and moves on when it is done."""

    def __init__(self):
        super().__init__()
        self.setCommitPage(True)
        self.user = QLineEdit()
        self.user.setMaxLength(40)
        self.passphrase = PassphrasePair()
        self.problem = error_label()
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.user_label = QLabel()
        self.user_label.setBuddy(self.user)
        self.user_rule = error_label()
        self.user_rule.setAccessibleName("user name rule")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.user_label, self.user)
        form.addRow("", self.user_rule)
        layout = _scrolling(self)
        layout.addLayout(form)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.advice)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.user.textChanged.connect(self._check_user_name)
        self.passphrase.changed.connect(self.completeChanged)
        self.worker: Worker | None = None
        self.retranslate()

    def _check_user_name(self) -> None:
        problem = user_name_problem(self.user.text().strip())
        self.user_rule.setText(problem or "")
        self.user_rule.setVisible(bool(problem))
        self.completeChanged.emit()

    def retranslate(self) -> None:
        self.setTitle(_("Your user and passphrase"))
        self.setSubTitle(_("Each person who uses this laptop gets their own user and passphrase."))
        self.user_label.setText(_("&User name:"))
        self.user.setPlaceholderText(_("letters, digits, dots or dashes, e.g. amina.k"))
        self.advice.setText(_("Nobody, not even headquarters, can recover a forgotten passphrase without the "
                              "recovery key shown on the next page."))
        self.passphrase.retranslate()
        self._check_user_name()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        user = self.user.text().strip()
        return (self.worker is None and bool(user) and user_name_problem(user) is None
                and self.passphrase.problem() is None)

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
        places = wizard.places_page.places_to_load()
        self.problem.setStyleSheet("")
        self.problem.setText(_("Creating the vault… this takes a few seconds."))

        def create(report, cancelled):
            session, recovery_key = Vault.create(path, site, code, user, passphrase)
            problem = None
            if places:
                from fieldapp.store.db import DatabaseError

                try:
                    session.places.import_places(places[0], source=places[1])
                except (FieldappError, DatabaseError) as error:
                    # The vault exists and its key must still be handed over: the places can wait.
                    problem = _("The places were not loaded ({reason}); load them from the Places page.").format(
                        reason=error)
            return session, recovery_key, problem

        self.worker = Worker(create, on_done=self._created, on_error=self._failed)
        self.setEnabled(False)
        wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self.completeChanged.emit()
        start_key_work(self.worker, wizard)
        return False

    def _created(self, result) -> None:
        self.worker = None
        self.setEnabled(True)
        session, recovery_key, places_problem = result
        self.passphrase.clear()
        self.problem.clear()
        wizard: FirstRunWizard = self.wizard()
        wizard.session, wizard.recovery_key = session, recovery_key
        wizard.recovery_page.saved.setText(places_problem or "")
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
        self.shares_button = QPushButton()
        self.shares_button.clicked.connect(self.save_shares)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.confirm = QCheckBox()
        self.confirm.toggled.connect(self.completeChanged)
        layout = _scrolling(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.key, 0, Qt.AlignmentFlag.AlignLeft)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.shares_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
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
        self.shares_button.setText(_("Split into s&hares…"))
        self.shares_button.setToolTip(_("Print the key as several shares for several people; any few of them "
                                        "together open the vault."))
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


    def save_shares(self) -> None:
        dialog = SharesDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        session = self.wizard().session
        suggested = str(Path.home() / f"recovery-shares-{session.office_code}.pdf")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the share sheets"), suggested,
                                                    _("PDF files (*.pdf)"))
        if path:
            self.write_shares(Path(path), dialog.threshold.value(), dialog.count.value())

    def write_shares(self, path: Path, threshold: int, count: int) -> bool:
        from fieldapp.store.shares import split_recovery_key

        wizard: FirstRunWizard = self.wizard()
        try:
            shares = split_recovery_key(wizard.recovery_key, threshold, count)
            write_share_sheets(path, shares, threshold, wizard.session.site_name, wizard.session.office_code)
        except (OSError, FieldappError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            QMessageBox.warning(self, _("Save the share sheets"), _("Cannot write {file}: {reason}").format(
                file=path, reason=reason))
            return False
        self.saved.setText(_("{count} share sheets saved to {file}: any {k} of them open the vault. Print the file, "
                             "give each sheet to a different person, then delete the file from this laptop.").format(
            count=count, file=path, k=threshold))
        return True


class SharesDialog(QDialog):
    """How many shares, and how many of them open the vault."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Split the recovery key into shares"))
        self.count = QSpinBox()
        self.count.setRange(2, 16)
        self.count.setValue(5)
        self.threshold = QSpinBox()
        self.threshold.setRange(2, 5)
        self.threshold.setValue(3)
        self.count.valueChanged.connect(lambda value: self.threshold.setMaximum(value))
        intro = QLabel(_("Each share is printed on its own sheet, for a different person. Fewer than the number "
                         "needed tell nothing about the key."))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("&Shares to print:"), self.count)
        form.addRow(_("Shares &needed to open:"), self.threshold)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)


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
        self.places_page = PlacesPage()
        self.user_page = UserPage()
        self.recovery_page = RecoveryPage()
        for page in self.all_pages:
            self.addPage(page)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Create the vault"))
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Create vault"))
        # Qt's own Next/Back/Cancel/Finish come from qtbase_fr: dropping the custom text picks it up.
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton, QWizard.WizardButton.FinishButton):
            self.setButtonText(button, self._qt_button_text(button))
        for page in self.all_pages:
            page.retranslate()

    @property
    def all_pages(self) -> tuple:
        return self.site_page, self.places_page, self.user_page, self.recovery_page

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
