"""Every form and dialog of the app, opened the way a person opens it, one after the other: for
the fit tests and the screenshots tool (gui/screenshots.py), which check and picture each one at
the field laptops' sizes. Qt's own file dialogs and message boxes are left out: Qt sizes them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget, QWizard

from fieldapp.gui.list_page import ListPage


@dataclass
class Opened:
    name: str  # a file-name slug: "referral-form-new", "service-dialog"…
    dialog: QWidget
    main_buttons: list[QWidget]  # what must be in sight without scrolling sideways
    below: list[QWidget]  # what must be reachable by scrolling down (a form's "Add a service…")


def _buttons(dialog: QWidget) -> list[QWidget]:
    boxes = dialog.findChildren(QDialogButtonBox)
    return [button for box in boxes for button in box.buttons() if button.isVisibleTo(dialog)]


def _wizard_buttons(wizard: QWizard) -> list[QWidget]:
    kinds = (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton,
             QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)
    return [button for kind in kinds if (button := wizard.button(kind)).isVisibleTo(wizard)]


def _close(dialog: QWidget) -> None:
    if isinstance(dialog, QDialog):
        QDialog.done(dialog, QDialog.DialogCode.Rejected)  # unchanged or not: never ask, never save
    else:
        dialog.close()


def _form(name: str, form) -> Opened:
    services = getattr(form, "services", None)
    return Opened(name, form, list(form.buttons.buttons()), [services.add_button] if services is not None else [])


def tour(window) -> Iterator[Opened]:
    """Open each form and dialog over `window` (unlocked, with records), yield it, close it.
    The caller resizes, checks or photographs it between two steps."""
    for page in window.pages:
        window.show_page(page)
        yield from forms_of(page)
    yield from other_dialogs(window)


def forms_of(page) -> Iterator[Opened]:
    """The forms a page opens: its record's (with the service and reason dialogs of a referral),
    then a new one; the parties page's party and commitment forms."""
    from fieldapp.gui.parties_page import PartiesPage

    if isinstance(page, ListPage) and page.FORM is not None:
        if page.current_record() is None:
            page.refresh()
            page.select_row(0)
        page.edit_current()
        form = page.form
        if form is not None:
            yield _form(f"{page.KIND}-form", form)
            services = getattr(form, "services", None)
            if services is not None:
                services.add_service()
                yield Opened("service-dialog", services.dialog, _buttons(services.dialog), [])
                _close(services.dialog)
                # The longest reason asked: referring a survivor who has not consented.
                form.consent_referral.setChecked(False)
                for row in range(services.model.rowCount()):
                    services.view.selectRow(row)
                    services.move_to("referred")
                    if services.dialog is not None:
                        yield Opened("reason-dialog", services.dialog, _buttons(services.dialog), [])
                        _close(services.dialog)
                        break
            _close(form)
        page.new_record()
        yield _form(f"{page.KIND}-form-new", page.form)
        _close(page.form)
    if isinstance(page, PartiesPage):
        page.refresh()
        page.edit_party()
        yield _form("party-form", page.form)
        _close(page.form)
        page.new_party()
        yield _form("party-form-new", page.form)
        _close(page.form)
        for name, open_form in page.screenshot_forms():
            if name == "commitment-form":
                form = open_form()
                if form.drafts:
                    form.table.setCurrentItem(form.table.topLevelItem(0))  # the item editor filled in
                yield _form("commitment-form", form)
                _close(form)
        page.new_commitment()
        yield _form("commitment-form-new", page.form)
        _close(page.form)


def other_dialogs(window) -> Iterator[Opened]:
    """The dialogs of the menus and of the Sync page, and the import wizard's first step."""
    from fieldapp.gui.backup_dialog import RestoreDialog
    from fieldapp.gui.import_wizard import open_import_wizard
    from fieldapp.gui.protection import LockSettingsDialog
    from fieldapp.gui.sync_page import AddOfficeDialog
    from fieldapp.gui.wizard import SharesDialog
    from fieldapp.sync.site import Site

    session = window.context.session
    for name, dialog in (
            ("add-office-dialog", lambda: AddOfficeDialog(Site(session).card(), True, window)),
            ("restore-dialog", lambda: RestoreDialog(window)),
            ("protection-settings", lambda: LockSettingsDialog(5, 10, window)),
            ("recovery-shares-dialog", lambda: SharesDialog(window))):
        opened = dialog()
        opened.show()
        yield Opened(name, opened, _buttons(opened), [])
        _close(opened)
        opened.deleteLater()
    wizard = open_import_wizard(window.context, window)
    yield Opened("import-wizard", wizard, _wizard_buttons(wizard), [])
    _close(wizard)
