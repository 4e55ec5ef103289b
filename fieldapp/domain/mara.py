"""MARA records (docs/DESIGN.md 2.5, 2.6): CRSV incidents, parties to conflict, their commitments and
commitment items; their vocabularies, validation, verification changes and derived values.

An incident is an event and holds counts of victims, never identities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from fieldapp.domain.records import Record
from fieldapp.domain.vocab import ALL as ALL_VOCABULARIES, DATE_PRECISION, Vocabulary
from fieldapp.errors import ValidationError, shown_value
from fieldapp.i18n import NC_, N_, _

UNIDENTIFIED = "unidentified"
UNIDENTIFIED_LABEL = NC_("perpetrator party", "Unidentified")
# Incidents reported or under verification for longer than this are listed on Home.
AWAITING_VERIFICATION_DAYS = 14
MAX_VICTIMS = 100_000
VICTIM_FIELDS = ("victims_girls", "victims_boys", "victims_women", "victims_men", "victims_unknown")


VIOLATION_TYPE = Vocabulary.of("violation_type",
    ("rape", N_("Rape")),
    ("gang_rape", N_("Gang rape")),
    ("attempted_rape", N_("Attempted rape")),
    ("sexual_slavery", N_("Sexual slavery")),
    ("forced_prostitution", N_("Forced prostitution")),
    ("forced_pregnancy", N_("Forced pregnancy")),
    ("forced_abortion", N_("Forced abortion")),
    ("enforced_sterilization", N_("Enforced sterilization")),
    ("forced_marriage", N_("Forced marriage")),
    ("sexual_mutilation", N_("Sexual mutilation")),
    ("sexual_torture", N_("Sexual torture")),
    ("forced_nudity", N_("Forced nudity")),
    ("trafficking_sexual_exploitation", N_("Trafficking for sexual exploitation")),
    ("other_comparable_gravity", N_("Other sexual violence of comparable gravity")),
)
INCIDENT_CONTEXT = Vocabulary.of("incident_context",
    ("attack_on_locality", N_("Attack on a locality")),
    ("detention", N_("Detention")),
    ("abduction", N_("Abduction")),
    ("checkpoint", N_("Checkpoint")),
    ("displacement_site", N_("Displacement site")),
    ("fields_market_road", N_("Fields, market or road")),
    ("house_search", N_("House search")),
    ("military_operation", N_("Military operation")),
    ("other", N_("Other")),
)
INCIDENT_SOURCE = Vocabulary.of("incident_source",
    ("survivor", NC_("incident source", "Survivor")),
    ("witness", N_("Witness")),
    ("health_provider", N_("Health provider")),
    ("psychosocial_provider", N_("Psychosocial provider")),
    ("community_focal_point", N_("Community focal point")),
    ("local_authority", N_("Local authority")),
    ("un_military", N_("UN military component")),
    ("un_police", NC_("incident source", "UN police")),
    ("un_civilian", N_("UN civilian component")),
    ("un_agency", N_("UN agency")),
    ("ngo", N_("NGO")),
    ("civil_society", N_("Civil society")),
    ("media", N_("Media")),
    ("other", N_("Other")),
)
INCIDENT_VERIFICATION = Vocabulary.of("incident_verification",
    ("reported", N_("Reported, not verified")),
    ("under_verification", N_("Under verification")),
    ("verified", NC_("incident verification", "Verified")),
    ("not_verifiable", N_("Not verifiable")),
    ("unfounded", N_("Unfounded")),
)
# Still waiting for a verification outcome.
AWAITING_VERIFICATION = ("reported", "under_verification")
PARTY_TYPE = Vocabulary.of("party_type",
    ("state_armed_forces", N_("State armed forces")),
    ("state_police", N_("National police")),
    ("non_state_armed_group", N_("Non-state armed group")),
    ("other", N_("Other")),
)
COMMITMENT_KIND = Vocabulary.of("commitment_kind",
    ("joint_communique", N_("Joint communiqué")),
    ("unilateral_communique", N_("Unilateral communiqué")),
    ("action_plan", N_("Action plan")),
    ("command_order", N_("Command order")),
    ("other", N_("Other")),
)
ITEM_STATUS = Vocabulary.of("commitment_item_status",
    ("not_started", N_("Not started")),
    ("in_progress", N_("In progress")),
    ("achieved", N_("Achieved")),
    ("not_achieved", N_("Not achieved")),
)
# Items whose due date still matters: past it, they are overdue.
OPEN_ITEM_STATUSES = ("not_started", "in_progress")

VOCABULARIES = {v.name: v for v in (VIOLATION_TYPE, INCIDENT_CONTEXT, INCIDENT_SOURCE, INCIDENT_VERIFICATION,
                                    PARTY_TYPE, COMMITMENT_KIND, ITEM_STATUS)}
# One registry of every vocabulary (importers match labels to codes through it).
ALL_VOCABULARIES.update(VOCABULARIES)

# Labels of the victim groups, in the order the form, the lists and the report show them.
VICTIM_LABELS = (
    ("victims_girls", N_("Girls")),
    ("victims_boys", N_("Boys")),
    ("victims_women", N_("Women")),
    ("victims_men", N_("Men")),
    ("victims_unknown", N_("Sex or age unknown")),
)


# -- records ---------------------------------------------------------------------------------------
@dataclass(kw_only=True)
class Incident(Record):
    KIND = "incident"
    incident_code: str = ""
    occurred_on: date | None = None
    occurred_precision: str = "exact"
    occurred_until: date | None = None
    learned_on: date | None = None
    location_pcode: str = ""
    locality: str = ""
    violation_types: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    victims_girls: int = 0
    victims_boys: int = 0
    victims_women: int = 0
    victims_men: int = 0
    victims_unknown: int = 0
    perpetrator_parties: list[str] = field(default_factory=list)  # party ids, or "unidentified"
    perpetrator_count: int | None = None
    sources: list[str] = field(default_factory=list)
    verification: str = "reported"
    # Every verification change, oldest first: {"from", "to", "on", "at", "by", "note"}.
    verification_history: list[dict] = field(default_factory=list)
    share_with_mara: bool = True
    share_reason: str = ""  # why the incident is kept out of bundles
    actions_taken: str = ""
    notes: str = ""


@dataclass(kw_only=True)
class Party(Record):
    KIND = "party"
    name: str = ""
    short_name: str = ""
    party_type: str = "non_state_armed_group"
    listed_since: int | None = None
    notes: str = ""

    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(kw_only=True)
class Commitment(Record):
    KIND = "commitment"
    party_id: str = ""
    kind: str = "joint_communique"
    title: str = ""
    signed_on: date | None = None
    notes: str = ""


@dataclass(kw_only=True)
class CommitmentItem(Record):
    KIND = "commitment_item"
    commitment_id: str = ""
    description: str = ""
    due_on: date | None = None
    status: str = "not_started"
    evidence: str = ""
    reviewed_on: date | None = None


@dataclass(frozen=True)
class IncidentLink:
    """An incident's link to a referral or an alert of the same vault. Links never leave the office."""

    kind: str  # "referral" or "alert"
    target_id: str


