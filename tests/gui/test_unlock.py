"""The unlock screen: wrong then right passphrase, waiting after repeated failures (kept across a
restart), forgotten passphrase with the recovery key, and a vault already open elsewhere."""

import json

from PySide6.QtCore import Qt

from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.unlock import ATTEMPTS_FILE, FREE_ATTEMPTS, UnlockScreen, UnlockThrottle
from fieldapp.store.vault import Vault

PASSPHRASE, USER = "correct horse battery staple", "amina"  # the template vault's (tests/conftest.py)


def open_window(qtbot, context, path) -> MainWindow:
    window = MainWindow(context, Vault(path))
    qtbot.addWidget(window)
    window.show()
    return window


def test_wrong_then_right_passphrase(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    assert window.stack.currentWidget() is screen
    assert screen.user.currentText() == USER
    qtbot.keyClicks(screen.passphrase, "not the passphrase")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    # Key derivation runs in a worker: the form is disabled, the window keeps running.
    assert not screen.passphrase.isEnabled() and "Opening the vault" in screen.message.text()
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert not context.is_unlocked
    assert screen.message.text().startswith("Wrong passphrase for amina.")
    assert "4 more tries" in screen.message.text()
    assert UnlockThrottle(path).failures == 1

    screen.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert window.stack.currentWidget() is window.workspace
    assert screen.passphrase.text() == ""
    assert window.status.text() == "Site: Beni field office · User: amina"
    assert UnlockThrottle(path).failures == 0  # a success starts the count again
    window.lock()
    window.vault.release()


def test_after_five_failures_each_try_waits_longer_even_after_a_restart(qtbot, vault_copy):
    path, _key = vault_copy
    throttle = UnlockThrottle(path)
    assert [throttle.wait_after(n) for n in range(4, 9)] == [0, 15, 30, 60, 120]
    assert throttle.wait_after(30) == 900
    for _ in range(FREE_ATTEMPTS):
        throttle.record_failure()
    vault = Vault(path)
    screen = UnlockScreen(vault)
    qtbot.addWidget(screen)
    assert not screen.unlock_button.isEnabled()
    assert "Wait 15 seconds before the next try" in screen.message.text()
    screen.passphrase.setText(PASSPHRASE)
    screen.try_unlock()  # Enter in the field while waiting does nothing
    assert screen.worker is None
    vault.release()

    # Restarting the app (a new screen on a new Vault object) keeps the wait.
    restarted = UnlockScreen(Vault(path))
    qtbot.addWidget(restarted)
    assert not restarted.unlock_button.isEnabled()
    assert json.loads((path / ATTEMPTS_FILE).read_text())["failures"] == FREE_ATTEMPTS
    # Once the wait is over, the button comes back by itself.
    data = json.loads((path / ATTEMPTS_FILE).read_text())
    data["last_failure"] -= 16
    (path / ATTEMPTS_FILE).write_text(json.dumps(data))
    qtbot.waitUntil(restarted.unlock_button.isEnabled, timeout=3000)
    assert restarted.message.text() == "You can try again."
    restarted.vault.release()


def test_forgot_passphrase_with_the_recovery_key(qtbot, context, vault_copy):
    path, recovery_key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    qtbot.mouseClick(screen.forgot_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == 1 and screen.recovery_key.isVisible()
    assert not screen.passphrase.isVisible()

    screen.recovery_key.setPlainText("AGE-SECRET-KEY-1" + "Q" * 58)
    screen.new_passphrase.first.setText("a brand new passphrase")
    screen.new_passphrase.second.setText("a brand new passphrase")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=10000)
    assert screen.message.text() in ("This recovery key does not belong to this vault.",
                                     "This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1.")

    # Typed from the printed sheet: groups, spaces, line breaks and lower case are all accepted.
    rest = recovery_key[len("AGE-SECRET-KEY-1"):]
    typed = "AGE-SECRET-KEY-1\n" + " ".join(rest[i:i + 6] for i in range(0, len(rest), 6)).lower()
    screen.recovery_key.setPlainText(typed)
    screen.new_passphrase.second.setText("a different one!")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    assert screen.message.text() == "The two passphrases differ." and screen.worker is None
    screen.new_passphrase.second.setText("a brand new passphrase")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert context.session.user == USER
    assert screen.recovery_key.toPlainText() == ""

    # The old passphrase no longer opens the vault; the new one does.
    window.lock()
    screen.passphrase.setText(PASSPHRASE)
    screen.try_unlock()
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert screen.message.text().startswith("Wrong passphrase")
    screen.passphrase.setText("a brand new passphrase")
    screen.try_unlock()
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    window.lock()
    window.vault.release()


def test_a_vault_open_in_another_window_says_so(qtbot, context, vault_copy):
    path, _key = vault_copy
    elsewhere = Vault(path)
    elsewhere.acquire()  # another fieldapp window or command holds the vault
    try:
        window = open_window(qtbot, context, path)
        assert "already open in another fieldapp window" in window.unlock_screen.message.text()
    finally:
        elsewhere.release()
    assert window.unlock_screen.check_not_open_elsewhere()
    window.vault.release()
