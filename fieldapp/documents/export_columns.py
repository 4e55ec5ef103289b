"""The columns of each spreadsheet export: stable codes, labels, ISO 8601 dates and HXL hashtags.

Referral and service exports hold no free text about a survivor: no notes, no locality, no
outcome notes or reasons, no status history. Alerts keep their description and response (they
describe threats, not survivors); the directory and trainings are not survivor data.

HXL tags pass libhxl's core schema (#targeted, #reached and #indicator+num hold numbers, #date
dates) and use core attributes where HXL has them (+occurred, +reported). Only one column of an
export is #status, so a tool asking for "#status+name" reads the record's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from fieldapp.domain import vocab
from fieldapp.domain.derived import (DELAY_BUCKETS, beneficiary_group, delay_bucket, reporting_delay_days,
                                     score_gain, training_share_women, training_total)
from fieldapp.domain.vocab import Vocabulary
from fieldapp.i18n import N_

BENEFICIARY_GROUP = Vocabulary("beneficiary_group", (
    ("girls", N_("Girls")), ("boys", N_("Boys")), ("women", N_("Women")), ("men", N_("Men")),
    ("unknown", N_("Unknown")),
))
DELAY_BUCKET = Vocabulary("delay_bucket", tuple((code, label) for code, label, _first, _last in DELAY_BUCKETS)
                          + (("unknown", N_("Unknown")),))
YES_NO = vocab.YES_NO_UNKNOWN


@dataclass(frozen=True)
class Column:
    title: str                       # msgid, translated into each header language
    hxl: str                         # HXL hashtag with attributes, e.g. "#date+reported"
    get: Callable                    # (record, lookups) -> value: str, int, float, list of codes or None
    vocabulary: Vocabulary | None = None  # a code column, followed by one label column per language


def iso(value) -> str | None:
    """ISO 8601: dates as YYYY-MM-DD, moments in UTC with their offset."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60)


def _reads(get: Callable, how: str, name) -> Callable:
    # Says what a getter reads, so the exporter can read the attribute inline (exports.RowMaker).
    get.reads = (how, name)
    return get


def needs(get: Callable, *names: str) -> Callable:
    """Says which stored fields a computed getter reads, so an export can read just those from the
    vault, with no whole record (exports.RowMaker gives the getter an object holding only them)."""
    get.needs = names
    return get


def attr(name: str) -> Callable:
    return _reads(lambda record, lookups: getattr(record, name), "attr", name)


def moment(value):
    """A date as it is; a date-time in UTC. The sinks write them: ISO 8601 text in CSV, real
    spreadsheet dates in XLSX."""
    if isinstance(value, datetime) and value.tzinfo is not timezone.utc:
        return value.astimezone(timezone.utc)
    return value


def date_attr(name: str) -> Callable:
    return _reads(lambda record, lookups: moment(getattr(record, name)), "moment", name)


def flag(name: str) -> Callable:
    return _reads(lambda record, lookups: yes_no(getattr(record, name)), "flag", name)


def location_columns() -> list[Column]:
    return [
        Column(N_("Location P-code"), "#loc+code", attr("location_pcode")),
        Column(N_("Admin 1 P-code"), "#adm1+code", _reads(lambda r, lk: lk.admin(r.location_pcode, 1)[0], "admin", 0)),
        Column(N_("Admin 1"), "#adm1+name", _reads(lambda r, lk: lk.admin(r.location_pcode, 1)[1], "admin", 1)),
        Column(N_("Admin 2 P-code"), "#adm2+code", _reads(lambda r, lk: lk.admin(r.location_pcode, 2)[0], "admin", 2)),
        Column(N_("Admin 2"), "#adm2+name", _reads(lambda r, lk: lk.admin(r.location_pcode, 2)[1], "admin", 3)),
    ]


def stamps() -> list[Column]:
    return [Column(N_("Created"), "#date+created", date_attr("created_at")),
            Column(N_("Last changed"), "#date+updated", date_attr("updated_at"))]


# What the derived values read (domain.derived).
_DELAY = ("reported_at", "incident_date", "incident_date_precision")
_PARTICIPANTS = ("participants_female", "participants_male", "participants_undisclosed")

