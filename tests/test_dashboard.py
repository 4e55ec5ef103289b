"""Home's queries: urgent health windows, follow-ups due, long-open alerts, last-30-day counts."""

from datetime import datetime, timedelta, timezone

from fieldapp.domain.records import Alert, Referral, ReferralService, Training
from fieldapp.store.dashboard import Dashboard

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def referral(session, days_ago: int, incident_type: str = "rape", **fields) -> Referral:
    record = Referral(
        survivor_code=session.referrals.next_survivor_code("BNI", NOW.year), reported_at=NOW - timedelta(minutes=5),
        incident_date=(NOW - timedelta(days=days_ago)).date(), incident_type=incident_type, sex="female",
        age_group="18-59", displacement="idp", disability="no", perpetrator_category="unknown",
        entry_point="self", consent_referral=True, consent_reporting=True, location_pcode="CD6109", **fields)
    session.referrals.create(record)
    return record


def service(session, parent: Referral, sector: str, status: str, **fields) -> ReferralService:
    record = ReferralService(referral_id=parent.id, sector=sector, status=status, **fields)
    session.services.create(record)
    return record


def alert(session, hours_ago: float, severity: str = "high", status: str = "open") -> Alert:
    record = Alert(received_at=NOW - timedelta(hours=hours_ago), channel="phone_call",
                   source_category="community_focal_point", location_pcode="CD6109", threat_types=["attack"],
                   severity=severity, verification="unverified", status=status,
                   responded_at=NOW - timedelta(hours=hours_ago - 1) if status == "responded" else None,
                   response="Patrol sent" if status == "responded" else "")
    session.alerts.create(record)
    return record


def test_urgent_lists_sexual_violence_inside_the_window_without_health_care_accepted(session):
    today = referral(session, 0)
    three_days = referral(session, 3)  # PEP closed, EC still open
    health_pending = referral(session, 1)
    service(session, health_pending, "health", "referred")
    health_accepted = referral(session, 1)
    service(session, health_accepted, "health", "accepted")
    only_legal_accepted = referral(session, 1)
    service(session, only_legal_accepted, "legal", "accepted")
    referral(session, 6)  # past 120 h
    referral(session, 0, incident_type="denial_of_resources")
    referral(session, 0, status="closed")
    gone = referral(session, 0)
    session.referrals.delete(gone.id)

    urgent = Dashboard(session).urgent_referrals(NOW)
    codes = [item.referral.survivor_code for item in urgent.items]
    assert set(codes) == {today.survivor_code, three_days.survivor_code, health_pending.survivor_code,
                          only_legal_accepted.survivor_code}
    assert urgent.total == 4
    # PEP still possible comes first; the EC-only case last.
    assert codes[-1] == three_days.survivor_code
    by_code = {item.referral.survivor_code: item for item in urgent.items}
    assert by_code[health_pending.survivor_code].health_status == "referred"
    assert by_code[today.survivor_code].health_status is None
    assert by_code[today.survivor_code].urgency.pep_open
    assert 48 <= by_code[today.survivor_code].urgency.pep_hours_left <= 72
    assert not by_code[three_days.survivor_code].urgency.pep_open


def test_follow_ups_due_or_overdue_on_services_still_in_progress(session):
    parent = referral(session, 20)
    today = NOW.date()
    due_today = service(session, parent, "health", "referred", follow_up_on=today, provider_text="HGR Beni")
    overdue = service(session, parent, "legal", "accepted", follow_up_on=today - timedelta(days=4))
    service(session, parent, "psychosocial", "referred", follow_up_on=today + timedelta(days=1))
    service(session, parent, "shelter", "completed", follow_up_on=today - timedelta(days=1))
    closed = referral(session, 20, status="closed")
    service(session, closed, "health", "referred", follow_up_on=today)

    due = Dashboard(session).follow_ups(today)
    assert [item.service_id for item in due.items] == [due_today.id, overdue.id]
    assert due.total == 2
    assert due.items[0].provider == "HGR Beni" and due.items[0].survivor_code == parent.survivor_code
    assert Dashboard(session).follow_ups(today, limit=1).total == 2


def test_alerts_open_more_than_a_day_most_severe_first(session):
    medium = alert(session, 30, "medium")
    critical = alert(session, 48, "critical")
    alert(session, 2, "critical")  # open, but for less than 24 h
    alert(session, 40, "high", status="responded")
    found = Dashboard(session).long_open_alerts(NOW)
    assert [a.id for a in found.items] == [critical.id, medium.id]
    assert found.total == 2


def test_counts_for_the_last_30_days(session):
    referral(session, 1, crsv=True)
    referral(session, 2)
    old = Referral(survivor_code="BNI-2020-0001", reported_at=NOW - timedelta(days=40),
                   incident_date=(NOW - timedelta(days=41)).date(), incident_type="rape", sex="female",
                   age_group="18-59", displacement="idp", disability="no", perpetrator_category="unknown",
                   entry_point="self")
    session.referrals.create(old)
    alert(session, 5)
    alert(session, 50, status="responded")
    session.trainings.create(Training(title="CRSV prevention", start_date=(NOW - timedelta(days=3)).date(),
                                      end_date=(NOW - timedelta(days=2)).date(), location_pcode="CD6109",
                                      audience="military_peacekeepers", topics=["crsv_prevention"],
                                      participants_female=7, participants_male=20))
    counts = Dashboard(session).recent_counts(NOW)
    assert (counts.referrals, counts.crsv_referrals) == (2, 1)
    assert (counts.alerts, counts.alerts_responded) == (2, 1)
    assert (counts.trainings, counts.participants) == (1, 27)


def test_long_lists_are_counted_up_to_a_cap(session, monkeypatch):
    from fieldapp.store import dashboard

    monkeypatch.setattr(dashboard, "COUNT_CAP", 2)
    parent = referral(session, 20)
    for days in (1, 2, 3):
        service(session, parent, "legal", "referred", follow_up_on=NOW.date() - timedelta(days=days))
    due = Dashboard(session).follow_ups(NOW.date(), limit=1)
    assert (len(due.items), due.total, due.capped) == (1, 2, True)
    monkeypatch.setattr(dashboard, "COUNT_CAP", 10)
    due = Dashboard(session).follow_ups(NOW.date(), limit=1)
    assert (due.total, due.capped) == (3, False)
