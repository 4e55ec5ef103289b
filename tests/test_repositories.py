"""Repositories: saving, listing (paging, sorting, filters), full-text search, tombstones, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from fieldapp.domain.records import Alert, Provider, Referral, ReferralService, Training
from fieldapp.errors import NotFound, ValidationError
from fieldapp.core.changes import ListQuery
from fieldapp.ops.referrals import save_referral

BASE = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


def make_referral(n: int, **overrides) -> Referral:
    values = dict(survivor_code=f"BNI-2026-{n:04d}", reported_at=BASE + timedelta(days=n),
                  incident_date=(BASE + timedelta(days=n - 1)).date(), incident_type="rape",
                  location_pcode="CD6109", locality="Mavivi", consent_referral=True, consent_reporting=True)
    values.update(overrides)
    return Referral(**values)


def test_create_get_update_round_trip(session):
    referral = make_referral(1, notes="Première visite", perpetrator_count=2)
    session.referrals.create(referral)
    stored = session.referrals.get(referral.id)
    assert stored.survivor_code == "BNI-2026-0001"
    assert stored.reported_at == referral.reported_at
    assert stored.incident_date == referral.incident_date
    assert stored.created_by == "amina" and stored.origin_site == session.site_id
    assert stored.hlc
    stored.status = "closed"
    change = session.referrals.update(stored)
    assert change.updated == [referral.id]
    again = session.referrals.get(referral.id)
    assert again.status == "closed" and again.hlc > stored.hlc or again.hlc != referral.hlc
    assert session.referrals.update(again).ids == []  # nothing changed, nothing written


def test_every_change_is_stamped_later_than_the_one_before(session):
    stamps = []
    for n in range(1, 30):
        referral = make_referral(n)
        session.referrals.create(referral)
        stamps.append(session.referrals.get(referral.id).hlc)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_survivor_codes_are_unique_and_numbered_per_office_and_year(session):
    assert session.referrals.next_survivor_code("BNI", 2026) == "BNI-2026-0001"
    session.referrals.create(make_referral(41))
    assert session.referrals.next_survivor_code("BNI", 2026) == "BNI-2026-0042"
    assert session.referrals.next_survivor_code("BNI", 2027) == "BNI-2027-0001"
    with pytest.raises(ValidationError, match="already uses the code BNI-2026-0041"):
        session.referrals.create(make_referral(41))


def test_delete_leaves_a_tombstone_hidden_from_lists(session):
    referral = make_referral(1)
    session.referrals.create(referral)
    session.referrals.delete(referral.id)
    assert session.referrals.count() == 0
    with pytest.raises(NotFound):
        session.referrals.get(referral.id)
    tombstone = session.referrals.get(referral.id, include_deleted=True)
    assert tombstone.deleted and tombstone.survivor_code == "BNI-2026-0001"
    assert session.referrals.count(ListQuery(include_deleted=True)) == 1
    assert [e.action for e in session.audit.entries(limit=2)] == ["delete", "create"]


def test_paging_and_sorting_in_sql(session):
    session.referrals.bulk_create([make_referral(n, incident_type=["rape", "physical_assault"][n % 2])
                                   for n in range(1, 101)])
    newest = session.referrals.list(ListQuery(limit=10))
    assert [r.survivor_code for r in newest] == [f"BNI-2026-{n:04d}" for n in range(100, 90, -1)]
    page3 = session.referrals.list(ListQuery(sort="survivor_code", descending=False, limit=10, offset=20))
    assert [r.survivor_code for r in page3] == [f"BNI-2026-{n:04d}" for n in range(21, 31)]
    ids = session.referrals.list_ids(ListQuery(sort="survivor_code", descending=False))
    assert len(ids) == 100 and ids[20] == page3[0].id
    with pytest.raises(ValueError):
        session.referrals.list(ListQuery(sort="notes; DROP TABLE referrals"))


def test_filters_date_range_place_status_type_and_sector(session):
    session.referrals.bulk_create([
        make_referral(1, location_pcode="CD6109"),
        make_referral(2, location_pcode="CD6110", incident_type="sexual_assault"),
        make_referral(3, location_pcode="CD5401", status="closed"),
        make_referral(10, location_pcode="CD6109"),
    ])
    codes = lambda query: sorted(r.survivor_code for r in session.referrals.list(query))  # noqa: E731
    assert codes(ListQuery(pcode_prefix="CD61")) == ["BNI-2026-0001", "BNI-2026-0002", "BNI-2026-0010"]
    assert codes(ListQuery(pcode_prefix="cd6109")) == ["BNI-2026-0001", "BNI-2026-0010"]
    assert codes(ListQuery(date_from=date(2026, 6, 2), date_to=date(2026, 6, 3))) == ["BNI-2026-0001", "BNI-2026-0002"]
    assert codes(ListQuery(filters={"status": "closed"})) == ["BNI-2026-0003"]
    assert codes(ListQuery(filters={"type": "sexual_assault"})) == ["BNI-2026-0002"]
    assert codes(ListQuery(filters={"status": ["open", "closed"]}, pcode_prefix="CD54")) == ["BNI-2026-0003"]
    target = session.referrals.list(ListQuery(pcode_prefix="CD5401"))[0]
    session.services.create(ReferralService(referral_id=target.id, sector="legal"))
    assert codes(ListQuery(filters={"sector": "legal"})) == ["BNI-2026-0003"]


def test_full_text_search_finds_codes_localities_and_notes_ignoring_accents(session):
    session.referrals.create(make_referral(1, locality="Mbau", notes="Orientée par l'hôpital de Bénî"))
    session.referrals.create(make_referral(2, locality="Oicha", notes="Suivi juridique"))
    found = lambda text: sorted(r.survivor_code for r in session.referrals.list(ListQuery(search=text)))  # noqa: E731
    assert found("beni") == ["BNI-2026-0001"]
    assert found("oich") == ["BNI-2026-0002"]
    assert found("BNI-2026-0002") == ["BNI-2026-0002"]
    assert found("juridique suivi") == ["BNI-2026-0002"]
    assert found('" OR 1=1 --') == []
    assert found("   ") == ["BNI-2026-0001", "BNI-2026-0002"]


def test_search_follows_edits(session):
    referral = make_referral(1, notes="ancien texte")
    session.referrals.create(referral)
    referral.notes = "nouvelle information"
    session.referrals.update(referral)
    assert session.referrals.count(ListQuery(search="ancien")) == 0
    assert session.referrals.count(ListQuery(search="nouvelle")) == 1


def test_services_start_pending_and_keep_the_consent_rule_on_create_and_update(session):
    no_consent = make_referral(1, consent_referral=False)
    session.referrals.create(no_consent)
    with pytest.raises(ValidationError):
        session.services.create(ReferralService(referral_id=no_consent.id, sector="health", status="referred"))
    service = ReferralService(referral_id=no_consent.id, sector="health")
    session.services.create(service)
    service.status = "accepted"
    with pytest.raises(ValidationError):
        session.services.update(service)  # would pass through "referred" without consent
    service = session.services.get(service.id)
    service.status, service.consent_override_reason = "referred", "Survivor unconscious; PEP cannot wait"
    session.services.update(service)
    stored = session.services.get(service.id)
    assert stored.status == "referred" and stored.referred_at is not None
    overrides = [e for e in session.audit.entries() if e.action == "consent_override"]
    assert overrides[0].detail["reason"] == "Survivor unconscious; PEP cannot wait"


def test_service_recorded_straight_as_accepted_walks_the_allowed_path(session):
    referral = make_referral(1)
    session.referrals.create(referral)
    service = ReferralService(referral_id=referral.id, sector="psychosocial", status="accepted")
    session.services.create(service)
    stored = session.services.get(service.id)
    assert [step["to"] for step in stored.status_history] == ["referred", "accepted"]
    with pytest.raises(ValidationError, match="cannot go from “Accepted” to “To be referred”"):
        save_referral(session, referral, [replace(stored, status="pending")])
    assert session.services.get(service.id).status == "accepted"


def test_service_must_belong_to_an_existing_referral(session):
    with pytest.raises(ValidationError, match="does not exist"):
        session.services.create(ReferralService(referral_id="nope", sector="health"))


def test_alert_trainings_and_providers_lists(session):
    session.alerts.create(Alert(received_at=BASE, threat_types=["attack", "abduction"], source_code="CAN-BNI-004"))
    session.alerts.create(Alert(received_at=BASE, threat_types=["looting"]))
    assert session.alerts.count(ListQuery(filters={"threat_type": "abduction"})) == 1
    assert session.alerts.count(ListQuery(search="CAN-BNI-004")) == 1
    session.trainings.create(Training(title="Prévention des VSLC", start_date=date(2026, 3, 1), audience="media",
                                      topics=["crsv_prevention"], participants_female=3))
    assert session.trainings.count(ListQuery(search="prevention", filters={"topic": "crsv_prevention"})) == 1
    session.providers.create(Provider(name="Hôpital de Beni", sectors=["health"], location_pcode="CD6109"))
    session.providers.create(Provider(name="Clinique juridique", sectors=["legal"], location_pcode="CD6110",
                                      active=False))
    assert [p.name for p in session.providers.in_area("CD61")] == ["Hôpital de Beni"]
    assert [p.name for p in session.providers.in_area("CD61", active_only=False)] == ["Clinique juridique",
                                                                                      "Hôpital de Beni"]
