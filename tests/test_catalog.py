"""The French catalog: complete, consistent with the code, well-formed, and really used at runtime.

A developer who adds or changes a string without updating translations/ fails here, with the list of
strings to translate and the commands that update the catalog (see the README's Translations part).
"""

from __future__ import annotations

import functools
import re
import shutil
import string
import subprocess
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from fieldapp import cli, i18n
from fieldapp.domain import vocab

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "fieldapp.pot"
PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "fieldapp.po"
# The keywords of fieldapp/i18n.py: NC_ and pgettext take the context first.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_", "N_", "NC_:1c,2", "pgettext:1c,2", "ngettext:1,2"])}
UPDATE_HINT = "Update the catalog with `bash dev.sh catalog`, then translate the new French entries."
NBSP = ("\u00a0", "\u202f")


def _read(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle, locale="fr" if path.suffix == ".po" else None)


@pytest.fixture(scope="module")
def catalog():
    return _read(PO)


def _entries(catalog):
    return [message for message in catalog if message.id]


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, (tuple, list)) else message.id


def _keys(catalog) -> set[tuple[str | None, str]]:
    return {(message.context, _msgid(message)) for message in _entries(catalog)}


def _mapping():
    try:
        from babel.messages.frontend import parse_mapping_cfg as parse
    except ImportError:  # Babel before 2.17
        from babel.messages.frontend import parse_mapping as parse
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        return parse(handle)


def _where(location: str) -> tuple[str, int]:
    filename, _colon, line = location.rpartition(":")
    return filename, int(line)


@functools.lru_cache(maxsize=1)
def _extract_from_code() -> dict[tuple[str | None, str], str]:
    """(context, msgid) of every string the code marks for translation -> its first file:line."""
    method_map, options_map = _mapping()
    found: dict[tuple[str | None, str], str] = {}
    for filename, line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault((context, msgid), f"{filename}:{line}")
    return found


def _placeholders(text: str) -> list[tuple[str, str, str | None]]:
    fields = [(name, spec or "", conversion) for _literal, name, spec, conversion in string.Formatter().parse(text)
              if name is not None]
    return sorted(fields)


def _show(key: tuple[str | None, str]) -> str:
    context, msgid = key
    return f"[{context}] {msgid!r}" if context else repr(msgid)


def test_catalog_covers_exactly_the_strings_of_the_code(catalog):
    code = _extract_from_code()
    assert len(code) > 300, "the extraction found almost nothing: check babel.cfg"
    for name, keys in (("translations/fieldapp.pot", _keys(_read(POT))), ("the French catalog", _keys(catalog))):
        missing = sorted((key for key in code if key not in keys), key=lambda key: _where(code[key]))
        stale = sorted(keys - code.keys(), key=lambda key: key[1])
        problems = [f"  {code[key]}: {_show(key)}" for key in missing]
        problems += [f"  no longer in the code: {_show(key)}" for key in stale]
        assert not problems, (f"{name} is out of date with the code:\n" + "\n".join(problems) + "\n" + UPDATE_HINT)


def test_extraction_finds_vocabulary_contexts_and_every_layer():
    code = _extract_from_code()
    for key in [("alert status", "Open"), ("referral status", "Open"), ("severity", "High"),
                ("alert verification", "Verified"), (None, "Medical care"), (None, "To be referred")]:
        assert key in code, f"{_show(key)} is not extracted"
    folders = {location.split("/")[1] for location in code.values() if location.count("/") >= 2}
    assert {"domain", "store", "gui", "documents", "sync"} <= folders


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    untranslated, fuzzy = [], []
    for message in _entries(catalog):
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if message.pluralizable and len(forms) != catalog.num_plurals or not all(forms):
            untranslated.append(_show((message.context, _msgid(message))))
        if message.fuzzy:
            fuzzy.append(_show((message.context, _msgid(message))))
    assert not untranslated, "untranslated French entries:\n  " + "\n  ".join(untranslated)
    assert not fuzzy, "fuzzy French entries (check and remove the flag):\n  " + "\n  ".join(fuzzy)


