"""Every form's validation given arbitrary field values (each of its declared type, as a form's
widgets produce them): it accepts, or refuses with one one-line message per field it names; an
accepted record saves and reads back as entered; a refused save changes nothing. Never another
exception, whatever the text, number or date.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from fieldapp.domain import vocab
from fieldapp.domain.records import Alert, Provider, Referral, ReferralService, Training
from fieldapp.domain.validation import CONTROL, LINE_BREAK, MULTILINE_FIELDS, validate
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
recent = st.datetimes(min_value=datetime(2023, 1, 1), max_value=NOW.replace(tzinfo=None) - timedelta(days=1),
                      timezones=offsets).map(lambda moment: moment.replace(second=0, microsecond=0))
any_moment = st.one_of(st.datetimes(timezones=offsets).map(lambda moment: moment.replace(second=0, microsecond=0)),
                       st.sampled_from([datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
                                        datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))]))


def code_of(vocabulary) -> st.SearchStrategy:
    return st.sampled_from(vocabulary.codes)


def plausible(record_type, item) -> st.SearchStrategy:
    """What a form usually holds: codes from the vocabularies, recent dates, small numbers."""
    name, kind = item.name, str(item.type)
    if name in CODES:
        return code_of(CODES[name])
    if name == "status":
        return code_of(STATUS[record_type]) if record_type in STATUS else texts
    if name in CODE_LISTS:
        return st.lists(code_of(CODE_LISTS[name]), min_size=1, max_size=4, unique=True)
    if name.endswith("pcode"):
        return st.sampled_from(["CD6109", "CD61", "SS0101", ""])
    if name == "survivor_code":
        return st.from_regex(r"\A[A-Z0-9]{2,8}-\d{4}-\d{4,6}\Z")
    optional = "None" in kind
    if "datetime" in kind:
        base = recent
    elif "date" in kind:
        base = recent.map(lambda moment: moment.date())
    elif "bool" in kind:
        base = st.booleans()
    elif "float" in kind:
        base = st.floats(0, 100)
    elif "int" in kind:
        base = st.integers(0, 50)
    else:
        base = texts
    return st.one_of(st.none(), base) if optional else base


def wild(item) -> st.SearchStrategy:
    """Anything of the field's declared type: any text, date, date-time in any zone, number."""
    kind = str(item.type)
    if item.name.endswith("pcode") or item.name == "survivor_code" or item.name in CODES or item.name == "status":
        base = texts
    elif item.name in CODE_LISTS:
        base = st.lists(texts, max_size=5)
    elif "datetime" in kind:
        base = any_moment
    elif "date" in kind:
        base = st.dates()
    elif "bool" in kind:
        base = st.booleans()
    elif "float" in kind:
        base = st.floats()
    elif "int" in kind:
        base = st.one_of(st.integers(-10, 2000), st.integers(-2**70, 2**70))
    else:
        base = texts
    return st.one_of(st.none(), base) if "None" in kind else base


@st.composite
def records(draw, record_type):
    """A plausible record with up to three fields set to anything of their type."""
    skipped = SYSTEM_FIELDS | (TRANSITION_STAMPS if record_type is ReferralService else set())
    editable = [item for item in fields(record_type) if item.name not in skipped]
    values = {item.name: draw(plausible(record_type, item), label=item.name) for item in editable}
    if record_type is Referral:  # the rules that tie fields together, kept before the wild edits
        values["reported_at"] = draw(recent, label="reported_at")
        values["incident_date"] = values["reported_at"].date() - timedelta(days=draw(st.integers(0, 60)))
        if values["age_group"] in ("0-11", "12-17"):
            values["consent_by"] = "caregiver"
    for item in draw(st.lists(st.sampled_from(editable), max_size=3, unique_by=lambda i: i.name), label="wild"):
        values[item.name] = draw(wild(item), label=f"wild {item.name}")
    return record_type(**values)


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
        event("refused by validation")
        return False
    except Exception as error:  # noqa: BLE001 - the property under test
        raise AssertionError(f"{type(error).__name__} from validation: {error}") from error
    for item in fields(record):
        value = getattr(record, item.name)
        if isinstance(value, str):
            assert not CONTROL.search(value), f"{item.name} accepted with a control character: {value!r}"
            assert item.name in MULTILINE_FIELDS or not LINE_BREAK.search(value), f"{item.name}: {value!r}"
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
        event("valid, refused on saving")
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
        if isinstance(entered, ReferralService) and item.name == "consent_override_reason":
            wanted = ""  # the parent referral has consent: an override is never used, so none is kept
        assert same_value(found, wanted), f"{item.name}: entered {wanted!r}, read back {found!r}"
    event("saved and read back")


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


# -- control characters: refused with a message naming the character ------------------------------
CONTROLS = {"right-to-left override": "\u202e", "right-to-left isolate": "\u2067", "escape": "\x1b",
            "bell": "\x07", "NUL": "\x00", "line separator": "\u2028", "paragraph separator": "\u2029",
            "C1 control": "\x9b"}


@pytest.mark.parametrize("field_name", ["name", "address", "phones", "focal_point", "eligibility_notes"])
@pytest.mark.parametrize("character", list(CONTROLS))
def test_a_control_character_in_a_directory_field_is_refused_and_nothing_is_saved(session, field_name, character):
    code = CONTROLS[character]
    provider = Provider(name="Centre de santé Mavivi", sectors=["health"], location_pcode="CD6109")
    setattr(provider, field_name, getattr(provider, field_name) + "abc" + code + "fdp.exe")
    before = state(session)
    with pytest.raises(ValidationError) as refused:
        session.providers.create(provider)
    assert state(session) == before
    message = refused.value.problems[field_name]
    assert f"U+{ord(code):04X}" in message and "\n" not in message
    assert ("text-direction" in message) == (code in "\u202e\u2067")


def test_a_line_break_is_refused_in_a_one_line_field_and_kept_in_notes(session):
    provider = Provider(name="Centre\nfieldapp: ok", sectors=["health"], location_pcode="CD6109")
    with pytest.raises(ValidationError, match="name: This field holds one line: remove the line break"):
        session.providers.create(provider)
    provider = Provider(name="Centre", sectors=["health"], location_pcode="CD6109",
                        eligibility_notes="Femmes et filles.\nGratuit.\tSans rendez-vous.")
    session.providers.create(provider)
    assert session.providers.get(provider.id).eligibility_notes == "Femmes et filles.\nGratuit.\tSans rendez-vous."
