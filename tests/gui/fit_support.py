"""A vault as a busy French-speaking office has it, for the fit tests: dozens of open referrals,
follow-ups, alerts and MARA items on Home, with the longest values the rules allow (survivor
codes of an eight-letter office, the longest place names of the DR Congo P-code file, the longest
service, status, threat and violation labels, provider names of a real directory)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fieldapp.domain import vocab
from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, Party, UNIDENTIFIED
from fieldapp.domain.records import Alert, Referral, ReferralService

LONG_PLACES = ["CD8207", "CD2013", "CD7305", "CD4302"]  # Kasaï-Oriental › Kabeya-Kamwanga, …
LONG_PROVIDERS = [
    "Police spéciale de protection de l'enfant et de la femme (Kabeya-Kamwanga)",
    "Division provinciale du Genre, de la Famille et de l'Enfant – bureau de Mbanza-Ngungu",
    "Clinique juridique du barreau de Malemba-Nkulu et de ses environs",
]
LONG_PROMISES = [
    "Transmettre à l'auditorat militaire la liste des éléments suspectés de violences sexuelles dans les secteurs "
    "opérationnels de Kabeya-Kamwanga et de Mbanza-Ngungu",
    "Former les commandants des unités déployées aux obligations du communiqué conjoint et en rendre compte",
]


def add_long_french_records(session, rows: int = 40) -> None:
    """`rows` of every Home list (urgent survivors, follow-ups, long-open alerts, incidents
    awaiting verification, commitment items past due), each with long French values."""
    now = datetime.now(timezone.utc)
    today = now.date()
    referrals, services, alerts = [], [], []
    for number in range(rows):
        place = LONG_PLACES[number % len(LONG_PLACES)]
        referral = Referral(
            survivor_code=f"KABEYAKA-{now.year}-{104200 + number}", reported_at=now - timedelta(hours=2),
            incident_date=(now - timedelta(hours=30)).date(), incident_type="denial_of_resources", crsv=True,
            sex="female", age_group="18-59", displacement="idp", disability="no",
            perpetrator_category="unidentified_armed_men", perpetrator_count=3, location_pcode=place,
            locality="Tshilenge-Kabeya", entry_point="community_focal_point", consent_referral=True,
            consent_reporting=True, consent_at=today)
        referrals.append(referral)
        services.append(ReferralService(referral_id=referral.id, sector="health", status="pending"))
        services.append(ReferralService(
            referral_id=referral.id, sector=("legal", "livelihoods", "child_protection")[number % 3],
            status="pending", provider_text=LONG_PROVIDERS[number % len(LONG_PROVIDERS)],
            follow_up_on=today - timedelta(days=number % 40)))
        alerts.append(Alert(
            received_at=now - timedelta(hours=30 + number * 7), source_code="RAC-KBK-17", location_pcode=place,
            locality="Tshilenge", threat_types=list(vocab.THREAT_TYPE.codes)[: 3 + number % 6], severity="critical",
            crsv_related=True, status="open"))
    session.referrals.bulk_create(referrals, check=False)
    session.services.bulk_create(services, check=False)
    session.alerts.bulk_create(alerts, check=False)
    party = Party(name="Coalition des mouvements armés pour la défense de Kabeya-Kamwanga et de Lupatapata",
                  short_name="CMADKL", party_type="non_state_armed_group")
    session.parties.bulk_create([party])
    incidents = [Incident(
        incident_code=f"KABEYAKA-I-{now.year}-{104200 + number}", occurred_on=today - timedelta(days=60 + number),
        occurred_precision="exact", learned_on=today - timedelta(days=20 + number),
        location_pcode=LONG_PLACES[number % len(LONG_PLACES)], locality="Tshilenge",
        violation_types=["other_comparable_gravity", "trafficking_sexual_exploitation"], contexts=["displacement_site"],
        perpetrator_parties=[party.id, UNIDENTIFIED], sources=["psychosocial_provider"], victims_women=2,
        victims_girls=1) for number in range(rows)]
    session.incidents.bulk_create(incidents)
    commitment = Commitment(party_id=party.id, kind="unilateral_communique", signed_on=today - timedelta(days=900),
                            title="Communiqué unilatéral portant engagement de mettre fin aux violences sexuelles")
    items = [CommitmentItem(description=LONG_PROMISES[number % len(LONG_PROMISES)], status="not_achieved",
                            due_on=today - timedelta(days=1 + number)) for number in range(rows)]
    session.commitments.save(commitment, items)