def test_french_keeps_the_same_placeholders(catalog):
    wrong = []
    for message in _entries(catalog):
        if isinstance(message.id, (tuple, list)):
            pairs = [(message.id[0], message.string[0])] + [(message.id[1], form) for form in message.string[1:]]
        else:
            pairs = [(message.id, message.string)]
        for english, french in pairs:
            try:
                same = _placeholders(english) == _placeholders(french)
            except ValueError as error:  # an unbalanced brace would break .format() at runtime
                same, french = False, f"{french!r} ({error})"
            if not same:
                wrong.append(f"{english!r} -> {french!r}")
    assert not wrong, "French entries whose {placeholders} differ from the English:\n  " + "\n  ".join(wrong)


def _prose(text: str) -> str:
    """The text without what typography does not apply to: placeholders, `commands`, Qt file filters."""
    text = re.sub(r"\{[^{}]*\}", "X", text)
    text = re.sub(r"`[^`]*`", "X", text)
    return text.replace(";;", "")


def _typography_problems(french: str) -> list[str]:
    """What French typography (Imprimerie nationale, as French readers expect it) finds wrong in one
    translated string; [] when it is right."""
    text = _prose(french)
    problems = []
    for index, char in enumerate(text):
        if char in ":;?!" and index and text[index - 1] not in NBSP:
            problems.append(f"no no-break space before {char!r}")
    if re.search("«[^\u00a0\u202f]", text) or re.search("[^\u00a0\u202f]»", text):
        problems.append("« guillemets » without no-break spaces inside")
    if "“" in text or "”" in text or '"' in text:
        problems.append("English quotes instead of « guillemets »")
    # A percent after a number or a placeholder ("{share}%", "26%"); "(%)" after a label is a unit.
    if re.search(r"[\w}]%", re.sub(r"\{[^{}]*\}", "}", french)):
        problems.append("no no-break space before %")
    return problems


def test_french_typography_checker_catches_each_rule():
    """The checker itself: each rule, broken once, is reported (a checker that passes everything
    would let the catalog drift)."""
    assert _typography_problems("Prise en charge médicale\u00a0: référé") == []
    assert _typography_problems("« Phrase secrète oubliée\u202f? »".replace("« ", "«\u00a0").replace(" »", "\u00a0»")) == []
    assert _typography_problems("{share}\u00a0% des survivantes ; moyenne (%)".replace(" ;", "\u00a0;")) == []
    for wrong in ("Référencements: 1 530", "Fermer ?", "Attention !", "un ; deux", "« Oui»", "«Oui »",
                  "“Oui”", 'le bouton "Oui"', "{share}% reçus", "26% reçus"):
        assert _typography_problems(wrong), wrong


def test_french_typography(catalog):
    wrong = []
    for message in _entries(catalog):
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for number, french in enumerate(forms):  # msgstr[1] and [2] too: each plural form is shown
            problems = _typography_problems(french)
            if problems:
                wrong.append(f"{french!r} (msgstr[{number}]): {', '.join(problems)}" if len(forms) > 1
                             else f"{french!r}: {', '.join(problems)}")
    assert not wrong, ("French entries breaking French typography (a no-break space U+00A0 or U+202F before "
                       ": ; ? ! and %, « guillemets » with no-break spaces inside, no \"quotes\"):\n  "
                       + "\n  ".join(wrong))


@pytest.mark.parametrize(("day", "fmt", "expected"), [
    # The app's two formats ("medium" and "full" are the long one), and CLDR patterns documents use.
    (date(2026, 12, 1), "long", "1er décembre 2026"), (date(2026, 12, 1), "full", "1er décembre 2026"),
    (date(2026, 12, 1), "EEEE d MMMM y", "mardi 1er décembre 2026"), (date(2026, 12, 1), "d MMM y", "1er déc. 2026"),
    (date(2026, 12, 11), "long", "11 décembre 2026"),
    (date(2026, 12, 21), "long", "21 décembre 2026"), (date(2026, 12, 1), "short", "01/12/2026")])
