"""First run: the wizard creates the vault, loads the shipped places, hands over the recovery key once
(as a sheet or as share sheets), then opens Home; in French when chosen, on a small screen too."""

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton, QWizard

from fieldapp import i18n
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.wizard import SharesDialog
from fieldapp.paths import remembered_language
from fieldapp.store.shares import recovery_key_from_shares
from fieldapp.store.vault import Vault, normalise_recovery_key
from tests.test_recovery_sheet import printed_shares


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


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

    places = wizard.places_page
    assert wizard.currentPage() is places
    # The DR Congo P-code file ships with the app: offered, and chosen unless the office says otherwise.
    assert places.shipped.isChecked()
    assert places.shipped_detail.text() == "Congo - Kinshasa: 216 places (OCHA P-codes)"
    assert "come from headquarters" in places.directory_hint.text()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.user_page

    page = wizard.user_page
    create = wizard.button(QWizard.WizardButton.CommitButton)
    assert create.text() == "&Create vault"
    # The user-name rule is said as it is typed.
    qtbot.keyClicks(page.user, "amina k")
    assert page.user_rule.isVisible() and "cannot be a user name" in page.user_rule.text()
    qtbot.keyClick(page.user, Qt.Key.Key_Backspace)
    qtbot.keyClick(page.user, Qt.Key.Key_Backspace)
    assert not page.user_rule.isVisible()
    qtbot.keyClicks(page.passphrase.first, "short")
    assert page.passphrase.verdict.text() == "Too short: 5 of at least 10 characters."
    assert not create.isEnabled()
    qtbot.keyClicks(page.passphrase.first, " horse battery staple")
    assert page.passphrase.verdict.text() == "Strong"
    qtbot.keyClicks(page.passphrase.second, "short horse battery stapler")
    assert not create.isEnabled()
    qtbot.keyClick(page.passphrase.second, Qt.Key.Key_Backspace)
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
    text = _pdf_text(sheet)
    assert "Beni field office" in text and key[16:22] in text
    assert str(sheet) in recovery.saved.text()

    # Or as shares: 3 of 5, one sheet each; any 3 typed back give the key.
    shares_file = tmp_path / "shares.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(shares_file), ""))
    monkeypatch.setattr(SharesDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    qtbot.mouseClick(recovery.shares_button, Qt.MouseButton.LeftButton)
    shares = printed_shares(_pdf_text(shares_file))
    assert len(shares) == 5 and "any 3 of them open the vault" in recovery.saved.text()
    assert recovery_key_from_shares("\n".join(shares[1:4])) == key

    qtbot.mouseClick(recovery.confirm, Qt.MouseButton.LeftButton)
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert context.is_unlocked and context.session.site_name == "Beni field office"
    assert context.session.office_code == "BNI" and context.session.user == "amina"
    assert context.session.places.count() == 216
    assert window.stack.currentWidget() is window.workspace and window.wizard is None
    assert window.status.text() == "Site: Beni field office · User: amina"

    # Locked, the window asks for a user name and passphrase; the key opens the vault too.
    window.lock()
    assert window.stack.currentWidget() is window.unlock_screen
    assert window.unlock_screen.user.text() == ""
    session = window.vault.unlock_with_recovery(key, "amina")
    assert session.site_name == "Beni field office"
    session.close()


def test_the_wizard_in_french_is_remembered_and_fits_a_small_screen(qtbot, context, tmp_path):
    window = MainWindow(context, Vault(tmp_path / "vault"))
    qtbot.addWidget(window)
    window.show()
    wizard = window.wizard
    site = wizard.site_page
    site.language.setFocus()
    qtbot.keyClick(site.language, Qt.Key.Key_Down)  # English → Français
    assert i18n.language() == "fr" and remembered_language() == "fr"
    assert site.title() == "Bienvenue dans fieldapp"
    assert wizard.places_page.shipped_detail.text().startswith("République démocratique du Congo\u00a0: 216 lieux")
    for size in ((1366, 768), (1024, 600)):
        window.resize(*size)
        for page in wizard.all_pages[:3]:
            wizard.setStartId(wizard.pageIds()[wizard.all_pages.index(page)])
            wizard.restart()
            qtbot.wait(50)
            assert wizard.geometry().bottom() <= window.centralWidget().height(), size
            # Nothing wider than the page: it would be cut off, as sideways scrolling is off.
            assert page.scroll.widget().minimumSizeHint().width() <= page.scroll.viewport().width(), (
                size, page.title())
            for button in (wizard.button(QWizard.WizardButton.NextButton),
                           wizard.button(QWizard.WizardButton.CancelButton)):
                if button.isVisible():
                    corner = button.mapTo(window, button.rect().bottomRight())
                    assert window.rect().contains(corner), (size, page.title(), button.text())
