"""What the Home page shows: the work that needs action today, in a few indexed queries.

Every list is capped (the page shows the first items and the total), so Home stays instant on
a 200 000-record vault. No Qt here; the GUI only formats what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fieldapp.domain.derived import (ALERT_OPEN_HOURS, EC_WINDOW_HOURS, HEALTH_CARE_DONE, RECENT_DAYS,
                                     WINDOW_INCIDENT_TYPES, Urgency, urgency)
from fieldapp.domain.records import Alert, Referral
from fieldapp.domain.services import FINAL
from fieldapp.store.convert import datetime_to_text

HEALTH_DONE = HEALTH_CARE_DONE  # the domain's rule; the query only narrows the candidates
LIMIT = 100
# Counting every overdue item of a 200 000-record vault takes seconds; past this many, Home says
# "more than 1 000", which is all an adviser needs to know.
COUNT_CAP = 1000
SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class UrgentReferral:
    referral: Referral
    urgency: Urgency
    health_status: str | None  # furthest health service status, None when none was recorded


@dataclass(frozen=True)
class FollowUp:
    service_id: str
    referral_id: str
    survivor_code: str
    sector: str
    status: str
    follow_up_on: date
    provider: str


@dataclass(frozen=True)
class Capped:
    """The first items of a list and how many there are in all (at least `total` when capped)."""

    items: list
    total: int
    capped: bool = False


@dataclass(frozen=True)
class RecentCounts:
    days: int
    referrals: int
    crsv_referrals: int
    alerts: int
    alerts_responded: int
    trainings: int
    participants: int


class Dashboard:
    def __init__(self, session):
        self._session = session

    @property
    def _db(self):
        return self._session.connection

    def urgent_referrals(self, now: datetime, limit: int = LIMIT) -> Capped:
        """Open referrals of sexual violence still inside the 120 h window, health care not yet
        accepted or completed, least time left first."""
        earliest = (now - timedelta(hours=EC_WINDOW_HOURS)).date().isoformat()
        types = ", ".join("?" * len(WINDOW_INCIDENT_TYPES))
        rows = self._db.execute(
            "SELECT r.id, (SELECT s.status FROM referral_services s WHERE s.referral_id = r.id "
            "   AND s.deleted = 0 AND s.sector = 'health' ORDER BY s.updated_at DESC LIMIT 1) "
            "FROM referrals r WHERE r.deleted = 0 AND r.status = 'open' "
            f"AND r.incident_type IN ({types}) "
            "AND r.incident_date_precision != 'unknown' AND r.incident_date >= ? "
            "AND NOT EXISTS (SELECT 1 FROM referral_services s WHERE s.referral_id = r.id AND s.deleted = 0 "
            f"   AND s.sector = 'health' AND s.status IN ({', '.join('?' * len(HEALTH_DONE))})) "
            "ORDER BY r.incident_date, r.reported_at",
            (*WINDOW_INCIDENT_TYPES, earliest, *HEALTH_DONE)).fetchall()
        found = self._session.referrals.get_many([row[0] for row in rows])
        urgent = []
        for record_id, health_status in rows:
            referral = found.get(record_id)
            if referral is None:
                continue
            # The domain rule decides; the query above only narrows the candidates.
            window = urgency(referral, now, [health_status] if health_status else [])
            if window.urgent:
                urgent.append(UrgentReferral(referral, window, health_status))
        urgent.sort(key=lambda item: (not item.urgency.pep_open, item.urgency.ec_hours_left))
        return Capped(urgent[:limit], len(urgent))

    def follow_ups(self, today: date, limit: int = LIMIT) -> Capped:
        """Follow-ups due today or overdue, on services still in progress of open referrals;
        the most recently due first (what can still be acted on), with the full count."""
        where = (
            "FROM referral_services s JOIN referrals r ON r.id = s.referral_id "
            "WHERE s.deleted = 0 AND r.deleted = 0 AND r.status = 'open' "
            "AND s.follow_up_on IS NOT NULL AND s.follow_up_on <= ? "
            f"AND s.status NOT IN ({', '.join('?' * len(FINAL))})")
        params = (today.isoformat(), *FINAL)
        total = self._db.execute(f"SELECT count(*) FROM (SELECT 1 {where} LIMIT ?)",
                                 (*params, COUNT_CAP + 1)).fetchone()[0]
        rows = self._db.execute(
            "SELECT s.id, s.referral_id, r.survivor_code, s.sector, s.status, s.follow_up_on, "
            "COALESCE((SELECT p.name FROM providers p WHERE p.id = s.provider_id), s.provider_text) "
            f"{where} ORDER BY s.follow_up_on DESC, r.survivor_code LIMIT ?", (*params, limit)).fetchall()
        items = [FollowUp(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]), row[6] or "")
                 for row in rows]
        return Capped(items, min(total, COUNT_CAP), total > COUNT_CAP)

    def long_open_alerts(self, now: datetime, hours: int = ALERT_OPEN_HOURS, limit: int = LIMIT) -> Capped:
        """Alerts still open more than `hours` after they were received, most severe first."""
        where = "FROM alerts WHERE deleted = 0 AND status = 'open' AND received_at < ?"
        before = datetime_to_text(now - timedelta(hours=hours))
        total = self._db.execute(f"SELECT count(*) {where}", (before,)).fetchone()[0]
        # One query per severity, each walking the (status, received_at) index newest first and
        # stopping at the limit: sorting every open alert by severity took 0.4 s at 200 000.
        ids: list[str] = []
        for severity in SEVERITY_ORDER:
            if len(ids) >= limit:
                break
            ids += [row[0] for row in self._db.execute(
                f"SELECT id {where} AND severity = ? ORDER BY received_at DESC LIMIT ?",
                (before, severity, limit - len(ids))).fetchall()]
        found = self._session.alerts.get_many(ids)
        items: list[Alert] = [found[record_id] for record_id in ids if record_id in found]
        return Capped(items, total)

    def recent_counts(self, now: datetime, days: int = RECENT_DAYS) -> RecentCounts:
        since = now - timedelta(days=days)
        since_text = datetime_to_text(since)
        referrals, crsv = self._db.execute(
            "SELECT count(*), coalesce(sum(crsv), 0) FROM referrals WHERE deleted = 0 AND reported_at >= ?",
            (since_text,)).fetchone()
        alerts = self._db.execute("SELECT count(*) FROM alerts WHERE deleted = 0 AND received_at >= ?",
                                  (since_text,)).fetchone()[0]
        # Closed follows responded in the alert's life; both are answered from the status index.
        responded = self._db.execute(
            "SELECT count(*) FROM alerts WHERE deleted = 0 AND status IN ('responded', 'closed') "
            "AND received_at >= ?", (since_text,)).fetchone()[0]
        trainings, participants = self._db.execute(
            "SELECT count(*), coalesce(sum(participants_female + participants_male + participants_undisclosed), 0) "
            "FROM trainings WHERE deleted = 0 AND start_date >= ?", (since.date().isoformat(),)).fetchone()
        return RecentCounts(days, referrals, crsv, alerts, responded, trainings, participants)
