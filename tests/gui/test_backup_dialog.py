"""Backup and restore from the File menu: the file is written in a worker, a restore asks for a new
folder and a key, and every outcome is told in one message."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from fieldapp.gui.backup_dialog import RestoreDialog
from fieldapp.store.vault import Vault
from tests.conftest import USER


def _wait_idle(qtbot, actions) -> None:
    qtbot.waitUntil(lambda: actions.worker is None and actions.message_box is not None, timeout=20_000)


def test_backup_then_restore_from_the_menu(window, session, vault_copy, qtbot, tmp_path):
    _, recovery_key = vault_copy
    actions = window.backup_actions
    assert actions.backup_action in window.file_menu.actions()
    assert actions.backup_action.isEnabled() and actions.restore_action.isEnabled()
    referrals = session.referrals.count()

    actions.start_backup(tmp_path / "usb" / "beni")
    _wait_idle(qtbot, actions)
    backup = tmp_path / "usb" / "beni.fieldbackup"
    assert backup.is_file()
    assert "Backup written to" in actions.message_box.text()
    assert session.audit.entries(limit=1)[0].action == "backup"
    actions.message_box.done(0)

    dialog = RestoreDialog(window)
    qtbot.addWidget(dialog)
    dialog.source.setText(str(backup))
    dialog.target.setText(str(tmp_path / "restored"))
    dialog.by_recovery.setChecked(True)
    assert not dialog.passphrase.isEnabled() and dialog.recovery_key.isEnabled()
    dialog.recovery_key.setText(recovery_key)
    dialog.ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    actions.message_box = None
    actions.start_restore(**dialog.values())
    _wait_idle(qtbot, actions)
    assert "restored into" in actions.message_box.text()
    actions.message_box.button(QMessageBox.StandardButton.No).click()
    with Vault(tmp_path / "restored").unlock_with_recovery(recovery_key, USER) as restored:
        assert restored.referrals.count() == referrals
        assert restored.verify() == []


def test_a_damaged_backup_is_told_in_one_line_and_nothing_is_restored(window, vault_copy, qtbot, tmp_path):
    _, recovery_key = vault_copy
    damaged = tmp_path / "old.fieldbackup"
    damaged.write_bytes(b"fieldapp-backup/v1\n\0\0\0\x10{not json at all")
    window.backup_actions.start_restore(damaged, tmp_path / "new", None, recovery_key, None)
    _wait_idle(qtbot, window.backup_actions)
    text = window.backup_actions.message_box.text()
    assert "damaged or truncated" in text and "\n" not in text
    assert not (tmp_path / "new").exists()


def test_restore_dialog_asks_for_what_is_missing(window, vault_copy, qtbot, tmp_path):
    dialog = RestoreDialog(window)
    qtbot.addWidget(dialog)
    dialog.ok.click()
    assert dialog.result() != dialog.DialogCode.Accepted and "backup file" in dialog.problem.text()
    backup = tmp_path / "b.fieldbackup"
    backup.write_bytes(b"x")
    dialog.source.setText(str(backup))
    dialog.target.setText(str(vault_copy[0]))  # an existing vault: never restored into
    dialog.ok.click()
    assert "not empty" in dialog.problem.text()
    dialog.target.setText(str(tmp_path / "new"))
    dialog.ok.click()
    assert "passphrase" in dialog.problem.text()


def test_backup_is_offered_only_while_unlocked(window):
    window.lock()
    assert not window.backup_actions.backup_action.isEnabled()
    assert window.backup_actions.restore_action.isEnabled()


def test_the_suggested_folder_is_the_usual_vault_folder_unless_taken(monkeypatch, tmp_path):
    from fieldapp.gui import backup_dialog

    usual = tmp_path / "data" / "vault"
    monkeypatch.setattr(backup_dialog, "default_vault_dir", lambda: usual)
    assert backup_dialog.suggested_target() == usual  # a new laptop: restore where the app looks
    usual.mkdir(parents=True)
    (usual / "fieldapp.db").write_bytes(b"x")
    suggested = backup_dialog.suggested_target()
    assert suggested.parent == usual.parent and suggested.name.startswith("vault-restored-")
