"""Damaged and hostile bundles: each is refused with a message naming the problem, and the vault
is left exactly as it was (records, sync logs, audit log, clock)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile

import pyrage
import pytest

from fieldapp.cli import main
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import BundleRefused, import_bundle
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.conftest import PASSPHRASE
from tests.sync_support import alert, enrol_both, make_site, referral, service, training, vault_state


@pytest.fixture(scope="module")
def sites(template_vault, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    hq = make_site(template_vault, root / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    bunia = make_site(template_vault, root / "bunia", "Bunia field office", "BUN")
    stranger = make_site(template_vault, root / "kalemie", "Kalemie field office", "KLM")
    enrol_both(beni, hq)
    enrol_both(bunia, hq)
    with stranger.open() as session, hq.open() as hq_session:
        Site(session).enrol(Site(hq_session).card())  # headquarters never enrolled Kalemie
    with hq.open() as session:
        hq_recipient = Site(session).card().age_recipient
    out = root / "out"
    with beni.open() as session:
        first = referral("BNI", 1)
        session.referrals.create(first)
        session.services.create(service(first.id))
        session.alerts.create(alert(1))
        session.trainings.create(training(1))
        bundle = export_bundle(session, "HQ", out).path
        beni_key = Site(session).signing_key
        beni_identity = Site(session).age_identity
    with stranger.open() as session:
        session.alerts.create(alert(2))
        stranger_bundle = export_bundle(session, "HQ", out).path
    return {"root": root, "hq": hq, "beni": beni, "bunia": bunia, "bundle": bundle, "beni_key": beni_key,
            "beni_identity": beni_identity, "hq_recipient": hq_recipient, "stranger_bundle": stranger_bundle}


# -- crafting bundles --------------------------------------------------------------------------
def members_of(sites) -> list[tuple[str, bytes]]:
    data = pyrage.decrypt(sites["bundle"].read_bytes(), [sites["beni_identity"]])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return [(member.name, archive.extractfile(member).read()) for member in archive.getmembers()]


def tar_of(members, extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra or []:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.size else None)
    return buffer.getvalue()


def resigned(sites, members, change_manifest=None, rehash=True) -> list[tuple[str, bytes]]:
    """The members with the manifest's hashes recomputed and signed again with Beni's real key."""
    contents = dict(members)
    manifest = json.loads(contents["manifest.json"])
    if rehash:
        for member in manifest["members"]:
            data = contents.get(member["name"], b"")
            member.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                          records=data.count(b"\n"))
    if change_manifest:
        change_manifest(manifest)
    raw = json.dumps(manifest).encode()
    contents["manifest.json"], contents["manifest.sig"] = raw, sites["beni_key"].sign(raw)
    return [(name, contents[name]) for name, _data in members]


def replace_member(members, name, data) -> list[tuple[str, bytes]]:
    return [(member, data if member == name else content) for member, content in members]


def write(sites, tmp_path, payload: bytes, encrypt=True):
    path = tmp_path / "crafted.fieldbundle"
    if encrypt:
        payload = pyrage.encrypt(payload, [pyrage.x25519.Recipient.from_str(sites["hq_recipient"])])
    path.write_bytes(payload)
    return path


def first_line(members, name) -> dict:
    return json.loads(dict(members)[name].split(b"\n")[0])


def with_first_line(members, name, change) -> list[tuple[str, bytes]]:
    lines = dict(members)[name].split(b"\n")
    record = json.loads(lines[0])
    change(record)
    lines[0] = json.dumps(record).encode()
    return replace_member(members, name, b"\n".join(lines))


# -- the cases ---------------------------------------------------------------------------------
def _truncated(sites, tmp_path):
    data = sites["bundle"].read_bytes()
    return write(sites, tmp_path, data[:len(data) // 2], encrypt=False)


def _flipped(sites, tmp_path):
    data = bytearray(sites["bundle"].read_bytes())
    data[len(data) // 2] ^= 0x01
    return write(sites, tmp_path, bytes(data), encrypt=False)


def _manifest_altered(sites, tmp_path):
    members = members_of(sites)
    manifest = json.loads(dict(members)["manifest.json"])
    manifest["sequence"] = 7
    return write(sites, tmp_path, tar_of(replace_member(members, "manifest.json", json.dumps(manifest).encode())))


def _record_altered(sites, tmp_path):
    members = members_of(sites)
    data = dict(members)["referrals.jsonl"].replace(b"Mavivi", b"Oicha!")
    return write(sites, tmp_path, tar_of(replace_member(members, "referrals.jsonl", data)))


def _bad_signature(sites, tmp_path):
    return write(sites, tmp_path, tar_of(replace_member(members_of(sites), "manifest.sig", os.urandom(64))))


def _future_format(sites, tmp_path):
    members = resigned(sites, members_of(sites), lambda m: m.update(format_version=2))
    return write(sites, tmp_path, tar_of(members))


def _newer_schema(sites, tmp_path):
    members = resigned(sites, members_of(sites), lambda m: m.update(schema_version=999))
    return write(sites, tmp_path, tar_of(members))


def _random_bytes(sites, tmp_path):
    return write(sites, tmp_path, os.urandom(4096), encrypt=False)


def _age_of_random_bytes(sites, tmp_path):
    return write(sites, tmp_path, os.urandom(4096))


def _path_member(sites, tmp_path):
    members = resigned(sites, members_of(sites))
    return write(sites, tmp_path, tar_of([(n if n != "trainings.jsonl" else "../trainings.jsonl", d)
                                          for n, d in members]))


def _link_member(sites, tmp_path):
    link = tarfile.TarInfo("referrals.jsonl")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    members = resigned(sites, members_of(sites))
    return write(sites, tmp_path, tar_of(members[:2], extra=[link]))


def _huge_member(sites, tmp_path):
    from fieldapp.sync.tarstream import member_header, padding

    archive = b""
    for name, data in resigned(sites, members_of(sites))[:2]:
        archive += member_header(name, len(data), 0) + data + padding(len(data))
    # Claims 7 GiB, far more than the manifest says: refused before anything is read or allocated.
    archive += member_header("referrals.jsonl", 7 * 2**30, 0) + b"{}" * 1000
    return write(sites, tmp_path, archive)


def _unknown_member(sites, tmp_path):
    return write(sites, tmp_path, tar_of(resigned(sites, members_of(sites)) + [("notes.jsonl", b"{}\n")]))


def _trailing_data(sites, tmp_path):
    return write(sites, tmp_path, tar_of(members_of(sites)) + b"\x01" * 512)


def _not_a_record(sites, tmp_path):
    members = replace_member(members_of(sites), "alerts.jsonl", b"[1, 2, 3]\n")
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _wrong_type(sites, tmp_path):
    members = with_first_line(members_of(sites), "referrals.jsonl", lambda r: r.update(crsv="yes"))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _bad_code(sites, tmp_path):
    members = with_first_line(members_of(sites), "referrals.jsonl", lambda r: r.update(incident_type="<script>"))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _code_with_a_newline(sites, tmp_path):
    members = with_first_line(members_of(sites), "alerts.jsonl", lambda r: r.update(severity="high\nfieldapp: ok"))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _unknown_field(sites, tmp_path):
    members = with_first_line(members_of(sites), "trainings.jsonl", lambda r: r.update(survivor_name="X"))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _id_of_another_table(sites, tmp_path):
    members = members_of(sites)
    alert_id = first_line(members, "alerts.jsonl")["id"]
    members = with_first_line(members, "referral_services.jsonl", lambda r: r.update(id=alert_id))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _service_pointing_at_an_alert(sites, tmp_path):
    members = members_of(sites)
    alert_id = first_line(members, "alerts.jsonl")["id"]
    members = with_first_line(members, "referral_services.jsonl", lambda r: r.update(referral_id=alert_id))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _another_sites_record(sites, tmp_path):
    with sites["bunia"].open() as session:
        bunia = session.site_id
    members = with_first_line(members_of(sites), "alerts.jsonl",
                              lambda r: r.update(origin_site=bunia, hlc=r["hlc"][:23] + bunia))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _wrong_direction(sites, tmp_path):
    members = members_of(sites)
    provider = json.dumps({"id": "x"}).encode() + b"\n"
    members = resigned(sites, members + [("providers.jsonl", provider)], lambda m: m["members"].append(
        {"name": "providers.jsonl", "table": "providers", "records": 1, "bytes": len(provider),
         "sha256": hashlib.sha256(provider).hexdigest()}))
    return write(sites, tmp_path, tar_of(members))


def _long_line(sites, tmp_path):
    members = replace_member(members_of(sites), "trainings.jsonl", b"[" + b"1," * 600_000 + b"1]\n")
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def _count_mismatch(sites, tmp_path):
    members = members_of(sites)
    extra = dict(members)["alerts.jsonl"] * 2
    members = resigned(sites, replace_member(members, "alerts.jsonl", extra),
                       lambda m: [x.update(records=1) for x in m["members"] if x["table"] == "alerts"])
    return write(sites, tmp_path, tar_of(members))


CASES = {
    "truncated": (_truncated, "damaged or was altered"),
    "one byte flipped": (_flipped, "damaged or was altered"),
    "manifest altered": (_manifest_altered, "signature does not match the key of Beni field office"),
    "record altered and re-encrypted": (_record_altered, "referrals.jsonl does not match the signed manifest"),
    "bad signature": (_bad_signature, "signature does not match"),
    "future format version": (_future_format, "newer version of fieldapp (bundle format 2"),
    "newer schema": (_newer_schema, "newer version of fieldapp (schema 999"),
    "random bytes": (_random_bytes, "not an age-encrypted fieldapp bundle"),
    "random bytes encrypted": (_age_of_random_bytes, "header of the archive is damaged"),
    "member with a path": (_path_member, "unexpected member “../trainings.jsonl”"),
    "symbolic link": (_link_member, "link or a folder"),
    "huge member": (_huge_member, "referrals.jsonl” is too large"),
    "unknown member": (_unknown_member, "unexpected member “notes.jsonl”"),
    "trailing data": (_trailing_data, "followed by stray data"),
    "JSON that is not a record": (_not_a_record, "record 1 of alerts.jsonl is not valid: the line is not a record"),
    "value of the wrong type": (_wrong_type, "field “crsv” should be true or false"),
    "code outside the vocabulary": (_bad_code, "“<script>” is not an allowed value"),
    "value with a line break": (_code_with_a_newline, "field “severity”"),
    "unknown field": (_unknown_field, "unknown field “survivor_name”"),
    "id of another table": (_id_of_another_table, "has the id of a record of"),
    "reference to another table": (_service_pointing_at_an_alert, "that is a record of alerts"),
    "record of another site": (_another_sites_record, "not written by the site that sent the bundle"),
    "table that does not travel this way": (_wrong_direction, "carries providers, which does not travel"),
    "line too long": (_long_line, "line of the archive is too long"),
    "more records than the manifest says": (_count_mismatch, "alerts.jsonl does not match the signed manifest"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_or_hostile_bundle_is_refused_and_changes_nothing(sites, tmp_path, case):
    make, message = CASES[case]
    path = make(sites, tmp_path)
    hq = sites["hq"].copy(tmp_path / "hq")
    with hq.open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused) as refused:
            import_bundle(session, path)
        assert vault_state(session) == before
    text = str(refused.value)
    assert text.startswith("crafted.fieldbundle: refused, ") and "\n" not in text
    assert message in text


def test_a_bundle_for_another_site_is_refused(sites, tmp_path):
    with sites["bunia"].copy(tmp_path / "bunia").open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused, match="not addressed to this site"):
            import_bundle(session, sites["bundle"])
        assert vault_state(session) == before


def test_a_bundle_is_not_imported_by_the_site_that_wrote_it(sites, tmp_path):
    with sites["beni"].copy(tmp_path / "beni").open() as session:
        with pytest.raises(BundleRefused, match="written by this site"):
            import_bundle(session, sites["bundle"])


def test_a_bundle_from_a_site_that_is_not_enrolled_is_refused(sites, tmp_path):
    with sites["hq"].copy(tmp_path / "hq").open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused, match="not enrolled \\(calling itself “Kalemie field office”"):
            import_bundle(session, sites["stranger_bundle"])
        assert vault_state(session) == before


def test_the_command_line_reports_each_refusal_in_one_line_and_imports_the_good_bundles(
        sites, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    bad = _flipped(sites, tmp_path)
    hq = sites["hq"].copy(tmp_path / "hq")
    code = main(["--vault", str(hq.path), "import-bundle", str(bad), str(sites["bundle"])])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().splitlines() == [
        "fieldapp: crafted.fieldbundle: refused, it is damaged or was altered (its encrypted data does not "
        "check out)."]
    assert "data file 1 from Beni field office imported" in captured.out
    assert "Referrals: 1 new, 0 updated, 0 unchanged, 0 conflicts" in captured.out
    code = main(["--vault", str(hq.path), "import-bundle", str(sites["bundle"])])
    assert code == 0 and "already imported" in capsys.readouterr().out
