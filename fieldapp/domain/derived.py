"""Values derived from records, never typed: urgency windows, reporting delay, training totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone

from fieldapp.domain.records import Referral, Training
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


def hours_since_incident(referral: Referral, now: datetime) -> float | None:
    moment = incident_moment(referral)
    if moment is None:
        return None
    return max(0.0, (now - moment).total_seconds() / 3600)


@dataclass(frozen=True)
class Urgency:
    hours_since: float | None
    pep_open: bool
    ec_open: bool
    pep_hours_left: float | None
    ec_hours_left: float | None
    applies: bool = True


def windows_apply(referral: Referral) -> bool:
    return not referral.incident_type or referral.incident_type in WINDOW_INCIDENT_TYPES


def urgency(referral: Referral, now: datetime) -> Urgency:
    """The PEP (≤ 72 h) and emergency contraception (≤ 120 h) windows.

    With only a date known, the incident is taken at midnight of that day: the earliest moment,
    so a window is never shown open when it may already be closed.
    """
    hours = hours_since_incident(referral, now)
    if not windows_apply(referral):
        return Urgency(hours, False, False, None, None, applies=False)
    if hours is None:
        return Urgency(None, False, False, None, None)
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
