"""Protection under seizure (issue 13): slot names that tell no user, one attempt counter for every
way in, quick delete, the recovery key in shares, and a recovery key typed with look-alike letters."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from pyrage import x25519

from fieldapp.cli import main, startup_language
from fieldapp.errors import VaultBusy, VaultError, WrongPassphrase
from fieldapp.paths import config_dir, remember_language, remembered_language
from fieldapp.store.backup import restore_backup, write_backup
from fieldapp.store.quick_delete import VaultDeleted
from fieldapp.store.shares import split_recovery_key
from fieldapp.store.throttle import CounterMissing, UnlockThrottled
from fieldapp.store.vault import Vault, normalise_recovery_key
from tests.conftest import PASSPHRASE, USER

FIXTURE = Path(__file__).parent / "fixtures" / "vault-schema-0001"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _fail_times(path: Path, times: int) -> None:
    counter = Vault(path).attempts
    for _ in range(times):
        state = counter.read()
        state.last_failure = 0.0  # as if each wait were over
        counter._write(state)
        with pytest.raises(WrongPassphrase):
            Vault(path).unlock(USER, "not the passphrase")


# -- slot names ----------------------------------------------------------------------------------
def test_the_disk_names_no_user_and_the_typed_name_opens_in_any_case(vault_copy):
    path, _key = vault_copy
    names = sorted(p.name for p in (path / "keys").iterdir())
    assert not any(USER in name for name in names)
    assert "recovery.age" in names and "attempts.json" in names
    with Vault(path).unlock(USER.upper(), PASSPHRASE) as session:
        assert session.user == USER  # as it was spelled when created
        session.add_user("aline.mbuyi", "aline's own passphrase")
    assert not any("aline" in p.name for p in (path / "keys").iterdir())
    with Vault(path).unlock("Aline.Mbuyi", "aline's own passphrase") as session:
        assert session.user == "aline.mbuyi"
    with pytest.raises(VaultError, match="There is no user “ghost” in this vault"):
        Vault(path).unlock("ghost", PASSPHRASE)


def test_an_old_vault_with_user_named_slots_opens_and_its_slots_are_renamed(tmp_path):
    path = tmp_path / "old"
    shutil.copytree(FIXTURE, path)
    key = (path / "RECOVERY-KEY.txt").read_text().strip()
    assert (path / "keys" / "fixture.age").exists()
    with Vault(path).unlock_with_recovery(key, "fixture") as session:
        assert ("key_slot_renamed", "fixture") in [(e.action, e.record_id) for e in session.audit.entries()]
        assert session.verify() == []
    names = sorted(p.name for p in (path / "keys").iterdir())
    assert not any("fixture" in name for name in names) and len(names) == 3
    assert Vault(path).has_user("fixture")


def test_a_backup_of_a_vault_with_hidden_names_restores_with_the_user_named(vault_copy, tmp_path):
    path, recovery_key = vault_copy
    with Vault(path).unlock(USER, PASSPHRASE) as session:
        write_backup(session, tmp_path / "b.fieldbackup")
    summary = restore_backup(tmp_path / "b.fieldbackup", tmp_path / "restored", passphrase=PASSPHRASE)
    assert summary.user == USER
    # The restored vault has its attempt counter, so its passphrases work.
    with Vault(tmp_path / "restored").unlock(USER, PASSPHRASE) as session:
        assert session.user == USER


# -- the attempt counter -------------------------------------------------------------------------
def test_a_vault_open_elsewhere_answers_the_same_to_a_right_and_a_wrong_passphrase(vault_copy, capsys,
                                                                                   monkeypatch):
    path, _key = vault_copy
    gui = Vault(path)
    gui.acquire()  # the app shows its unlock screen
    try:
        answers = []
        for guess in ("not the passphrase", PASSPHRASE):
            monkeypatch.setenv("FIELDAPP_PASSPHRASE", guess)
            started = time.monotonic()
            code, _out, err = _run(capsys, "--vault", path, "stats")
            answers.append((code, err, time.monotonic() - started < 0.5))  # no key was derived
        assert answers[0] == answers[1] and answers[0][0] == 1 and answers[0][2]
        assert "already open" in answers[0][1]
        assert gui.attempts.failures == 0
        with pytest.raises(VaultBusy):
            Vault(path).unlock(USER, PASSPHRASE)
    finally:
        gui.release()


def test_the_command_line_waits_like_the_unlock_screen_and_counts_the_same_tries(vault_copy, capsys,
                                                                                 monkeypatch):
    path, _key = vault_copy
    _fail_times(path, 4)
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", "still not it")
    code, _out, err = _run(capsys, "--vault", path, "stats")
    assert code == 1 and "Wrong passphrase" in err
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)  # even the right one must wait now
    code, _out, err = _run(capsys, "--vault", path, "stats")
    assert code == 1 and "Wait 15 seconds before the next try" in err
    assert Vault(path).attempts.failures == 5
    with pytest.raises(UnlockThrottled):
        Vault(path).change_passphrase(USER, PASSPHRASE, "another long passphrase")


def test_deleting_the_counter_does_not_reset_it_the_vault_then_wants_the_recovery_key(vault_copy):
    path, recovery_key = vault_copy
    _fail_times(path, 5)
    (path / "keys" / "attempts.json").unlink()
    with pytest.raises(CounterMissing, match="recovery key"):
        Vault(path).unlock(USER, PASSPHRASE)
    (path / "keys" / "attempts.json").write_text("{}")
    with pytest.raises(CounterMissing):
        Vault(path).unlock(USER, PASSPHRASE)
    (path / "keys" / "attempts.json").unlink()
    with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
        # Whoever opens it next is told that the count was lost, and the audit log keeps it.
        assert any("set back" in warning for warning in session.unlock_warnings)
        assert "attempt_counter_set_back" in [e.action for e in session.audit.entries()]
    Vault(path).unlock(USER, PASSPHRASE).close()


def test_a_counter_written_back_to_zero_is_reported_at_the_next_unlock(vault_copy):
    path, _key = vault_copy
    _fail_times(path, 3)
    Vault(path).unlock(USER, PASSPHRASE).close()  # the database saw the three failures
    _fail_times(path, 2)
    (path / "keys" / "attempts.json").write_text(json.dumps({"failures": 0, "last_failure": 0, "total": 0}))
    with Vault(path).unlock(USER, PASSPHRASE) as session:
        assert any("set back" in warning for warning in session.unlock_warnings)


def test_failures_since_the_last_visit_are_told_and_audited(vault_copy):
    path, _key = vault_copy
    _fail_times(path, 2)
    with Vault(path).unlock(USER, PASSPHRASE) as session:
        assert session.unlock_warnings == ["2 failed unlock attempts since this vault was last opened."]
        entry = next(e for e in session.audit.entries() if e.action == "unlock_failures")
        assert entry.detail == {"count": 2}
    with Vault(path).unlock(USER, PASSPHRASE) as session:
        assert session.unlock_warnings == []


def test_the_old_attempts_file_is_carried_into_the_counter(vault_copy):
    path, _key = vault_copy
    # A vault as made before: its slot named after its user, the count in the vault folder.
    (path / "keys" / "attempts.json").unlink()
    Vault(path).slot_path(USER).rename(path / "keys" / f"{USER}.age")
    (path / "unlock-attempts.json").write_text(json.dumps({"failures": 6, "last_failure": time.time()}))
    with pytest.raises(UnlockThrottled):
        Vault(path).unlock(USER, PASSPHRASE)
    assert Vault(path).attempts.failures == 6


# -- quick delete --------------------------------------------------------------------------------
def _vault_files(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_quick_delete_leaves_no_file_and_a_backup_made_before_still_restores(vault_copy, tmp_path):
    path, recovery_key = vault_copy
    with Vault(path).unlock_with_recovery(recovery_key, USER) as session:
        session.add_user("aline", "aline's own passphrase")
        write_backup(session, tmp_path / "before.fieldbackup")
    assert _vault_files(path)
    vault = Vault(path)
    vault.acquire()  # the unlock screen holds the vault
    report = vault.quick_delete()
    assert report.complete and report.slots == 3 and report.database_bytes > 0
    assert not path.exists()
    summary = restore_backup(tmp_path / "before.fieldbackup", tmp_path / "again", recovery_key=recovery_key,
                             user=USER)
    assert summary.counts["audit_entries"] > 0
    Vault(tmp_path / "again").unlock("aline", "aline's own passphrase").close()


def test_quick_delete_from_the_command_line(vault_copy, capsys, tmp_path):
    path, _key = vault_copy
    code, _out, err = _run(capsys, "--vault", path, "quick-delete")
    assert code == 1 and "--yes" in err and _vault_files(path)
    other = Vault(path)
    other.acquire()
    code, _out, err = _run(capsys, "--vault", path, "quick-delete", "--yes")
    assert code == 1 and "already open" in err and _vault_files(path)
    other.release()
    code, out, err = _run(capsys, "--vault", path, "quick-delete", "--yes")
    assert code == 0, err
    assert "3 key slots" not in out and "2 key slots (the recovery slot included)" in out
    assert "Backups and bundles already sent are the only copies" in out
    assert not path.exists()
    code, _out, err = _run(capsys, "--vault", path, "quick-delete", "--yes")
    assert code == 1 and "There is no vault" in err


def test_deleted_after_n_wrong_passphrases_when_chosen(vault_copy, capsys, monkeypatch):
    path, _key = vault_copy
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    code, out, err = _run(capsys, "--vault", path, "quick-delete", "--after-failures", "3")
    assert code == 0, err
    assert "after 3 wrong passphrases" in out
    with Vault(path).unlock(USER, PASSPHRASE) as session:
        assert "quick_delete_option" in [e.action for e in session.audit.entries()]
    _fail_times(path, 2)
    assert path.exists()
    with pytest.raises(VaultDeleted, match="3 wrong passphrases in a row"):
        _fail_times(path, 1)
    assert not path.exists()


def test_the_option_is_off_by_default(vault_copy):
    path, _key = vault_copy
    assert Vault(path).attempts.read().delete_after == 0
    _fail_times(path, 8)
    assert Vault(path).exists()


# -- shares --------------------------------------------------------------------------------------
def test_any_k_of_n_shares_open_the_vault_fewer_or_foreign_ones_say_why(vault_copy):
    path, recovery_key = vault_copy
    shares = split_recovery_key(recovery_key, 3, 5)
    assert len(shares) == 5 and all(len(share.split()) == 33 for share in shares)
    # Typed from paper: four letters a word, capitals, line breaks.
    typed = "\n\n".join(" ".join(word[:4].upper() for word in share.split()) for share in (shares[4], shares[0],
                                                                                           shares[2]))
    with Vault(path).unlock_with_shares(typed, USER) as session:
        assert session.user == USER
    with pytest.raises(VaultError, match="Only 2 of 3 shares typed: 1 more is needed"):
        Vault(path).unlock_with_shares(shares[0] + "\n" + shares[1], USER)
    foreign = split_recovery_key(str(x25519.Identity.generate()), 3, 5)
    with pytest.raises(VaultError, match="Share 3 comes from another set"):
        Vault(path).unlock_with_shares("\n".join([shares[0], shares[1], foreign[0]]), USER)
    with pytest.raises(VaultError, match="recovery key of another vault"):
        Vault(path).unlock_with_shares("\n".join(foreign[:3]), USER)
    broken = shares[1].split()
    broken[5] = "academic" if broken[5] != "academic" else "acid"
    with pytest.raises(VaultError, match="Share 2 has a typing error"):
        Vault(path).unlock_with_shares(shares[0] + " " + " ".join(broken), USER)
    with pytest.raises(VaultError, match="Word 3 .*“xylophone”"):
        Vault(path).unlock_with_shares("academic acid xylophone", USER)


def test_recovery_shares_and_recover_with_shares_from_the_command_line(vault_copy, capsys, monkeypatch,
                                                                      tmp_path):
    path, recovery_key = vault_copy
    (tmp_path / "key.txt").write_text(recovery_key + "\n")
    code, out, err = _run(capsys, "--vault", path, "recovery-shares", "--recovery-file", tmp_path / "key.txt",
                          "-k", "2", "-n", "3", "-o", tmp_path / "shares.pdf")
    assert code == 0, err
    assert "3 share sheets" in out and (tmp_path / "shares.pdf").stat().st_size > 1000
    from tests.test_recovery_sheet import pdf_text, printed_shares

    shares = printed_shares(pdf_text(tmp_path / "shares.pdf"))
    assert len(shares) == 3
    (tmp_path / "two.txt").write_text(shares[2] + "\n" + shares[0] + "\n")
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", "set again from shares")
    code, out, err = _run(capsys, "--vault", path, "recover", "--user", USER, "--shares", tmp_path / "two.txt")
    assert code == 0, err
    assert "recovery shares" in out
    Vault(path).unlock(USER, "set again from shares").close()
    (tmp_path / "one.txt").write_text(shares[1])
    code, _out, err = _run(capsys, "--vault", path, "recover", "--user", USER, "--shares", tmp_path / "one.txt")
    assert code == 1 and "Only 1 of 2 shares typed" in err
    code, _out, err = _run(capsys, "--vault", path, "recovery-shares", "--recovery-file", tmp_path / "key.txt",
                           "-k", "4", "-n", "3", "-o", tmp_path / "bad.pdf")
    assert code == 1 and not (tmp_path / "bad.pdf").exists()


# -- small things --------------------------------------------------------------------------------
def test_a_recovery_key_typed_with_o_for_zero_and_l_for_one_opens_the_vault(vault_copy):
    path, recovery_key = vault_copy
    rest = recovery_key[len("AGE-SECRET-KEY-1"):]
    typed = "age secret key l " + rest.replace("0", "O").replace("L", "I").lower()
    assert normalise_recovery_key(typed) == recovery_key
    Vault(path).unlock_with_recovery(typed, USER).close()
    one_wrong = recovery_key[:-3] + ("Q" if recovery_key[-3] != "Q" else "P") + recovery_key[-2:]
    with pytest.raises(VaultError, match="typing error"):
        Vault(path).unlock_with_recovery(one_wrong, USER)


def test_the_language_last_used_is_kept_outside_the_vault_as_a_code_only(monkeypatch):
    monkeypatch.delenv("FIELDAPP_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert remembered_language() is None and startup_language() == "en"
    remember_language("fr")
    assert (config_dir() / "language").read_text() == "fr"
    assert [p.name for p in config_dir().iterdir()] == ["language"]
    assert startup_language() == "fr"
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    assert startup_language() == "en"
    (config_dir() / "language").write_text("../../etc")
    assert remembered_language() is None
