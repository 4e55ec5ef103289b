"""Backups: one encrypted file that restores into a new folder with every record, opens with the same
passphrase and the recovery key, and is refused whole when damaged, leaving nothing behind."""

from __future__ import annotations

import dataclasses
import os

import pytest

from fieldapp.cli import main
from fieldapp.demo import fill
from fieldapp.errors import VaultError, WrongPassphrase
from fieldapp.store.backup import BackupError, restore_backup, write_backup
from fieldapp.store.vault import Vault
from tests.conftest import PASSPHRASE, USER


@pytest.fixture
def filled(session):
    fill(session, 60)
    return session


@pytest.fixture
def backup_file(filled, tmp_path):
    return write_backup(filled, tmp_path / "out" / "beni.fieldbackup").path


def _content(session) -> dict:
    """Every record of every kind, as plain data, so two vaults can be compared whole."""
    repositories = {"referrals": session.referrals, "services": session.services, "alerts": session.alerts,
                    "trainings": session.trainings, "providers": session.providers}
    content = {name: sorted((dataclasses.asdict(record) for record in repository.list()), key=lambda r: r["id"])
               for name, repository in repositories.items()}
    content["places"] = [dataclasses.asdict(place) for place in session.places.list()]
    content["site"] = (session.site_id, session.site_name, session.office_code)
    return content


def _leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name != "out")


def test_restore_with_the_passphrase_and_with_the_recovery_key_gives_every_record(filled, backup_file, vault_copy,
                                                                                   tmp_path):
    _, recovery_key = vault_copy
    expected = _content(filled)
    assert len(expected["referrals"]) == 60 and expected["services"] and len(expected["places"]) > 100

    restore_backup(backup_file, tmp_path / "by-passphrase", passphrase=PASSPHRASE)
    restore_backup(backup_file, tmp_path / "by-recovery", recovery_key=recovery_key)

    with Vault(tmp_path / "by-passphrase").unlock(USER, PASSPHRASE) as restored:
        assert _content(restored) == expected
        assert restored.verify() == []
        assert [e.action for e in restored.audit.entries(limit=1)] == ["restore"]
    with Vault(tmp_path / "by-recovery").unlock_with_recovery(recovery_key, USER) as restored:
        assert _content(restored) == expected
        assert restored.verify() == []
        assert restored.audit.entries(limit=1)[0].detail["with"] == "recovery_key"
    # The backup itself is in the live vault's audit log.
    newest = filled.audit.entries(limit=1)[0]
    assert (newest.action, newest.detail["file"]) == ("backup", "beni.fieldbackup")


def test_the_backup_file_reveals_nothing_readable(filled, backup_file):
    data = backup_file.read_bytes()
    survivor_code = filled.referrals.list()[0].survivor_code
    for secret in (USER, "Beni field office", survivor_code, "SQLite format 3", "Nord-Kivu"):
        assert secret.encode() not in data, secret
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"


def test_a_backup_is_not_written_inside_the_vault(filled):
    with pytest.raises(BackupError, match="outside the vault"):
        write_backup(filled, filled.vault.path / "copy.fieldbackup")
    assert not (filled.vault.path / "copy.fieldbackup").exists()


def test_a_cancelled_backup_leaves_no_file_and_no_snapshot(filled, tmp_path):
    before = sorted(os.listdir(filled.vault.path))
    with pytest.raises(BackupError, match="cancelled"):
        write_backup(filled, tmp_path / "b.fieldbackup", is_cancelled=lambda: True)
    assert os.listdir(tmp_path) == ["vault"]
    assert sorted(os.listdir(filled.vault.path)) == before


@pytest.mark.parametrize("damage", ["truncated_header", "truncated_middle", "last_byte_missing", "flipped_byte",
                                    "appended_byte"])
