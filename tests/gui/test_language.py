"""The Language menu switches at runtime, Qt's own buttons included, and is remembered per user."""

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard

from fieldapp import i18n
from fieldapp.domain.records import Referral, ReferralService
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.protection import LockSettingsDialog
from fieldapp.store.vault import Vault

USER = "amina"


def cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    return box.button(QDialogButtonBox.StandardButton.Cancel).text()


def test_language_menu_shows_each_language_in_its_own_name(window):
    names = [action.text() for action in window.language_menu.actions()]
    assert names == ["English", "Français"]
    window.language_actions["fr"].trigger()
    assert [action.text() for action in window.language_menu.actions()] == ["English", "Français"]
    assert window.language_actions["fr"].isChecked()


def test_french_reaches_qt_buttons_dates_and_is_remembered_for_the_user(qtbot, window, session, context, vault_copy):
    now = datetime.now(timezone.utc)
    referral = Referral(survivor_code="BNI-2026-0001", reported_at=now - timedelta(days=20),
                        incident_date=(now - timedelta(days=21)).date(), incident_type="physical_assault",
                        sex="female", age_group="18-59", displacement="idp", disability="no",
                        perpetrator_category="unknown", entry_point="self", consent_referral=True)
    session.referrals.create(referral)
    due = datetime(2026, 1, 15).date()
    context.records_changed.emit(session.services.create(
        ReferralService(referral_id=referral.id, sector="legal", status="referred", follow_up_on=due)))
    home = window.pages[0]
    assert home.follow_ups.tree.topLevelItem(0).text(0).startswith("01/15/2026")

    with qtbot.waitSignal(context.language_changed, timeout=1000):
        window.language_actions["fr"].trigger()
    assert i18n.language() == "fr"
    # The navigation is set again from the French catalog (the same text until a msgid is translated).
    assert window.nav.item(0).text() == i18n.translate_in("fr", "Home")
    # Qt's own strings come from qtbase_fr, so a standard dialog button is French right away.
    assert cancel_text() == "Annuler"
    seen = {}

    def read_settings_dialog():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LockSettingsDialog))
        buttons = dialog.findChild(QDialogButtonBox)
        seen["cancel"] = buttons.button(QDialogButtonBox.StandardButton.Cancel).text()
        dialog.reject()

    QTimer.singleShot(0, read_settings_dialog)
    window.edit_protection_settings()
    assert seen["cancel"] == "Annuler"
    # Dates on Home follow the language (Babel, fr_CD) without a restart.
    assert home.follow_ups.tree.topLevelItem(0).text(0).startswith("15/01/2026")
    assert session.user_settings()["language"] == "fr"

    # Someone switches the locked window back to English; amina unlocks and gets French again.
    window.lock()
    window.language_actions["en"].trigger()
    assert i18n.language() == "en"
    again = window.vault.unlock_with_recovery(vault_copy[1], USER)
    window.on_unlocked(again)
    assert i18n.language() == "fr" and window.language_actions["fr"].isChecked()
    assert cancel_text() == "Annuler"


def test_wizard_language_choice_switches_qt_buttons(qtbot, context, tmp_path):
    window = MainWindow(context, Vault(tmp_path / "new-vault"))
    qtbot.addWidget(window)
    wizard = window.wizard
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Next >"
    wizard.site_page.language.setCurrentIndex(wizard.site_page.language.findData("fr"))
    assert i18n.language() == "fr"
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Suivant >"
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "Annuler"
