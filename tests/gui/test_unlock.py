"""The unlock screen: user name typed (never listed), wrong then right passphrase, waiting after
repeated failures (kept across a restart, shared with the command line), forgotten passphrase with
the recovery key or its shares, the language switch, quick delete, a vault open elsewhere, and
a small screen."""

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from fieldapp import i18n
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.unlock import COUNTDOWN_PAGE, DELETED_PAGE, UnlockScreen
from fieldapp.paths import remembered_language
from fieldapp.store.shares import split_recovery_key
from fieldapp.store.throttle import FREE_ATTEMPTS
from fieldapp.store.vault import Vault

PASSPHRASE, USER = "correct horse battery staple", "amina"  # the template vault's (tests/conftest.py)


def open_window(qtbot, context, path) -> MainWindow:
    window = MainWindow(context, Vault(path))
    qtbot.addWidget(window)
    window.show()
    return window


def type_lines(qtbot, field, text: str) -> None:
    """Type `text` as a person does, Enter between lines."""
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.keyClicks(field, line)


def test_wrong_then_right_passphrase_with_the_user_name_typed(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    assert window.stack.currentWidget() is screen
    assert screen.user.text() == ""  # a locked laptop lists no user
    qtbot.keyClicks(screen.user, "Amina")
    qtbot.keyClick(screen.user, Qt.Key.Key_Return)  # Enter moves on to the passphrase
    assert window.focusWidget() is screen.passphrase
    qtbot.keyClicks(screen.passphrase, "not the passphrase")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    # Key derivation runs in a worker: the form is disabled, the window keeps running.
    assert not screen.passphrase.isEnabled() and "Opening the vault" in screen.message.text()
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert not context.is_unlocked
    assert screen.message.text().startswith("Wrong passphrase for Amina.")
    assert "4 more tries" in screen.message.text()
    assert Vault(path).attempts.failures == 1

    qtbot.keyClicks(screen.passphrase, PASSPHRASE)  # the wrong one is selected: typing replaces it
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert window.stack.currentWidget() is window.workspace
    assert screen.passphrase.text() == ""
    assert window.status.text() == "Site: Beni field office · User: amina"  # spelled as created
    assert Vault(path).attempts.failures == 0  # a success starts the count again
    window.lock()
    assert screen.user.text() == ""
    window.vault.release()


def test_an_unknown_user_name_is_said_and_no_name_is_shown(qtbot, context, session, vault_copy):
    path, _key = vault_copy
    session.add_user("aline", "aline's own passphrase")
    session.close()
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    assert screen.message.text() == "Type your user name."  # two people use it: the name is needed
    assert screen.worker is None
    qtbot.keyClicks(screen.user, "ghost")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert "There is no user “ghost” in this vault" in screen.message.text()
    assert USER not in screen.message.text() and "aline" not in screen.message.text()
    window.vault.release()


def test_a_vault_of_one_user_opens_with_the_passphrase_alone(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    qtbot.keyClicks(screen.passphrase, "not the passphrase")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert screen.message.text().startswith("Wrong passphrase.")
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert context.session.user == USER
    window.lock()
    window.vault.release()


def test_after_five_failures_each_try_waits_longer_even_after_a_restart(qtbot, vault_copy):
    path, _key = vault_copy
    counter = Vault(path).attempts
    for _ in range(FREE_ATTEMPTS):
        counter.begin_attempt()
        counter.failed()
        state = counter.read()
        if _ < FREE_ATTEMPTS - 1:
            state.last_failure = 0.0
            counter._write(state)
    vault = Vault(path)
    screen = UnlockScreen(vault)
    qtbot.addWidget(screen)
    assert not screen.unlock_button.isEnabled()
    assert "Wait 15 seconds before the next try" in screen.message.text()
    qtbot.keyClicks(screen.user, USER)
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)  # Enter while waiting does nothing
    assert screen.worker is None
    vault.release()

    # Restarting the app (a new screen on a new Vault object) keeps the wait.
    restarted = UnlockScreen(Vault(path))
    qtbot.addWidget(restarted)
    assert not restarted.unlock_button.isEnabled()
    counter_file = path / "keys" / "attempts.json"
    assert json.loads(counter_file.read_text())["failures"] == FREE_ATTEMPTS
    # Once the wait is over, the button comes back by itself.
    data = json.loads(counter_file.read_text())
    data["last_failure"] -= 16
    counter_file.write_text(json.dumps(data))
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

    qtbot.keyClicks(screen.recovery_key, "AGE-SECRET-KEY-1" + "Q" * 58)
    qtbot.keyClicks(screen.recovery_user, USER)
    qtbot.keyClicks(screen.new_passphrase.first, "a brand new passphrase")
    qtbot.keyClicks(screen.new_passphrase.second, "a brand new passphrase")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=10000)
    assert "typing error" in screen.message.text() or "not a recovery key" in screen.message.text()

    # Typed from the printed sheet: groups, line breaks, lower case, O for 0 and l for the 1.
    rest = recovery_key[len("AGE-SECRET-KEY-1"):]
    typed = "AGE-SECRET-KEY-l\n" + " ".join(rest[i:i + 6] for i in range(0, len(rest), 6)).lower().replace("0", "o")
    screen.recovery_key.selectAll()
    qtbot.keyClick(screen.recovery_key, Qt.Key.Key_Delete)
    type_lines(qtbot, screen.recovery_key, typed)
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert context.session.user == USER
    assert screen.recovery_key.toPlainText() == ""

    # The old passphrase no longer opens the vault; the new one does.
    window.lock()
    qtbot.keyClicks(screen.user, USER)
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=15000)
    assert screen.message.text().startswith("Wrong passphrase")
    qtbot.keyClicks(screen.passphrase, "a brand new passphrase")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    window.lock()
    window.vault.release()


