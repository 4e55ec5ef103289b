"""gettext catalogs and Babel formatting for English and French. No Qt: gui/ bridges this to Qt.

Strings are looked up at call time, so switching the language at runtime changes every label
that is translated when shown. Module-level labels are marked with `N_()` and translated later.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
from datetime import date, datetime

from fieldapp.paths import is_frozen, translations_dir

DOMAIN = "fieldapp"
LANGUAGES = ("en", "fr")
# Language names are shown in their own language.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
DEFAULT_LOCALES = {"en": "en", "fr": "fr_CD"}

_catalogs: dict[str, _gettext.NullTranslations] = {}
_language = "en"
_locale = "en"


def N_(message: str) -> str:
    """Marks a string for extraction without translating it now."""
    return message


def _load_catalog(language: str) -> _gettext.NullTranslations:
    if language == "en":
        return _gettext.NullTranslations()
    folder = translations_dir() / language / "LC_MESSAGES"
    mo_path, po_path = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    # In the package the .mo was compiled from the .po at build time; copying the folder may reorder mtimes.
    if mo_path.exists() and (is_frozen() or not po_path.exists()
                             or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with open(mo_path, "rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po_path.exists():
        # A checkout where nobody ran the catalog compile step yet: compile in memory, never
        # writing into the install folder.
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return _gettext.GNUTranslations(buffer)
    return _gettext.NullTranslations()


def _catalog() -> _gettext.NullTranslations:
    if _language not in _catalogs:
        _catalogs[_language] = _load_catalog(_language)
    return _catalogs[_language]


def set_language(language: str, locale: str | None = None) -> None:
    """Switch the language of every later lookup. `locale` (e.g. fr_CF) drives Babel formatting."""
    global _language, _locale
    base = language.split("_")[0].lower()
    if base not in LANGUAGES:
        base = "en"
    _language = base
    _locale = locale or DEFAULT_LOCALES[base]


def language() -> str:
    return _language


def locale_name() -> str:
    return _locale


def language_from_environment() -> str:
    for variable in ("FIELDAPP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def _(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog().pgettext(context, message)


def translate_in(language_code: str, message: str, context: str | None = None) -> str:
    """Translate into a given language without switching (bilingual documents)."""
    if language_code not in _catalogs:
        _catalogs[language_code] = _load_catalog(language_code)
    catalog = _catalogs[language_code]
    return catalog.pgettext(context, message) if context else catalog.gettext(message)


# One short and one long way to write a date, and a date-time, per language (docs/DESIGN.md 7). The
# short one is numeric in the locale's order with a four-digit year (30/11/2026, 11/30/2026): it is
# what date fields show and accept, so lists, details and inputs read alike. The long one spells the
# month (30 novembre 2026, November 30, 2026), for sentences and documents. Times are 24-hour.
DATE_FORMATS = ("short", "long")
TIME_PATTERN = "HH:mm"


def date_order(locale: str | None = None) -> str:
    """"DMY", "MDY" or "YMD": the order of day, month and year in the locale's numeric dates."""
    return _date_shape(locale or _locale)[0]


def date_pattern(fmt: str = "short", locale: str | None = None) -> str:
    """The CLDR pattern of the short or long date of `locale` (the current one by default)."""
    order, separator, long_pattern, _joiner = _date_shape(locale or _locale)
    if fmt == "long":
        return long_pattern
    parts = {"D": "dd", "M": "MM", "Y": "yyyy"}
    return separator.join(parts[letter] for letter in order)


def datetime_pattern(fmt: str = "short", locale: str | None = None) -> str:
    joiner = _date_shape(locale or _locale)[3]
    if fmt == "long":
        return joiner.replace("{1}", date_pattern("long", locale)).replace("{0}", TIME_PATTERN)
    return f"{date_pattern('short', locale)} {TIME_PATTERN}"


_shapes: dict[str, tuple[str, str, str, str]] = {}


