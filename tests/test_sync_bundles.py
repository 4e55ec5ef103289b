"""Sync between three field offices and headquarters: what travels, in which direction, and that
importing bundles in any order, any number of times, ends in the same content (docs/DESIGN.md 6)."""

from __future__ import annotations

import io
from dataclasses import replace
import random
import tarfile

import pyrage
import pytest

from fieldapp.store.sync_store import SyncStore
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import Gap, import_bundle
from fieldapp.sync.merge import keep_winner, restore_other
from fieldapp.sync.review import open_conflicts, peer_statuses
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.sync_support import alert, enrol_both, make_site, provider, referral, service, snapshot, training
from fieldapp.ops.referrals import save_referral

FIELDS = (("Beni field office", "BNI"), ("Bunia field office", "BUN"), ("Goma field office", "GOM"))


def _fill_and_export(site_vault, code: str, hq_name: str, out) -> dict:
    """Bundle 1: new records; bundle 2: edits, a tombstone, a new alert. Returns ids and paths."""
    ids = {}
    with site_vault.open() as session:
        shared = referral(code, 1)
        private = referral(code, 2, consent_reporting=False, notes="do not send")
        session.referrals.create(shared)
        session.referrals.create(private)
        shared_service, private_service = service(shared.id), service(private.id, sector="psychosocial")
        session.services.create(shared_service)
        session.services.create(private_service)
        first_alert, kept_alert = alert(1), alert(2)
        session.alerts.create(first_alert)
        session.alerts.create(kept_alert)
        session.trainings.create(training(1))
        ids.update(shared=shared.id, private=private.id, shared_service=shared_service.id,
                   private_service=private_service.id, deleted_alert=first_alert.id, private_code=private.survivor_code)
        ids["bundle1"] = export_bundle(session, hq_name, out).path
        edited = session.referrals.get(shared.id)
        edited.status = "closed"
        session.referrals.update(edited)
        save_referral(session, session.referrals.get(shared.id),
                      [replace(session.services.get(shared_service.id), status="referred")])
        session.alerts.delete(first_alert.id)
        later = alert(3)
        session.alerts.create(later)
        ids["new_alert"] = later.id
        second = export_bundle(session, hq_name, out)
        ids["bundle2"] = second.path
        ids["bundle2_counts"] = second.counts
    return ids


@pytest.fixture(scope="module")
def network(template_vault, tmp_path_factory):
    """Headquarters and three field offices, enrolled both ways; two bundles from each office."""
    root = tmp_path_factory.mktemp("network")
    hq = make_site(template_vault, root / "hq", "Headquarters Kinshasa", "HQ", HEADQUARTERS)
    fields = {}
    for name, code in FIELDS:
        fields[code] = make_site(template_vault, root / code, name, code)
        enrol_both(fields[code], hq)
    out = root / "bundles"
    sent = {code: _fill_and_export(fields[code], code, "Headquarters Kinshasa", out) for code in fields}
    return {"root": root, "hq": hq, "fields": fields, "sent": sent, "out": out}


def _hq_copy(network, tmp_path, name="hq"):
    return network["hq"].copy(tmp_path / name)


def _all_bundles(network) -> list:
    return [ids[key] for ids in network["sent"].values() for key in ("bundle1", "bundle2")]


def test_records_created_and_edited_in_each_field_office_arrive_at_headquarters(network, tmp_path):
    hq = _hq_copy(network, tmp_path)
    with hq.open() as session:
        for path in _all_bundles(network):
            result = import_bundle(session, path)
            assert not result.already_imported
        for code, ids in network["sent"].items():
            shared = session.referrals.get(ids["shared"])
            assert shared.status == "closed" and shared.survivor_code == f"{code}-2026-0001"
            assert session.services.get(ids["shared_service"]).status == "referred"
            assert session.alerts.get(ids["deleted_alert"], include_deleted=True).deleted
            assert session.alerts.find(ids["new_alert"]) is not None
        assert session.referrals.count() == 3 and session.services.count() == 3
        assert session.alerts.count() == 6 and session.trainings.count() == 3
        assert {s.name for s in peer_statuses(session)} == {name for name, _code in FIELDS}
        assert all(s.last_received_seq == 2 and not s.missing for s in peer_statuses(session))


def test_the_second_bundle_carries_only_what_changed(network):
    # Edited referral, its service's new status, the tombstone and the new alert; nothing else.
    assert network["sent"]["BNI"]["bundle2_counts"] == {
        "referrals": 1, "referral_services": 1, "alerts": 2, "trainings": 0, "parties": 0, "commitments": 0,
        "commitment_items": 0, "incidents": 0}


def test_import_reports_new_updated_unchanged_and_already_imported(network, tmp_path):
    hq = _hq_copy(network, tmp_path)
    ids = network["sent"]["BNI"]
    with hq.open() as session:
        first = import_bundle(session, ids["bundle1"])
        assert first.counts["referrals"] == {"new": 1, "updated": 0, "unchanged": 0, "conflicts": 0}
        assert first.counts["alerts"]["new"] == 2
        second = import_bundle(session, ids["bundle2"])
        assert second.counts["referrals"] == {"new": 0, "updated": 1, "unchanged": 0, "conflicts": 0}
        assert second.counts["alerts"] == {"new": 1, "updated": 1, "unchanged": 0, "conflicts": 0}
        before = snapshot(session)
        again = import_bundle(session, ids["bundle1"])
        assert again.already_imported and again.counts == {}
        assert snapshot(session) == before


