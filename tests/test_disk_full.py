"""A full disk is told as a full disk: "Not enough space on …, N MB needed", never "damaged",
"tampered" or an unexpected EncryptError, and whatever was running leaves everything as it was.

Two ways to fill a disk: a real tmpfs of a few hundred kilobytes mounted for the test (when the
tests run as root, as in CI), and, everywhere, a write that fails with ENOSPC or a disk that says
it has no room (os-level monkeypatching), so both the early check and the failure midway are seen.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections import namedtuple

import pytest

from fieldapp import fileio
from fieldapp.cli import main
from fieldapp.demo import fill
from fieldapp.documents.common import DocumentError
from fieldapp.documents.exports import export
from fieldapp.store.backup import BackupError, restore_backup, write_backup
from fieldapp.store.vault import Vault
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.site import HEADQUARTERS, SyncError
from tests.conftest import PASSPHRASE, USER
from tests.sync_support import enrol_both, make_site, vault_state

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def filled(session):
    fill(session, 60)
    return session


@pytest.fixture
def backup_file(filled, tmp_path):
    return write_backup(filled, tmp_path / "out" / "beni.fieldbackup").path


@pytest.fixture
def tiny_disk(tmp_path):
    """A real file system of 256 KiB (a tmpfs), or the test is skipped where it cannot be mounted."""
    mounted = []

    def mount(size: str = "256k"):
        folder = tmp_path / f"disk-{len(mounted)}"
        folder.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                              capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def no_early_check(monkeypatch):
    """Let the write start and meet the full disk midway."""
    monkeypatch.setattr(fileio, "space_problem", lambda folder, needed: None)
    for module in ("fieldapp.store.backup", "fieldapp.sync.bundle"):
        monkeypatch.setattr(f"{module}.space_problem", lambda folder, needed: None)


def disk_with_no_room(monkeypatch, *folders):
    """shutil.disk_usage reports 100 kB free under each of `folders`, the real figure elsewhere."""
    real = shutil.disk_usage

    def usage(path):
        if any(str(path).startswith(str(folder)) for folder in folders):
            return Usage(10**9, 10**9 - 100_000, 100_000)
        return real(path)
    monkeypatch.setattr(fileio.shutil, "disk_usage", usage)


def fail_writes_with_enospc(monkeypatch, folder):
    """Every write to a file opened under `folder` fails as on a full disk."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

    def fdopen(descriptor, *args, **kwargs):
        handle = real_fdopen(descriptor, *args, **kwargs)
        try:
            name = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            return handle
        return Full(handle) if name.startswith(str(folder)) and "w" in (args[0] if args else "") else handle
    monkeypatch.setattr(fileio.os, "fdopen", fdopen)


def assert_space_message(text: str, place) -> None:
    assert text.startswith(f"Not enough space on {place}, ") and " MB needed (" in text, text
    assert "damaged" not in text and "Error" not in text and "\n" not in text


# -- restore -----------------------------------------------------------------------------------
def test_restore_onto_a_disk_too_small_says_so_before_any_key_derivation(backup_file, tiny_disk, monkeypatch):
    disk = tiny_disk()
    from fieldapp.store import backup

    monkeypatch.setattr(backup.keyderive, "passphrase_decrypt", lambda *a: pytest.fail("scrypt ran before the check"))
    with pytest.raises(BackupError) as refused:
        restore_backup(backup_file, disk / "restored", passphrase=PASSPHRASE)
    assert_space_message(str(refused.value), disk)
    assert os.listdir(disk) == []


def test_restore_that_meets_a_full_disk_midway_says_so_and_leaves_nothing(backup_file, vault_copy, tiny_disk,
                                                                         monkeypatch):
    disk = tiny_disk()
    no_early_check(monkeypatch)
    with pytest.raises(BackupError) as refused:
        restore_backup(backup_file, disk / "restored", recovery_key=vault_copy[1])
    assert_space_message(str(refused.value), disk)
    assert os.listdir(disk) == []


def test_restore_says_so_without_a_real_small_disk_too(backup_file, vault_copy, tmp_path, monkeypatch):
    disk_with_no_room(monkeypatch, tmp_path / "usb")
    (tmp_path / "usb").mkdir()
    with pytest.raises(BackupError) as refused:
        restore_backup(backup_file, tmp_path / "usb" / "restored", recovery_key=vault_copy[1])
    assert_space_message(str(refused.value), tmp_path / "usb")
    assert os.listdir(tmp_path / "usb") == []


def test_restore_into_a_symbolic_link_is_refused_up_front(backup_file, vault_copy, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "restored").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BackupError, match="restored is a symbolic link; restore into a new folder that is not a link"):
        restore_backup(backup_file, tmp_path / "restored", recovery_key=vault_copy[1])
    assert os.listdir(tmp_path / "elsewhere") == []


