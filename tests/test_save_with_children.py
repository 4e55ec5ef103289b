"""One change, one transaction (docs/DESIGN.md 5): a referral with its services, an incident with its
links, a commitment with its items is saved whole in one transaction, or refused with nothing
written (no record, no child, no audit entry). No Qt."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from fieldapp.domain import services as rules
from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, IncidentLink, Party
from fieldapp.domain.records import Alert, Referral, ReferralService
from fieldapp.errors import ValidationError
from fieldapp.ops import mara as mara_ops
from fieldapp.ops.changes import one_change
from fieldapp.ops.referrals import save_referral
from fieldapp.core.changes import Change

NOW = datetime.now(timezone.utc)


def referral(**overrides) -> Referral:
    values = dict(survivor_code="BNI-2026-0001", reported_at=NOW - timedelta(hours=3),
                  incident_date=(NOW - timedelta(days=1)).date(), incident_type="rape", consent_referral=True,
                  consent_reporting=True)
    values.update(overrides)
    return Referral(**values)


def service(sector: str, status: str = "pending", **overrides) -> ReferralService:
    return replace(rules.new_service(), sector=sector, status=status, **overrides)


@contextlib.contextmanager
def statements(session):
    """Every SQL statement the database runs meanwhile: BEGIN counts the transactions."""
    seen: list[str] = []
    session.connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        session.connection.set_trace_callback(None)


def transactions(seen: list[str]) -> int:
    return sum(1 for statement in seen if statement.strip().upper().startswith("BEGIN"))


def table_counts(session) -> dict[str, int]:
    tables = ("referrals", "referral_services", "audit_log", "incidents", "incident_links", "commitments",
              "commitment_items")
    return {t: session.connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


# -- referrals with services ---------------------------------------------------------------------
def test_a_referral_with_services_is_saved_in_one_transaction(session):
    case = referral()
    health = service("health", "accepted")  # recorded straight as accepted: walks through referred
    legal = service("legal", "rejected", reason="No lawyer this month")
    before = session.audit.count()
    with statements(session) as seen:
        changes = save_referral(session, case, [health, service("psychosocial"), legal])
    assert transactions(seen) == 1
    assert changes[0].created == [case.id] and len(changes[1].created) == 3
    stored = {s.sector: s for s in session.services.for_referral(case.id)}
    assert [step["to"] for step in stored["health"].status_history] == ["referred", "accepted"]
    assert stored["health"].referred_at is not None and stored["health"].responded_at is not None
    assert stored["psychosocial"].status == "pending" and stored["psychosocial"].status_history == []
    assert stored["legal"].status == "rejected" and stored["legal"].reason == "No lawyer this month"
    assert session.audit.count() == before + 4  # the referral and its three services
    assert not session.audit.verify()
    assert health.status == "accepted" and health.status_history == []  # the caller's drafts untouched


def test_a_referral_whose_second_service_is_refused_leaves_nothing_saved(session):
    counts = table_counts(session)
    case = referral(consent_referral=False)
    overridden = service("health", "referred", consent_override_reason="Child at risk, caregiver unreachable")
    refused = service("legal", "referred")  # no consent and no reason to go ahead without it
    with statements(session) as seen, pytest.raises(ValidationError) as raised:
        save_referral(session, case, [overridden, refused])
    assert transactions(seen) == 0
    assert table_counts(session) == counts  # no referral, no first service, no audit entry
    (name, message), = raised.value.problems.items()
    assert name == "services[1].consent_override_reason"
    assert message.startswith("Service 2 (Legal and judicial assistance): ") and "not consented" in message


def test_an_override_is_audited_in_the_same_transaction_and_only_when_used(session):
    case = referral(consent_referral=False)
    health = service("health", "referred", consent_override_reason="Needs PEP tonight")
    with statements(session) as seen:
        save_referral(session, case, [health, service("psychosocial", consent_override_reason="not needed")])
    assert transactions(seen) == 1
    overrides = [e for e in session.audit.entries() if e.action == "consent_override"]
    assert [e.record_id for e in overrides] == [health.id] and overrides[0].detail["reason"] == "Needs PEP tonight"
    assert session.services.get(health.id).consent_override_reason == "Needs PEP tonight"
    assert next(s for s in session.services.for_referral(case.id) if s.sector == "psychosocial"
                ).consent_override_reason == ""


def test_changing_a_stored_referral_and_its_services_is_one_transaction_or_nothing(session):
    case = referral()
    first, second = service("health"), service("legal")
    save_referral(session, case, [first, second])
    stored = session.referrals.get(case.id)
    first, second = (session.services.get(s.id) for s in (first, second))
    # Meanwhile (another window, a bundle) the legal service was cancelled.
    save_referral(session, stored, [replace(second, status="cancelled")])
    stored = session.referrals.get(case.id)
    counts = table_counts(session)
    edited = replace(stored, locality="Oicha")
    with statements(session) as seen, pytest.raises(ValidationError, match="Service 2 .*Cancelled.*Referred"):
        save_referral(session, edited, [replace(first, status="referred"), replace(second, status="referred")])
    assert transactions(seen) == 0 and table_counts(session) == counts
    assert session.referrals.get(case.id).locality == "" and session.services.get(first.id).status == "pending"

    with statements(session) as seen:
        changes = save_referral(session, edited, [replace(first, status="completed")])
    assert transactions(seen) == 1
    assert changes[0].updated == [case.id] and changes[1].updated == [first.id]
    assert [s["to"] for s in session.services.get(first.id).status_history] == ["referred", "accepted", "completed"]
    # Only a service changes: one Change of the referral for the form to announce.
    later = session.referrals.get(case.id)
    changes = save_referral(session, later, [replace(session.services.get(first.id), outcome_notes="Seen")])
    assert changes[0].ids == [] and changes[1].updated == [first.id]
    assert one_change(changes, case.id) == Change("referral", updated=[case.id])


def test_a_new_service_starts_pending_in_the_store_as_in_the_operation(session):
    case = referral()
    session.referrals.create(case)
    direct = service("health", "accepted", referral_id=case.id)
    session.services.create(direct)
    assert [s["from"] for s in session.services.get(direct.id).status_history] == [rules.INITIAL_STATUS, "referred"]
    assert rules.new_service(case.id).status == rules.INITIAL_STATUS == "pending"
    with pytest.raises(ValidationError, match="cannot go from"):
        rules.start_service(service("legal", "no-such-status"), case, at=NOW, by="amina")


# -- incidents with links ------------------------------------------------------------------------
def test_an_incident_with_links_is_one_transaction_and_a_refused_second_link_leaves_nothing(session):
    case, alert = referral(), Alert(received_at=NOW - timedelta(hours=2), channel="phone_call",
                                    source_category="anonymous", threat_types=["sexual_violence"])
    session.referrals.create(case)
    session.alerts.create(alert)
    counts = table_counts(session)
    incident = Incident(incident_code="BNI-I-2026-0001", occurred_on=date.today(), learned_on=date.today(),
                        violation_types=["rape"], victims_women=1, sources=["survivor"], location_pcode="CD6109",
                        perpetrator_parties=["unidentified"])
    missing = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    with statements(session) as seen, pytest.raises(ValidationError, match="linked alert no longer exists"):
        mara_ops.save_incident(session, incident, [IncidentLink("referral", case.id), IncidentLink("alert", missing)])
    assert transactions(seen) == 0 and table_counts(session) == counts

    with statements(session) as seen:
        changes = mara_ops.save_incident(session, incident, [IncidentLink("referral", case.id),
                                                             IncidentLink("alert", alert.id)])
    assert transactions(seen) == 1 and changes[0].created == [incident.id]
    assert len(session.incidents.links_of(incident.id)) == 2
    assert table_counts(session)["audit_log"] == counts["audit_log"] + 1


# -- commitments with items ----------------------------------------------------------------------
def test_a_commitment_with_items_is_one_transaction_and_a_refused_second_item_leaves_nothing(session):
    party = Party(name="Forces armées de la RDC", short_name="FARDC", party_type="state_armed_forces")
    session.parties.create(party)
    counts = table_counts(session)
    plan = Commitment(party_id=party.id, kind="action_plan", title="Plan d'action", signed_on=date(2025, 3, 1))
    good = CommitmentItem(description="Vetting of commanders", due_on=date(2026, 6, 30))
    bad = CommitmentItem(description="", due_on=date(2026, 9, 30))
    with statements(session) as seen, pytest.raises(ValidationError) as raised:
        mara_ops.save_commitment(session, plan, [good, bad])
    assert transactions(seen) == 0 and table_counts(session) == counts
    assert all(message.startswith("Item 2: ") for message in raised.value.problems.values())

    with statements(session) as seen:
        changes = mara_ops.save_commitment(session, plan, [good, replace(bad, description="Training")])
    assert transactions(seen) == 1
    assert changes[0].created == [plan.id] and len(changes[1].created) == 2
    assert table_counts(session)["audit_log"] == counts["audit_log"] + 3
    assert one_change(changes, plan.id) is changes[0]