def test_a_missing_bundle_is_reported_until_it_arrives(network, tmp_path):
    hq = _hq_copy(network, tmp_path)
    ids = network["sent"]["BUN"]
    with hq.open() as session:
        result = import_bundle(session, ids["bundle2"])
        assert result.missing == [Gap(1, 1)]
        assert result.gap_message() == "Bundle 1 from Bunia field office not yet received."
        assert import_bundle(session, ids["bundle1"]).missing == []


def test_importing_the_same_bundles_in_every_order_and_twice_gives_identical_content(network, tmp_path):
    bundles = _all_bundles(network)
    orders = [bundles, list(reversed(bundles)), bundles[1::2] + bundles[0::2]]
    shuffled = list(bundles)
    random.Random(7).shuffle(shuffled)
    orders.append(shuffled + bundles)  # every bundle twice
    results = []
    for number, order in enumerate(orders):
        hq = _hq_copy(network, tmp_path, f"hq{number}")
        with hq.open() as session:
            for path in order:
                import_bundle(session, path)
            results.append(snapshot(session))
    assert all(result == results[0] for result in results[1:])
    assert len(results[0]["referrals"]) == 3


def _plaintext(path, session) -> bytes:
    """The decrypted tar, read back by the sender (bundles are encrypted to it too)."""
    return pyrage.decrypt(path.read_bytes(), [Site(session).age_identity])


def test_a_referral_without_consent_to_reporting_never_leaves_the_field_office(network):
    for code, ids in network["sent"].items():
        with network["fields"][code].open() as session:
            for key in ("bundle1", "bundle2"):
                data = _plaintext(ids[key], session)
                with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                    names = archive.getnames()
                assert names[:2] == ["manifest.json", "manifest.sig"]
                for secret in (ids["private"], ids["private_service"], ids["private_code"], "do not send"):
                    assert secret.encode() not in data


def test_consent_given_later_sends_the_referral_with_its_services_and_withdrawn_consent_redacts_it(
        network, tmp_path):
    hq = _hq_copy(network, tmp_path)
    beni = network["fields"]["BNI"].copy(tmp_path / "beni")
    ids = network["sent"]["BNI"]
    out = tmp_path / "out"
    with hq.open() as session:
        for path in (ids["bundle1"], ids["bundle2"]):
            import_bundle(session, path)
    with beni.open() as session:
        late = session.referrals.get(ids["private"])
        late.consent_reporting = True
        session.referrals.update(late)
        third = export_bundle(session, "HQ", out)
    assert third.counts["referrals"] == 1 and third.counts["referral_services"] == 1
    with hq.open() as session:
        import_bundle(session, third.path)
        assert session.services.get(ids["private_service"]).sector == "psychosocial"
    with beni.open() as session:
        withdrawn = session.referrals.get(ids["shared"])
        withdrawn.consent_reporting = False
        session.referrals.update(withdrawn)
        fourth = export_bundle(session, "HQ", out)
    with hq.open() as session:
        import_bundle(session, fourth.path)
        gone = session.referrals.get(ids["shared"], include_deleted=True)
        assert gone.deleted and gone.survivor_code == "" and gone.notes == "" and gone.locality == ""
        assert session.services.get(ids["shared_service"], include_deleted=True).deleted
        assert session.referrals.count() == 1


def test_directory_and_gazetteer_updates_from_headquarters_arrive_in_every_field_office(network, tmp_path):
    from fieldapp.domain.gazetteer import read_pcode_file
    from tests.conftest import PCODES

    hq = _hq_copy(network, tmp_path)
    out = tmp_path / "out"
    with hq.open() as session:
        session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
        clinic = provider(1)
        session.providers.create(clinic)
        bundles = {code: export_bundle(session, code, out) for code in network["fields"]}
        renamed = session.providers.get(clinic.id)
        renamed.name = "Centre de santé de Mavivi"
        session.providers.update(renamed)
        updates = {code: export_bundle(session, code, out) for code in network["fields"]}
        places = session.places.count()
    assert set(bundles["BNI"].counts) == {"providers", "places", "parties", "commitments", "commitment_items"}
    assert updates["BNI"].counts == {"providers": 1, "places": 0, "parties": 0, "commitments": 0,
                                     "commitment_items": 0}
    for code, field in network["fields"].items():
        with field.copy(tmp_path / code).open() as session:
            import_bundle(session, updates[code].path)
            import_bundle(session, bundles[code].path)
            assert session.providers.get(clinic.id).name == "Centre de santé de Mavivi"
            assert session.places.count() == places
            assert session.places.path_label("CD6109") == "Nord-Kivu › Beni"