REFERRALS = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Survivor code"), "#beneficiary+code", attr("survivor_code")),
    Column(N_("Date of report"), "#date+reported", date_attr("reported_at")),
    Column(N_("Date of incident"), "#date+occurred", date_attr("incident_date")),
    Column(N_("Incident date precision"), "#meta+date_precision+code", attr("incident_date_precision"),
           vocab.DATE_PRECISION),
    Column(N_("Days from incident to report"), "#meta+delay+days",
           needs(lambda r, lk: reporting_delay_days(r), *_DELAY)),
    Column(N_("Reporting delay"), "#meta+delay+code",
           needs(lambda r, lk: delay_bucket(reporting_delay_days(r)) or "unknown", *_DELAY), DELAY_BUCKET),
    Column(N_("Incident type"), "#event+type+code", attr("incident_type"), vocab.INCIDENT_TYPE),
    Column(N_("Conflict-related sexual violence"), "#event+crsv+code", flag("crsv"), YES_NO),
    Column(N_("Sex"), "#beneficiary+sex+code", attr("sex"), vocab.SEX),
    Column(N_("Age group"), "#beneficiary+age+code", attr("age_group"), vocab.AGE_GROUP),
    Column(N_("Girls, boys, women, men"), "#beneficiary+group+code",
           needs(lambda r, lk: beneficiary_group(r.sex, r.age_group), "sex", "age_group"), BENEFICIARY_GROUP),
    Column(N_("Displacement status"), "#beneficiary+displaced+code", attr("displacement"), vocab.DISPLACEMENT),
    Column(N_("Disability"), "#beneficiary+disability+code", attr("disability"), vocab.YES_NO_UNKNOWN),
    Column(N_("Perpetrator category"), "#meta+perpetrator+code", attr("perpetrator_category"),
           vocab.PERPETRATOR_CATEGORY),
    Column(N_("Number of perpetrators"), "#meta+perpetrator+num", attr("perpetrator_count")),
    *location_columns(),
    Column(N_("Entry point"), "#meta+entry_point+code", attr("entry_point"), vocab.ENTRY_POINT),
    Column(N_("Consent to referral"), "#meta+consent+referral+code", flag("consent_referral"), YES_NO),
    Column(N_("Consent to reporting"), "#meta+consent+reporting+code", flag("consent_reporting"), YES_NO),
    Column(N_("Consent given by"), "#meta+consent+by+code", attr("consent_by"), vocab.CONSENT_BY),
    Column(N_("Date of consent"), "#date+consent", date_attr("consent_at")),
    Column(N_("Status"), "#status+code", attr("status"), vocab.REFERRAL_STATUS),
    *stamps(),
]

SERVICES = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Referral id"), "#meta+referral+id", attr("referral_id")),
    Column(N_("Survivor code"), "#beneficiary+code",
           needs(lambda r, lk: lk.survivor_code(r.referral_id), "referral_id")),
    Column(N_("Sector"), "#sector+code", attr("sector"), vocab.SECTOR),
    Column(N_("Provider id"), "#org+id", attr("provider_id")),
    Column(N_("Provider"), "#org+name", needs(lambda r, lk: lk.provider_name(r.provider_id) or r.provider_text,
                                              "provider_id", "provider_text")),
    Column(N_("Status"), "#status+code", attr("status"), vocab.SERVICE_STATUS),
    Column(N_("Referred on"), "#date+referred", date_attr("referred_at")),
    Column(N_("Appointment"), "#date+appointment", date_attr("appointment_at")),
    Column(N_("Provider responded on"), "#date+responded", date_attr("responded_at")),
    Column(N_("Service received on"), "#date+completed", date_attr("completed_at")),
    Column(N_("Follow up on"), "#date+follow_up", date_attr("follow_up_on")),
    *stamps(),
]

ALERTS = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Received"), "#date+reported", date_attr("received_at")),
    Column(N_("Channel"), "#meta+channel+code", attr("channel"), vocab.CHANNEL),
    Column(N_("Source category"), "#meta+source+code", attr("source_category"), vocab.SOURCE_CATEGORY),
    Column(N_("Source code"), "#meta+source+id", attr("source_code")),
    *location_columns(),
    Column(N_("Locality"), "#loc+name", attr("locality")),
    Column(N_("Threat types"), "#event+threat+code", attr("threat_types"), vocab.THREAT_TYPE),
    Column(N_("Related to sexual violence"), "#event+crsv+code", flag("crsv_related"), YES_NO),
    Column(N_("Severity"), "#severity+code", attr("severity"), vocab.SEVERITY),
    Column(N_("Verification"), "#meta+verification+code", attr("verification"), vocab.VERIFICATION),
    Column(N_("Forwarded to"), "#org+forwarded+code", attr("forwarded_to"), vocab.FORWARDED_TO),
    Column(N_("Forwarded"), "#date+forwarded", date_attr("forwarded_at")),
    Column(N_("Minutes to forwarding"), "#meta+forwarded+minutes",
           needs(lambda r, lk: minutes_between(r.received_at, r.forwarded_at), "received_at", "forwarded_at")),
    Column(N_("Response reached the site"), "#date+responded", date_attr("responded_at")),
    Column(N_("Minutes to response"), "#meta+responded+minutes",
           needs(lambda r, lk: minutes_between(r.received_at, r.responded_at), "received_at", "responded_at")),
    Column(N_("Status"), "#status+code", attr("status"), vocab.ALERT_STATUS),
    Column(N_("Description"), "#description", attr("description")),
    Column(N_("Response"), "#description+response", attr("response")),
    *stamps(),
]

