"""The record types of docs/DESIGN.md section 2 and 4, as plain dataclasses the store reads and writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    # Millisecond precision: what the ISO text in the store keeps, so a read-back compares equal.
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(kw_only=True)
class Record:
    """Columns every synced record carries (docs/DESIGN.md 2)."""

    id: str = field(default_factory=new_id)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    hlc: str = ""
    origin_site: str = ""
    deleted: bool = False
    created_by: str = ""

    KIND = "record"



@dataclass(kw_only=True)
class Referral(Record):
    KIND = "referral"
    survivor_code: str = ""
    reported_at: datetime | None = None
    incident_date: date | None = None
    incident_date_precision: str = "exact"
    incident_type: str = ""
    crsv: bool = False
    sex: str = "undisclosed"
    age_group: str = "unknown"
    displacement: str = "unknown"
    disability: str = "unknown"
    perpetrator_category: str = "unknown"
    perpetrator_count: int | None = None
    location_pcode: str = ""
    locality: str = ""
    entry_point: str = "self"
    consent_referral: bool = False
    consent_reporting: bool = False
    consent_by: str = "survivor"
    consent_at: date | None = None
    notes: str = ""
    status: str = "open"


@dataclass(kw_only=True)
class ReferralService(Record):
    KIND = "service"
    referral_id: str = ""
    sector: str = ""
    provider_id: str | None = None
    provider_text: str = ""
    status: str = "pending"
    referred_at: datetime | None = None
    appointment_at: datetime | None = None
    responded_at: datetime | None = None
    completed_at: datetime | None = None
    follow_up_on: date | None = None
    outcome_notes: str = ""
    reason: str = ""  # why rejected / unavailable / cancelled
    consent_override_reason: str = ""
    # Every status change, oldest first: {"from", "to", "at", "by", "reason"}.
    status_history: list[dict] = field(default_factory=list)


@dataclass(kw_only=True)
class Alert(Record):
    KIND = "alert"
    received_at: datetime | None = None
    channel: str = "phone_call"
    source_category: str = "community_focal_point"
    source_code: str = ""
    location_pcode: str = ""
    locality: str = ""
    description: str = ""
    threat_types: list[str] = field(default_factory=list)
    crsv_related: bool = False
    severity: str = "medium"
    verification: str = "unverified"
    forwarded_to: list[str] = field(default_factory=list)
    forwarded_at: datetime | None = None
    response: str = ""
    responded_at: datetime | None = None
    status: str = "open"


@dataclass(kw_only=True)
class Training(Record):
    KIND = "training"
    title: str = ""
    start_date: date | None = None
    end_date: date | None = None
    location_pcode: str = ""
    venue: str = ""
    audience: str = ""
    topics: list[str] = field(default_factory=list)
    facilitators: str = ""
    participants_female: int = 0
    participants_male: int = 0
    participants_undisclosed: int = 0
    training_of_trainers: bool = False
    pre_test_avg: float | None = None
    post_test_avg: float | None = None
    notes: str = ""


@dataclass(kw_only=True)
class Provider(Record):
    KIND = "provider"
    name: str = ""
    sectors: list[str] = field(default_factory=list)
    location_pcode: str = ""
    address: str = ""
    phones: str = ""
    opening_hours: str = ""
    focal_point: str = ""
    free_of_charge: bool = True
    languages: str = ""
    eligibility_notes: str = ""
    last_verified: date | None = None
    active: bool = True


@dataclass(kw_only=True)
class Place:
    """One administrative area of the gazetteer, keyed by its OCHA P-code."""

    pcode: str
    level: int
    name_en: str = ""
    name_fr: str = ""
    parent_pcode: str | None = None
    valid_on: date | None = None
    hlc: str = ""
    origin_site: str = ""
    updated_at: datetime | None = None
    deleted: bool = False

    def name(self, language: str = "en") -> str:
        first, second = (self.name_fr, self.name_en) if language == "fr" else (self.name_en, self.name_fr)
        return first or second or self.pcode
