"""A hostile enrolled peer: bundles signed with a real field office's key that carry clock stamps
far in the future, or sequence numbers meant to blow up the list of missing bundles. Each must
be refused with a message naming the sender and the problem, the vault left exactly as it was
(clock included) and still able to open and save; or, within the bounds, imported in small memory.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from fieldapp.cli import main
from fieldapp.domain.records import Place
from fieldapp.store.db import transaction
from fieldapp.sync.bundle import export_bundle
from fieldapp.core.hlc import Stamp
from fieldapp.sync.importer import BundleRefused, Gap, import_bundle
from fieldapp.sync.review import peer_statuses
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.conftest import PASSPHRASE
from tests.sync_support import alert, enrol_both, make_site, provider, referral, service, training, vault_state
from tests.test_sync_hostile import members_of, resigned, tar_of, with_first_line, write

YEAR_2100_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
HOUR_MS = 3_600_000


@pytest.fixture(scope="module")
def sites(template_vault, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-peer")
    hq = make_site(template_vault, root / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with hq.open() as session:
        hq_recipient = Site(session).card().age_recipient
    with hq.open() as session:
        session.providers.create(provider(1))
        session.places.import_places([Place(pcode="CD", level=0, name_en="DR Congo", name_fr="RD Congo")])
        hq_bundle = export_bundle(session, "BNI", root / "out-hq").path
        hq_key, hq_identity = Site(session).signing_key, Site(session).age_identity
    with beni.open() as session:
        beni_recipient = Site(session).card().age_recipient
    with beni.open() as session:
        first = referral("BNI", 1)
        session.referrals.create(first)
        session.services.create(service(first.id))
        session.alerts.create(alert(1))
        session.trainings.create(training(1))
        bundle = export_bundle(session, "HQ", root / "out").path
        beni_id = session.site_id
        beni_key, beni_identity = Site(session).signing_key, Site(session).age_identity
    return {"root": root, "hq": hq, "beni": beni, "bundle": bundle, "beni_key": beni_key, "beni_id": beni_id,
            "beni_identity": beni_identity, "hq_recipient": hq_recipient, "hq_bundle": hq_bundle, "hq_key": hq_key,
            "hq_identity": hq_identity, "beni_recipient": beni_recipient}


def stamped(sites, tmp_path, stamp: str):
    """Beni's genuine bundle with its first alert re-stamped, re-hashed and re-signed with Beni's key."""
    members = with_first_line(members_of(sites), "alerts.jsonl", lambda record: record.update(hlc=stamp))
    return write(sites, tmp_path, tar_of(resigned(sites, members)))


def numbered(sites, tmp_path, sequence: int):
    members = resigned(sites, members_of(sites), lambda manifest: manifest.update(sequence=sequence, full=False))
    return write(sites, tmp_path, tar_of(members))


def saved_stamp(session, n: int = 9) -> str:
    """Save a new alert; its clock stamp."""
    record = alert(n)
    session.alerts.create(record)
    return record.hlc


def refused_unchanged(sites, tmp_path, path) -> str:
    hq = sites["hq"].copy(tmp_path / "hq")
    with hq.open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused) as refused:
            import_bundle(session, path)
        assert vault_state(session) == before  # the stored clock (meta) included
    # The vault still opens, and a change made now gets an ordinary stamp of this laptop's clock.
    with hq.open() as session:
        assert abs(Stamp.parse(saved_stamp(session)).wall_ms - time.time() * 1000) < 60_000
    text = str(refused.value)
    assert text.startswith("crafted.fieldbundle: refused, ") and "\n" not in text
    return text


# -- clock stamps ------------------------------------------------------------------------------
def test_a_record_stamped_in_the_year_2100_is_refused_naming_the_sender_and_the_offset(sites, tmp_path):
    text = refused_unchanged(sites, tmp_path, stamped(sites, tmp_path, str(Stamp(YEAR_2100_MS, 0, sites["beni_id"]))))
    assert "record 1 of alerts.jsonl is stamped 73 years ahead of this laptop's clock" in text
    assert "Beni field office's laptop" in text


def test_a_stamp_at_the_end_of_the_clock_range_is_refused_and_the_vault_still_opens(sites, tmp_path):
    text = refused_unchanged(sites, tmp_path, stamped(sites, tmp_path, f"999999999999999.999999.{sites['beni_id']}"))
    assert "years ahead of this laptop's clock" in text


def test_a_stamp_25_hours_ahead_is_refused_and_one_23_hours_ahead_is_accepted(sites, tmp_path):
    now = int(time.time() * 1000)
    text = refused_unchanged(sites, tmp_path, stamped(sites, tmp_path, str(Stamp(now + 25 * HOUR_MS, 0,
                                                                                 sites["beni_id"]))))
    assert "stamped 25 hours ahead" in text
    ahead = str(Stamp(now + 23 * HOUR_MS, 0, sites["beni_id"]))
    hq = sites["hq"].copy(tmp_path / "hq-accepts")
    with hq.open() as session:
        import_bundle(session, stamped(sites, tmp_path, ahead))
        assert session.clock.last > ahead
    with hq.open() as session:  # the clock was stored in its format, and moves on from there
        assert Stamp.parse(saved_stamp(session)).wall_ms >= now + 23 * HOUR_MS


def test_a_vault_whose_stored_clock_left_the_stamp_format_still_opens_with_a_warning(sites, tmp_path, capsys,
                                                                                   monkeypatch):
    # What a year-33658 bundle did before: the counter carried into a 16-digit wall time.
    hq = sites["hq"].copy(tmp_path / "hq")
    with hq.open() as session:
        own = saved_stamp(session)
        with transaction(session.connection):
            session.connection.execute("UPDATE meta SET value = ? WHERE key = 'hlc_last'",
                                       (f"1000000000000000.000000.{session.site_id}",))
    with hq.open() as session:
        assert session.clock.damaged.startswith("1000000000000000.")
        later = saved_stamp(session, 10)
        Stamp.parse(later)
        assert later > own
    with hq.open() as session:
        assert not session.clock.damaged  # the clock was stored again, in its format
    with hq.open() as session:
        with transaction(session.connection):
            session.connection.execute("UPDATE meta SET value = 'not a stamp' WHERE key = 'hlc_last'")
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--vault", str(hq.path), "stats"]) == 0
    assert "fieldapp: warning: The vault's clock was damaged (“not a stamp”)" in capsys.readouterr().err


# -- sequence numbers --------------------------------------------------------------------------
def test_a_bundle_numbered_fifty_million_is_refused(sites, tmp_path):
    text = refused_unchanged(sites, tmp_path, numbered(sites, tmp_path, 50_000_000))
    assert "its manifest has a bad “sequence”" in text


def test_a_gap_of_a_million_bundles_is_one_range_in_small_memory(sites, tmp_path, capsys, monkeypatch):
    hq = sites["hq"].copy(tmp_path / "hq")
    path = numbered(sites, tmp_path, 1_000_000)
    with hq.open() as session:
        tracemalloc.start()
        try:
            result = import_bundle(session, path)
            statuses = peer_statuses(session)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert result.missing == [Gap(1, 999_999)]
    assert result.gap_message() == "Bundles 1–999,999 from Beni field office not yet received."
    assert statuses[0].missing == [Gap(1, 999_999)]
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB"  # a list of the numbers alone was 36 MB
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--vault", str(hq.path), "sites"]) == 0
    assert "Not yet received: 1–999,999" in capsys.readouterr().out


def test_a_vault_that_took_a_bundle_numbered_fifty_million_before_the_bound_lists_one_range(
        sites, tmp_path, capsys, monkeypatch):
    hq = sites["hq"].copy(tmp_path / "hq")
    with hq.open() as session:
        import_bundle(session, sites["bundle"])
        with transaction(session.connection):
            session.connection.execute(
                "INSERT INTO sync_received (bundle_id, sender_site, seq, full, created_at, imported_at, imported_by, "
                "summary) VALUES ('b', ?, 50000000, 0, '', '2026-12-01T00:00:00+00:00', 'amina', '{}')",
                (sites["beni_id"],))
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("FIELDAPP_LANG", "fr")
    assert main(["--vault", str(hq.path), "sites"]) == 0
    out = capsys.readouterr().out
    assert "2–49\u00a0999\u00a0999" in out and len(out) < 2000


# -- control characters ------------------------------------------------------------------------
def from_headquarters(sites, tmp_path, table: str, change):
    """Headquarters' genuine bundle to Beni with the first line of `table` changed and re-signed."""
    hq_view = {"bundle": sites["hq_bundle"], "beni_identity": sites["hq_identity"], "beni_key": sites["hq_key"],
               "hq_recipient": sites["beni_recipient"]}
    members = with_first_line(members_of(hq_view), f"{table}.jsonl", change)
    return write(hq_view, tmp_path, tar_of(resigned(hq_view, members)))


