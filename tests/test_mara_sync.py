"""MARA sync between real vaults (docs/DESIGN.md 2.6, 6.3): shared incidents go up without links or
notes; a field office's own parties and commitments go up, and headquarters sends the whole
mission list down, what other field offices created included; any import order gives the same
content; hostile MARA lines are refused and change nothing."""

from __future__ import annotations

import io
import json
import random
import tarfile
from datetime import date

import pyrage
import pytest

from fieldapp.domain.mara import IncidentLink
from fieldapp.ops import mara as ops
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import BundleRefused, import_bundle
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.mara_support import commitment, incident, item, party
from tests.sync_support import alert, enrol_both, make_site, referral, snapshot, vault_state
from tests.test_sync_hostile import resigned, tar_of, write

HQ_NAME = "Headquarters Kinshasa"


def _members(path, session) -> dict[str, bytes]:
    data = pyrage.decrypt(path.read_bytes(), [Site(session).age_identity])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {member.name: archive.extractfile(member).read() for member in archive.getmembers()}


@pytest.fixture(scope="module")
def mission(template_vault, tmp_path_factory):
    root = tmp_path_factory.mktemp("mara-sync")
    out = root / "bundles"
    hq = make_site(template_vault, root / "hq", HQ_NAME, "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    bunia = make_site(template_vault, root / "bunia", "Bunia field office", "BUN")
    enrol_both(beni, hq)
    enrol_both(bunia, hq)
    ids = {}
    with hq.open() as session:
        fardc = party("Forces armées de la République démocratique du Congo", short_name="FARDC",
                      party_type="state_armed_forces", listed_since=2012)
        adf = party("Allied Democratic Forces", short_name="ADF")
        for one in (fardc, adf):
            ops.save_party(session, one)
        plan = commitment(fardc.id)
        ops.save_commitment(session, plan, [item("Command order forbidding sexual violence"),
                                            item("Commanders held accountable", status="not_started")])
        ids.update(fardc=fardc.id, adf=adf.id, plan=plan.id)
        ids["down_beni"] = export_bundle(session, "BNI", out).path
        ids["down_bunia"] = export_bundle(session, "BUN", out).path
    with beni.open() as session:
        import_bundle(session, ids["down_beni"])
        local = party("Maï-Maï Kyandenga", short_name="MM Kyandenga")
        ops.save_party(session, local)
        case = referral("BNI", 1)
        session.referrals.create(case)
        signal = alert(1)
        session.alerts.create(signal)
        shared = incident(1, [fardc.id, local.id], notes="the chief's niece, do not repeat")
        ops.save_incident(session, shared, [IncidentLink("referral", case.id), IncidentLink("alert", signal.id)])
        stored = session.incidents.get(shared.id)
        stored.verification = "verified"
        ops.save_incident(session, stored, verification_on=date(2026, 1, 20),
                          verification_note="met the chief of Mavivi")
        private = incident(2, [adf.id], share_with_mara=False, share_reason="survivors fear reprisals")
        ops.save_incident(session, private)
        ids.update(local=local.id, shared=shared.id, private=private.id, case=case.id, signal=signal.id,
                   private_code=private.incident_code)
        ids["up_beni_1"] = export_bundle(session, HQ_NAME, out).path
        # Kept out after it was sent: the next bundle carries a tombstone with nothing but the id.
        stored = session.incidents.get(shared.id)
        stored.share_with_mara, stored.share_reason = False, "withdrawn at the survivors' request"
        ops.save_incident(session, stored)
        later = incident(3, ["unidentified"])
        ops.save_incident(session, later)
        ids["later"] = later.id
        ids["up_beni_2"] = export_bundle(session, HQ_NAME, out).path
    with bunia.open() as session:
        import_bundle(session, ids["down_bunia"])
        ituri = incident(1, [adf.id], incident_code="BUN-I-2026-0001", location_pcode="CD54")
        ops.save_incident(session, ituri)
        ids["ituri"] = ituri.id
        ids["up_bunia"] = export_bundle(session, HQ_NAME, out).path
    return {"hq": hq, "beni": beni, "bunia": bunia, "ids": ids, "out": out}


def test_the_headquarters_party_list_and_commitments_reach_the_field(mission):
    ids = mission["ids"]
    with mission["bunia"].open() as session:
        assert sorted(p.short_name for p in session.parties.all()) == ["ADF", "FARDC"]
        assert session.commitments.get(ids["plan"]).party_id == ids["fardc"]
        assert sorted(i.status for i in session.commitment_items.for_commitment(ids["plan"])) == [
            "in_progress", "not_started"]


def test_shared_incidents_reach_headquarters_without_links_or_notes(mission, tmp_path):
    ids = mission["ids"]
    with mission["beni"].open() as session:
        members = _members(ids["up_beni_1"], session)
    everything = b"".join(members.values())
    for secret in (b"the chief's niece", b"met the chief of Mavivi", ids["private"].encode(),
                   ids["private_code"].encode(), b"reprisals"):
        assert secret not in everything
    # The referral and the alert travel as themselves; the incident's link to them does not.
    assert ids["case"].encode() not in members["incidents.jsonl"]
    assert ids["signal"].encode() not in members["incidents.jsonl"]
    assert members["commitments.jsonl"] == b""  # Beni made none
    with mission["hq"].copy(tmp_path / "hq").open() as session:
        result = import_bundle(session, ids["up_beni_1"])
        assert result.counts["incidents"]["new"] == 1 and result.counts["parties"]["new"] == 1
        arrived = session.incidents.get(ids["shared"])
        assert arrived.notes == "" and arrived.verification == "verified"
        assert [(h["to"], h["on"], h["note"]) for h in arrived.verification_history] == [("verified", "2026-01-20", "")]
        assert session.incidents.links_of(ids["shared"]) == []
        assert session.incidents.find(ids["private"]) is None
        assert session.parties.get(ids["local"]).name == "Maï-Maï Kyandenga"
        # Kept out later: the tombstone removes it at headquarters and carries nothing else.
        import_bundle(session, ids["up_beni_2"])
        gone = session.incidents.get(ids["shared"], include_deleted=True)
        assert gone.deleted and gone.incident_code == "" and gone.victims_women == 0
        assert session.incidents.get(ids["later"]).perpetrator_parties == ["unidentified"]


def test_field_incidents_never_come_back_down(mission, tmp_path):
    ids = mission["ids"]
    hq = mission["hq"].copy(tmp_path / "hq")
    with hq.open() as session:
        import_bundle(session, ids["up_beni_1"])
        back = export_bundle(session, "BUN", tmp_path)
    assert "incidents" not in back.counts


def _mission_list(session) -> dict:
    return {"parties": sorted((p.short_name, p.party_type, p.notes) for p in session.parties.all()),
            "commitments": sorted((c.title, c.party_id) for c in session.commitments.list()),
            "items": sorted((i.description, i.status) for i in session.commitment_items.list())}


def test_a_party_and_a_commitment_made_in_one_field_office_reach_the_others_through_headquarters(mission, tmp_path):
    ids = mission["ids"]
    out = tmp_path / "out"
    out.mkdir()
    hq, beni, bunia = (mission[name].copy(tmp_path / name) for name in ("hq", "beni", "bunia"))
    with beni.open() as session:
        promise = commitment(ids["local"], kind="unilateral_communique", title="Communiqué of Maï-Maï Kyandenga",
                             signed_on=date(2026, 2, 3))
        ops.save_commitment(session, promise, [item("Release the women held at the camp", status="not_started"),
                                               item("Hand over the commander of the Mbau position")])
        up = export_bundle(session, HQ_NAME, out)
    assert up.counts["commitments"] == 1 and up.counts["commitment_items"] == 2
    with hq.open() as session:
        # Bunia's bundle is made first, after Beni wrote its party but before it reached
        # headquarters: the next one must carry that party all the same.
        early = export_bundle(session, "BUN", out).path
        for path in (ids["up_beni_1"], ids["up_beni_2"], up.path):
            import_bundle(session, path)
        later = export_bundle(session, "BUN", out)
        assert later.counts["parties"] == 1 and later.counts["commitments"] == 1
        assert later.counts["commitment_items"] == 2
        # Headquarters corrects Beni's party: the correction reaches Beni, its creator, too.
        corrected = session.parties.get(ids["local"])
        corrected.notes = "Listed by the Group of Experts, 2025"
        ops.save_party(session, corrected)
        to_beni = export_bundle(session, "BNI", out).path
        to_bunia = export_bundle(session, "BUN", out).path
        at_headquarters = _mission_list(session)
    with beni.open() as session:
        import_bundle(session, to_beni)
        assert session.parties.get(ids["local"]).notes == "Listed by the Group of Experts, 2025"
        assert _mission_list(session) == at_headquarters
    orders = [[early, later.path, to_bunia], [to_bunia, later.path, early], [later.path, to_bunia, early, to_bunia]]
    lists = []
    for number, order in enumerate(orders):
        with bunia.copy(tmp_path / f"bunia{number}").open() as session:
            for path in order:
                import_bundle(session, path)
            assert session.parties.get(ids["local"]).name == "Maï-Maï Kyandenga"
            assert session.commitments.get(promise.id).party_id == ids["local"]
            lists.append((_mission_list(session), snapshot(session)["parties"], snapshot(session)["commitment_items"]))
            # Bunia speaks only for itself: what Beni and headquarters wrote does not go back up.
            back = export_bundle(session, HQ_NAME, out)
            assert back.counts["parties"] == back.counts["commitments"] == back.counts["commitment_items"] == 0
    assert lists[0][0] == at_headquarters
    assert all(found == lists[0] for found in lists[1:])


def test_commitments_a_field_office_made_before_they_travelled_go_up_with_the_next_bundle(mission, tmp_path):
    ids = mission["ids"]
    beni = mission["beni"].copy(tmp_path / "beni")
    with beni.open() as session:
        promise = commitment(ids["local"], title="Communiqué of Maï-Maï Kyandenga")
        ops.save_commitment(session, promise, [item("Release the women held at the camp")])
        export_bundle(session, HQ_NAME, tmp_path)
        # As a vault where it was written before field commitments travelled: never marked as sent.
        session.connection.execute("DELETE FROM sync_shared WHERE record_id IN (SELECT id FROM commitments "
                                   "UNION SELECT id FROM commitment_items)")
        again = export_bundle(session, HQ_NAME, tmp_path)
        assert again.counts["commitments"] == 1 and again.counts["commitment_items"] == 1
        # Once sent, an unchanged commitment is not sent again.
        assert export_bundle(session, HQ_NAME, tmp_path).counts["commitments"] == 0
    with mission["hq"].copy(tmp_path / "hq").open() as session:
        import_bundle(session, ids["up_beni_1"])
        import_bundle(session, again.path)
        assert session.commitments.get(promise.id).party_id == ids["local"]


def test_a_field_office_cannot_relay_another_sites_party(mission, tmp_path):
    """Only headquarters relays the mission's list: a field bundle with a party another site
    wrote is refused, and changes nothing."""
    def other_site(line):
        line["hlc"] = line["hlc"][:23] + "0" * 8 + line["hlc"][31:]
    path = _crafted(mission, tmp_path, change_line=other_site, member="parties.jsonl")
    with mission["hq"].copy(tmp_path / "hq").open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused) as refused:
            import_bundle(session, path)
        assert vault_state(session) == before
    assert "the record was not written by the site that sent the bundle" in str(refused.value)


