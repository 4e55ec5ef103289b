"""First run: the wizard creates the vault, hands over the recovery key once, then opens Home."""

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWizard

from fieldapp.store.vault import normalise_recovery_key
from fieldapp.gui.main_window import MainWindow
from fieldapp.store.vault import Vault


def test_create_a_vault_through_the_wizard(qtbot, context, tmp_path, monkeypatch):
    path = tmp_path / "vault"
    window = MainWindow(context, Vault(path))
    qtbot.addWidget(window)
    window.show()
    wizard = window.wizard
    assert window.stack.currentWidget() is window.wizard_frame and wizard.isVisible()
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    site = wizard.site_page
    assert not next_button.isEnabled()
    qtbot.keyClicks(site.site, "Beni field office")
    qtbot.keyClicks(site.office_code, "bni")
    assert site.office_code.text() == "BNI"
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.user_page

    page = wizard.user_page
    create = wizard.button(QWizard.WizardButton.CommitButton)
    assert create.text() == "&Create vault"
    qtbot.keyClicks(page.user, "amina")
    qtbot.keyClicks(page.passphrase.first, "short")
    assert page.passphrase.verdict.text() == "Too short: 5 of at least 10 characters."
    assert not create.isEnabled()
    page.passphrase.first.setText("correct horse battery staple")
    assert page.passphrase.verdict.text() == "Strong"
    page.passphrase.second.setText("correct horse battery stapler")
    assert not create.isEnabled()
    page.passphrase.second.setText("correct horse battery staple")
    assert create.isEnabled()
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    assert "Creating the vault" in page.problem.text()  # the worker runs; the window does not freeze
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=20000)

    recovery = wizard.recovery_page
    key = normalise_recovery_key(recovery.key.text())
    assert key.startswith("AGE-SECRET-KEY-1") and len(key) == 74
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # the key must be confirmed as stored first
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible()

    sheet = tmp_path / "recovery-sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(sheet), ""))
    qtbot.mouseClick(recovery.save_button, Qt.MouseButton.LeftButton)
    text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
    assert "Beni field office" in text and key[16:22] in text
    assert str(sheet) in recovery.saved.text()

    recovery.confirm.setChecked(True)
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert context.is_unlocked and context.session.site_name == "Beni field office"
    assert context.session.office_code == "BNI" and context.session.user == "amina"
    assert window.stack.currentWidget() is window.workspace and window.wizard is None
    assert window.status.text() == "Site: Beni field office · User: amina"

    # Locked, the window asks for the passphrase of the vault the wizard made; the key opens it too.
    window.lock()
    assert window.stack.currentWidget() is window.unlock_screen
    assert window.unlock_screen.user.currentText() == "amina"
    session = window.vault.unlock_with_recovery(key, "amina")
    assert session.site_name == "Beni field office"
    session.close()