def refused_at_beni(sites, tmp_path, path) -> str:
    beni = sites["beni"].copy(tmp_path / "beni")
    with beni.open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused) as refused:
            import_bundle(session, path)
        assert vault_state(session) == before
    assert "\n" not in str(refused.value)
    return str(refused.value)


@pytest.mark.parametrize("code", ["\u202e", "\u2067", "\x1b", "\x07", "\x00", "\u2028"])
def test_a_provider_name_with_a_control_character_from_headquarters_is_refused(sites, tmp_path, code):
    path = from_headquarters(sites, tmp_path, "providers", lambda r: r.update(name="Centre " + code + "exe.pdf"))
    text = refused_at_beni(sites, tmp_path, path)
    assert f"record 1 of providers.jsonl is not valid: field “name”: Remove the invisible" in text
    assert f"U+{ord(code):04X}" in text


def test_a_place_name_with_a_text_direction_override_is_refused(sites, tmp_path):
    path = from_headquarters(sites, tmp_path, "places", lambda r: r.update(name_fr="RD \u202eognoC"))
    assert "field “name_fr”: Remove the invisible text-direction character U+202E" in refused_at_beni(
        sites, tmp_path, path)


def test_a_line_break_in_a_one_line_field_of_a_tombstone_is_refused(sites, tmp_path):
    members = with_first_line(members_of(sites), "alerts.jsonl",
                              lambda r: r.update(deleted=True, locality="Mavivi\r\nfieldapp: imported"))
    text = refused_unchanged(sites, tmp_path, write(sites, tmp_path, tar_of(resigned(sites, members))))
    assert "field “locality”: This field holds one line: remove the line break" in text
