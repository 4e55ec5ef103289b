"""The vault: key slots, recovery, passphrase changes, the one-writer lock, and what lands on disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date

import pytest

from fieldapp.domain.records import Referral, utc_now
from fieldapp.errors import VaultBusy, VaultError, WrongPassphrase
from fieldapp.store.vault import Vault
from tests.conftest import PASSPHRASE, USER

SECRET_NOTE = "Survivante rencontrée derrière l'église de Mavivi, zxqj-marker"


def _referral(**overrides) -> Referral:
    values = dict(survivor_code="BNI-2026-0001", reported_at=utc_now(), incident_date=date.today(),
                  incident_type="rape", location_pcode="CD6109", locality="Mavivi-qwv", notes=SECRET_NOTE)
    values.update(overrides)
    return Referral(**values)


def _file_digests(path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.name not in ("fieldapp.lock", "attempts.json")}


def test_database_holds_no_record_text_in_clear(vault_copy):
    path, recovery_key = vault_copy
    session = Vault(path).unlock_with_recovery(recovery_key, USER)
    session.referrals.create(_referral())
    # Read the files while the connection is open too: the write-ahead log must be encrypted as well.
    on_disk_open = b"".join(p.read_bytes() for p in path.rglob("*") if p.is_file())
    session.close()
    on_disk = b"".join(p.read_bytes() for p in path.rglob("*") if p.is_file())
    for text in ("zxqj-marker", "Mavivi-qwv", "BNI-2026-0001", "SQLite format 3", "referrals"):
        assert text.encode() not in on_disk_open
        assert text.encode() not in on_disk


def test_wrong_passphrase_is_refused_and_the_right_one_opens(vault_copy):
    path, _ = vault_copy
    vault = Vault(path)
    with pytest.raises(WrongPassphrase, match="Wrong passphrase for amina"):
        vault.unlock(USER, "not the passphrase")
    with vault.unlock(USER, PASSPHRASE) as session:
        assert session.site_name == "Beni field office"


def test_forgotten_passphrase_plus_recovery_key_loses_nothing(vault_copy):
    path, recovery_key = vault_copy
    with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
        ids = [session.referrals.create(_referral(survivor_code=f"BNI-2026-{n:04d}")).created[0] for n in range(1, 6)]
    # The passphrase is forgotten: recover and set a new one.
    with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
        session.set_passphrase(USER, "a brand new passphrase")
    with Vault(path).unlock(USER, "a brand new passphrase") as session:
        assert sorted(r.id for r in session.referrals.list()) == sorted(ids)
        assert session.verify() == []
    with pytest.raises(WrongPassphrase):
        Vault(path).unlock(USER, PASSPHRASE)


def test_a_recovery_key_typed_from_the_paper_sheet_opens_the_vault(vault_copy):
    path, recovery_key = vault_copy
    body = recovery_key[len("AGE-SECRET-KEY-1"):]
    typed = "age-secret-key-1\n" + "  ".join(body[i:i + 6] for i in range(0, len(body), 6)).lower() + " \n"
    with Vault(path).unlock_with_recovery(typed, USER) as session:
        assert session.verify() == []


def test_a_recovery_key_of_another_vault_or_garbage_is_refused(vault_copy, tmp_path):
    path, _ = vault_copy
    other, other_key = Vault.create(tmp_path / "other", "Other", "OTH", "bob", "another passphrase")
    other.close()
    with pytest.raises(VaultError, match="does not belong to this vault"):
        Vault(path).unlock_with_recovery(other_key, USER)
    with pytest.raises(VaultError, match="not a recovery key"):
        Vault(path).unlock_with_recovery("hello", USER)


def test_changing_a_passphrase_leaves_the_database_byte_identical(vault_copy):
    path, recovery_key = vault_copy
    before = (path / "fieldapp.db").read_bytes()
    slot = Vault(path).slot_path(USER)
    slot_before = slot.read_bytes()
    Vault(path).change_passphrase(USER, PASSPHRASE, "my new long passphrase")
    assert (path / "fieldapp.db").read_bytes() == before
    assert slot.read_bytes() != slot_before
    assert (path / "keys" / "recovery.age").exists()
    # The change is audited when the vault is next opened.
    with Vault(path).unlock(USER, "my new long passphrase") as session:
        actions = [(e.action, e.record_id) for e in session.audit.entries()]
        assert ("key_slot_changed", USER) in actions
        assert session.verify() == []


def test_change_passphrase_with_wrong_old_one_changes_nothing(vault_copy):
    path, _ = vault_copy
    before = _file_digests(path)
    with pytest.raises(WrongPassphrase):
        Vault(path).change_passphrase(USER, "wrong old passphrase", "whatever new one")
    assert _file_digests(path) == before
    assert Vault(path).attempts.failures == 1  # passwd tries count like any other


def test_added_user_opens_the_same_records(session, vault_copy):
    path, _ = vault_copy
    session.referrals.create(_referral())
    session.add_user("jp.mbusa", "jean-pierre passphrase")
    session.close()
    assert Vault(path).user_slot_count() == 2 and Vault(path).has_user("jp.mbusa")
    with Vault(path).unlock("jp.mbusa", "jean-pierre passphrase") as other:
        assert other.referrals.count() == 1
        assert ("key_slot_added", "jp.mbusa") in [(e.action, e.record_id) for e in other.audit.entries()]


@pytest.mark.parametrize("bad", ["", "a b", "../etc", "recovery", "x" * 41])
def test_bad_user_names_are_refused(session, bad):
    with pytest.raises(VaultError):
        session.add_user(bad, "a long enough passphrase")


def test_short_passphrases_are_refused(session):
    with pytest.raises(VaultError, match="at least 10 characters"):
        session.add_user("bob", "short")


def test_a_second_opener_is_refused_while_the_first_holds_the_vault(session, vault_copy):
    path, recovery_key = vault_copy
    with pytest.raises(VaultBusy, match="already open"):
        Vault(path).unlock_with_recovery(recovery_key, USER)
    session.close()
    Vault(path).unlock_with_recovery(recovery_key, USER).close()


def test_a_second_process_is_refused(session, vault_copy):
    path, _ = vault_copy
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp", "--vault", str(path), "stats"],
        env={"FIELDAPP_PASSPHRASE": PASSPHRASE, "PATH": "/usr/bin:/bin", "HOME": str(path.parent)},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "already open" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stale_lock_left_by_a_crashed_process_is_cleared(vault_copy):
    path, recovery_key = vault_copy
    # A process that held the lock and was killed: its pid is in the file but no OS lock remains.
    crashed = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (path / "fieldapp.lock").write_text(json.dumps({"pid": int(crashed.stdout), "host": "field-laptop"}))
    vault = Vault(path)
    with vault.unlock_with_recovery(recovery_key, USER) as session:
        assert json.loads((path / "fieldapp.lock").read_text())["pid"] == os.getpid()
        assert session.referrals.count() == 0


def test_locking_drops_the_key_and_the_connection(session):
    session.lock()
    assert session.locked
    assert not any(session._key)
    with pytest.raises(VaultError, match="locked"):
        session.connection


def test_vault_files_are_private_to_their_owner(vault_copy):
    path, _ = vault_copy
    for item in [path / "fieldapp.db", Vault(path).slot_path(USER), path / "keys" / "recovery.age",
                 path / "keys" / "attempts.json"]:
        assert item.stat().st_mode & 0o077 == 0, item


def test_creating_over_an_existing_folder_with_files_is_refused(vault_copy):
    path, _ = vault_copy
    with pytest.raises(VaultError, match="not empty"):
        Vault.create(path, "Beni", "BNI", "x", "a long passphrase")


def test_a_database_with_a_flipped_byte_fails_verification_or_to_open(vault_copy):
    path, recovery_key = vault_copy
    with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
        for n in range(1, 40):
            session.referrals.create(_referral(survivor_code=f"BNI-2026-{n:04d}"))
    data = bytearray((path / "fieldapp.db").read_bytes())
    data[len(data) // 2] ^= 0x40
    (path / "fieldapp.db").write_bytes(bytes(data))
    try:
        with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
            assert session.verify() != []
    except VaultError as error:
        assert "damaged" in str(error)
