"""Checks a record before it is saved; every problem gets a message naming the field."""

from __future__ import annotations

import re
import uuid
from dataclasses import fields
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone

from fieldapp.domain import vocab
from fieldapp.domain.records import Alert, Provider, Record, Referral, ReferralService, Training
from fieldapp.errors import ValidationError, shown_value
from fieldapp.i18n import _

SURVIVOR_CODE = re.compile(r"^[A-Z0-9]{2,8}-\d{4}-\d{4,6}$")
# An OCHA P-code: the ISO country code (2 or 3 capitals), then the admin levels' digits or letters.
# The one rule for forms, place files and bundles alike; \Z, not $, which also matched "CD61\n".
PCODE = re.compile(r"^[A-Z]{2,3}[0-9A-Z]{0,20}\Z")
# A few minutes of slack for laptops whose clocks drift.
FUTURE_SLACK = timedelta(minutes=10)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


# Characters no field may hold: C0 and C1 controls (NUL, BEL, ESC…, tab and line breaks aside),
# Unicode line and paragraph separators, and the bidirectional controls that make text read
# otherwise than it is stored ("U+202E" shows "gpj.exe" as "exe.jpg"). They reach printed sheets,
# spreadsheets and terminals.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\u2028\u2029]")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAK = re.compile("[\r\n]")
# The fields typed in a box of several lines; every other text field holds one line.
MULTILINE_FIELDS = frozenset({"notes", "description", "response", "eligibility_notes", "outcome_notes", "reason",
                              "consent_override_reason"})



def is_uuid(text: str) -> bool:
    """`text` is a UUID written the canonical way (lower case, with hyphens)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False

def strip_controls(text: str) -> str:
    """`text` without the characters CONTROL matches (for text from files no one can correct here)."""
    return CONTROL.sub("", text)


@lru_cache(maxsize=None)
def _text_fields(record_type: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(record_type) if item.type in (str, "str", "str | None"))


def control_problem(text: str, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as it is, or None."""
    found = CONTROL.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        if found.group() in _BIDI_CONTROLS:
            return _("Remove the invisible text-direction character {code}: it makes the text read otherwise than "
                     "it is.").format(code=code)
        return _("Remove the invisible control character {code}.").format(code=code)
    if not multiline and LINE_BREAK.search(text):
        return _("This field holds one line: remove the line break.")
    return None


def _plain_text(problems: dict, record: Record) -> None:
    for name in _text_fields(type(record)):
        value = getattr(record, name)
        if isinstance(value, str) and name not in problems and (CONTROL.search(value) or (
                name not in MULTILINE_FIELDS and LINE_BREAK.search(value))):
            problems[name] = control_problem(value, name in MULTILINE_FIELDS)


def _check_code(problems: dict, name: str, value, vocabulary: vocab.Vocabulary, required: bool = True) -> None:
    if not value:
        if required:
            problems[name] = _("Choose a value.")
    elif value not in vocabulary:
        problems[name] = _("“{value}” is not an allowed value.").format(value=shown_value(value))


def _check_codes(problems: dict, name: str, values: list, vocabulary: vocab.Vocabulary, required: bool) -> None:
    if required and not values:
        problems[name] = _("Choose at least one value.")
    for value in values:
        if value not in vocabulary:
            problems[name] = _("“{value}” is not an allowed value.").format(value=shown_value(value))


@lru_cache(maxsize=None)
def _date_fields(record_type: type) -> tuple[str, ...]:
    # Looked up once per type: bundle imports validate hundreds of thousands of records.
    return tuple(item.name for item in fields(record_type) if "date" in str(item.type))


