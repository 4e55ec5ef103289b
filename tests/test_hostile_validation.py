"""Every form's validation given arbitrary field values (each of its declared type, as a form's
widgets produce them): it accepts, or refuses with one one-line message per field it names; an
accepted record saves and reads back as entered; a refused save changes nothing. Never another
exception, whatever the text, number or date.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fieldapp.domain import vocab
from fieldapp.domain.records import Alert, Provider, Referral, ReferralService, Training
from fieldapp.domain.validation import validate
from fieldapp.errors import FieldappError, ValidationError
from tests.hostile_support import assert_clear_error, fuzz_settings, no_hang

CODES = {  # field -> its vocabulary
    "incident_date_precision": vocab.DATE_PRECISION, "incident_type": vocab.INCIDENT_TYPE, "sex": vocab.SEX,
    "age_group": vocab.AGE_GROUP, "displacement": vocab.DISPLACEMENT, "disability": vocab.YES_NO_UNKNOWN,
    "perpetrator_category": vocab.PERPETRATOR_CATEGORY, "entry_point": vocab.ENTRY_POINT,
    "consent_by": vocab.CONSENT_BY, "sector": vocab.SECTOR, "channel": vocab.CHANNEL,
    "source_category": vocab.SOURCE_CATEGORY, "severity": vocab.SEVERITY, "verification": vocab.VERIFICATION,
    "audience": vocab.AUDIENCE,
}
STATUS = {Referral: vocab.REFERRAL_STATUS, ReferralService: vocab.SERVICE_STATUS, Alert: vocab.ALERT_STATUS}
CODE_LISTS = {"threat_types": vocab.THREAT_TYPE, "forwarded_to": vocab.FORWARDED_TO, "topics": vocab.TOPIC,
              "sectors": vocab.SECTOR}
SYSTEM_FIELDS = {"id", "created_at", "updated_at", "hlc", "origin_site", "deleted", "created_by", "status_history",
                 "referral_id"}
# A service's status moves stamp these; its form offers no input for them.
TRANSITION_STAMPS = {"referred_at", "responded_at", "completed_at"}
NOW = datetime.now(timezone.utc)

texts = st.one_of(st.text(max_size=120), st.sampled_from(["", " ", "\t\n", "é" * 3, "x" * 5000, "'; DROP TABLE x;--"]))
offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))
# Forms give minutes (the date-time edits show no seconds), in the laptop's time zone.
moments = st.one_of(
    st.datetimes(timezones=offsets),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=NOW.replace(tzinfo=None), timezones=offsets),
).map(lambda moment: moment.replace(second=0, microsecond=0))
ints = st.one_of(st.integers(-10, 2000), st.integers(-2**70, 2**70))
floats = st.one_of(st.floats(), st.floats(0, 100))


def code_of(vocabulary) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(vocabulary.codes), texts)


def strategy_for(record_type, item) -> st.SearchStrategy:
    name, kind = item.name, str(item.type)
    if name in CODES:
        return code_of(CODES[name])
    if name == "status":
        return code_of(STATUS[record_type]) if record_type in STATUS else texts
    if name in CODE_LISTS:
        return st.lists(code_of(CODE_LISTS[name]), max_size=5)
    if name.endswith("pcode"):
        return st.one_of(st.sampled_from(["CD6109", "CD61", "SS0101", ""]), st.from_regex(r"\A[A-Z]{2,3}[0-9]{0,8}\Z"),
                         texts)
    if name == "survivor_code":
        return st.one_of(st.from_regex(r"\A[A-Z0-9]{2,8}-\d{4}-\d{4,6}\Z"), texts)
    optional = "None" in kind
    if "datetime" in kind:
        base = moments
    elif "date" in kind:
        base = st.dates()
    elif "bool" in kind:
        base = st.booleans()
    elif "float" in kind:
        base = floats
    elif "int" in kind:
        base = ints
    else:
        base = texts
    return st.one_of(st.none(), base) if optional else base


def records(record_type) -> st.SearchStrategy:
    skipped = SYSTEM_FIELDS | (TRANSITION_STAMPS if record_type is ReferralService else set())
    chosen = {item.name: strategy_for(record_type, item) for item in fields(record_type) if item.name not in skipped}
    return st.builds(record_type, **chosen)


def check_validation(record) -> bool:
    try:
        with no_hang(5):
            validate(record)
    except ValidationError as error:
        assert_clear_error(error, ValidationError)
        assert error.problems, "a refusal names at least one field"
        names = {item.name for item in fields(record)}
        for field_name, message in error.problems.items():
            assert field_name in names, f"problem on unknown field {field_name!r}"
            assert message.strip() and "\n" not in message, f"{field_name}: {message!r}"
        return False
    except Exception as error:  # noqa: BLE001 - the property under test
        raise AssertionError(f"{type(error).__name__} from validation: {error}") from error
    return True


def state(session) -> tuple:
    return (session.referrals.count(), session.services.count(), session.alerts.count(),
            session.trainings.count(), session.providers.count(), session.audit.count())


def same_value(found, wanted) -> bool:
    if isinstance(wanted, str):
        return found in (wanted, wanted.strip())  # reasons are kept without surrounding spaces
    return found == wanted  # aware datetimes compare by instant, whatever their offset


def check_save(session, repository, record) -> None:
    """An accepted record saves and reads back as entered; a refused save changes nothing."""
    entered = replace(record)
    before = state(session)
    try:
        with no_hang(10):
            repository.create(record)
    except FieldappError as error:
        # Rules that need the database (a survivor code in use, a status path): refused cleanly.
        assert_clear_error(error)
        assert state(session) == before
        return
    except Exception as error:  # noqa: BLE001 - the property under test
        raise AssertionError(f"validation passed, then saving raised {type(error).__name__}: {error}") from error
    stored = repository.get(record.id)
    for item in fields(entered):
        if item.name in SYSTEM_FIELDS or item.name == "status":
            continue
        if isinstance(entered, ReferralService) and item.name in TRANSITION_STAMPS:
            continue
        wanted, found = getattr(entered, item.name), getattr(stored, item.name)
        assert same_value(found, wanted), f"{item.name}: entered {wanted!r}, read back {found!r}"


@pytest.fixture
def parent_referral(session):
    referral = Referral(survivor_code="BNI-2026-0001", reported_at=NOW - timedelta(days=1),
                        incident_date=(NOW - timedelta(days=2)).date(), incident_type="rape",
                        consent_referral=True, consent_reporting=True)
    session.referrals.create(referral)
    return referral


@fuzz_settings(300)
@given(record=records(Referral))
def test_referral_form_values(session, record):
    if check_validation(record):
        check_save(session, session.referrals, record)


@fuzz_settings(200)
@given(record=records(ReferralService))
def test_referral_service_form_values(session, parent_referral, record):
    record.referral_id = parent_referral.id
    if check_validation(record):
        check_save(session, session.services, record)


@fuzz_settings(300)
@given(record=records(Alert))
# A date-time at the end of the calendar in a zone west of UTC cannot be stored: refused, not a crash.
@example(record=Alert(received_at=NOW - timedelta(days=1), threat_types=["attack"],
                      forwarded_at=datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))))
def test_alert_form_values(session, record):
    if check_validation(record):
        check_save(session, session.alerts, record)


@fuzz_settings(300)
@given(record=records(Training))
def test_training_form_values(session, record):
    if check_validation(record):
        check_save(session, session.trainings, record)


@fuzz_settings(200)
@given(record=records(Provider))
def test_provider_form_values(session, record):
    if check_validation(record):
        check_save(session, session.providers, record)