def _date_shape(locale: str) -> tuple[str, str, str, str]:
    """(order, separator, long date pattern, date-time joiner) from Babel's CLDR data, once per locale."""
    if locale not in _shapes:
        from babel import dates as babel_dates

        short = babel_dates.get_date_format("short", locale=locale).pattern
        positions = sorted((short.find(letter), key) for letter, key in (("d", "D"), ("M", "M"), ("y", "Y"))
                           if letter in short)
        order = "".join(key for _position, key in positions) if len(positions) == 3 else "DMY"
        separator = next((char for char in short if not char.isalpha()), "/")
        joiner = str(babel_dates.get_datetime_format("long", locale=locale))
        _shapes[locale] = (order, separator, babel_dates.get_date_format("long", locale=locale).pattern, joiner)
    return _shapes[locale]


def _pattern(fmt: str, locale: str, with_time: bool) -> str:
    # "medium" and "full" (Babel's names) map to the long format: there are only two.
    named = {"short": "short", "medium": "long", "long": "long", "full": "long"}.get(fmt)
    if named is None:
        return fmt  # an explicit CLDR pattern (documents with a fixed layout)
    return datetime_pattern(named, locale) if with_time else date_pattern(named, locale)


def format_date(value: date | None, fmt: str = "short", locale: str | None = None) -> str:
    if value is None:
        return ""
    from babel import dates as babel_dates  # Babel's locale data loads on first use, not at start-up

    locale = locale or _locale
    return _first_of_month(babel_dates.format_date(value, format=_pattern(fmt, locale, False), locale=locale),
                           value, locale)


def format_datetime(value: datetime | None, fmt: str = "short", locale: str | None = None) -> str:
    """Formats in the laptop's local time zone: staff read times as they lived them."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo else value
    from babel import dates as babel_dates

    locale = locale or _locale
    return _first_of_month(babel_dates.format_datetime(local, format=_pattern(fmt, locale, True), locale=locale),
                           local, locale)



def format_stamp(text: str | None, missing: str = "") -> str:
    """A stored ISO date and time as `format_datetime` shows it; `missing` when there is none, the
    text itself when it is not one."""
    if not text:
        return missing
    try:
        return format_datetime(datetime.fromisoformat(text), "short")
    except ValueError:
        return text

def _first_of_month(text: str, value: date, locale: str) -> str:
    """French writes the first of the month as an ordinal, « 1er décembre », where CLDR gives "1"."""
    if value.day != 1 or not locale.lower().startswith("fr"):
        return text
    return re.sub(r"(?<!\d)1(?=[\s\u00a0\u202f]+[^\W\d])", "1er", text, count=1)


# French CLDR data groups digits and spaces percents with a narrow no-break space (U+202F), which
# ReportLab breaks lines on ("44 %" split over two lines in a table cell); U+00A0 never breaks.
def _no_break(text: str) -> str:
    return text.replace("\u202f", "\u00a0")


def format_number(value: int | float, locale: str | None = None) -> str:
    from babel import numbers as babel_numbers

    return _no_break(babel_numbers.format_decimal(value, locale=locale or _locale))


def count_words(*counts: tuple[str, int]) -> str:
    """Several counts on one line, each agreeing in number with its own word: « 1 créé, 2 inchangés ».
    Each item is (the ngettext of its `{n}` words for n, n): one string holding several counts can
    agree with none of them."""
    separator = pgettext("between the counts of an import", ", ")
    return separator.join(words.format(n=format_number(n)) for words, n in counts)


def format_percent(value: float, locale: str | None = None) -> str:
    from babel import numbers as babel_numbers

    return _no_break(babel_numbers.format_percent(value, locale=locale or _locale))


def NC_(context: str, message: str) -> tuple[str, str]:
    """Marks a string with a context (French gender differs) for extraction; translate with pgettext."""
    return (context, message)