LINK_KINDS = ("referral", "alert")


# -- derived values --------------------------------------------------------------------------------
def total_victims(incident: Incident) -> int:
    return sum(getattr(incident, name) or 0 for name in VICTIM_FIELDS)


def days_to_knowledge(incident: Incident) -> int | None:
    """Days from the incident to the office learning of it; None when either date is unknown."""
    if incident.occurred_on is None or incident.learned_on is None or incident.occurred_precision == "unknown":
        return None
    return max(0, (incident.learned_on - incident.occurred_on).days)


# (code, label, first day, last day) of the report's time-to-knowledge table.
KNOWLEDGE_BUCKETS = (
    ("0-3d", N_("0–3 days"), 0, 3),
    ("4-14d", N_("4–14 days"), 4, 14),
    ("15-30d", N_("15–30 days"), 15, 30),
    ("31-90d", N_("31–90 days"), 31, 90),
    ("over-90d", N_("Over 90 days"), 91, None),
)


def knowledge_bucket(days: int | None) -> str:
    if days is None:
        return "unknown"
    for code, _label, first, last in KNOWLEDGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return code
    return "unknown"


def awaiting_too_long(incident: Incident, today: date) -> bool:
    return (incident.verification in AWAITING_VERIFICATION and incident.learned_on is not None
            and incident.learned_on < today - timedelta(days=AWAITING_VERIFICATION_DAYS))