TRAININGS = [
    Column(N_("Record id"), "#meta+id", attr("id")),
    Column(N_("Title"), "#activity+name", attr("title")),
    Column(N_("Start date"), "#date+start", date_attr("start_date")),
    Column(N_("End date"), "#date+end", date_attr("end_date")),
    *location_columns(),
    Column(N_("Venue"), "#loc+venue", attr("venue")),
    Column(N_("Audience"), "#group+audience+code", attr("audience"), vocab.AUDIENCE),
    Column(N_("Topics"), "#activity+topic+code", attr("topics"), vocab.TOPIC),
    Column(N_("Facilitators"), "#contact+facilitators", attr("facilitators")),
    Column(N_("Women"), "#reached+f", attr("participants_female")),
    Column(N_("Men"), "#reached+m", attr("participants_male")),
    Column(N_("Sex not given"), "#reached+unspecified", attr("participants_undisclosed")),
    Column(N_("Participants"), "#reached+total", needs(lambda r, lk: training_total(r), *_PARTICIPANTS)),
    Column(N_("% women"), "#indicator+f+pct",
           needs(lambda r, lk: _percent(training_share_women(r)), *_PARTICIPANTS)),
    Column(N_("Training of trainers"), "#activity+tot+code", flag("training_of_trainers"), YES_NO),
    Column(N_("Pre-test average"), "#indicator+pretest", attr("pre_test_avg")),
    Column(N_("Post-test average"), "#indicator+posttest", attr("post_test_avg")),
    Column(N_("Gain"), "#indicator+gain", needs(lambda r, lk: score_gain(r), "pre_test_avg", "post_test_avg")),
    Column(N_("Notes"), "#meta+notes", attr("notes")),
    *stamps(),
]

DIRECTORY = [
    Column(N_("Record id"), "#org+id", attr("id")),
    Column(N_("Name"), "#org+name", attr("name")),
    Column(N_("Sectors"), "#sector+code", attr("sectors"), vocab.SECTOR),
    *location_columns(),
    Column(N_("Address"), "#contact+address", attr("address")),
    Column(N_("Phones"), "#contact+phone", attr("phones")),
    Column(N_("Opening hours"), "#meta+hours", attr("opening_hours")),
    Column(N_("Focal point"), "#contact+name", attr("focal_point")),
    Column(N_("Free of charge"), "#meta+free+code", flag("free_of_charge"), YES_NO),
    Column(N_("Languages"), "#meta+languages", attr("languages")),
    Column(N_("Eligibility"), "#meta+eligibility", attr("eligibility_notes")),
    Column(N_("Last verified"), "#date+verified", date_attr("last_verified")),
    Column(N_("Active"), "#status+active+code", flag("active"), YES_NO),
    *stamps(),
]

PLACES = [
    Column(N_("P-code"), "#loc+code", attr("pcode")),
    Column(N_("Level"), "#loc+level", attr("level")),
    Column(N_("Name in English"), "#loc+name+i_en", attr("name_en")),
    Column(N_("Name in French"), "#loc+name+i_fr", attr("name_fr")),
    Column(N_("Parent P-code"), "#loc+code+parent", attr("parent_pcode")),
    Column(N_("Valid on"), "#date+valid", date_attr("valid_on")),
]

from fieldapp.documents.export_mara import COMMITMENTS, INCIDENTS, PARTIES  # noqa: E402 (they use the helpers above)

COLUMNS = {"referrals": REFERRALS, "services": SERVICES, "alerts": ALERTS, "trainings": TRAININGS,
           "directory": DIRECTORY, "places": PLACES, "incidents": INCIDENTS, "parties": PARTIES,
           "commitments": COMMITMENTS}


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)