def test_french_dates_write_the_first_of_the_month_as_1er(day, fmt, expected):
    assert i18n.format_date(day, fmt, "fr_CD") == expected
    assert i18n.format_date(day, fmt, "fr_CF") == expected
    assert "1er" not in i18n.format_date(day, fmt, "en")


def test_french_documents_print_1er_through_the_document_languages():
    from fieldapp.documents.common import Languages
    assert Languages("fr").date(date(2026, 12, 1)) == "1er décembre 2026"


def test_msgfmt_check_is_clean():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install gettext (bash dev.sh does)"
    result = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


# French terms of docs/DESIGN.md section 2, by vocabulary and code.
DESIGN_TERMS = {
    vocab.INCIDENT_TYPE: {"rape": "Viol", "sexual_assault": "Agression sexuelle", "non_gbv": "Non VBG",
                          "denial_of_resources": "Déni de ressources, d'opportunités ou de services"},
    vocab.PERPETRATOR_CATEGORY: {"non_state_armed_group": "Groupe armé non étatique",
                                 "un_personnel": "Personnel des Nations Unies"},
    vocab.ENTRY_POINT: {"self": "La survivante elle-même", "can": "Réseau d'alerte communautaire",
                        "community_focal_point": "Relais communautaire", "peacekeepers": "Casques bleus"},
    vocab.REFERRAL_STATUS: {"open": "Ouvert", "closed": "Clôturé"},
    vocab.SECTOR: {"health": "Prise en charge médicale", "psychosocial": "Soutien psychosocial",
                   "legal": "Assistance juridique et judiciaire", "shelter": "Hébergement sécurisé",
                   "livelihoods": "Réinsertion socio-économique"},
    vocab.SERVICE_STATUS: {"pending": "À référer", "referred": "Référé", "accepted": "Accepté",
                           "completed": "Service reçu", "declined": "Refusé par la survivante",
                           "rejected": "Refusé par le prestataire", "unavailable": "Service indisponible",
                           "cancelled": "Annulé"},
    vocab.CHANNEL: {"hotline": "Numéro vert", "sms_or_beep": "SMS / bip"},
    vocab.SEVERITY: {"low": "Faible", "medium": "Moyenne", "high": "Élevée", "critical": "Critique"},
    vocab.VERIFICATION: {"unverified": "Non vérifiée", "verified": "Vérifiée", "false_alarm": "Fausse alerte"},
    vocab.ALERT_STATUS: {"open": "Ouverte", "responded": "Traitée", "closed": "Clôturée",
                         "no_action_possible": "Aucune action possible"},
    vocab.AUDIENCE: {"military_peacekeepers": "Contingents militaires", "can_members": "Membres des réseaux d'alerte"},
    vocab.TOPIC: {"crsv_prevention": "Prévention des VSLC", "referral_pathways": "Circuit de référencement",
                  "survivor_centred_approach": "Approche centrée sur la survivante"},
}


def test_switching_to_french_changes_vocabulary_labels(french):
    for vocabulary, terms in DESIGN_TERMS.items():
        for code, term in terms.items():
            assert vocabulary.label(code) == term, f"{vocabulary.name}.{code}"
    i18n.set_language("en")
    assert vocab.SECTOR.label("health") == "Medical care"
    assert vocab.ALERT_STATUS.label("open") == "Open"
    # Bilingual documents ask for French without switching.
    assert vocab.REFERRAL_STATUS.label_in("fr", "open") == "Ouvert"
    assert vocab.SEVERITY.label_in("fr", "high") == "Élevée"


