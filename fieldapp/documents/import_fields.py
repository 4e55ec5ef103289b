"""What a spreadsheet import understands: for each record kind, one declaration of its fields
(English title as in our exports, its French translation, common spellings, HXL hashtag), and
the matching of headers and cell values to fields and vocabulary codes.

A value is matched only through a code, an English or French label or a listed spelling, after
folding case, accents and punctuation; anything else is reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from fieldapp.documents.export_columns import COLUMNS as EXPORT_COLUMNS
from fieldapp.domain import mara, vocab
from fieldapp.domain.records import Alert, Provider, Referral, Training
from fieldapp.domain.vocab import Vocabulary
from fieldapp.i18n import N_, translate_in


def fold(text: str) -> str:
    """Text reduced for matching: no accents, no case, inclusive "·e" dropped, punctuation as spaces."""
    text = re.sub(r"[·.]e(s?)\b", r"\1", str(text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("œ", "oe").replace("’", "'")
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", text).split())


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, date, datetime, int, float, bool, code, codes, pcode, id, parties
    title: str  # msgid: the header of our own exports, matched in English and French
    aliases: tuple[str, ...] = ()  # other headers met in offices' spreadsheets (any language)
    vocabulary: Vocabulary | None = None
    required: bool = False

    def label(self, language: str) -> str:
        return translate_in(language, self.title)


@dataclass(frozen=True)
class ImportKind:
    """One record kind an import can create: a small declaration, the engine does the rest."""

    name: str            # "providers"
    title: str           # msgid shown in the wizard
    record: type
    export: str          # the export whose headers and HXL tags these fields share
    fields: tuple[Field, ...]
    key_aliases: tuple[str, ...] = ()  # headers of a source id column (Kobo's _uuid…)
    natural_key: str | None = None  # a field unique in the vault that names a row at its source

    @property
    def by_name(self) -> dict[str, Field]:
        return {item.name: item for item in self.fields}


def _f(name, kind, title, *aliases, vocabulary=None, required=False) -> Field:
    return Field(name, kind, title, tuple(aliases), vocabulary, required)


def _location(*aliases) -> Field:
    return _f("location_pcode", "pcode", N_("Location P-code"), "pcode", "p code", "code p", "location",
              "lieu", "localisation", "location pcode", "admin2pcode", "adm2 pcode", "zone", *aliases)


ID = _f("id", "id", N_("Record id"), "id", "uuid", "identifiant")

PROVIDERS = ImportKind("providers", N_("Directory (providers)"), Provider, "directory", (
    ID,
    _f("name", "text", N_("Name"), "nom", "provider", "prestataire", "structure", "nom de la structure",
       "organisation", "organization", "organisme", "service provider", required=True),
    _f("sectors", "codes", N_("Sectors"), "sector", "secteur", "secteurs", "type de service", "services",
       "service type", vocabulary=vocab.SECTOR, required=True),
    _location("territoire", "zone de sante"),
    _f("address", "text", N_("Address"), "adresse"),
    _f("phones", "text", N_("Phones"), "phone", "telephone", "telephones", "tel", "contact telephonique",
       "numero", "numeros"),
    _f("opening_hours", "text", N_("Opening hours"), "horaires", "heures d ouverture", "hours", "horaire"),
    _f("focal_point", "text", N_("Focal point"), "point focal", "contact", "personne de contact"),
    _f("free_of_charge", "bool", N_("Free of charge"), "gratuit", "gratuite", "free", "service gratuit"),
    _f("languages", "text", N_("Languages"), "langues", "langue", "language"),
    _f("eligibility_notes", "text", N_("Eligibility"), "eligibilite", "criteres", "conditions"),
    _f("last_verified", "date", N_("Last verified"), "derniere verification", "verifie le", "date de verification",
       "mis a jour le"),
    _f("active", "bool", N_("Active"), "actif", "active", "en activite", "fonctionnel"),
))

ALERTS = ImportKind("alerts", N_("Community alerts"), Alert, "alerts", (
    ID,
    _f("received_at", "datetime", N_("Received"), "received at", "date de reception", "recu le", "date et heure",
       "date heure", "date", "date de l alerte", "date alerte", "date reception",
       "date et heure de reception de l alerte", "date et heure de reception", required=True),
    _f("channel", "code", N_("Channel"), "canal", "moyen", vocabulary=vocab.CHANNEL),
    _f("source_category", "code", N_("Source category"), "source", "categorie de source", "categorie source", "type de source",
       vocabulary=vocab.SOURCE_CATEGORY),
    _f("source_code", "text", N_("Source code"), "code source", "code du relais", "code relais", "focal point code"),
    _location(),
    _f("locality", "text", N_("Locality"), "localite", "village", "quartier"),
    _f("threat_types", "codes", N_("Threat types"), "threat type", "type de menace", "types de menace",
       "menaces", "menace", "types menace", "type menace", vocabulary=vocab.THREAT_TYPE, required=True),
    _f("crsv_related", "bool", N_("Related to sexual violence"), "crsv", "vslc", "violences sexuelles",
       "lie aux violences sexuelles"),
    _f("severity", "code", N_("Severity"), "gravite", "niveau", "niveau de gravite", vocabulary=vocab.SEVERITY),
    _f("verification", "code", N_("Verification"), "verifiee", "statut de verification",
       vocabulary=vocab.VERIFICATION),
    _f("forwarded_to", "codes", N_("Forwarded to"), "transmise a", "transmis a", "partagee avec",
       vocabulary=vocab.FORWARDED_TO),
    _f("forwarded_at", "datetime", N_("Forwarded"), "transmise le", "date de transmission", "forwarded at"),
    _f("responded_at", "datetime", N_("Response reached the site"), "responded at", "date de reponse",
       "reponse sur le site"),
    _f("status", "code", N_("Status"), "statut", "etat", vocabulary=vocab.ALERT_STATUS),
    _f("description", "text", N_("Description"), "description de l alerte", "resume", "faits"),
    _f("response", "text", N_("Response"), "reponse", "action menee", "actions menees", "action taken"),
), key_aliases=("_uuid", "meta instanceid", "instanceid"))

TRAININGS = ImportKind("trainings", N_("Trainings"), Training, "trainings", (
    ID,
    _f("title", "text", N_("Title"), "titre", "intitule", "formation", "theme", "session", required=True),
    _f("start_date", "date", N_("Start date"), "date de debut", "debut", "du", "date", required=True),
    _f("end_date", "date", N_("End date"), "date de fin", "fin", "au"),
    _location(),
    _f("venue", "text", N_("Venue"), "lieu de la formation", "salle", "endroit"),
    _f("audience", "code", N_("Audience"), "public", "public cible", "participants cibles", "cible",
       vocabulary=vocab.AUDIENCE),
    _f("topics", "codes", N_("Topics"), "topic", "themes", "sujets", "modules", vocabulary=vocab.TOPIC),
    _f("facilitators", "text", N_("Facilitators"), "facilitateurs", "formateurs", "facilitateur"),
    _f("participants_female", "int", N_("Women"), "female", "f", "femmes", "participants women", "nombre de femmes",
       "participantes"),
    _f("participants_male", "int", N_("Men"), "male", "m", "h", "hommes", "nombre d hommes"),
    _f("participants_undisclosed", "int", N_("Sex not given"), "non precise", "sexe non precise", "autres"),
    _f("training_of_trainers", "bool", N_("Training of trainers"), "tot", "formation de formateurs"),
    _f("pre_test_avg", "float", N_("Pre-test average"), "pre test", "pre-test", "moyenne pre test"),
    _f("post_test_avg", "float", N_("Post-test average"), "post test", "post-test", "moyenne post test"),
    _f("notes", "text", N_("Notes"), "remarques", "observations", "commentaires"),
))

REFERRALS = ImportKind("referrals", N_("Referrals"), Referral, "referrals", (
    ID,
    _f("survivor_code", "text", N_("Survivor code"), "code", "code survivante", "code de la survivante",
       "code survivant", "survivor id", "code du cas", "case code"),
    _f("reported_at", "datetime", N_("Date of report"), "date du signalement", "date de l entretien",
       "date of interview", "reported at", "date de rapportage", required=True),
    _f("incident_date", "date", N_("Date of incident"), "date de l incident", "incident date"),
    _f("incident_date_precision", "code", N_("Incident date precision"), "precision de la date",
       vocabulary=vocab.DATE_PRECISION),
    _f("incident_type", "code", N_("Incident type"), "type d incident", "type de vbg", "gbv type", "type",
       vocabulary=vocab.INCIDENT_TYPE, required=True),
    _f("crsv", "bool", N_("Conflict-related sexual violence"), "vslc", "crsv", "lie au conflit"),
    _f("sex", "code", N_("Sex"), "sexe", vocabulary=vocab.SEX),
    _f("age_group", "code", N_("Age group"), "tranche d age", "groupe d age", "age", vocabulary=vocab.AGE_GROUP),
    _f("displacement", "code", N_("Displacement status"), "statut de deplacement", "deplacement",
       vocabulary=vocab.DISPLACEMENT),
    _f("disability", "code", N_("Disability"), "handicap", "situation de handicap", "person with disability",
       vocabulary=vocab.YES_NO_UNKNOWN),
    _f("perpetrator_category", "code", N_("Perpetrator category"), "auteur", "categorie d auteur",
       "categorie de l auteur", "type d auteur", vocabulary=vocab.PERPETRATOR_CATEGORY),
    _f("perpetrator_count", "int", N_("Number of perpetrators"), "nombre d auteurs", "nb auteurs"),
    _location(),
    _f("entry_point", "code", N_("Entry point"), "point d entree", "reference par", "referred from",
       vocabulary=vocab.ENTRY_POINT),
    _f("consent_referral", "bool", N_("Consent to referral"), "consentement au referencement",
       "consentement referencement"),
    _f("consent_reporting", "bool", N_("Consent to reporting"), "consentement au partage",
       "consentement aux statistiques", "consent given", "consentement donne"),
    _f("consent_by", "code", N_("Consent given by"), "consentement donne par", vocabulary=vocab.CONSENT_BY),
    _f("consent_at", "date", N_("Date of consent"), "date du consentement"),
    _f("status", "code", N_("Status"), "statut", "etat", vocabulary=vocab.REFERRAL_STATUS),
))

# MARA incidents (docs/DESIGN.md 2.5): counts of victims, never names; the suspected parties are
# matched by their name or short name ("unidentified" / « non identifié » for none known).
INCIDENTS = ImportKind("incidents", N_("Incidents (MARA)"), mara.Incident, "incidents", (
    ID,
    _f("incident_code", "text", N_("Incident code"), "code incident", "code de l incident", "numero d incident",
       "incident id", "reference"),
    _f("occurred_on", "date", N_("Occurred on"), "date de l incident", "date des faits", "date of incident",
       "incident date", "date of violation", "date de la violation"),
    _f("occurred_precision", "code", N_("Date precision"), "precision de la date", "precision",
       vocabulary=vocab.DATE_PRECISION),
    _f("occurred_until", "date", N_("Until (prolonged)"), "jusqu au", "date de fin", "end date", "until"),
    _f("learned_on", "date", N_("Office learned on"), "date de connaissance", "connu le", "date of knowledge",
       "date reported", "date du signalement", "signale le", required=True),
    _location("territoire", "zone de sante"),
    _f("locality", "text", N_("Locality"), "localite", "village", "quartier"),
    _f("violation_types", "codes", N_("Violations"), "violation", "type de violation", "types de violation",
       "violation type", "type of violation", vocabulary=mara.VIOLATION_TYPE, required=True),
    _f("contexts", "codes", N_("Context"), "contexte", "contexts", "circonstances", vocabulary=mara.INCIDENT_CONTEXT),
    _f("victims_girls", "int", N_("Girls"), "filles", "girls", "victimes filles", "nombre de filles"),
    _f("victims_boys", "int", N_("Boys"), "garcons", "boys", "victimes garcons", "nombre de garcons"),
    _f("victims_women", "int", N_("Women"), "femmes", "women", "victimes femmes", "nombre de femmes"),
    _f("victims_men", "int", N_("Men"), "hommes", "men", "victimes hommes", "nombre d hommes"),
    _f("victims_unknown", "int", N_("Sex or age unknown"), "inconnu", "sexe ou age inconnu", "unknown"),
    _f("perpetrator_parties", "parties", N_("Perpetrator parties"), "auteurs", "auteurs presumes", "auteur presume",
       "parties", "partie", "perpetrators", "alleged perpetrators", "perpetrator", "groupe arme", required=True),
    _f("perpetrator_count", "int", N_("Number of perpetrators"), "nombre d auteurs", "nb auteurs"),
    _f("sources", "codes", N_("Sources"), "source", "source de l information", "sources d information",
       vocabulary=mara.INCIDENT_SOURCE, required=True),
    _f("verification", "code", N_("Verification"), "statut de verification", "verifie", "verification status",
       vocabulary=mara.INCIDENT_VERIFICATION),
    _f("actions_taken", "text", N_("Actions taken"), "mesures prises", "actions menees", "actions", "suivi"),
), natural_key="incident_code")

KINDS: dict[str, ImportKind] = {kind.name: kind for kind in (PROVIDERS, ALERTS, TRAININGS, REFERRALS, INCIDENTS)}

# Common spellings of vocabulary values, beyond the codes and the English and French labels.
SPELLINGS: dict[str, dict[str, str]] = {
    "sex": {"f": "female", "fem": "female", "femme": "female", "feminin": "female", "woman": "female",
            "femelle": "female", "m": "male", "h": "male", "homme": "male", "masculin": "male", "man": "male",
            "non communique": "undisclosed", "nc": "undisclosed", "prefer not to say": "undisclosed"},
    "age_group": {"0 11": "0-11", "0 11 ans": "0-11", "12 17": "12-17", "12 17 ans": "12-17",
                  "18 59": "18-59", "18 59 ans": "18-59", "60+": "60+", "60 +": "60+", "60 et plus": "60+",
                  "60 ans et plus": "60+", "60 ans +": "60+", "inconnu": "unknown", "nsp": "unknown"},
    "yes_no_unknown": {"oui": "yes", "o": "yes", "y": "yes", "1": "yes", "true": "yes", "vrai": "yes",
                       "non": "no", "n": "no", "0": "no", "false": "no", "faux": "no",
                       "inconnu": "unknown", "ne sait pas": "unknown", "nsp": "unknown"},
    "displacement": {"deplace": "idp", "deplace interne": "idp", "deplacee": "idp", "pdi": "idp", "idp": "idp",
                     "refugie": "refugee", "refugiee": "refugee", "retourne": "returnee", "retournee": "returnee",
                     "resident": "resident", "residente": "resident", "communaute hote": "resident"},
    "severity": {"faible": "low", "bas": "low", "basse": "low", "moyen": "medium", "moyenne": "medium",
                 "eleve": "high", "elevee": "high", "haute": "high", "haut": "high", "critique": "critical",
                 "tres elevee": "critical", "urgent": "critical"},
    "channel": {"appel": "phone_call", "telephone": "phone_call", "appel telephonique": "phone_call",
                "phone": "phone_call", "sms": "sms_or_beep", "bip": "sms_or_beep", "beep": "sms_or_beep",
                "radio": "radio", "hf": "radio", "vhf": "radio", "numero vert": "hotline", "ligne verte": "hotline",
                "en personne": "in_person", "visite": "in_person", "autre": "other"},
    "sector": {"sante": "health", "medical": "health", "medicale": "health", "prise en charge medicale": "health",
               "psychosocial": "psychosocial", "pss": "psychosocial", "psy": "psychosocial",
               "securite": "safety", "protection": "safety", "juridique": "legal", "judiciaire": "legal",
               "legal": "legal", "hebergement": "shelter", "abri": "shelter", "maison d ecoute": "shelter",
               "reinsertion": "livelihoods", "reinsertion socio economique": "livelihoods",
               "moyens de subsistance": "livelihoods", "aes": "livelihoods",
               "protection de l enfance": "child_protection", "autre": "other"},
    "threat_type": {"hommes armes": "armed_presence", "presence armee": "armed_presence",
                    "attaque armee": "attack", "incursion": "attack", "kidnapping": "abduction",
                    "enlevement": "abduction", "viol": "sexual_violence", "vbg": "sexual_violence",
                    "vs": "sexual_violence", "meurtre": "killing_or_threat_to_life", "menace de mort":
                    "killing_or_threat_to_life", "pillage": "looting", "vol": "looting",
                    "deplacement": "displacement", "conflit intercommunautaire": "intercommunal_tension",
                    "autre": "other"},
    "source_category": {"relais": "community_focal_point", "comite local protection": "local_protection_committee",
                        "clp": "local_protection_committee", "autorites locales": "local_authority",
                        "chef de village": "local_authority", "osc": "civil_society",
                        "association feminine": "women_association", "leader religieux":
                        "religious_or_traditional_leader", "chef coutumier": "religious_or_traditional_leader",
                        "anonyme": "anonymous", "autre": "other"},
    "alert_status": {"ouverte": "open", "ouvert": "open", "en cours": "open", "traitee": "responded",
                     "cloturee": "closed", "fermee": "closed", "close": "closed"},
    "violation_type": {"viol": "rape", "viol collectif": "gang_rape", "viols collectifs": "gang_rape",
                       "tentative de viol": "attempted_rape", "esclavage sexuel": "sexual_slavery",
                       "prostitution forcee": "forced_prostitution", "grossesse forcee": "forced_pregnancy",
                       "avortement force": "forced_abortion", "sterilisation forcee": "enforced_sterilization",
                       "mariage force": "forced_marriage", "mutilation sexuelle": "sexual_mutilation",
                       "mutilations sexuelles": "sexual_mutilation", "torture sexuelle": "sexual_torture",
                       "nudite forcee": "forced_nudity", "traite": "trafficking_sexual_exploitation"},
    "incident_verification": {"signale": "reported", "non verifie": "reported", "en cours de verification":
                              "under_verification", "en cours": "under_verification", "verifie": "verified",
                              "verifiee": "verified", "non verifiable": "not_verifiable", "infonde": "unfounded",
                              "non fonde": "unfounded"},
    "incident_source": {"survivante": "survivor", "survivant": "survivor", "victime": "survivor", "temoin": "witness",
                        "structure sanitaire": "health_provider", "centre de sante": "health_provider",
                        "hopital": "health_provider", "relais": "community_focal_point", "ran": "community_focal_point",
                        "autorites locales": "local_authority", "ong": "ngo", "osc": "civil_society",
                        "societe civile": "civil_society", "medias": "media", "radio": "media", "autre": "other"},
    "incident_context": {"attaque": "attack_on_locality", "attaque d un village": "attack_on_locality",
                         "enlevement": "abduction", "barriere": "checkpoint", "barrage": "checkpoint",
                         "site de deplaces": "displacement_site", "champs": "fields_market_road",
                         "marche": "fields_market_road", "route": "fields_market_road",
                         "fouille": "house_search", "operation militaire": "military_operation", "autre": "other"},
    "incident_date_precision": {"exacte": "exact", "approximative": "approximate", "approx": "approximate",
                                "environ": "approximate", "inconnue": "unknown", "inconnu": "unknown"},
    "referral_status": {"ouvert": "open", "en cours": "open", "cloture": "closed", "ferme": "closed"},
    "verification": {"non verifiee": "unverified", "non verifie": "unverified", "verifiee": "verified",
                     "verifie": "verified", "fausse alerte": "false_alarm", "faux": "false_alarm"},
    "incident_type": {"viol": "rape", "agression sexuelle": "sexual_assault", "agression physique":
                      "physical_assault", "mariage force": "forced_marriage", "mariage precoce": "forced_marriage",
                      "deni de ressources": "denial_of_resources", "deni de ressources d opportunites ou de services":
                      "denial_of_resources", "violence psychologique": "psychological_abuse",
                      "violence emotionnelle": "psychological_abuse", "non vbg": "non_gbv"},
    "perpetrator_category": {"fardc": "state_armed_forces", "militaire": "state_armed_forces",
                             "militaires": "state_armed_forces", "pnc": "state_police", "policier": "state_police",
                             "groupe arme": "non_state_armed_group", "ganga": "non_state_armed_group",
                             "hommes armes non identifies": "unidentified_armed_men", "civil": "civilian_unknown",
                             "inconnu": "unknown"},
    "entry_point": {"elle meme": "self", "auto referencement": "self", "self referral": "self",
                    "ran": "can", "can": "can", "relais": "community_focal_point", "structure sanitaire":
                    "health_facility", "centre de sante": "health_facility", "hopital": "health_facility",
                    "ong": "ngo", "casques bleus": "peacekeepers", "monusco": "peacekeepers", "autre": "other"},
    "consent_by": {"survivante": "survivor", "survivant": "survivor", "elle meme": "survivor",
                   "parent": "caregiver", "tuteur": "caregiver", "tutrice": "caregiver", "pourvoyeur de soins":
                   "caregiver"},
    "audience": {"fardc": "national_army", "armee": "national_army", "pnc": "national_police", "police":
                 "national_police", "unpol": "un_police", "contingents": "military_peacekeepers",
                 "casques bleus": "military_peacekeepers", "societe civile": "civil_society",
                 "leaders communautaires": "traditional_religious_leaders", "relais": "can_members",
                 "membres du ran": "can_members", "journalistes": "media", "autre": "other"},
    "topic": {"vslc": "crsv_prevention", "prevention des vslc": "crsv_prevention", "referencement":
              "referral_pathways", "circuit de referencement": "referral_pathways", "dih": "ihl",
              "droits de l homme": "human_rights", "dh": "human_rights", "eas": "sea_prevention",
              "pseas": "sea_prevention", "1325": "wps_1325", "fps": "wps_1325", "autre": "other"},
    "forwarded_to": {"base": "mission_base", "joc": "mission_base", "base de la mission": "mission_base",
                     "fardc": "national_army", "armee": "national_army", "pnc": "national_police",
                     "police": "national_police", "autorites locales": "local_authorities",
                     "humanitaires": "humanitarian_partners", "partenaires humanitaires": "humanitarian_partners"},
}
BOOLEANS = {"yes": True, "oui": True, "o": True, "y": True, "1": True, "true": True, "vrai": True, "x": True,
            "no": False, "non": False, "n": False, "0": False, "false": False, "faux": False}


@lru_cache(maxsize=None)
def value_index(vocabulary: Vocabulary) -> dict[str, str]:
    """Folded spelling -> code, for one vocabulary: codes, English and French labels, spellings."""
    index: dict[str, str] = {}
    for code in vocabulary.codes:
        for text in (code, code.replace("_", " "), vocabulary.label_in("en", code), vocabulary.label_in("fr", code)):
            index.setdefault(fold(text), code)
            # A French inclusive label ("déplacé·e interne") also matches its feminine spelling.
            if "·" in text:
                index.setdefault(fold(text.replace("·", "")), code)
    for spelling, code in SPELLINGS.get(vocabulary.name, {}).items():
        if code in vocabulary:
            index.setdefault(fold(spelling), code)
    return index


def match_code(vocabulary: Vocabulary, text: str, extra: dict[str, str] | None = None) -> str | None:
    """The code a cell names, or None. `extra` is the user's own mapping of raw values."""
    if extra and text in extra:
        return extra[text]
    folded = fold(text)
    if extra:
        for raw, code in extra.items():
            if fold(raw) == folded:
                return code
    return value_index(vocabulary).get(folded)


