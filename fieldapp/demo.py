"""A demo vault of realistic synthetic data (no real person in it) for tours, tests and benchmarks."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from fieldapp.domain import services as service_rules
from fieldapp.domain import vocab
from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.domain.records import Alert, Provider, Referral, ReferralService, Training
from fieldapp.paths import resources_dir
from fieldapp.store.session import Session
from fieldapp.store.vault import Vault

DEMO_PASSPHRASE = "demo-passphrase"
DEMO_USER = "demo"
DEMO_AREAS = {  # admin2 P-codes of eastern DR Congo where the demo office works
    "CD6109": "Beni", "CD6110": "Butembo", "CD6101": "Goma", "CD6105": "Lubero", "CD6111": "Rutshuru",
    "CD6103": "Masisi", "CD5401": "Bunia", "CD5405": "Djugu", "CD5402": "Irumu", "CD6201": "Bukavu",
    "CD6208": "Uvira", "CD7402": "Kalemie",
}
LOCALITIES = ["Mavivi", "Oicha", "Eringeti", "Kalunguta", "Mutwanga", "Kasindi", "Ndoma", "Mangina",
              "Kyondo", "Mabalako", "Kamango", "Ngadi", "Boikene", "Rwangoma", "Mayimoya", "Mbau"]
PROVIDERS = [
    ("Hôpital général de référence de {town}", ["health"]),
    ("Centre de santé {town}-Centre", ["health"]),
    ("Fondation Panzi – antenne de {town}", ["health", "psychosocial", "legal", "livelihoods"]),
    ("SOFEPADI {town}", ["psychosocial", "legal"]),
    ("Clinique juridique du barreau de {town}", ["legal"]),
    ("Maison d'écoute des femmes de {town}", ["psychosocial", "shelter"]),
    ("Police spéciale de protection de l'enfant et de la femme ({town})", ["safety", "child_protection"]),
    ("Division provinciale du Genre – bureau de {town}", ["other", "livelihoods"]),
    ("Centre de transit et d'orientation de {town}", ["child_protection", "shelter"]),
    ("Maison des femmes Umoja ({town})", ["livelihoods", "psychosocial"]),
]
FIRST_NAMES = ["Aline", "Jeanne", "Esther", "Patrick", "Didier", "Claudine", "Josué", "Mireille", "Grâce", "Emmanuel"]
LAST_NAMES = ["Kahindo", "Masika", "Mbusa", "Kavira", "Muhindo", "Bahati", "Kambale", "Furaha", "Lukoo", "Paluku"]
TRAINING_TITLES = [
    "Prévention des VSLC pour les contingents", "Circuit de référencement et approche centrée sur la survivante",
    "Réseaux d'alerte communautaire : rôles et procédures", "Droits humains et DIH pour les FARDC",
    "MARA : collecte et partage sécurisé des données", "Prévention de l'exploitation et des abus sexuels",
    "Femmes, paix et sécurité : résolution 1325", "Protection de l'enfant dans les conflits armés",
]
SERVICE_PATHS = [  # weighted paths a service takes through its allowed statuses
    (["referred", "accepted", "completed"], 40), (["referred", "accepted"], 15), (["referred"], 10), ([], 10),
    (["declined"], 5), (["referred", "rejected"], 5), (["unavailable"], 5), (["referred", "accepted", "cancelled"], 5),
    (["referred", "declined"], 5),
]


def _weighted(rng: random.Random, options: list, weights: list):
    return rng.choices(options, weights=weights, k=1)[0]


class DemoData:
    """Generates records; every value is drawn from the real vocabularies and rules."""

    def __init__(self, office_code: str, now: datetime, seed: int = 2026):
        self.rng = random.Random(seed)
        self.office_code = office_code
        self.now = now
        self.areas = list(DEMO_AREAS)
        self._sequence: dict[int, int] = {}

    def _moment(self, days_back: int) -> datetime:
        # Recent cases are more numerous: a few land inside the urgent windows on the home screen.
        offset = min(days_back, int(self.rng.expovariate(1 / max(1, days_back / 4))))
        moment = self.now - timedelta(days=offset, minutes=self.rng.randrange(24 * 60))
        return moment.replace(microsecond=0)

    def _code(self, year: int) -> str:
        self._sequence[year] = self._sequence.get(year, 0) + 1
        return f"{self.office_code}-{year}-{self._sequence[year]:04d}"

    def referral(self, days_back: int) -> Referral:
        rng = self.rng
        reported = self._moment(days_back)
        delay = _weighted(rng, [0, 1, 2, 3, 4, 5, 8, 12, 20, 45, 120], [14, 14, 10, 8, 6, 5, 9, 8, 8, 10, 8])
        precision = _weighted(rng, ["exact", "approximate", "unknown"], [70, 22, 8])
        age = _weighted(rng, list(vocab.AGE_GROUP.codes), [8, 22, 60, 5, 5])
        child = age in ("0-11", "12-17")
        consent = rng.random() < 0.9
        return Referral(
            survivor_code=self._code(reported.year),
            reported_at=reported,
            incident_date=None if precision == "unknown" else (reported - timedelta(days=delay)).date(),
            incident_date_precision=precision,
            incident_type=_weighted(rng, list(vocab.INCIDENT_TYPE.codes), [45, 15, 15, 6, 5, 9, 5]),
            crsv=rng.random() < 0.6,
            sex=_weighted(rng, list(vocab.SEX.codes), [88, 9, 1, 2]),
            age_group=age,
            displacement=_weighted(rng, list(vocab.DISPLACEMENT.codes), [40, 40, 5, 10, 5]),
            disability=_weighted(rng, list(vocab.YES_NO_UNKNOWN.codes), [6, 80, 14]),
            perpetrator_category=_weighted(rng, list(vocab.PERPETRATOR_CATEGORY.codes), [12, 5, 30, 25, 12, 8, 1, 7]),
            perpetrator_count=rng.choice([None, 1, 1, 1, 2, 3, 4]),
            location_pcode=rng.choice(self.areas),
            locality=rng.choice(LOCALITIES),
            entry_point=_weighted(rng, list(vocab.ENTRY_POINT.codes), [25, 15, 20, 20, 5, 10, 3, 2]),
            consent_referral=consent,
            consent_reporting=consent and rng.random() < 0.85,
            consent_by="caregiver" if child else "survivor",
            consent_at=reported.date(),
            notes=rng.choice(["", "Suivi psychosocial demandé.", "Survivante orientée par la relais de Mavivi.",
                              "Craint des représailles ; préfère un rendez-vous discret.", "Besoin de transport."]),
            status="closed" if rng.random() < 0.55 and days_back > 30 else "open",
        )

    def services(self, referral: Referral, providers: list[Provider]) -> list[ReferralService]:
        rng = self.rng
        sectors = ["health"] + rng.sample(["psychosocial", "legal", "safety", "shelter", "livelihoods",
                                           "child_protection"], k=rng.choice([0, 1, 1, 2]))
        made = []
        for sector in sectors:
            candidates = [p for p in providers if sector in p.sectors] or providers
            provider = rng.choice(candidates)
            service = ReferralService(referral_id=referral.id, sector=sector, provider_id=provider.id)
            path = _weighted(rng, [p for p, _w in SERVICE_PATHS], [w for _p, w in SERVICE_PATHS])
            moment = referral.reported_at
            for step in path:
                if step == "referred" and not referral.consent_referral:
                    break
                moment = min(self.now, moment + timedelta(hours=rng.randrange(1, 72)))
                service_rules.apply_transition(service, referral, step, at=moment, by=DEMO_USER,
                                               reason="Capacité d'accueil atteinte" if step == "rejected" else "")
            if service.status in ("referred", "accepted"):
                service.follow_up_on = (moment + timedelta(days=rng.choice([3, 7, 14]))).date()
            made.append(service)
        return made

    def alert(self, days_back: int) -> Alert:
        rng = self.rng
        received = self._moment(days_back)
        threats = rng.sample(list(vocab.THREAT_TYPE.codes[:-1]), k=rng.choice([1, 1, 2, 3]))
        forwarded = rng.random() < 0.85
        age = self.now - received
        # Offices close alerts within days: only recent ones are still open.
        weights = [60, 25, 10, 5] if age < timedelta(days=2) else [8, 40, 45, 7] if age < timedelta(days=14) \
            else [0.3, 40, 53, 6.7]
        status = _weighted(rng, ["open", "responded", "closed", "no_action_possible"], weights)
        responded_at = received + timedelta(minutes=rng.randrange(30, 600)) if status in ("responded", "closed") else None
        return Alert(
            received_at=received,
            channel=_weighted(rng, list(vocab.CHANNEL.codes), [50, 20, 10, 10, 8, 2]),
            source_category=_weighted(rng, list(vocab.SOURCE_CATEGORY.codes), [40, 15, 10, 10, 10, 8, 5, 2]),
            source_code=f"CAN-{rng.choice(['BNI', 'BTB', 'LUB', 'RUT'])}-{rng.randrange(1, 80):03d}",
            location_pcode=rng.choice(self.areas),
            locality=rng.choice(LOCALITIES),
            description=rng.choice(["Hommes armés signalés près du marché.", "Coups de feu entendus la nuit.",
                                    "Des femmes enlevées aux champs.", "Mouvement de population vers le centre.",
                                    "Menaces contre le chef de localité."]),
            threat_types=threats,
            crsv_related="sexual_violence" in threats or rng.random() < 0.1,
            severity=_weighted(rng, list(vocab.SEVERITY.codes), [20, 40, 30, 10]),
            verification=_weighted(rng, list(vocab.VERIFICATION.codes), [40, 55, 5]),
            forwarded_to=rng.sample(list(vocab.FORWARDED_TO.codes), k=rng.choice([1, 2])) if forwarded else [],
            forwarded_at=received + timedelta(minutes=rng.randrange(5, 120)) if forwarded else None,
            response="Patrouille dépêchée sur le site." if responded_at else "",
            responded_at=responded_at,
            status=status,
        )

    def training(self, days_back: int) -> Training:
        rng = self.rng
        start = self._moment(days_back).date()
        female, male = rng.randrange(0, 40), rng.randrange(0, 40)
        pre = rng.choice([None, rng.randrange(30, 70)])
        return Training(
            title=rng.choice(TRAINING_TITLES),
            start_date=start,
            end_date=start + timedelta(days=rng.choice([0, 1, 2, 4])),
            location_pcode=rng.choice(self.areas),
            venue=rng.choice(["Base de la MONUSCO", "Salle paroissiale", "Mairie", "Centre des jeunes", "Camp FARDC"]),
            audience=rng.choice(list(vocab.AUDIENCE.codes)),
            topics=rng.sample(list(vocab.TOPIC.codes[:-1]), k=rng.choice([1, 2, 3])),
            facilitators=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (WPA)",
            participants_female=max(female, 1 if female + male == 0 else female),
            participants_male=male,
            participants_undisclosed=rng.choice([0, 0, 0, 1, 2]),
            training_of_trainers=rng.random() < 0.1,
            pre_test_avg=pre,
            post_test_avg=None if pre is None else min(100, pre + rng.randrange(5, 30)),
        )

    def providers(self) -> list[Provider]:
        rng = self.rng
        made = []
        for pcode in self.areas[:8]:
            town = DEMO_AREAS[pcode]
            for template, sectors in rng.sample(PROVIDERS, k=5):
                made.append(Provider(
                    name=template.format(town=town),
                    sectors=sectors,
                    location_pcode=pcode,
                    address=f"Avenue {rng.choice(['de la Paix', 'du Commerce', 'Kanyamuhanga', 'des Martyrs'])} "
                            f"n° {rng.randrange(1, 200)}, {town}",
                    phones=f"+243 {rng.randrange(810, 999)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
                    opening_hours=rng.choice(["Lun–Ven 8h–16h", "24h/24, 7j/7", "Lun–Sam 8h–17h"]),
                    focal_point=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, "
                                f"{rng.choice(['point focal VBG', 'coordinatrice', 'infirmier titulaire'])}",
                    free_of_charge=rng.random() < 0.85,
                    languages=rng.choice(["Français, Swahili", "Français, Swahili, Kinande", "Swahili, Lingala"]),
                    eligibility_notes=rng.choice(["", "Femmes et filles uniquement", "Enfants de moins de 18 ans"]),
                    last_verified=(self.now - timedelta(days=rng.randrange(0, 300))).date(),
                    active=rng.random() < 0.95,
                ))
        return made


def fill(session: Session, records: int, progress: Callable[[str, int, int], None] | None = None,
         batch: int = 5000, seed: int = 2026) -> dict[str, int]:
    """Fill an open vault with the DR Congo gazetteer, a directory, and `records` of each kind."""
    progress = progress or (lambda stage, done, total: None)
    data = DemoData(session.office_code, datetime.now(timezone.utc), seed)
    places_file = resources_dir() / "pcodes" / "COD_pcodes.csv"
    session.places.import_places(read_pcode_file(places_file), source=places_file.name)
    providers = data.providers()
    session.providers.bulk_create(providers, audit_action="demo_data")
    days_back = 3 * 365
    counts = {"referrals": 0, "services": 0, "alerts": 0, "trainings": 0, "providers": len(providers)}

    def batches(total: int, make: Callable[[], object]) -> Iterator[list]:
        for start in range(0, total, batch):
            yield [make() for _ in range(min(batch, total - start))]

    for chunk in batches(records, lambda: data.referral(days_back)):
        chunk.sort(key=lambda r: r.reported_at)
        session.referrals.bulk_create(chunk, check=False, audit_action="demo_data")
        linked = [service for referral in chunk for service in data.services(referral, providers)]
        session.services.bulk_create(linked, check=False, audit_action="demo_data")
        counts["referrals"] += len(chunk)
        counts["services"] += len(linked)
        progress("referrals", counts["referrals"], records)
    for chunk in batches(records, lambda: data.alert(days_back)):
        session.alerts.bulk_create(chunk, check=False, audit_action="demo_data")
        counts["alerts"] += len(chunk)
        progress("alerts", counts["alerts"], records)
    trainings = max(1, records // 10) if records else 0
    for chunk in batches(trainings, lambda: data.training(days_back)):
        session.trainings.bulk_create(chunk, check=False, audit_action="demo_data")
        counts["trainings"] += len(chunk)
        progress("trainings", counts["trainings"], trainings)
    from fieldapp.demo_mara import fill_mara  # MARA demo data (docs/DESIGN.md 2.5-2.6)

    counts.update(fill_mara(session, records // 3, data.now.date()))
    return counts


def create_demo_vault(path: Path, records: int, passphrase: str = DEMO_PASSPHRASE,
                      progress: Callable[[str, int, int], None] | None = None) -> tuple[Session, str, dict]:
    session, recovery_key = Vault.create(path, "Bureau de Beni (démo)", "BNI", DEMO_USER, passphrase)
    try:
        counts = fill(session, records, progress)
    except BaseException:
        session.close()
        raise
    return session, recovery_key, counts
