"""Starting the app: the unlock screen comes first, and what it does not need (pages, documents,
backups, the database code, Babel's locale data) is loaded once it is on screen. Keeps the start
within 1.5× a bare Qt window (docs/PERFORMANCE.md)."""

import subprocess
import sys
from datetime import date, datetime, timezone

from PySide6.QtCore import Qt

from fieldapp.domain.records import Referral
from fieldapp.gui.main_window import PAGES, MainWindow
from fieldapp.store.vault import Vault

PASSPHRASE = "correct horse battery staple"  # the template vault's (tests/conftest.py)
LOADED_LATER = ("reportlab", "fieldapp.store.session", "fieldapp.store.backup", "fieldapp.documents",
                "fieldapp.sync.bundle", "fieldapp.gui.home", "fieldapp.gui.list_page", "babel.dates")


def test_the_desktop_app_imports_nothing_the_unlock_screen_does_not_need():
    code = ("import sys\n"
            "from fieldapp import cli\n"
            "assert cli.desktop_arguments(['--vault', 'somewhere']) is not None\n"
            "import fieldapp.gui.app\n"
            f"print([name for name in {LOADED_LATER!r} if any(m == name or m.startswith(name + '.') "
            "for m in sys.modules)])\n")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_pages_are_built_once_the_unlock_screen_is_on_screen(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = MainWindow(context, Vault(path))
    qtbot.addWidget(window)
    assert window.nav.count() == 0 and window.backup_actions is None
    window.show()
    qtbot.waitUntil(lambda: window.nav.count() == len(PAGES), timeout=10000)
    assert window.stack.currentWidget() is window.unlock_screen
    assert [window.nav.item(row).text() for row in range(3)] == ["Home", "Referrals", "Alerts"]
    assert window.backup_actions.restore_action.isEnabled()  # restoring needs no unlocked vault

    # Unlocking opens Home with its figures.
    qtbot.keyClicks(window.unlock_screen.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert window.nav.currentRow() == 0 and window.page_stack.currentWidget() is window.pages[0]
    window.lock()


def test_unlocking_before_the_pages_were_built_builds_them_first(qtbot, context, session):
    session.referrals.create(Referral(
        survivor_code="BNI-2026-0001", reported_at=datetime.now(timezone.utc), incident_date=date.today(),
        incident_type="rape", sex="female", age_group="18-59", displacement="idp", disability="no",
        perpetrator_category="unknown", entry_point="self", consent_referral=True, consent_reporting=True))
    window = MainWindow(context, session.vault)  # never shown: no page built yet
    qtbot.addWidget(window)
    assert window.nav.count() == 0
    window.on_unlocked(session)
    assert window.nav.count() == len(PAGES) and context.is_unlocked
    window.show()
    home = window.pages[0]
    qtbot.waitUntil(lambda: home.urgent.tree.topLevelItemCount() == 1, timeout=5000)  # Home heard of the session
    window.lock()