def test_forgot_passphrase_with_k_of_n_shares(qtbot, context, vault_copy):
    path, recovery_key = vault_copy
    shares = split_recovery_key(recovery_key, 2, 3)
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    qtbot.mouseClick(screen.forgot_button, Qt.MouseButton.LeftButton)
    type_lines(qtbot, screen.recovery_key, shares[2] + "\n")
    assert screen.share_progress.text() == "1 share typed; any 2 open the vault; type 1 more."
    qtbot.keyClicks(screen.recovery_user, USER)
    qtbot.keyClicks(screen.new_passphrase.first, "a passphrase from shares")
    qtbot.keyClicks(screen.new_passphrase.second, "a passphrase from shares")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.worker is None, timeout=10000)
    assert screen.message.text() == "Only 1 of 2 shares typed: 1 more is needed to open the vault."
    qtbot.keyClicks(screen.recovery_key, " ".join(word[:4] for word in shares[0].split()) + " ")
    assert screen.share_progress.text() == "2 shares typed; any 2 open the vault."
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.is_unlocked, timeout=15000)
    assert context.session.user == USER
    window.lock()
    window.vault.release()
    Vault(path).unlock(USER, "a passphrase from shares").close()


def test_the_unlock_screen_switches_language_and_the_next_start_keeps_it(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    assert screen.heading.text() == "The vault is locked"
    qtbot.mouseClick(screen.language_buttons["fr"], Qt.MouseButton.LeftButton)
    assert i18n.language() == "fr"
    assert screen.heading.text() == "Le coffre est verrouillé"
    assert window.file_menu.title() == "&Fichier"
    assert remembered_language() == "fr"
    window.vault.release()


def test_quick_delete_counts_down_any_key_cancels_then_it_deletes(qtbot, context, vault_copy):
    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    qtbot.mouseClick(screen.quick_delete_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == COUNTDOWN_PAGE
    assert screen.countdown_label.text() == "Deleting the vault in 5 seconds…"
    qtbot.keyClick(screen.countdown_page, Qt.Key.Key_Space)
    assert screen.pages.currentIndex() == 0
    assert screen.message.text() == "Quick delete cancelled; nothing was deleted."
    qtbot.wait(1200)
    assert path.exists() and (path / "keys" / "recovery.age").exists()

    qtbot.mouseClick(screen.quick_delete_button, Qt.MouseButton.LeftButton)
    qtbot.wait(1100)
    assert screen.countdown_label.text() == "Deleting the vault in 4 seconds…"
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == DELETED_PAGE, timeout=8000)
    assert not path.exists()
    assert screen.heading.text() == "The vault was deleted from this laptop"
    assert "1 key slot" not in screen.deleted_text.text()
    assert "2 key slots (the recovery slot included)" in screen.deleted_text.text()
    assert "Backups and bundles already sent are the only copies" in screen.deleted_text.text()


def test_quick_delete_from_the_file_menu_locks_first(qtbot, window, vault_copy):
    path, _key = vault_copy
    assert window.context.is_unlocked
    window.quick_delete_action.trigger()
    assert not window.context.is_unlocked
    screen = window.unlock_screen
    assert window.stack.currentWidget() is screen and screen.pages.currentIndex() == COUNTDOWN_PAGE
    qtbot.keyClick(screen.countdown_page, Qt.Key.Key_Escape)
    assert screen.pages.currentIndex() == 0 and path.exists()
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


def test_the_unlock_screen_fits_a_small_screen_in_both_languages(qtbot, context, vault_copy):
    from fieldapp.gui.qt_i18n import apply_language

    path, _key = vault_copy
    window = open_window(qtbot, context, path)
    screen = window.unlock_screen
    for language in ("en", "fr"):
        apply_language(language, context)
        for show in (screen.show_passphrase, screen.show_recovery):
            for size in ((1366, 768), (1024, 600)):
                window.resize(*size)
                show()
                qtbot.wait(50)
                # Nothing wider than the screen: it would be cut off, as sideways scrolling is off.
                assert screen.scroll.widget().minimumSizeHint().width() <= screen.scroll.viewport().width(), (
                    language, size)
                visible = [b for b in screen.findChildren(QPushButton) if b.isVisible()]
                assert visible
                for button in visible:
                    right = button.mapTo(screen.scroll.widget(), button.rect().topRight()).x()
                    assert right <= screen.scroll.viewport().width(), (language, size, button.text())
    window.vault.release()
