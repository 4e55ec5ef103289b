"""Values derived from records, never typed: urgency windows, reporting delay, training totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Callable, Iterable

from fieldapp.domain.records import Referral, Training
from fieldapp.domain.services import SERVICE_SECURED
from fieldapp.i18n import N_

PEP_WINDOW_HOURS = 72
EC_WINDOW_HOURS = 120
# PEP and emergency contraception follow sexual violence; for other incident types the windows do
# not apply, and showing them would bury the cases where hours count. An incident type not yet
# chosen (a form being filled) counts as applying: better a warning too many than one too few.
WINDOW_INCIDENT_TYPES = ("rape", "sexual_assault")

# (code, label, first day, last day) — day counts from incident to report; "4" belongs to 4–5 days.
DELAY_BUCKETS = (
    ("0-3d", N_("0–3 days"), 0, 3),
    ("4-5d", N_("4–5 days"), 4, 5),
    ("6-14d", N_("6–14 days"), 6, 14),
    ("15d-1m", N_("15 days–1 month"), 15, 30),
    ("over-1m", N_("Over 1 month"), 31, None),
)


def incident_moment(referral: Referral) -> datetime | None:
    """The incident as a UTC moment, or None when its date is unknown."""
    if referral.incident_date is None or referral.incident_date_precision == "unknown":
        return None
    return datetime.combine(referral.incident_date, time(0, 0), tzinfo=timezone.utc)


# A health service whose care is secured (accepted or received) is the care the windows are for.
HEALTH_CARE_DONE = SERVICE_SECURED
# Home: an alert needs action once open this long; the counts cover these last days.
ALERT_OPEN_HOURS = 24
RECENT_DAYS = 30
HEALTH_SECTOR = "health"

# Why a referral shows no countdown (Urgency.quiet_reason); "" when it may show one.
NOT_SEXUAL_VIOLENCE = "incident_type"
CASE_CLOSED = "closed"
HEALTH_CARE_RECEIVED = "health_care"
DATE_UNKNOWN = "date_unknown"
DATE_IN_FUTURE = "date_in_future"


@dataclass(frozen=True)
class Urgency:
    hours_since: float | None
    pep_open: bool
    ec_open: bool
    pep_hours_left: float | None
    ec_hours_left: float | None
    applies: bool = True
    quiet_reason: str = ""

    @property
    def urgent(self) -> bool:
        """Inside a window and still waiting for health care: what lists show in red."""
        return not self.quiet_reason and self.ec_open

    @property
    def future(self) -> bool:
        return self.quiet_reason == DATE_IN_FUTURE


def windows_apply(referral: Referral) -> bool:
    return not referral.incident_type or referral.incident_type in WINDOW_INCIDENT_TYPES


def health_care_received(health_statuses: Iterable[str]) -> bool:
    return any(status in HEALTH_CARE_DONE for status in health_statuses)


def health_statuses(services: Iterable) -> list[str]:
    """Statuses of the health services among `services` (ReferralService records or drafts)."""
    return [service.status for service in services if service.sector == HEALTH_SECTOR and not service.deleted]


def urgency(referral: Referral, now: datetime,
            health: Iterable[str] | Callable[[], Iterable[str]] = ()) -> Urgency:
    """The one rule for the PEP (≤ 72 h) and emergency contraception (≤ 120 h) windows.

    A survivor is urgent when the incident was rape or sexual assault (or its type is not chosen
    yet), the case is open, its date is known and not in the future, less than 120 hours have
    passed, and no health service has been accepted or received. `health` holds the statuses of
    the referral's health services, or a function returning them: it is called only when
    everything else says urgent, so a list of 200 000 old referrals looks up none.

    With only a date known, the incident is taken at midnight of that day: the earliest moment,
    so a window is never shown open when it may already be closed.
    """
    moment = incident_moment(referral)
    hours = None if moment is None else (now - moment).total_seconds() / 3600

    def quiet(reason: str) -> Urgency:
        return Urgency(None if hours is None else max(0.0, hours), False, False, None, None,
                       applies=reason not in (NOT_SEXUAL_VIOLENCE, CASE_CLOSED, HEALTH_CARE_RECEIVED),
                       quiet_reason=reason)

    if not windows_apply(referral):
        return quiet(NOT_SEXUAL_VIOLENCE)
    if referral.status == "closed":
        return quiet(CASE_CLOSED)
    if hours is None:
        return quiet(DATE_UNKNOWN)
    if referral.incident_date > now.astimezone().date():  # after today on the laptop's calendar
        return quiet(DATE_IN_FUTURE)
    hours = max(0.0, hours)
    if hours <= EC_WINDOW_HOURS:
        statuses = health() if callable(health) else health
        if health_care_received(statuses):
            return quiet(HEALTH_CARE_RECEIVED)
    return Urgency(
        hours,
        hours <= PEP_WINDOW_HOURS,
        hours <= EC_WINDOW_HOURS,
        max(0.0, PEP_WINDOW_HOURS - hours),
        max(0.0, EC_WINDOW_HOURS - hours),
    )


def reporting_delay_days(referral: Referral) -> int | None:
    if referral.incident_date is None or referral.reported_at is None or referral.incident_date_precision == "unknown":
        return None
    return max(0, (referral.reported_at.date() - referral.incident_date).days)


def delay_bucket(days: int | None) -> str | None:
    if days is None:
        return None
    for code, _label, first, last in DELAY_BUCKETS:
        if days >= first and (last is None or days <= last):
            return code
    return None


def training_total(training: Training) -> int:
    return training.participants_female + training.participants_male + training.participants_undisclosed


def training_share_women(training: Training) -> float | None:
    total = training_total(training)
    return training.participants_female / total if total else None


def score_gain(training: Training) -> float | None:
    if training.pre_test_avg is None or training.post_test_avg is None:
        return None
    return training.post_test_avg - training.pre_test_avg


def beneficiary_group(sex: str, age_group: str) -> str:
    """Girls / boys / women / men, derived from sex and age group; 'unknown' otherwise."""
    child = age_group in ("0-11", "12-17")
    adult = age_group in ("18-59", "60+")
    if sex == "female":
        return "girls" if child else "women" if adult else "unknown"
    if sex == "male":
        return "boys" if child else "men" if adult else "unknown"
    return "unknown"
