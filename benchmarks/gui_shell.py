"""How the application shell feels on a big vault: unlock (and whether the window keeps
responding meanwhile), first paint of Home after unlock, opening each page from the navigation,
switching language, Ctrl+L and quick exit. Real main window, painting offscreen. Prints
milliseconds; no assertion.

    .venv/bin/python benchmarks/gui_shell.py [RECORDS]     # default 200000, vault cached once
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.vault_cache import cached_vault  # noqa: E402
from fieldapp.gui.app import create_application  # noqa: E402
from fieldapp.gui.context import AppContext  # noqa: E402
from fieldapp.gui.main_window import MainWindow  # noqa: E402
from fieldapp.gui.qt_i18n import apply_language  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402


def ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:8.1f} ms"


def paint(window) -> None:
    window.grab()  # renders every visible widget, as the first frame on screen would


def main(records: int) -> None:
    app = create_application([sys.argv[0]])
    cache = cached_vault(records)
    with tempfile.TemporaryDirectory() as temp:
        path = cache.working_copy(Path(temp) / "vault")
        context = AppContext()
        window = MainWindow(context, Vault(path))
        window.resize(1280, 800)
        window.show()
        paint(window)
        print(f"vault: {records} referrals and as many alerts ({path})")

        # Unlock by passphrase: scrypt in a worker. The longest gap between 10 ms timer ticks
        # is how long the window could not repaint or react.
        screen = window.unlock_screen
        screen.passphrase.setText(cache.passphrase)
        gaps, last, key_ready = [], [time.perf_counter()], []

        def tick():
            now = time.perf_counter()
            if not key_ready:  # only while the key is derived; filling Home is timed below
                gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(10)
        home = window.pages[0]
        screen.unlocked.connect(lambda _session: key_ready.append(time.perf_counter()))
        start = time.perf_counter()
        screen.try_unlock()
        while not context.is_unlocked:
            app.processEvents()
            time.sleep(0.001)
        paint(window)
        painted = time.perf_counter()
        while home._dirty:
            app.processEvents()
        paint(window)
        filled = time.perf_counter()
        timer.stop()
        print(f"unlock by passphrase (key derivation in a worker) {ms(start)}; "
              f"longest pause of the event loop meanwhile: {max(gaps) * 1000:.0f} ms")
        print(f"first paint after unlock (key ready → window)      {(painted - key_ready[0]) * 1000:8.1f} ms")
        print(f"Home filled and painted after unlock               {(filled - key_ready[0]) * 1000:8.1f} ms")
        start = time.perf_counter()
        home.reload()
        print(f"Home reload (dashboard queries + filling)          {ms(start)}")

        for page in window.pages[1:]:
            start = time.perf_counter()
            window.show_page(page)
            app.processEvents()
            paint(window)
            print(f"open {type(page).__name__:<26}               {ms(start)}")
        window.show_page(home)

        start = time.perf_counter()
        apply_language("fr", context)
        app.processEvents()
        paint(window)
        print(f"switch to French (every page retranslates)         {ms(start)}")
        apply_language("en", context)

        window.nav.setFocus()
        blanked = []
        original_drop = context.drop_session

        def drop_session():  # lock() calls it right after painting the blank screen
            blanked.append(time.perf_counter())
            original_drop()

        context.drop_session = drop_session
        start = time.perf_counter()
        QTest.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        paint(window)
        context.drop_session = original_drop
        print(f"Ctrl+L: blank painted in {(blanked[0] - start) * 1000:.1f} ms; pages cleared and key dropped "
              f"(database closed) in {ms(start).strip()}")

        for label, keys in (("Ctrl+Shift+Q", [(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier
                                                 | Qt.KeyboardModifier.ShiftModifier)]),
                            ("Esc x3", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)] * 3)):
            window.showNormal()
            session = window.vault.unlock_with_recovery(cache.recovery_key, cache.user)
            window.on_unlocked(session)
            window.show_page(window.pages[1])  # a full list on screen
            app.processEvents()
            paint(window)
            window.nav.setFocus()
            for key, modifiers in keys[:-1]:
                QTest.keyClick(window.nav, key, modifiers)
            watch = QElapsedTimer()
            watch.start()
            QTest.keyClick(window.nav, *keys[-1])
            hidden = watch.nsecsElapsed() / 1e6
            paint(window)
            print(f"quick exit {label:<13} locked in {hidden:6.1f} ms, repainted blank in "
                  f"{watch.nsecsElapsed() / 1e6:6.1f} ms (locked: {not context.is_unlocked})")
        window.vault.release()
        window.close()
        QApplication.processEvents()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