SPLIT = re.compile(r"\s*[;,|\n]\s*")


def split_codes(text: str) -> list[str]:
    """Several values in one cell: "a; b", "a, b", "a | b", or Kobo's space-separated codes."""
    parts = [part for part in SPLIT.split(text) if part]
    return parts


@lru_cache(maxsize=None)
def header_index(kind: ImportKind) -> dict[str, str]:
    """Folded header -> field name: English title, French title, field name, spellings."""
    index: dict[str, str] = {}
    for item in kind.fields:
        for text in (item.title, translate_in("fr", item.title), item.name, item.name.replace("_", " "), *item.aliases):
            index.setdefault(fold(text), item.name)
    return index


# Tags our exports wrote before they used HXL core attributes: files made then still import.
FORMER_HXL = {"#date+occurred": ("#date+incident",), "#date+reported": ("#date+received",),
              "#meta+verification+code": ("#status+verification+code",),
              "#group+audience+code": ("#targeted+audience+code",)}


@lru_cache(maxsize=None)
def hxl_index(kind: ImportKind) -> dict[tuple[str, frozenset], str]:
    """HXL tag (hashtag, attributes) -> field name, from the tags our own exports write."""
    titles = {item.title: item.name for item in kind.fields}
    index = {}
    for column in EXPORT_COLUMNS[kind.export]:
        name = titles.get(column.title)
        if name:
            index[parse_hxl(column.hxl)] = name
            for former in FORMER_HXL.get(column.hxl, ()):
                index.setdefault(parse_hxl(former), name)
    return index


