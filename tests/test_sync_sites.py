"""Site identity (docs/DESIGN.md 6.1): keys made on first use, site cards, enrolment, the role, and
the exported identity, which the standard `age` tool accepts to open a bundle."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.sync.bundle import export_bundle, file_code
from fieldapp.sync.site import FIELD, HEADQUARTERS, Site, SyncError, read_card
from tests.conftest import PASSPHRASE
from tests.sync_support import enrol_both, make_site, provider, referral

FIXTURES = Path(__file__).parent / "fixtures"


def test_keys_are_made_once_on_first_use_and_audited(session):
    site = Site(session)
    card = site.card()
    assert card.age_recipient.startswith("age1") and len(bytes.fromhex(card.signing_key)) == 32
    assert Site(session).card() == card  # the same keys every time
    assert [e.action for e in session.audit.entries()].count("site_keys_created") == 1
    assert card.site_id == session.site_id and card.role == FIELD and card.name == "Beni field office"


def test_a_vault_of_the_previous_schema_gets_sync_tables_and_keys(tmp_path):
    from fieldapp.store.vault import Vault

    shutil.copytree(FIXTURES / "vault-schema-0001", tmp_path / "vault")
    recovery_key = (FIXTURES / "vault-schema-0001" / "RECOVERY-KEY.txt").read_text().strip()
    with Vault(tmp_path / "vault").unlock_with_recovery(recovery_key, "fixture") as session:
        card = Site(session).card()
        assert card.fingerprint and Site(session).peers() == []


def test_a_site_card_round_trips_and_shows_a_stable_fingerprint(session, tmp_path):
    site = Site(session)
    written = site.write_card(tmp_path / "card.json")
    assert read_card(tmp_path / "card.json") == written
    assert len(written.fingerprint.split()) == 8
    assert "AGE-SECRET-KEY" not in (tmp_path / "card.json").read_text()


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01not json", "is not a fieldapp office card"),
    (json.dumps({"format": "fieldapp-site-card", "version": 9}).encode(), "newer version"),
    (b"x" * 70_000, "too large"),
])
def test_a_file_that_is_not_a_usable_card_is_refused(tmp_path, content, message):
    (tmp_path / "card.json").write_bytes(content)
    with pytest.raises(SyncError, match=message):
        read_card(tmp_path / "card.json")


@pytest.mark.parametrize("field, value", [("signing_key", "00" * 31), ("age_recipient", "age1notakey"),
                                          ("site_id", "../../etc"), ("role", "admin"), ("name", " ")])
def test_a_damaged_card_is_refused_naming_the_field(session, tmp_path, field, value):
    card = json.loads(Site(session).card().to_json())
    card[field] = value
    (tmp_path / "card.json").write_text(json.dumps(card))
    with pytest.raises(SyncError, match=f"damaged office card \\(bad {field}\\)"):
        read_card(tmp_path / "card.json")


def test_a_site_cannot_enrol_its_own_card(session):
    site = Site(session)
    with pytest.raises(SyncError, match="this office's own card"):
        site.enrol(site.card())


def test_the_role_is_stored_audited_and_decides_what_may_be_exchanged(template_vault, tmp_path):
    first = make_site(template_vault, tmp_path / "a", "Beni field office", "BNI")
    second = make_site(template_vault, tmp_path / "b", "Bunia field office", "BUN")
    enrol_both(first, second)
    with first.open() as session:
        with pytest.raises(SyncError, match="both field office"):
            export_bundle(session, "BUN", tmp_path / "out")
        Site(session).set_role(HEADQUARTERS)
        assert Site(session).role == HEADQUARTERS
        assert session.audit.entries(limit=1)[0].action == "site_role"
        with pytest.raises(SyncError, match="The role must be"):
            Site(session).set_role("region")


def test_the_exported_identity_opens_a_bundle_with_the_standard_age_tool(template_vault, tmp_path):
    if shutil.which("age") is None:
        pytest.fail("the `age` command-line tool is missing: bash dev.sh installs it (Debian package age)")
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        case = referral("BNI", 1)
        session.referrals.create(case)
        path = export_bundle(session, "HQ", tmp_path / "out").path
    with hq.open() as session:
        Site(session).export_identity(tmp_path / "hq-identity.txt")
        assert session.audit.entries(limit=1)[0].action == "identity_exported"
    assert (tmp_path / "hq-identity.txt").stat().st_mode & 0o077 == 0
    plain = subprocess.run(["age", "-d", "-i", str(tmp_path / "hq-identity.txt"), str(path)],
                           capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(plain)) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
        referrals = archive.extractfile("referrals.jsonl").read().decode()
    assert names == ["manifest.json", "manifest.sig", "referrals.jsonl", "referral_services.jsonl", "alerts.jsonl",
                     "trainings.jsonl", "parties.jsonl", "incidents.jsonl", "commitments.jsonl", "commitment_items.jsonl"]
    assert manifest["sender"]["name"] == "Beni field office" and manifest["sequence"] == 1
    assert json.loads(referrals.splitlines()[0])["id"] == case.id
    # Someone else's identity opens nothing.
    other = subprocess.run(["age-keygen"], capture_output=True, check=True, text=True).stdout
    (tmp_path / "other.txt").write_text(other)
    refused = subprocess.run(["age", "-d", "-i", str(tmp_path / "other.txt"), str(path)], capture_output=True)
    assert refused.returncode != 0


def test_the_command_line_enrols_after_showing_the_fingerprint_and_asks_before_exporting_the_identity(
        template_vault, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    assert main(["--vault", str(hq.path), "site-card", "-o", str(tmp_path / "hq.json")]) == 0
    fingerprint = read_card(tmp_path / "hq.json").fingerprint
    capsys.readouterr()
    # No terminal and no --yes: nothing is enrolled.
    assert main(["--vault", str(beni.path), "enrol", str(tmp_path / "hq.json")]) == 1
    captured = capsys.readouterr()
    assert fingerprint in captured.out and "Headquarters (HQ), headquarters" in captured.out
    assert "add --yes" in captured.err
    assert main(["--vault", str(beni.path), "enrol", str(tmp_path / "hq.json"), "--yes"]) == 0
    assert main(["--vault", str(beni.path), "sites"]) == 0
    assert "Headquarters (headquarters) — last sent: none; last received: none" in capsys.readouterr().out
    assert main(["--vault", str(beni.path), "export-identity", "-o", str(tmp_path / "id.txt")]) == 1
    assert not (tmp_path / "id.txt").exists()
    assert main(["--vault", str(beni.path), "export-identity", "-o", str(tmp_path / "id.txt"), "--yes"]) == 0
    assert (tmp_path / "id.txt").read_text().splitlines()[-1].startswith("AGE-SECRET-KEY-1")


def test_the_command_line_exports_a_bundle_shows_the_role_and_reviews_conflicts(template_vault, tmp_path, capsys,
                                                                               monkeypatch):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    assert main(["--vault", str(beni.path), "site-role"]) == 0
    assert "Role of Beni field office: field office." in capsys.readouterr().out
    assert main(["--vault", str(beni.path), "export-bundle", "--to", "HQ", "-o", str(tmp_path / "usb")]) == 0
    out = capsys.readouterr().out
    assert "Data file 1 for Headquarters written to" in out and "(0 records)" in out
    assert main(["--vault", str(beni.path), "export-bundle", "--to", "Kalemie", "-o", str(tmp_path / "usb")]) == 1
    assert capsys.readouterr().err.startswith("fieldapp: No office called “Kalemie” has been added. Offices added: Headquarters.")
    assert main(["--vault", str(hq.path), "conflicts"]) == 0
    assert "No conflicts to review." in capsys.readouterr().out
    assert main(["--vault", str(hq.path), "conflicts", "--keep", "99"]) == 1
    assert capsys.readouterr().err.strip() == "fieldapp: There is no conflict number 99."


def test_accented_office_names_go_everywhere_a_name_is_written(template_vault, tmp_path, capsys, monkeypatch):
    """The demo's own "Bureau de Beni (démo)": card, CLI messages, identity file (which the real
    `age` opens a bundle with), bundle names."""
    if shutil.which("age") is None:
        pytest.fail("the `age` command-line tool is missing: bash dev.sh installs it (Debian package age)")
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    beni = make_site(template_vault, tmp_path / "beni", "Bureau de Beni (démo)", "BNI")
    hq = make_site(template_vault, tmp_path / "hq", "Siège — Kinshasa", "KIN", HEADQUARTERS)
    assert main(["--vault", str(beni.path), "site-card", "-o", str(tmp_path / "beni.json")]) == 0
    assert "Office card of Bureau de Beni (démo) (field office) written to" in capsys.readouterr().out
    assert read_card(tmp_path / "beni.json").name == "Bureau de Beni (démo)"
    assert "Bureau de Beni (démo)" in (tmp_path / "beni.json").read_text(encoding="utf-8")
    enrol_both(beni, hq)
    with hq.open() as session:
        session.providers.create(provider(1, name="Hôpital général"))
        bundle = export_bundle(session, "BNI", tmp_path / "usb").path
    assert re.fullmatch(r"KIN-to-BNI-\d{8}-0001\.fieldbundle", bundle.name)
    assert main(["--vault", str(beni.path), "export-identity", "-o", str(tmp_path / "beni-key.txt"), "--yes"]) == 0
    assert "Key written to" in capsys.readouterr().out
    text = (tmp_path / "beni-key.txt").read_text(encoding="utf-8")
    assert text.startswith("# fieldapp site identity of Bureau de Beni (démo) (")
    plain = subprocess.run(["age", "-d", "-i", str(tmp_path / "beni-key.txt"), str(bundle)],
                           capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(plain)) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        providers = archive.extractfile("providers.jsonl").read().decode("utf-8")
    assert manifest["recipient"]["name"] == "Bureau de Beni (démo)"
    assert "Hôpital général" in providers


def test_a_line_break_in_a_site_name_cannot_add_a_line_to_the_identity_file(session, tmp_path):
    session.site_name = "Beni\nAGE-SECRET-KEY-1FORGED"
    Site(session).export_identity(tmp_path / "key.txt")
    lines = (tmp_path / "key.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[0].startswith("# fieldapp site identity of Beni AGE-SECRET-KEY-1FORGED (")
    assert sum(line.startswith("AGE-SECRET-KEY-1") for line in lines) == 1


@pytest.mark.parametrize("code, expected", [("BNI", "BNI"), ("kin", "KIN"), ("BÉN1", "BEN1"), ("B/N:I*", "BNI"),
                                            ("Ñ12345678", "N1234567"), ("", "3f2a9c1d"), ("ß", "3f2a9c1d")])
def test_office_codes_are_made_safe_for_every_file_system(code, expected):
    assert file_code(code, "3f2a9c1d-0000-4000-8000-000000000000") == expected


def test_a_bundle_never_replaces_a_file_of_the_same_name(template_vault, tmp_path):
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        first = export_bundle(session, "HQ", tmp_path / "usb").path
        # Another office's file, or a bundle of a vault made again, already carries the name.
        taken = first.with_name(first.name.replace("-0001", "-0002"))
        taken.write_bytes(b"someone else's bundle")
        second = export_bundle(session, "HQ", tmp_path / "usb").path
    assert taken.read_bytes() == b"someone else's bundle"
    assert second.name.startswith(taken.name[:-len(".fieldbundle")] + "-") and second.suffix == ".fieldbundle"