def test_every_import_order_gives_the_same_content(mission, tmp_path):
    ids = mission["ids"]
    bundles = [ids["up_beni_1"], ids["up_beni_2"], ids["up_bunia"]]
    shuffled = list(bundles)
    random.Random(3).shuffle(shuffled)
    orders = [bundles, list(reversed(bundles)), shuffled + bundles]
    results = []
    for number, order in enumerate(orders):
        with mission["hq"].copy(tmp_path / f"hq{number}").open() as session:
            for path in order:
                import_bundle(session, path)
            results.append(snapshot(session))
    assert all(result == results[0] for result in results[1:])
    assert len(results[0]["incidents"]) == 3 and len(results[0]["parties"]) == 3


def _crafted(mission, tmp_path, change_line=None, add_member=None, member="incidents.jsonl"):
    """Beni's first bundle to headquarters, altered and signed again with Beni's real key."""
    with mission["beni"].open() as session:
        members = _members(mission["ids"]["up_beni_1"], session)
        key = Site(session).signing_key
    with mission["hq"].open() as session:
        recipient = Site(session).card().age_recipient
    order = list(members)
    if change_line:
        line = json.loads(members[member].split(b"\n")[0])
        change_line(line)
        members[member] = json.dumps(line).encode() + b"\n"
    if add_member:
        name, data, table = add_member
        members[name] = data
        order.append(name)
        manifest = json.loads(members["manifest.json"])
        manifest["members"].append({"name": name, "table": table, "records": 0, "bytes": 0, "sha256": "0" * 64})
        members["manifest.json"] = json.dumps(manifest).encode()
    sites = {"beni_key": key, "hq_recipient": recipient}
    payload = tar_of(resigned(sites, [(name, members[name]) for name in order]))
    return write(sites, tmp_path, payload)