def item_overdue(item: CommitmentItem, today: date) -> bool:
    return item.status in OPEN_ITEM_STATUSES and item.due_on is not None and item.due_on < today


def change_verification(incident: Incident, target: str, *, on: date, by: str, note: str = "",
                        at: datetime | None = None) -> Incident:
    """Move `incident` to verification status `target`, recording the date, who and why."""
    if target not in INCIDENT_VERIFICATION:
        raise ValidationError({"verification": _("“{value}” is not an allowed value.").format(value=shown_value(target))})
    if target == incident.verification:
        return incident
    at = at or datetime.now(timezone.utc)
    incident.verification_history = [*incident.verification_history, {
        "from": incident.verification, "to": target, "on": on.isoformat(),
        "at": at.isoformat(timespec="milliseconds"), "by": by, "note": note.strip(),
    }]
    incident.verification = target
    return incident


# -- validation ------------------------------------------------------------------------------------
INCIDENT_CODE = re.compile(r"^[A-Z0-9]{2,8}-I-\d{4}-\d{4,6}$")
PCODE = re.compile(r"^[A-Z]{2,3}[0-9A-Z]*$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
# Resolution 1960 (2010) asked for an annex of parties credibly suspected of CRSV; the first one
# came with the Secretary-General's report of January 2012 (S/2012/33): no party is listed earlier.
FIRST_ANNEX_YEAR = 2012


def _code(problems: dict, name: str, value, vocabulary: Vocabulary) -> None:
    if not value:
        problems[name] = _("Choose a value.")
    elif value not in vocabulary:
        problems[name] = _("“{value}” is not an allowed value.").format(value=shown_value(value))


def _codes(problems: dict, name: str, values, vocabulary: Vocabulary, required: bool) -> None:
    if not isinstance(values, list):
        problems[name] = _("Choose at least one value.")
        return
    if required and not values:
        problems[name] = _("Choose at least one value.")
    for value in values:
        if value not in vocabulary:
            problems[name] = _("“{value}” is not an allowed value.").format(value=shown_value(value))


def _dates(problems: dict, record: Record, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(record, name)
        if isinstance(value, date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR and name not in problems:
            problems[name] = _("Enter a date between {first} and {last}.").format(first=EARLIEST_YEAR, last=LATEST_YEAR)


def _id(problems: dict, name: str, value: str, message: str) -> None:
    if not value or not UUID.match(value):
        problems[name] = message


def validate_incident(incident: Incident, now: datetime | None = None) -> None:
    today = (now or datetime.now(timezone.utc)).date()
    problems: dict[str, str] = {}
    if not incident.incident_code.strip():
        problems["incident_code"] = _("An incident code is required.")
    elif not INCIDENT_CODE.match(incident.incident_code):
        problems["incident_code"] = _("Use the pattern OFFICE-I-YEAR-NUMBER, for example BNI-I-2026-0012.")
    _code(problems, "occurred_precision", incident.occurred_precision, DATE_PRECISION)
    if incident.occurred_on is None and incident.occurred_precision != "unknown":
        problems["occurred_on"] = _("Enter when the incident happened, or set its precision to “Unknown”.")
    elif incident.occurred_on is not None and incident.occurred_on > today + timedelta(days=1):
        problems["occurred_on"] = _("This date is in the future.")
    if incident.occurred_until is not None:
        if incident.occurred_on is None:
            problems["occurred_until"] = _("Enter the first day before the last one.")
        elif incident.occurred_until < incident.occurred_on:
            problems["occurred_until"] = _("The violation cannot end before it starts.")
    if incident.learned_on is None:
        problems["learned_on"] = _("Enter when the office learned of the incident.")
    elif incident.learned_on > today + timedelta(days=1):
        problems["learned_on"] = _("This date is in the future.")
    elif incident.occurred_on is not None and incident.learned_on < incident.occurred_on:
        problems["learned_on"] = _("The office cannot learn of an incident before it happened.")
    if not incident.location_pcode:
        problems["location_pcode"] = _("Choose a place.")
    elif not PCODE.match(incident.location_pcode):
        problems["location_pcode"] = _("“{value}” is not a P-code.").format(value=shown_value(incident.location_pcode))
    _codes(problems, "violation_types", incident.violation_types, VIOLATION_TYPE, required=True)
    _codes(problems, "contexts", incident.contexts, INCIDENT_CONTEXT, required=False)
    _codes(problems, "sources", incident.sources, INCIDENT_SOURCE, required=True)
    counts_ok = True
    for name in VICTIM_FIELDS:
        value = getattr(incident, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VICTIMS:
            problems[name] = _("Enter a whole number of victims (0 or more).")
            counts_ok = False
    if counts_ok and total_victims(incident) == 0:
        problems["victims_women"] = _("Count at least one victim.")
    parties = incident.perpetrator_parties if isinstance(incident.perpetrator_parties, list) else []
    if not parties:
        problems["perpetrator_parties"] = _("Choose the parties credibly suspected, or “Unidentified”.")
    for party in parties:
        if party != UNIDENTIFIED and not (isinstance(party, str) and UUID.match(party)):
            problems["perpetrator_parties"] = _("“{value}” is not a party.").format(value=shown_value(party))
    if len(set(parties)) != len(parties):
        problems["perpetrator_parties"] = _("A party is listed twice.")
    if incident.perpetrator_count is not None and (
            isinstance(incident.perpetrator_count, bool) or not 0 < incident.perpetrator_count <= 10_000):
        problems["perpetrator_count"] = _("Enter a number from 1 to 10000, or leave it empty if unknown.")
    _code(problems, "verification", incident.verification, INCIDENT_VERIFICATION)
    if not incident.share_with_mara and not incident.share_reason.strip():
        problems["share_reason"] = _("Write why this incident is kept out of the MARA reporting.")
    _dates(problems, incident, ("occurred_on", "occurred_until", "learned_on"))
    if problems:
        raise ValidationError(problems)


def validate_party(party: Party) -> None:
    problems: dict[str, str] = {}
    if not party.name.strip():
        problems["name"] = _("A name is required.")
    elif len(party.name) > 200:
        problems["name"] = _("Keep the name under 200 characters.")
    if len(party.short_name) > 40:
        problems["short_name"] = _("Keep the short name under 40 characters.")
    _code(problems, "party_type", party.party_type, PARTY_TYPE)
    if party.listed_since is not None and (
            isinstance(party.listed_since, bool) or not FIRST_ANNEX_YEAR <= party.listed_since <= LATEST_YEAR):
        problems["listed_since"] = _("Enter the year of the first listing ({first} or later: the annex began with "
                                     "the report of January {first}), or leave it empty.").format(
            first=FIRST_ANNEX_YEAR)
    if problems:
        raise ValidationError(problems)


def validate_commitment(commitment: Commitment) -> None:
    problems: dict[str, str] = {}
    _id(problems, "party_id", commitment.party_id, _("Choose the party that made the commitment."))
    _code(problems, "kind", commitment.kind, COMMITMENT_KIND)
    if not commitment.title.strip():
        problems["title"] = _("A title is required.")
    _dates(problems, commitment, ("signed_on",))
    if problems:
        raise ValidationError(problems)


def validate_commitment_item(item: CommitmentItem) -> None:
    problems: dict[str, str] = {}
    _id(problems, "commitment_id", item.commitment_id, _("An item belongs to a commitment."))
    if not item.description.strip():
        problems["description"] = _("Write what was promised.")
    _code(problems, "status", item.status, ITEM_STATUS)
    _dates(problems, item, ("due_on", "reviewed_on"))
    if problems:
        raise ValidationError(problems)


VALIDATORS = {
    Incident: validate_incident,
    Party: validate_party,
    Commitment: validate_commitment,
    CommitmentItem: validate_commitment_item,
}