def parse_hxl(text: str) -> tuple[str, frozenset]:
    parts = [part.strip().lower() for part in str(text).replace(" ", "").split("+")]
    return parts[0], frozenset(part for part in parts[1:] if part)


def is_hxl_row(cells: list[str]) -> bool:
    filled = [cell for cell in cells if cell]
    return bool(filled) and sum(1 for cell in filled if cell.startswith("#")) >= max(1, len(filled) * 0.5)


def match_header(kind: ImportKind, label: str) -> str | None:
    """The field a header names: the whole header, then a Kobo group path's last part
    ("alerte/canal"), then each part of a bilingual or merged header ("Participants / Women")."""
    index = header_index(kind)
    label = str(label).strip()
    if not label:
        return None
    found = index.get(fold(label))
    if found:
        return found
    if "/" in label:
        parts = [part for part in re.split(r"\s*/\s*", label) if part]
        for part in reversed(parts):
            found = index.get(fold(part))
            if found:
                return found
    return None


# -- cell values -------------------------------------------------------------------------------
class ValueProblem(ValueError):
    """A cell that cannot become the field's value; the message says why."""


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d", "%d-%b-%Y", "%d %b %Y")
MONTH_FIRST = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%Y/%m/%d", "%d-%b-%Y", "%d %b %Y")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value, day_first: bool = True) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20_000 < value < 80_000:  # an Excel serial day number
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    if "T" in text or (" " in text and ":" in text):
        return parse_datetime(text, day_first).date()
    for fmt in DATE_FORMATS if day_first else MONTH_FIRST:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(N_("not a date (use YYYY-MM-DD or DD/MM/YYYY)"))


