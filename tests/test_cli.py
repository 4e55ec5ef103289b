"""The command line: every failure is one line naming the problem, a non-zero status, and no change."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from fieldapp.cli import main
from fieldapp.store.vault import Vault
from tests.conftest import PASSPHRASE, PCODES, USER


def _digests(path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.name not in ("fieldapp.lock", "attempts.json")}


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def passphrase(monkeypatch):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("FIELDAPP_NEW_PASSPHRASE", raising=False)


def test_init_prints_the_recovery_key_once_and_creates_a_vault(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", "first passphrase here")
    code, out, err = _run(capsys, "--vault", tmp_path / "v", "init", "--site", "Bunia", "--office-code", "BUN",
                          "--user", "esther")
    assert code == 0, err
    key_lines = [line for line in out.splitlines() if line.startswith("AGE-SECRET-KEY-1")]
    assert len(key_lines) == 1
    assert Vault(tmp_path / "v").has_user("esther") and Vault(tmp_path / "v").user_slot_count() == 1
    assert not list((tmp_path / "v" / "keys").glob("esther*"))  # the disk does not name the user
    # The key printed really opens the vault.
    Vault(tmp_path / "v").unlock_with_recovery(key_lines[0], "esther").close()


def test_import_places_stats_and_verify(vault_copy, capsys, passphrase):
    path, _ = vault_copy
    code, out, err = _run(capsys, "--vault", path, "import-places", PCODES / "SSD_pcodes.csv")
    assert code == 0, err
    assert "90 places added" in out
    code, out, err = _run(capsys, "--vault", path, "stats", "--json")
    assert code == 0, err
    stats = json.loads(out)
    assert stats["places"]["by_level"] == {"admin0": 1, "admin1": 10, "admin2": 79}
    assert stats["referrals"]["total"] == 0
    code, out, err = _run(capsys, "--vault", path, "verify")
    assert code == 0 and "verified" in out


def test_passwd_then_recover(vault_copy, capsys, monkeypatch, tmp_path):
    path, recovery_key = vault_copy
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", "second passphrase!")
    code, out, err = _run(capsys, "--vault", path, "passwd", "--user", USER)
    assert code == 0, err
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(recovery_key + "\n")
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", "third passphrase!!")
    code, out, err = _run(capsys, "--vault", path, "recover", "--recovery-file", key_file, "--user", USER)
    assert code == 0, err
    Vault(path).unlock(USER, "third passphrase!!").close()


def _failure(capsys, path, *argv, message: str) -> None:
    before = _digests(path) if path.exists() else None
    code, out, err = _run(capsys, "--vault", path, *argv)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]
    assert "Traceback" not in err
    if before is not None:
        assert _digests(path) == before


def test_wrong_passphrase(vault_copy, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", "not the right one")
    _failure(capsys, vault_copy[0], "stats", message="Wrong passphrase.")
    _failure(capsys, vault_copy[0], "--user", USER, "stats", message="Wrong passphrase for amina.")


def test_not_a_vault(tmp_path, capsys, passphrase):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8\xff")
    _failure(capsys, folder, "stats", message="is not a fieldapp vault")
    _failure(capsys, tmp_path / "nothing-here", "stats", message="There is no vault")


def test_missing_key_slot(vault_copy, capsys, passphrase):
    path, _ = vault_copy
    _failure(capsys, path, "--user", "ghost", "stats", message="There is no user “ghost” in this vault")
    Vault(path).slot_path(USER).unlink()
    _failure(capsys, path, "stats", message="no user key slot")


def test_damaged_database(vault_copy, capsys, passphrase):
    path, _ = vault_copy
    data = bytearray((path / "fieldapp.db").read_bytes())
    data[100:4096] = bytes(len(data[100:4096]))  # first page wiped
    (path / "fieldapp.db").write_bytes(bytes(data))
    _failure(capsys, path, "stats", message="damaged")


def test_tampered_database_fails_verify(vault_copy, capsys, passphrase):
    path, _ = vault_copy
    data = bytearray((path / "fieldapp.db").read_bytes())
    data[-200] ^= 0x01  # inside the last page: opens, but the page's HMAC no longer matches
    (path / "fieldapp.db").write_bytes(bytes(data))
    before = _digests(path)
    code, out, err = _run(capsys, "--vault", path, "verify")
    assert code == 1
    assert "Traceback" not in err
    assert _digests(path) == before


def test_vault_already_open(session, vault_copy, capsys, passphrase):
    _failure(capsys, vault_copy[0], "stats", message="already open")


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x00\x01\x02 binary", "not a text CSV"),
    (b"name,code\nBeni,12\n", "no adminNPcode column"),
    (b"admin1Pcode,admin1Name_fr\nCD61,Nord-Kivu\n'; DROP TABLE places;--,x\n", "is not a P-code"),
    (b"admin1Pcode,admin1Name_fr,admin2Pcode\nCD61,Nord-Kivu\n", "columns"),
])
def test_bad_csv(vault_copy, capsys, passphrase, tmp_path, content, message):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_bytes(content)
    _failure(capsys, vault_copy[0], "import-places", csv_file, message=message)


def test_missing_csv_file(vault_copy, capsys, passphrase, tmp_path):
    _failure(capsys, vault_copy[0], "import-places", tmp_path / "absent.csv", message="Cannot read absent.csv")


def test_demo_refuses_an_existing_vault(vault_copy, capsys):
    _failure(capsys, vault_copy[0], "demo", "--records", "5", message="already exists")


def test_demo_fills_every_kind(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    monkeypatch.delenv("FIELDAPP_NEW_PASSPHRASE", raising=False)
    code, out, err = _run(capsys, "--vault", tmp_path / "demo", "demo", "--records", "60",
                          "--recovery-file", tmp_path / "key.txt")
    assert code == 0, err
    with Vault(tmp_path / "demo").unlock_with_recovery((tmp_path / "key.txt").read_text(), "demo") as session:
        assert session.referrals.count() == 60
        assert session.alerts.count() == 60
        assert session.trainings.count() == 6
        assert session.services.count() >= 60
        providers = session.providers.list()
        assert len(providers) >= 30
        assert {s for p in providers for s in p.sectors} >= {"health", "psychosocial", "legal", "safety",
                                                              "shelter", "livelihoods", "child_protection"}
        assert len({p.location_pcode for p in providers}) >= 4
        assert session.places.count_by_level() == {0: 1, 1: 26, 2: 189}
        assert session.verify() == []


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["no-such-command"])
    assert raised.value.code == 2


def test_a_mapping_saved_for_another_kind_is_refused_in_one_line_before_the_vault_opens(vault_copy, tmp_path, capsys):
    from fieldapp.ops.imports import Mapping, save_mapping

    path, _key = vault_copy
    before = _digests(path)
    save_mapping(Mapping("alerts"), tmp_path / "alerts-mapping.json")
    (tmp_path / "providers.csv").write_text("Name;Sectors\nCentre Amani;health\n", encoding="utf-8")
    code, out, err = _run(capsys, "--vault", path, "import", "providers", tmp_path / "providers.csv", "--mapping",
                          tmp_path / "alerts-mapping.json")  # no passphrase given: it is never asked
    assert code == 1 and out == ""
    assert err == f"fieldapp: The mapping {tmp_path / 'alerts-mapping.json'} is for alerts, not providers.\n"
    assert _digests(path) == before


def test_quick_delete_clears_a_half_made_vault(tmp_path, capsys):
    half = tmp_path / "half"
    (half / "keys").mkdir(parents=True)
    (half / "keys" / "recovery.age").write_bytes(b"age-encryption.org/v1 cut short")
    code, out, err = _run(capsys, "--vault", half, "quick-delete", "--yes")
    assert code == 0, err
    assert not (half / "keys").exists()