# -- backup ------------------------------------------------------------------------------------
def _untouched(session, before) -> None:
    assert session.audit.count() == before
    assert session.verify() == []
    assert not list(session.vault.path.glob(".backup-*"))


def test_a_backup_onto_a_full_destination_says_so_and_leaves_no_file(filled, tiny_disk, monkeypatch):
    disk = tiny_disk()
    before = filled.audit.count()
    with pytest.raises(BackupError) as early:
        write_backup(filled, disk / "beni.fieldbackup")
    assert_space_message(str(early.value), disk)
    no_early_check(monkeypatch)
    with pytest.raises(BackupError) as midway:  # was "unexpected error (EncryptError: OSError 28)"
        write_backup(filled, disk / "beni.fieldbackup")
    assert_space_message(str(midway.value), disk)
    assert os.listdir(disk) == []
    _untouched(filled, before)


def test_a_backup_when_the_vaults_disk_is_full_says_so_not_damaged(vault_copy, tiny_disk, tmp_path, monkeypatch):
    source, recovery_key = vault_copy
    disk = tiny_disk("2m")
    with Vault(source).unlock_with_recovery(recovery_key, USER) as session:
        fill(session, 60)
    vault_path = disk / "vault"
    shutil.copytree(source, vault_path)
    filler = disk / "filler"  # what else fills the laptop's disk
    with open(filler, "wb") as handle:
        free = shutil.disk_usage(disk).free
        handle.write(b"\0" * (free - 64 * 1024))
    with Vault(vault_path).unlock_with_recovery(recovery_key, USER) as session:
        before = session.audit.count()
        with pytest.raises(BackupError) as early:
            write_backup(session, tmp_path / "beni.fieldbackup")
        assert_space_message(str(early.value), vault_path)
        no_early_check(monkeypatch)
        with pytest.raises(BackupError) as midway:  # was "damaged or tampered database" (SQLITE_FULL)
            write_backup(session, tmp_path / "beni.fieldbackup")
        assert_space_message(str(midway.value), vault_path)
        _untouched(session, before)
    assert not (tmp_path / "beni.fieldbackup").exists()


def test_the_command_line_backup_to_a_full_stick_is_one_line(vault_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    (tmp_path / "stick").mkdir()
    disk_with_no_room(monkeypatch, tmp_path / "stick")
    assert main(["--vault", str(vault_copy[0]), "backup", "-o", str(tmp_path / "stick" / "b.fieldbackup")]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"fieldapp: Not enough space on {tmp_path / 'stick'}, ") and "MB needed" in line
    assert os.listdir(tmp_path / "stick") == []


def test_a_backup_that_meets_enospc_midway_says_so_without_a_real_small_disk(filled, tmp_path, monkeypatch):
    (tmp_path / "stick").mkdir()
    no_early_check(monkeypatch)
    fail_writes_with_enospc(monkeypatch, tmp_path / "stick")
    before = filled.audit.count()
    with pytest.raises(BackupError) as refused:
        write_backup(filled, tmp_path / "stick" / "b.fieldbackup")
    assert_space_message(str(refused.value), tmp_path / "stick")
    assert os.listdir(tmp_path / "stick") == []
    _untouched(filled, before)


# -- spreadsheet exports -----------------------------------------------------------------------
def test_an_export_onto_a_full_disk_says_so_and_leaves_no_file(filled, tiny_disk):
    disk = tiny_disk("8k")
    before = filled.audit.count()
    with pytest.raises(DocumentError) as refused:
        export(filled, "alerts", disk / "alerts.csv", "csv", "en+fr", hxl=True)
    text = str(refused.value)
    assert text.startswith(f"Not enough space on {disk}, more than ") and " MB needed" in text
    assert os.listdir(disk) == [] and filled.audit.count() == before


# -- bundles -----------------------------------------------------------------------------------
@pytest.fixture
def beni_and_hq(template_vault, tmp_path):
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        fill(session, 60)
    return beni


def test_a_bundle_onto_a_full_stick_says_so_and_records_nothing_as_sent(beni_and_hq, tiny_disk, monkeypatch):
    disk = tiny_disk("64k")
    with beni_and_hq.open() as session:
        before = vault_state(session)
        with pytest.raises(SyncError) as early:
            export_bundle(session, "HQ", disk)
        assert_space_message(str(early.value), disk)
        no_early_check(monkeypatch)
        with pytest.raises(SyncError) as midway:
            export_bundle(session, "HQ", disk)
        assert_space_message(str(midway.value), disk)
        assert vault_state(session) == before
    assert os.listdir(disk) == []
