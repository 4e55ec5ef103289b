"""The real app, offscreen, as a person uses it before stepping away: unlock by typing the
passphrase, look at Home, the referrals list and several records, the Sync page (which loads the
site's keys), type in the search field, then Ctrl+L. It then stays locked and idle while
tests/test_secrets_after_lock.py reads this process's memory from outside.

    python tests/memory_probe.py VAULT USER        # the passphrase comes on stdin

The secrets to look for are never given to this process: what it knows is what a user knows
(the passphrase, typed) and what the window shows. Prints `locked` when locked, then waits
for stdin to close.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(vault_path: str, user: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from fieldapp.gui.app import create_application
    from fieldapp.gui.context import AppContext
    from fieldapp.gui.main_window import MainWindow
    from fieldapp.store.vault import Vault

    app = create_application(sys.argv[:1])
    context = AppContext()
    window = MainWindow(context, Vault(vault_path))
    window.resize(1366, 768)
    window.show()

    def settle(seconds: float = 0.2) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)

    def wait(condition, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("probe: timed out")
            app.processEvents()
            time.sleep(0.005)

    screen = window.unlock_screen
    wait(screen.isVisible)
    settle()
    screen.passphrase.setFocus()
    # The passphrase is typed key by key as read, so this script holds no str of it.
    while (byte := os.read(0, 1)) not in (b"", b"\n"):
        QTest.keyClick(screen.passphrase, chr(byte[0]))
    QTest.keyClick(screen.passphrase, Qt.Key.Key_Return)
    wait(lambda: context.is_unlocked)
    settle(0.5)

    referrals = window.page_of_kind("referral")
    window.show_page(referrals)
    wait(lambda: referrals.model.rowCount() > 0)
    settle()
    for row in range(0, min(40, referrals.model.rowCount()), 4):
        referrals.select_row(row)
        settle(0.05)
    referrals.table.setFocus()
    QTest.keyClick(referrals.table, Qt.Key.Key_End)  # the oldest records too
    settle()
    referrals.search.setFocus()
    QTest.keyClicks(referrals.search, "BNI-20")
    settle(0.6)
    referrals.search.selectAll()  # a selection is X11's PRIMARY
    settle()

    sync = window.page_of_kind("sync")
    if sync is not None:
        window.show_page(sync)
        settle(0.5)
    window.show_page(window.pages[0])
    settle()

    window.activateWindow()
    window.nav.setFocus()
    QTest.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait(lambda: not context.is_unlocked)
    settle(0.5)
    print("locked", flush=True)
    while os.read(0, 4096):  # idle and locked until the test has read the memory
        pass
    window.vault.release()
    window.close()
    QApplication.processEvents()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
