"""Fuzzing the bundle reader: random bytes, random edits of a real bundle file, random edits of its
plaintext tar re-encrypted to headquarters, and records rewritten field by field by a sender
that re-signs them (a buggy or compromised enrolled site). Every input must end in BundleRefused
with a one-line message and the vault exactly as it was, or, when the input is still a valid
bundle, in an import the app can read back; never another exception, a hang or a traceback.

Hand-made hostile bundles, one per refusal reason, are in test_sync_hostile.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import timedelta

import pyrage
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import BundleRefused, import_bundle
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.hostile_support import assert_clear_error, fuzz_settings, mutated, no_hang
from tests.sync_support import BASE, alert, enrol_both, make_site, referral, service, snapshot, training, vault_state


@pytest.fixture(scope="module")
def sites(template_vault, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-bundles")
    hq = make_site(template_vault, root / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        first = referral("BNI", 1, reported_at=BASE - timedelta(days=2), incident_date=(BASE - timedelta(days=3)).date())
        session.referrals.create(first)
        session.services.create(service(first.id))
        session.alerts.create(alert(1, threat_types=["armed_presence", "looting"]))
        session.trainings.create(training(1, pre_test_avg=40.5, post_test_avg=70.0))
        bundle = export_bundle(session, "HQ", root / "out").path
        site = Site(session)
        beni_key, beni_identity = site.signing_key, site.age_identity
    with hq.open() as session:
        hq_recipient = Site(session).card().age_recipient
    plaintext = pyrage.decrypt(bundle.read_bytes(), [beni_identity])
    with tarfile.open(fileobj=io.BytesIO(plaintext)) as archive:
        members = [(m.name, archive.extractfile(m).read()) for m in archive.getmembers()]
    # What headquarters holds after importing the genuine bundle: an accepted variant must match it.
    reference = hq.copy(root / "reference")
    with reference.open() as session:
        import_bundle(session, bundle)
        expected = snapshot(session)
    return {"root": root, "hq": hq, "bundle": bundle, "plaintext": plaintext, "members": members,
            "beni_key": beni_key, "hq_recipient": hq_recipient, "expected": expected}


class Headquarters:
    """One open HQ session for many examples; replaced by a fresh copy when an example changed it."""

    def __init__(self, sites, folder):
        self.sites, self.folder, self.copies = sites, folder, 0
        self._fresh()

    def _fresh(self) -> None:
        self.copies += 1
        self.vault = self.sites["hq"].copy(self.folder / f"hq-{self.copies}")
        self.session = self.vault.open()
        self.state = vault_state(self.session)

    def close(self) -> None:
        self.session.close()

    def offer(self, data: bytes, name: str = "fuzzed.fieldbundle"):
        """Import `data` as a bundle file; returns the result, or the refusal (vault unchanged)."""
        path = self.folder / name
        path.write_bytes(data)
        try:
            with no_hang():
                result = import_bundle(self.session, path)
        except BundleRefused as error:
            assert_clear_error(error)
            assert vault_state(self.session) == self.state, f"refused, but the vault changed: {error}"
            event("refused")
            return error
        except Exception as error:  # noqa: BLE001 - the property under test
            raise AssertionError(f"{type(error).__name__} instead of a refusal: {error}") from error
        assert self.session.verify() == []
        self.read_back()
        event("imported")
        self.session.close()
        self._fresh()
        return result

    def read_back(self) -> None:
        """Whatever was accepted, the app can list and open."""
        for repository in (self.session.referrals, self.session.services, self.session.alerts,
                           self.session.trainings):
            ids = repository.list_ids()
            assert len(repository.get_many(ids)) == len(ids)


@pytest.fixture
def hq(sites, tmp_path):
    headquarters = Headquarters(sites, tmp_path)
    yield headquarters
    headquarters.close()


def encrypt(sites, plaintext: bytes) -> bytes:
    return pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(sites["hq_recipient"])])


def tar_of(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def resigned(sites, members: list[tuple[str, bytes]]) -> bytes:
    """The members with the manifest's counts and hashes made to match, signed with Beni's key."""
    contents = dict(members)
    manifest = json.loads(contents["manifest.json"])
    for member in manifest["members"]:
        data = contents[member["name"]]
        member.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), records=data.count(b"\n"))
    raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    contents["manifest.json"], contents["manifest.sig"] = raw, sites["beni_key"].sign(raw)
    return encrypt(sites, tar_of([(name, contents[name]) for name, _data in members]))


# -- the file as a whole -----------------------------------------------------------------------
AGE_MAGIC = b"age-encryption.org/v1\n"


@fuzz_settings(60)
@given(data=st.one_of(st.binary(max_size=4096), st.binary(max_size=2048).map(lambda tail: AGE_MAGIC + tail)))
@example(data=b"")
@example(data=AGE_MAGIC)
def test_random_bytes_are_refused(hq, data):
    assert isinstance(hq.offer(data), BundleRefused)


@fuzz_settings(120)
@given(st.data())
def test_random_edits_of_a_bundle_file_are_refused(hq, sites, data):
    original = sites["bundle"].read_bytes()
    assert isinstance(hq.offer(data.draw(mutated(original))), BundleRefused)


@fuzz_settings(120)
@given(st.data())
def test_random_edits_of_the_archive_inside_are_refused_or_harmless(hq, sites, data):
    # age authenticates the file, the signature the manifest, the manifest each member: an edit
    # of the plaintext must be refused, except where the tar format ignores it (a header's
    # checksum terminator); then what is imported is exactly the genuine bundle's content.
    outcome = hq.offer(encrypt(sites, data.draw(mutated(sites["plaintext"]))))
    if not isinstance(outcome, BundleRefused):
        reference = sites["hq"].copy(hq.folder / f"check-{hq.copies}")
        with reference.open() as session:
            import_bundle(session, hq.folder / "fuzzed.fieldbundle")
            assert snapshot(session) == sites["expected"]


# -- records rewritten and re-signed by an enrolled sender ---------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8)
moments = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-02-30", "2026-06-01T25:00Z",
                     "2026-06-01T10:00:00", "2026-06-01T10:00:00.123456+00:00", ""]))
field_values = st.one_of(json_values, moments, st.sampled_from(["rape", "open", "CD6109", "CD", "health", "x" * 250,
                                                                "x" * 100_001]))


@fuzz_settings(150)
@given(data=st.data())
def test_records_rewritten_by_the_sender_are_refused_or_readable(hq, sites, data):
    members = list(sites["members"])
    tables = [i for i, (name, content) in enumerate(members) if name.endswith(".jsonl") and content]
    index = data.draw(st.sampled_from(tables), label="member")
    name, content = members[index]
    lines = content.split(b"\n")[:-1]
    line_index = data.draw(st.integers(0, len(lines) - 1), label="line")
    record = json.loads(lines[line_index])
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        edit = data.draw(st.sampled_from(["set", "set", "set", "drop", "add"]), label="edit")
        field = data.draw(st.sampled_from(sorted(record)), label="field")
        if edit == "set":
            record[field] = data.draw(field_values, label=field)
        elif edit == "drop":
            record.pop(field, None)
        else:
            record[data.draw(st.text(min_size=1, max_size=12), label="new field")] = data.draw(json_values)
        if not record:
            break
    lines[line_index] = json.dumps(record, ensure_ascii=False).encode("utf-8")
    if data.draw(st.booleans(), label="duplicate line"):
        lines.append(lines[line_index])
    members[index] = (name, b"\n".join(lines) + b"\n")
    hq.offer(resigned(sites, members))