@pytest.mark.parametrize("case, message", [
    ("notes", "an incident was sent with its notes"),
    ("unshared", "an incident not shared with MARA was sent"),
    ("victims", "field “victims_women”: Count at least one victim."),
    ("party", "field “perpetrator_parties”: “FARDC” is not a party."),
    ("history", "field “verification_history” should be a list of status changes"),
    ("providers", "it carries providers, which does not travel from Beni field office to this site"),
])
def test_a_hostile_mara_line_is_refused_and_changes_nothing(mission, tmp_path, case, message):
    changes = {
        "notes": lambda line: line.update(notes="smuggled"),
        "unshared": lambda line: line.update(share_with_mara=False, share_reason="x"),
        "victims": lambda line: line.update(victims_women=0),
        "party": lambda line: line.update(perpetrator_parties=["FARDC"]),
        "history": lambda line: line.update(verification_history=["verified"]),
    }
    if case == "providers":
        path = _crafted(mission, tmp_path, add_member=("providers.jsonl", b"", "providers"))
    else:
        path = _crafted(mission, tmp_path, change_line=changes[case])
    with mission["hq"].copy(tmp_path / "hq").open() as session:
        before = vault_state(session)
        with pytest.raises(BundleRefused) as refused:
            import_bundle(session, path)
        assert vault_state(session) == before
    assert message in str(refused.value)
