"""Controlled vocabularies: stable English codes stored in the data, labels translated when shown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from fieldapp.i18n import NC_, N_, _, pgettext, translate_in


Label = str | tuple[str, str]  # a msgid, or (context, msgid) where French needs its own gender


def _lookup(label: Label) -> str:
    return pgettext(label[0], label[1]) if isinstance(label, tuple) else _(label)


def _lookup_in(language: str, label: Label) -> str:
    if isinstance(label, tuple):
        return translate_in(language, label[1], label[0])
    return translate_in(language, label)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    name: str
    entries: tuple[tuple[str, Label], ...]  # (stable code, English label)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.entries)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        for entry_code, label in self.entries:
            if entry_code == code:
                return _lookup(label)
        return code

    def label_in(self, language: str, code: str) -> str:
        for entry_code, label in self.entries:
            if entry_code == code:
                return _lookup_in(language, label)
        return code

    @classmethod
    def of(cls, name: str, *entries: tuple[str, Label]) -> "Vocabulary":
        """A vocabulary from its (code, label) entries, in the order they are offered."""
        return cls(name, tuple(entries))

    def choices(self) -> list[tuple[str, str]]:
        return [(code, self.label(code)) for code in self.codes]


INCIDENT_TYPE = Vocabulary.of("incident_type",
    ("rape", N_("Rape")),
    ("sexual_assault", N_("Sexual assault")),
    ("physical_assault", N_("Physical assault")),
    ("forced_marriage", N_("Forced marriage")),
    ("denial_of_resources", N_("Denial of resources, opportunities or services")),
    ("psychological_abuse", N_("Psychological / emotional abuse")),
    ("non_gbv", N_("Non-GBV")),
)
SEX = Vocabulary.of("sex",
    ("female", N_("Female")), ("male", N_("Male")), ("other", N_("Other")), ("undisclosed", N_("Undisclosed")),
)
AGE_GROUP = Vocabulary.of("age_group",
    ("0-11", N_("0–11 years")), ("12-17", N_("12–17 years")), ("18-59", N_("18–59 years")),
    ("60+", N_("60 years and over")), ("unknown", N_("Unknown")),
)
DISPLACEMENT = Vocabulary.of("displacement",
    ("resident", N_("Resident")), ("idp", N_("Internally displaced")), ("refugee", N_("Refugee")),
    ("returnee", N_("Returnee")), ("unknown", N_("Unknown")),
)
YES_NO_UNKNOWN = Vocabulary.of("yes_no_unknown", ("yes", N_("Yes")), ("no", N_("No")), ("unknown", N_("Unknown")))
DATE_PRECISION = Vocabulary.of("incident_date_precision",
    ("exact", N_("Exact")), ("approximate", N_("Approximate")), ("unknown", NC_("date precision", "Unknown")),
)
PERPETRATOR_CATEGORY = Vocabulary.of("perpetrator_category",
    ("state_armed_forces", N_("State armed forces")),
    ("state_police", N_("National police")),
    ("non_state_armed_group", N_("Non-state armed group")),
    ("unidentified_armed_men", N_("Unidentified armed men")),
    ("civilian_known", N_("Civilian known to the survivor")),
    ("civilian_unknown", N_("Unknown civilian")),
    ("un_personnel", N_("UN personnel")),
    ("unknown", N_("Unknown")),
)
ENTRY_POINT = Vocabulary.of("entry_point",
    ("self", N_("The survivor herself")),
    ("can", N_("Community alert network")),
    ("community_focal_point", N_("Community focal point")),
    ("health_facility", N_("Health facility")),
    ("police", N_("Police")),
    ("ngo", N_("NGO")),
    ("peacekeepers", N_("Peacekeepers")),
    ("other", N_("Other")),
)
CONSENT_BY = Vocabulary.of("consent_by", ("survivor", N_("Survivor")), ("caregiver", N_("Caregiver")))
REFERRAL_STATUS = Vocabulary.of("referral_status", ("open", NC_("referral status", "Open")), ("closed", NC_("referral status", "Closed")))

SECTOR = Vocabulary.of("sector",
    ("health", N_("Medical care")),
    ("psychosocial", N_("Psychosocial support")),
    ("safety", N_("Safety / protection")),
    ("legal", N_("Legal and judicial assistance")),
    ("shelter", N_("Safe shelter")),
    ("livelihoods", N_("Socio-economic reintegration")),
    ("child_protection", N_("Child protection")),
    ("other", N_("Other")),
)
SERVICE_STATUS = Vocabulary.of("service_status",
    ("pending", N_("To be referred")),
    ("referred", N_("Referred")),
    ("accepted", N_("Accepted")),
    ("completed", N_("Service received")),
    ("declined", N_("Declined by the survivor")),
    ("rejected", N_("Refused by the provider")),
    ("unavailable", N_("Service unavailable")),
    ("cancelled", N_("Cancelled")),
)

CHANNEL = Vocabulary.of("channel",
    ("phone_call", N_("Phone call")), ("sms_or_beep", N_("SMS / beep")), ("radio", N_("Radio (HF/VHF)")),
    ("hotline", N_("Hotline")), ("in_person", N_("In person")), ("other", N_("Other")),
)
SOURCE_CATEGORY = Vocabulary.of("source_category",
    ("community_focal_point", N_("Community focal point")),
    ("local_protection_committee", N_("Local protection committee")),
    ("local_authority", N_("Local authority")),
    ("civil_society", N_("Civil society")),
    ("women_association", N_("Women's association")),
    ("religious_or_traditional_leader", N_("Religious or traditional leader")),
    ("anonymous", N_("Anonymous")),
    ("other", N_("Other")),
)
THREAT_TYPE = Vocabulary.of("threat_type",
    ("armed_presence", N_("Presence of armed men")),
    ("attack", N_("Attack")),
    ("abduction", N_("Abduction")),
    ("sexual_violence", N_("Sexual violence")),
    ("killing_or_threat_to_life", N_("Killing or threat to life")),
    ("looting", N_("Looting")),
    ("displacement", N_("Population displacement")),
    ("intercommunal_tension", N_("Intercommunal tension")),
    ("child_protection", N_("Child protection")),
    ("other", N_("Other")),
)
SEVERITY = Vocabulary.of("severity",
    ("low", NC_("severity", "Low")), ("medium", NC_("severity", "Medium")), ("high", NC_("severity", "High")),
    ("critical", NC_("severity", "Critical")),
)
VERIFICATION = Vocabulary.of("verification",
    ("unverified", NC_("alert verification", "Unverified")), ("verified", NC_("alert verification", "Verified")),
    ("false_alarm", N_("False alarm")),
)
FORWARDED_TO = Vocabulary.of("forwarded_to",
    ("mission_base", N_("Mission base / JOC")),
    ("national_army", N_("National army")),
    ("national_police", N_("National police")),
    ("local_authorities", N_("Local authorities")),
    ("humanitarian_partners", N_("Humanitarian partners")),
)
ALERT_STATUS = Vocabulary.of("alert_status",
    ("open", NC_("alert status", "Open")), ("responded", NC_("alert status", "Responded")),
    ("closed", NC_("alert status", "Closed")), ("no_action_possible", N_("No action possible")),
)

AUDIENCE = Vocabulary.of("audience",
    ("military_peacekeepers", N_("Military peacekeepers")),
    ("un_police", N_("UN police")),
    ("mission_civilians", N_("Mission civilian staff")),
    ("national_army", N_("National army")),
    ("national_police", N_("National police")),
    ("justice_actors", N_("Justice actors")),
    ("traditional_religious_leaders", N_("Traditional and religious leaders")),
    ("civil_society", N_("Civil society")),
    ("women_organisations", N_("Women's organisations")),
    ("media", N_("Media")),
    ("can_members", N_("Alert network members")),
    ("other", N_("Other")),
)
TOPIC = Vocabulary.of("topic",
    ("crsv_prevention", N_("CRSV prevention")),
    ("referral_pathways", N_("Referral pathways")),
    ("survivor_centred_approach", N_("Survivor-centred approach")),
    ("mara", N_("MARA")),
    ("human_rights", N_("Human rights")),
    ("ihl", N_("International humanitarian law")),
    ("child_protection", N_("Child protection")),
    ("sea_prevention", N_("Prevention of sexual exploitation and abuse")),
    ("wps_1325", N_("Women, peace and security (resolution 1325)")),
    ("other", N_("Other")),
)

ALL = {
    vocabulary.name: vocabulary
    for vocabulary in (
        INCIDENT_TYPE, SEX, AGE_GROUP, DISPLACEMENT, YES_NO_UNKNOWN, DATE_PRECISION, PERPETRATOR_CATEGORY,
        ENTRY_POINT, CONSENT_BY, REFERRAL_STATUS, SECTOR, SERVICE_STATUS, CHANNEL, SOURCE_CATEGORY,
        THREAT_TYPE, SEVERITY, VERIFICATION, FORWARDED_TO, ALERT_STATUS, AUDIENCE, TOPIC,
    )
}
