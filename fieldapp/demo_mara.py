"""Demo MARA data (docs/DESIGN.md 2.5, 2.6): parties to conflict of eastern DR Congo, incidents spread
over two years in every verification state, a few commitments with items, and links to some of
the demo referrals and alerts. Counts only, never a name of a victim.

Free texts (actions taken, commitments and their items, evidence) are in French, like the rest of
the demo (fieldapp/demo.py): the demo office is in Beni, and its advisers write in French.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from fieldapp.domain import mara
from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, IncidentLink, Party
from fieldapp.core.changes import ListQuery

# (name, short name, type, year first listed in the annex of the Secretary-General's CRSV report, or
# None where we are not sure of it, areas where the demo places its incidents).
PARTIES = [
    ("Forces armées de la République démocratique du Congo", "FARDC", "state_armed_forces", 2012,
     ["CD6109", "CD6111", "CD6103", "CD5405", "CD6208"]),
    ("Police nationale congolaise", "PNC", "state_police", 2012, ["CD6101", "CD5401", "CD6201"]),
    ("Mouvement du 23 mars / Armée révolutionnaire congolaise", "M23/ARC", "non_state_armed_group", None,
     ["CD6111", "CD6103", "CD6101"]),
    ("Allied Democratic Forces", "ADF", "non_state_armed_group", None, ["CD6109", "CD5402", "CD6110"]),
    ("Coopérative pour le développement du Congo", "CODECO", "non_state_armed_group", None, ["CD5405", "CD5401"]),
    ("Forces démocratiques de libération du Rwanda", "FDLR", "non_state_armed_group", 2012, ["CD6111", "CD6105"]),
    ("Nyatura", "Nyatura", "non_state_armed_group", None, ["CD6103", "CD6111"]),
    ("Maï-Maï Mazembe", "MM Mazembe", "non_state_armed_group", None, ["CD6105", "CD6110"]),
    ("Raia Mutomboki", "Raia Mutomboki", "non_state_armed_group", None, ["CD6201", "CD7402"]),
]
LOCALITIES = {
    "CD6109": ["Mavivi", "Oicha", "Eringeti", "Mbau", "Kamango"], "CD6110": ["Kalunguta", "Mabalako"],
    "CD6101": ["Munigi", "Kanyaruchinya"], "CD6105": ["Kirumba", "Kayna"], "CD6111": ["Kiwanja", "Rugari", "Bunagana"],
    "CD6103": ["Sake", "Kitchanga", "Nyabiondo"], "CD5401": ["Bunia", "Mudzipela"], "CD5405": ["Djugu", "Fataki", "Largu"],
    "CD5402": ["Komanda", "Route de Mambasa"], "CD6201": ["Kabare", "Kalehe"], "CD6208": ["Sange", "Kiliba"],
    "CD7402": ["Nyemba"],
}
VIOLATIONS = [("rape", 45), ("gang_rape", 20), ("attempted_rape", 8), ("sexual_slavery", 6), ("forced_marriage", 5),
              ("forced_nudity", 4), ("sexual_torture", 4), ("sexual_mutilation", 2), ("forced_prostitution", 2),
              ("trafficking_sexual_exploitation", 2), ("other_comparable_gravity", 2)]
CONTEXTS = [("attack_on_locality", 25), ("fields_market_road", 30), ("abduction", 12), ("house_search", 10),
            ("checkpoint", 8), ("displacement_site", 8), ("detention", 4), ("military_operation", 3)]
SOURCES = [("survivor", 30), ("health_provider", 25), ("witness", 12), ("community_focal_point", 12),
           ("psychosocial_provider", 8), ("local_authority", 5), ("ngo", 5), ("un_military", 3)]
ACTIONS = ["Survivantes référées au centre de santé dans les 72 heures", "Mission de vérification avec l'équipe "
           "conjointe de protection", "Cas soulevé auprès du commandant de brigade",
           "Alerte partagée avec la base de la mission et le JOC", "Survivantes orientées vers le soutien psychosocial",
           "Cas présenté au cluster protection provincial"]
COMMITMENTS = [
    ("FARDC", "joint_communique", "Communiqué conjoint du Gouvernement et des Nations Unies sur la lutte contre "
     "les violences sexuelles en conflit", date(2013, 3, 30), [
         ("Nommer un conseiller présidentiel chargé des violences sexuelles et du recrutement d'enfants",
          "achieved", -900),
         ("Poursuivre les commandants des unités impliquées dans des viols massifs", "in_progress", -200),
         ("Donner aux survivantes accès à des réparations", "not_started", -60)]),
    ("FARDC", "action_plan", "Plan d'action des FARDC contre les violences sexuelles", date(2014, 8, 4), [
        ("Signer dans chaque région militaire des ordres de commandement interdisant les violences sexuelles",
         "achieved", -700),
        ("Former les commandants des secteurs opérationnels de Beni et de Rutshuru", "in_progress", 45),
        ("Publier la liste des officiers suspendus dans l'attente d'une enquête", "not_achieved", -120),
        ("Vérifier les antécédents des officiers avant toute promotion", "in_progress", -20)]),
    ("PNC", "action_plan", "Plan d'action de la PNC contre les violences sexuelles", date(2019, 11, 25), [
        ("Créer dans chaque province des unités spéciales de protection de la femme et de l'enfant",
         "in_progress", 120),
        ("Enregistrer et suivre chaque plainte pour violences sexuelles", "not_started", -10)]),
    ("MM Mazembe", "unilateral_communique", "Communiqué unilatéral d'engagement à mettre fin aux violences "
     "sexuelles", date(2024, 6, 12), [
        ("Transmettre à chaque commandant un ordre interdisant les violences sexuelles", "achieved", -400),
        ("Remettre les auteurs présumés à la justice militaire", "not_started", -30)]),
]
# Weighted verification outcomes of incidents older than 30 days; newer ones are mostly still reported.
OUTCOMES = [("verified", 50), ("not_verifiable", 14), ("unfounded", 6), ("under_verification", 15), ("reported", 15)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]], k: int = 1) -> list[str]:
    codes, weights = zip(*weighted)
    chosen: list[str] = []
    while len(chosen) < k:
        code = rng.choices(codes, weights=weights, k=1)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def fill_mara(session, incidents: int, today: date, seed: int = 1960) -> dict[str, int]:
    """Add the demo parties, `incidents` incidents over two years, commitments and a few links."""
    rng = random.Random(seed)
    parties = [Party(name=name, short_name=short, party_type=kind, listed_since=listed)
               for name, short, kind, listed, _areas in PARTIES]
    session.parties.bulk_create(parties, audit_action="demo_data")
    by_short = {party.short_name: party for party in parties}
    areas = [(party, where) for party, (*_rest, where) in zip(parties, PARTIES)]
    records, sequence = [], {}
    for _ in range(incidents):
        days_back = int(rng.triangular(0, 730, 60))
        occurred = today - timedelta(days=days_back)
        learned = min(today, occurred + timedelta(days=int(rng.expovariate(1 / 6))))
        party, where = rng.choices(areas, weights=[18, 6, 14, 16, 12, 6, 6, 5, 5], k=1)[0]
        pcode = rng.choice(where)
        suspects = [party.id] if rng.random() > 0.15 else [mara.UNIDENTIFIED]
        if rng.random() < 0.08:
            other = rng.choice(parties)
            if other.id not in suspects:
                suspects.append(other.id)
        precision = "exact" if rng.random() < 0.8 else ("approximate" if rng.random() < 0.8 else "unknown")
        year = (occurred if precision != "unknown" else learned).year
        sequence[year] = sequence.get(year, 0) + 1
        group = rng.random()
        counts = dict(victims_women=1 + int(rng.expovariate(0.8)) if group < 0.7 else 0,
                      victims_girls=1 + int(rng.expovariate(1.2)) if group >= 0.55 else 0,
                      victims_men=1 if rng.random() < 0.05 else 0, victims_boys=1 if rng.random() < 0.03 else 0,
                      victims_unknown=int(rng.random() < 0.08))
        incident = Incident(
            incident_code=f"{session.office_code}-I-{year}-{sequence[year]:04d}",
            occurred_on=None if precision == "unknown" else occurred, occurred_precision=precision,
            occurred_until=occurred + timedelta(days=rng.randrange(20, 120)) if rng.random() < 0.04 and precision != "unknown" else None,
            learned_on=learned, location_pcode=pcode, locality=rng.choice(LOCALITIES[pcode]),
            violation_types=_pick(rng, VIOLATIONS, 1 + int(rng.random() < 0.25)),
            contexts=_pick(rng, CONTEXTS, 1), perpetrator_parties=suspects,
            perpetrator_count=rng.choice([None, 2, 3, 4, 6, 10]), sources=_pick(rng, SOURCES, 1 + int(rng.random() < 0.4)),
            actions_taken=rng.choice(ACTIONS), **counts)
        if rng.random() < 0.05:
            incident.share_with_mara = False
            incident.share_reason = "Les survivantes ont demandé que rien ne sorte du bureau"
        outcome = "reported" if days_back < 10 else _pick(rng, OUTCOMES)[0] if days_back > 30 else rng.choice(
            ["reported", "under_verification"])
        moment = datetime.combine(learned, time(9), tzinfo=timezone.utc)
        if outcome != "reported":
            on = min(today, learned + timedelta(days=rng.randrange(1, 10)))
            mara.change_verification(incident, "under_verification", on=on, by="demo", at=moment)
            if outcome != "under_verification":
                mara.change_verification(incident, outcome, on=min(today, on + timedelta(days=rng.randrange(3, 40))),
                                         by="demo", at=moment)
        if sum(getattr(incident, name) for name in mara.VICTIM_FIELDS) == 0:
            incident.victims_women = 1
        records.append(incident)
    records.sort(key=lambda i: i.learned_on)
    session.incidents.bulk_create(records, audit_action="demo_data")
    links = _links(session, rng, records)
    session.incidents.add_links(links)
    items_count = 0
    for short, kind, title, signed, promised in COMMITMENTS:
        commitment = Commitment(party_id=by_short[short].id, kind=kind, title=title, signed_on=signed)
        items = [CommitmentItem(description=text, status=status, due_on=today + timedelta(days=due),
                                reviewed_on=today - timedelta(days=rng.randrange(5, 90)),
                                evidence="Vérifié avec la section d'appui à la justice de la mission" if status == "achieved" else "")
                 for text, status, due in promised]
        session.commitments.save(commitment, items)
        items_count += len(items)
    return {"parties": len(parties), "incidents": len(records), "commitments": len(COMMITMENTS),
            "commitment_items": items_count, "incident_links": len(links)}


def _links(session, rng: random.Random, records: list[Incident]) -> list[tuple[str, IncidentLink]]:
    """Some CRSV referrals and sexual-violence alerts, linked to incidents of the same area."""
    links = []
    by_area: dict[str, list[Incident]] = {}
    for incident in records:
        by_area.setdefault(incident.location_pcode, []).append(incident)
    referrals = session.referrals.list(ListQuery(filters={"crsv": True, "incident_type": "rape"}, limit=40))
    alerts = session.alerts.list(ListQuery(filters={"threat_type": "sexual_violence"}, limit=40))
    for kind, found in (("referral", referrals), ("alert", alerts)):
        for record in found:
            candidates = by_area.get(record.location_pcode)
            if candidates and rng.random() < 0.6:
                links.append((rng.choice(candidates).id, IncidentLink(kind, record.id)))
    return links
