"""The one urgency rule (domain/derived.urgency): a survivor is shown inside the PEP / emergency
contraception windows only while the case is open, the incident was sexual violence, its date is
known and not after today, and no health service has been accepted or received."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from fieldapp.domain import derived
from fieldapp.domain.records import Referral, ReferralService

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=timezone.utc)


def referral(**overrides) -> Referral:
    values = dict(survivor_code="BNI-2026-0042", reported_at=NOW, incident_date=date(2026, 9, 30),
                  incident_type="rape", status="open")
    values.update(overrides)
    return Referral(**values)


def test_an_open_recent_rape_without_health_care_is_urgent():
    state = derived.urgency(referral(), NOW)
    assert state.urgent and state.pep_open and state.quiet_reason == ""


@pytest.mark.parametrize("overrides, reason", [
    (dict(status="closed"), derived.CASE_CLOSED),
    (dict(incident_type="physical_assault"), derived.NOT_SEXUAL_VIOLENCE),
    (dict(incident_date=None, incident_date_precision="unknown"), derived.DATE_UNKNOWN),
    (dict(incident_date=date(2026, 10, 30)), derived.DATE_IN_FUTURE),
])
def test_no_countdown_when_the_rule_says_so(overrides, reason):
    state = derived.urgency(referral(**overrides), NOW)
    assert not state.urgent and state.quiet_reason == reason
    assert not state.pep_open and not state.ec_open


@pytest.mark.parametrize("status, urgent", [("pending", True), ("referred", True), ("declined", True),
                                            ("accepted", False), ("completed", False)])
def test_a_health_service_accepted_or_received_ends_the_countdown(status, urgent):
    services = [ReferralService(sector="psychosocial", status="completed"),
                ReferralService(sector="health", status=status)]
    state = derived.urgency(referral(), NOW, derived.health_statuses(services))
    assert state.urgent is urgent
    assert (state.quiet_reason == derived.HEALTH_CARE_RECEIVED) is not urgent


def test_health_services_are_looked_up_only_when_everything_else_says_urgent():
    calls = []

    def lookup():
        calls.append(1)
        return ["accepted"]

    assert not derived.urgency(referral(status="closed"), NOW, lookup).urgent
    assert not derived.urgency(referral(incident_date=NOW.date() - timedelta(days=30)), NOW, lookup).urgent
    assert calls == []
    assert not derived.urgency(referral(), NOW, lookup).urgent
    assert calls == [1]


def test_a_future_date_is_flagged_not_counted_as_zero_hours():
    state = derived.urgency(referral(incident_date=date(2026, 12, 30)), NOW)
    assert state.future and not state.urgent and state.pep_hours_left is None