def test_french_plural_rule_is_cldr_with_three_forms(catalog):
    # CLDR (Babel 2.19 and later) gives French "one" for 0 and 1, "many" for whole millions
    # ("1 000 000 de référencements") and "other" for the rest: what `pybabel update` writes.
    assert catalog.num_plurals == 3
    import gettext
    rule = gettext.c2py(catalog.plural_expr)
    assert [rule(n) for n in (0, 1, 2, 200, 1_000_000, 2_000_000, 1_000_001)] == [0, 0, 2, 2, 1, 1, 2]


@pytest.mark.parametrize(("count", "shown", "referrals", "hours"), [
    (0, "0", "0 référencement", "0 heure"), (1, "1", "1 référencement", "1 heure"),
    (2, "2", "2 référencements", "2 heures"), (200, "200", "200 référencements", "200 heures"),
    (1_000_000, "1 000 000", "1 000 000 de référencements", "1 000 000 d'heures")])
def test_the_compiled_french_catalog_counts_in_french(tmp_path, count, shown, referrals, hours):
    """The shipped .po compiled by msgfmt, read by Python's gettext as the app reads it."""
    import gettext
    mo = tmp_path / "fieldapp.mo"
    subprocess.run([shutil.which("msgfmt") or "msgfmt", "--check", "-o", str(mo), str(PO)], check=True)
    with open(mo, "rb") as handle:
        french = gettext.GNUTranslations(handle)
    assert french.ngettext("{count} referral", "{count} referrals", count).format(count=shown) == referrals
    assert french.ngettext("{n} hour", "{n} hours", count).format(n=shown) == hours


def test_french_plurals_follow_french_rules(french):
    # French uses the singular for 0 and 1.
    assert i18n.ngettext("{count} referral", "{count} referrals", 0).format(count=0) == "0 référencement"
    assert i18n.ngettext("{count} referral", "{count} referrals", 2).format(count=2) == "2 référencements"
    assert i18n.ngettext("{count} referral", "{count} referrals", 10**6).format(count="1 000 000") == \
        "1 000 000 de référencements"


def test_command_line_speaks_french(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FIELDAPP_LANG", "fr")
    try:
        status = cli.main(["--vault", str(tmp_path / "absent"), "stats"])
    finally:
        i18n.set_language("en")
    assert status == 1
    assert "Il n'y a pas de coffre dans" in capsys.readouterr().err


def test_french_wording_a_french_reader_expects(french):
    from fieldapp.documents.common import Languages, format_points, format_score, language_spec_name
    from fieldapp.ops.sync import counts_line

    assert i18n._("Close without saving") == "Fermer sans enregistrer"
    assert language_spec_name("en+fr") == "Bilingue (français / anglais)"
    assert language_spec_name("fr") == "Français"  # each language in its own language
    urgency = i18n._("Incident date unknown. If it was less than 72 hours ago, PEP is still possible; less than 120 "
                     "hours, emergency contraception.")
    assert "Si l'incident date de moins de 72 heures" in urgency
    assert i18n._("Score gain") == "Progression"
    assert format_points(33) == "+33 points" and format_points(1) == "+1 point" and format_points(1.5) == "+1,5 point"
    assert format_score(49.7) == "49,7\u00a0%" and format_score(50) == "50\u00a0%"
    # Label and value assembled in code go through the catalog's « {label} : {value} ».
    assert counts_line({"referrals": 1530, "alerts": 12}) == "Référencements\u00a0: 1\u00a0530, Alertes\u00a0: 12"
    assert Languages("en+fr").field("Area", "Beni") == "Area / Zone\u00a0: Beni"
    assert Languages("en").field("Area", "Beni") == "Area: Beni"
    i18n.set_language("en")
    assert format_points(33) == "+33 points" and format_points(1.5) == "+1.5 points" and format_score(49.7) == "49.7%"
    assert language_spec_name("en+fr") == "Bilingual (English / French)"