def test_a_concurrent_edit_ends_with_the_same_winner_everywhere_and_the_loser_for_review(network, tmp_path):
    ids = network["sent"]["GOM"]
    goma = network["fields"]["GOM"].copy(tmp_path / "goma")
    hq = _hq_copy(network, tmp_path)
    with hq.open() as session:
        import_bundle(session, ids["bundle1"])
        correction = session.referrals.get(ids["shared"])
        correction.locality = "Kanyaruchinya"  # headquarters corrects the place
        session.referrals.update(correction)
    with goma.open() as session:  # meanwhile Goma edits the same referral
        edit = session.referrals.get(ids["shared"])
        edit.notes = "follow-up visit done"
        session.referrals.update(edit)
        third = export_bundle(session, "HQ", tmp_path / "out")
        goma_stamp = session.referrals.get(ids["shared"]).hlc
    winners, conflicts = [], []
    orders = ([ids["bundle2"], third.path], [third.path, ids["bundle2"], third.path])
    for number, order in enumerate(orders):
        with hq.copy(tmp_path / f"hq{number}").open() as session:
            results = [import_bundle(session, path) for path in order]
            assert results[0].conflicts == 1  # either Goma edit was made without seeing the correction
            winner = session.referrals.get(ids["shared"])
            winners.append((winner.hlc, winner.notes, winner.locality))
            conflicts.append(SyncStore(session.connection).all_versions())
    assert winners[0] == winners[1] == (goma_stamp, "follow-up visit done", "Mavivi")
    assert conflicts[0] == conflicts[1] and len(conflicts[0]) == 1
    # Reviewing it: the headquarters' correction is restored as a new version, audited.
    with hq.copy(tmp_path / "review").open() as session:
        for path in orders[0]:
            import_bundle(session, path)
        [view] = open_conflicts(session)
        assert view.label == "GOM-2026-0001" and ("locality", "Mavivi", "Kanyaruchinya") in view.fields
        restore_other(session, view.seq)
        restored = session.referrals.get(ids["shared"])
        assert restored.locality == "Kanyaruchinya" and restored.hlc > goma_stamp
        assert open_conflicts(session) == []
        assert session.audit.entries(limit=1)[0].action == "conflict_restored"


def test_a_directory_edit_in_the_field_loses_to_a_later_one_from_headquarters_and_is_kept(network, tmp_path):
    hq = _hq_copy(network, tmp_path)
    beni = network["fields"]["BNI"].copy(tmp_path / "beni")
    bunia = network["fields"]["BUN"].copy(tmp_path / "bunia")
    out = tmp_path / "out"
    with hq.open() as session:
        clinic = provider(2)
        session.providers.create(clinic)
        first = {code: export_bundle(session, code, out).path for code in ("BNI", "BUN")}
    with beni.open() as session:
        import_bundle(session, first["BNI"])
        local = session.providers.get(clinic.id)
        local.phones = "+243 999 111"
        session.providers.update(local)
    with hq.open() as session:
        later = session.providers.get(clinic.id)
        later.opening_hours = "Mon-Fri 8-16"
        session.providers.update(later)
        second = {code: export_bundle(session, code, out).path for code in ("BNI", "BUN")}
        expected = session.providers.get(clinic.id)
    for field, code in ((beni, "BNI"), (bunia, "BUN")):
        with field.open() as session:
            for path in (second[code], first[code]):
                import_bundle(session, path)
            winner = session.providers.get(clinic.id)
            assert (winner.hlc, winner.opening_hours, winner.phones) == (expected.hlc, "Mon-Fri 8-16",
                                                                        "+243 000 000")
            views = open_conflicts(session)
            if code == "BNI":
                [view] = views
                assert ("phones", "+243 000 000", "+243 999 111") in view.fields
                keep_winner(session, view.seq)
                assert open_conflicts(session) == []
            else:
                assert views == []


def test_cancelling_an_export_or_an_import_leaves_no_file_and_changes_nothing(template_vault, tmp_path):
    from fieldapp.sync.bundle import SyncCancelled
    from tests.sync_support import vault_state

    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    calls = []

    def cancel_on_second_check():
        calls.append(1)
        return len(calls) >= 2

    with beni.open() as session:
        session.alerts.bulk_create([alert(n) for n in range(2500)], check=False)
        with pytest.raises(SyncCancelled):
            export_bundle(session, "HQ", tmp_path / "out", cancelled=cancel_on_second_check)
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
        bundle = export_bundle(session, "HQ", tmp_path / "out")
        assert bundle.seq == 1 and bundle.counts["alerts"] == 2500  # the cancelled one used no number
    with hq.open() as session:
        before = vault_state(session)
        calls.clear()
        with pytest.raises(SyncCancelled):
            import_bundle(session, bundle.path, cancelled=cancel_on_second_check)
        assert vault_state(session) == before
        calls.clear()
        with pytest.raises(SyncCancelled):  # this time during the merge, inside the transaction
            import_bundle(session, bundle.path, cancelled=lambda: (calls.append(1), len(calls) >= 6)[1])
        assert vault_state(session) == before
        assert import_bundle(session, bundle.path).counts["alerts"]["new"] == 2500