def parse_datetime(value, day_first: bool = True) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        moment = None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S") if day_first else ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            day = parse_date(value, day_first)
            moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a time without offset is this laptop's local time
    return moment


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise ValueProblem(N_("not a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueProblem(N_("not a whole number")) from None
    if not number.is_integer():
        raise ValueProblem(N_("not a whole number"))
    return int(number)


def parse_float(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").rstrip("%")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueProblem(N_("not a number")) from None


def parse_bool(value, extra: dict[str, str] | None = None) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if extra and text in extra:
        return extra[text] == "yes"
    folded = fold(text)
    if folded in BOOLEANS:
        return BOOLEANS[folded]
    raise ValueProblem(N_("not yes or no"))


@dataclass
class Mapping:
    """What a person decided in the wizard, saved to reuse from the command line."""

    kind: str
    sheet: str | None = None
    header_row: int | None = None          # line of the header (1-based); found by itself when None
    columns: dict[str, str] = field(default_factory=dict)   # header label -> field name ("" = ignore)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> raw value -> code
    key_column: str | None = None          # header of the column that identifies a row at its source
    day_first: bool = True

    def to_json(self) -> dict:
        return {"format": "fieldapp-import-mapping", "version": 1, "kind": self.kind, "sheet": self.sheet,
                "header_row": self.header_row, "columns": self.columns, "values": self.values,
                "key_column": self.key_column, "day_first": self.day_first}

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        if not isinstance(data, dict) or data.get("format") != "fieldapp-import-mapping":
            raise ValueError("not a fieldapp import mapping")
        return cls(kind=str(data["kind"]), sheet=data.get("sheet"), header_row=data.get("header_row"),
                   columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
                   values={str(k): {str(a): str(b) for a, b in v.items()} for k, v in (data.get("values") or {}).items()},
                   key_column=data.get("key_column"), day_first=bool(data.get("day_first", True)))
