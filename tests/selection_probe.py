"""The real app on an X server (tests/gui/test_protection.py runs it under Xvfb): a search typed
and selected becomes X11's PRIMARY selection, which any other program on the display can read;
after Ctrl+L another program reads it again. Prints what the other program read, before and
after the lock, one line each.

    python tests/selection_probe.py VAULT USER RECOVERY_KEY
    python tests/selection_probe.py --read      # the other program: prints PRIMARY
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def read_primary() -> None:
    from PySide6.QtGui import QClipboard
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    print(repr(app.clipboard().text(QClipboard.Mode.Selection)), flush=True)


def main(vault_path: str, user: str, recovery_key: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from fieldapp.gui.app import create_application
    from fieldapp.gui.context import AppContext
    from fieldapp.gui.main_window import MainWindow
    from fieldapp.store.vault import Vault

    app = create_application(sys.argv[:1])
    context = AppContext()
    window = MainWindow(context, Vault(vault_path))
    window.show()

    def settle(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)

    def other_program_reads() -> str:
        # This app must keep answering X while the other program asks for the selection.
        reader = subprocess.Popen([sys.executable, __file__, "--read"], stdout=subprocess.PIPE, text=True)
        while reader.poll() is None:
            settle(0.02)
        return reader.stdout.read().strip()

    settle(0.3)
    window.on_unlocked(window.vault.unlock_with_recovery(recovery_key, user))
    referrals = window.page_of_kind("referral")
    window.show_page(referrals)
    settle(0.3)
    window.activateWindow()
    referrals.search.setFocus()
    QTest.keyClicks(referrals.search, "BNI-2026-0042")
    QTest.keyClick(referrals.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    settle(0.3)
    print(other_program_reads(), flush=True)
    QTest.keyClick(referrals.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    settle(0.3)
    print(other_program_reads(), flush=True)
    window.vault.release()


if __name__ == "__main__":
    if sys.argv[1] == "--read":
        read_primary()
    else:
        main(*sys.argv[1:4])