def _plausible_dates(problems: dict, record: Record) -> None:
    """Every date within 1900-2199: a typo (year 9999, 0001) is refused here rather than fail to
    be stored (a date-time near either end of the calendar cannot be converted to UTC)."""
    for name in _date_fields(type(record)):
        value = getattr(record, name)
        if isinstance(value, date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR and name not in problems:
            problems[name] = _("Enter a date between {first} and {last}.").format(
                first=EARLIEST_YEAR, last=LATEST_YEAR)


def _not_future(problems: dict, name: str, value: datetime | None, now: datetime) -> None:
    if value is not None and value > now + FUTURE_SLACK:
        problems[name] = _("This date is in the future.")


def _pcode(problems: dict, value: str, required: bool = False) -> None:
    if not value:
        if required:
            problems["location_pcode"] = _("Choose a place.")
    elif not PCODE.match(value):
        problems["location_pcode"] = _("“{value}” is not a P-code.").format(value=shown_value(value))


def validate_referral(referral: Referral, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    problems: dict[str, str] = {}
    if not referral.survivor_code.strip():
        problems["survivor_code"] = _("A survivor code is required.")
    elif not SURVIVOR_CODE.match(referral.survivor_code):
        problems["survivor_code"] = _("Use the pattern OFFICE-YEAR-NUMBER, for example BNI-2026-0042.")
    if referral.reported_at is None:
        problems["reported_at"] = _("Enter when the case was reported.")
    _not_future(problems, "reported_at", referral.reported_at, now)
    if referral.incident_date and referral.incident_date > now.date():
        problems["incident_date"] = _("This date is in the future.")
    if (referral.incident_date and referral.reported_at
            and referral.incident_date > referral.reported_at.date()):
        problems["incident_date"] = _("The incident cannot be after the report.")
    _check_code(problems, "incident_date_precision", referral.incident_date_precision, vocab.DATE_PRECISION)
    if referral.incident_date is None and referral.incident_date_precision != "unknown":
        problems["incident_date"] = _("Enter the incident date, or set its precision to “Unknown”.")
    _check_code(problems, "incident_type", referral.incident_type, vocab.INCIDENT_TYPE)
    _check_code(problems, "sex", referral.sex, vocab.SEX)
    _check_code(problems, "age_group", referral.age_group, vocab.AGE_GROUP)
    _check_code(problems, "displacement", referral.displacement, vocab.DISPLACEMENT)
    _check_code(problems, "disability", referral.disability, vocab.YES_NO_UNKNOWN)
    _check_code(problems, "perpetrator_category", referral.perpetrator_category, vocab.PERPETRATOR_CATEGORY)
    if referral.perpetrator_count is not None and not 0 < referral.perpetrator_count <= 1000:
        problems["perpetrator_count"] = _("Enter a number from 1 to 1000, or leave it empty if unknown.")
    _pcode(problems, referral.location_pcode)
    _check_code(problems, "entry_point", referral.entry_point, vocab.ENTRY_POINT)
    _check_code(problems, "consent_by", referral.consent_by, vocab.CONSENT_BY)
    if referral.age_group in ("0-11", "12-17") and referral.consent_by == "survivor" and (
            referral.consent_referral or referral.consent_reporting):
        problems["consent_by"] = _("For a child, consent is given by a caregiver.")
    _check_code(problems, "status", referral.status, vocab.REFERRAL_STATUS)
    _plausible_dates(problems, referral)
    _plain_text(problems, referral)
    if problems:
        raise ValidationError(problems)


def validate_service(service: ReferralService) -> None:
    problems: dict[str, str] = {}
    if not service.referral_id:
        problems["referral_id"] = _("A service belongs to a referral.")
    _check_code(problems, "sector", service.sector, vocab.SECTOR)
    _check_code(problems, "status", service.status, vocab.SERVICE_STATUS)
    if service.status == "rejected" and not service.reason.strip():
        problems["reason"] = _("Write the reason the provider refused the referral.")
    _plausible_dates(problems, service)
    _plain_text(problems, service)
    if problems:
        raise ValidationError(problems)


def validate_alert(alert: Alert, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    problems: dict[str, str] = {}
    if alert.received_at is None:
        problems["received_at"] = _("Enter when the alert was received.")
    _not_future(problems, "received_at", alert.received_at, now)
    _check_code(problems, "channel", alert.channel, vocab.CHANNEL)
    _check_code(problems, "source_category", alert.source_category, vocab.SOURCE_CATEGORY)
    _pcode(problems, alert.location_pcode)
    _check_codes(problems, "threat_types", alert.threat_types, vocab.THREAT_TYPE, required=True)
    _check_code(problems, "severity", alert.severity, vocab.SEVERITY)
    _check_code(problems, "verification", alert.verification, vocab.VERIFICATION)
    _check_codes(problems, "forwarded_to", alert.forwarded_to, vocab.FORWARDED_TO, required=False)
    _check_code(problems, "status", alert.status, vocab.ALERT_STATUS)
    for name in ("forwarded_at", "responded_at"):
        value = getattr(alert, name)
        if value is not None and alert.received_at is not None and value < alert.received_at:
            problems[name] = _("This cannot be before the alert was received.")
    if alert.status == "responded" and alert.responded_at is None:
        problems["responded_at"] = _("Enter when the response reached the site.")
    _plausible_dates(problems, alert)
    _plain_text(problems, alert)
    if problems:
        raise ValidationError(problems)


def validate_training(training: Training) -> None:
    problems: dict[str, str] = {}
    if not training.title.strip():
        problems["title"] = _("A title is required.")
    if training.start_date is None:
        problems["start_date"] = _("Enter the first day of the training.")
    if training.end_date is not None and training.start_date is not None and training.end_date < training.start_date:
        problems["end_date"] = _("The training cannot end before it starts.")
    _pcode(problems, training.location_pcode)
    _check_code(problems, "audience", training.audience, vocab.AUDIENCE)
    _check_codes(problems, "topics", training.topics, vocab.TOPIC, required=True)
    for name in ("participants_female", "participants_male", "participants_undisclosed"):
        value = getattr(training, name)
        if not isinstance(value, int) or value < 0 or value > 100_000:
            problems[name] = _("Enter a whole number of participants (0 or more).")
    for name in ("pre_test_avg", "post_test_avg"):
        value = getattr(training, name)
        if value is not None and not 0 <= value <= 100:
            problems[name] = _("Enter a score from 0 to 100, or leave it empty.")
    _plausible_dates(problems, training)
    _plain_text(problems, training)
    if problems:
        raise ValidationError(problems)


def validate_provider(provider: Provider) -> None:
    problems: dict[str, str] = {}
    if not provider.name.strip():
        problems["name"] = _("A name is required.")
    _check_codes(problems, "sectors", provider.sectors, vocab.SECTOR, required=True)
    _pcode(problems, provider.location_pcode, required=True)
    _plausible_dates(problems, provider)
    _plain_text(problems, provider)
    if problems:
        raise ValidationError(problems)


VALIDATORS = {
    Referral: validate_referral,
    ReferralService: validate_service,
    Alert: validate_alert,
    Training: validate_training,
    Provider: validate_provider,
}


def validate(record: Record) -> None:
    VALIDATORS[type(record)](record)


# MARA records (docs/DESIGN.md 2.5, 2.6) keep their rules in their own module.
from fieldapp.domain.mara import VALIDATORS as _MARA_VALIDATORS  # noqa: E402

VALIDATORS.update(_MARA_VALIDATORS)