def test_a_damaged_backup_is_refused_and_nothing_is_left(backup_file, vault_copy, tmp_path, damage):
    _, recovery_key = vault_copy
    data = bytearray(backup_file.read_bytes())
    if damage == "truncated_header":
        data = data[:60]
    elif damage == "truncated_middle":
        data = data[:len(data) // 2]
    elif damage == "last_byte_missing":
        data = data[:-1]
    elif damage == "flipped_byte":
        data[len(data) * 3 // 4] ^= 0x01
    else:
        data += b"\0"
    backup_file.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged or truncated"):
        restore_backup(backup_file, tmp_path / "restored", recovery_key=recovery_key)
    assert _leftovers(tmp_path) == ["vault"]


def test_wrong_keys_and_wrong_files_are_refused(backup_file, tmp_path):
    with pytest.raises(WrongPassphrase):
        restore_backup(backup_file, tmp_path / "r", passphrase="not the passphrase")
    other_key = "AGE-SECRET-KEY-1" + "Q" * 58
    with pytest.raises(VaultError):
        restore_backup(backup_file, tmp_path / "r", recovery_key=other_key)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(BackupError, match="not a fieldapp backup"):
        restore_backup(not_a_backup, tmp_path / "r", passphrase=PASSPHRASE)
    assert _leftovers(tmp_path) == ["notes.txt", "vault"]


def test_restore_never_writes_into_an_existing_vault(backup_file, vault_copy):
    path, recovery_key = vault_copy
    before = sorted(p.name for p in path.rglob("*"))
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(backup_file, path, recovery_key=recovery_key)
    assert sorted(p.name for p in path.rglob("*")) == before


def test_command_line_backup_and_restore(filled, vault_copy, tmp_path, capsys, monkeypatch):
    path, recovery_key = vault_copy
    expected = _content(filled)
    filled.close()  # the command opens the vault itself
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    backup = tmp_path / "usb" / "beni.fieldbackup"
    assert main(["--vault", str(path), "backup", "-o", str(backup)]) == 0
    assert "60 referrals" in capsys.readouterr().out
    recovery_file = tmp_path / "recovery.txt"
    recovery_file.write_text(recovery_key + "\n")
    assert main(["restore", str(backup), "--vault", str(tmp_path / "new"), "--recovery-file", str(recovery_file)]) == 0
    assert "The vault verified" in capsys.readouterr().out
    with Vault(tmp_path / "new").unlock_with_recovery(recovery_key, USER) as restored:
        assert _content(restored) == expected

    backup.write_bytes(backup.read_bytes()[:-100])
    assert main(["restore", str(backup), "--vault", str(tmp_path / "again"), "--recovery-file",
                 str(recovery_file)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "damaged or truncated" in err
    assert not (tmp_path / "again").exists()


def test_a_killed_backups_snapshot_is_removed_by_the_next_backup(filled, tmp_path):
    leftover = filled.vault.path / ".backup-killed"
    leftover.mkdir()
    (leftover / "fieldapp.db").write_bytes(b"encrypted snapshot of a killed run")
    write_backup(filled, tmp_path / "b.fieldbackup")
    assert not leftover.exists()
    assert not list(filled.vault.path.glob(".backup-*"))


def test_a_killed_restores_hidden_folder_is_removed_by_the_next_restore_but_a_running_ones_is_not(
        backup_file, vault_copy, tmp_path):
    from fieldapp.store.staging import RESTORE_LOCK, remove_restore_leftovers
    from fieldapp.store.lockfile import VaultLock

    dead = tmp_path / ".restored.restoring-killed"
    (dead / "keys").mkdir(parents=True)
    (dead / "fieldapp.db").write_bytes(b"encrypted database of a killed restore")
    running = tmp_path / ".restored.restoring-running"
    running.mkdir()
    lock = VaultLock(running / RESTORE_LOCK)
    lock.acquire()  # what a restore in progress holds
    try:
        restore_backup(backup_file, tmp_path / "restored", recovery_key=vault_copy[1])
        assert not dead.exists() and running.exists()
    finally:
        lock.release()
    assert remove_restore_leftovers(tmp_path / "restored") == [running]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "restored", "vault"]


def test_restore_opens_the_key_slots_in_a_child_process_as_unlock_does(backup_file, vault_copy, tmp_path,
                                                                       monkeypatch):
    """Deriving the key in the app's own process froze the window for the whole scrypt run (and
    left age's copies of the key in its memory): with age disabled here, restore still opens."""
    import pyrage

    def in_this_process(*_args, **_kwargs):
        raise AssertionError("a key slot was opened in the app's own process")

    monkeypatch.setattr(pyrage.passphrase, "decrypt", in_this_process)
    monkeypatch.setattr(pyrage, "decrypt", in_this_process)
    _, recovery_key = vault_copy
    restore_backup(backup_file, tmp_path / "by-passphrase", passphrase=PASSPHRASE)
    restore_backup(backup_file, tmp_path / "by-recovery", recovery_key=recovery_key)
    with Vault(tmp_path / "by-passphrase").unlock(USER, PASSPHRASE) as restored:
        assert restored.referrals.count() == 60
    with pytest.raises(WrongPassphrase):
        restore_backup(backup_file, tmp_path / "wrong", passphrase="not the passphrase at all")
    assert not (tmp_path / "wrong").exists()
