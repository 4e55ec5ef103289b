"""What every document shares: the language choice (en, fr or both side by side), formatting for
it, and saving or printing with an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from fieldapp.errors import FieldappError
from fieldapp.fileio import atomic_writer, is_out_of_space, out_of_space_message
from fieldapp.i18n import DEFAULT_LOCALES, N_, _, format_date, format_number, format_percent
from fieldapp.i18n import language as current_language
from fieldapp.i18n import locale_name, translate_in
from fieldapp.store.outputs import log_output

LANGUAGE_SPECS = ("en", "fr", "en+fr")
# Each language in its own language; the bilingual choice in the interface language.
LANGUAGE_SPEC_NAMES = {"en": "English", "fr": "Français", "en+fr": N_("Bilingual (English / French)")}
LABEL_VALUE = N_("{label}: {value}")  # French puts a no-break space before the colon
POINTS = (N_("{points} point"), N_("{points} points"))


class DocumentError(FieldappError):
    """A document or export cannot be made or written."""


@dataclass(frozen=True)
class Languages:
    """The language(s) of one document: "en", "fr", or "en+fr" (both, English first)."""

    spec: str

    def __post_init__(self):
        if self.spec not in LANGUAGE_SPECS:
            raise DocumentError(_("Unknown document language {value}: use en, fr or en+fr.").format(value=self.spec))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.spec.split("+"))

    @property
    def bilingual(self) -> bool:
        return len(self.codes) > 1

    def locale(self, code: str | None = None) -> str:
        code = code or self.codes[0]
        # The user's own regional variant (fr_CF…) when the document is in the interface language.
        return locale_name() if code == current_language() else DEFAULT_LOCALES[code]

    def each(self, msgid: str, context: str | None = None, **values) -> list[str]:
        """The string in each language; once only when both read the same (MARA, or no catalog yet)."""
        texts = [translate_in(code, msgid, context) for code in self.codes]
        return unique([text.format(**values) if values else text for text in texts])

    def text(self, msgid: str, context: str | None = None, separator: str = " / ", **values) -> str:
        """The string in each language, side by side."""
        return separator.join(self.each(msgid, context, **values))

    def label(self, vocabulary, code: str, separator: str = " / ") -> str:
        return join_unique([vocabulary.label_in(language, code) for language in self.codes], separator)

    def date(self, value: date | datetime | None, fmt: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone().date() if value.tzinfo else value.date()
        if self.bilingual:
            return value.isoformat()  # one date both readers parse, instead of printing it twice
        return join_unique([format_date(value, fmt, self.locale(code)) for code in self.codes], " / ")

    def number(self, value: int | float) -> str:
        return format_number(value, self.locale())

    def percent(self, value: float | None) -> str:
        return "—" if value is None else format_percent(value, self.locale())

    def score(self, value: float | None) -> str:
        """A test score kept as 0–100: "49.7%", "49,7 %"."""
        return "—" if value is None else format_score(value, self.locale())

    def points(self, value: float | None) -> str:
        """A score gain with its sign: "+13 points", "+1,5 points"; each language's own form."""
        if value is None:
            return "—"
        return join_unique([format_points(value, self.locale(code), code) for code in self.codes], " / ")

    def field(self, label: str, value: str, context: str | None = None) -> str:
        """"Area: Beni" / « Zone : Beni » / "Area / Zone : Beni": the colon spaced as the last language
        printed before it wants it, the value printed once."""
        return translate_in(self.codes[-1], LABEL_VALUE).format(label=self.text(label, context), value=value)

    def field_markup(self, label: str, value_markup: str) -> str:
        """The same for a reportlab paragraph: the label escaped, the value already marked up."""
        return markup(translate_in(self.codes[-1], LABEL_VALUE)).format(label=markup(self.text(label)),
                                                                        value=value_markup)

    def yes_no(self, value: bool) -> str:
        return self.text(N_("Yes") if value else N_("No"))


def unique(texts: list[str]) -> list[str]:
    kept: list[str] = []
    for text in texts:
        if text not in kept:
            kept.append(text)
    return kept


def join_unique(texts: list[str], separator: str = " / ") -> str:
    return separator.join(unique(texts))


def markup(text: str) -> str:
    """Text typed by someone (a provider name with "&" or "<") made safe inside a reportlab paragraph.

    ReportLab breaks lines at a narrow no-break space (U+202F), which French puts before : ; ? !
    and inside numbers: it becomes a no-break space (U+00A0), which ReportLab keeps together.
    """
    return escape(text or "").replace("\u202f", "\u00a0")


def format_score(value: float, locale: str | None = None) -> str:
    """A test score kept as 0–100, with one decimal at most and the locale's percent sign."""
    from babel import Locale
    from babel import numbers as babel_numbers

    pattern = Locale.parse(locale or locale_name()).percent_formats[None].pattern.replace("#,##0", "#,##0.#", 1)
    text = babel_numbers.format_percent(round(value, 1) / 100, format=pattern, locale=locale or locale_name())
    return text.replace("\u202f", "\u00a0")


def format_points(value: float, locale: str | None = None, language_code: str | None = None) -> str:
    """A score gain in points with its sign: "+13 points", "+1 point", "0 point" in French."""
    code = language_code or current_language()
    rounded = round(value, 1)
    shown = ("+" if rounded > 0 else "") + format_number(rounded, locale or (
        locale_name() if code == current_language() else DEFAULT_LOCALES[code]))
    # CLDR's "one": exactly 1 in English; 0 to 1.9 in French ("1,5 point"). gettext's plural rules
    # take whole numbers only, so the two forms are two plain entries chosen here.
    one = abs(rounded) < 2 if code == "fr" else abs(rounded) == 1
    return translate_in(code, POINTS[0] if one else POINTS[1]).format(points=shown)


def write_document(session, path: Path | str, data: bytes, document: str, record_id: str = "",
                   detail: dict | None = None) -> Path:
    """Write a finished PDF where the user chose, atomically, with an "export" audit entry.

    The audit entry is written before the file takes its final name: an export can be logged and
    then fail, never appear unlogged; a failure leaves no file, partial or whole.
    """
    target = check_destination(path)
    try:
        with atomic_writer(target) as handle:
            handle.write(data)
            log_output(session, "export", document, record_id,
                       {**(detail or {}), "file": str(target.resolve()), "bytes": len(data)})
    except OSError as error:
        if is_out_of_space(error):
            raise DocumentError(out_of_space_message(target.parent, len(data))) from None
        raise DocumentError(_("Cannot write {file}: {reason}").format(
            file=target, reason=error.strerror or error)) from error
    return target


def check_destination(path: Path | str) -> Path:
    """The target as a Path, refused early with a plain message when its folder is a file."""
    target = Path(path)
    for folder in (target.parent, *target.parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise DocumentError(_("Cannot write {file}: {folder} is a file, not a folder.").format(
                    file=target, folder=folder))
            break
    if target.is_dir():
        raise DocumentError(_("Cannot write {file}: it is a folder.").format(file=target))
    return target


def log_print(session, document: str, record_id: str = "", detail: dict | None = None) -> None:
    """Audit a document sent to a printer (the GUI prints; the PDF never touches disk)."""
    log_output(session, "print", document, record_id, detail or {})


def language_spec_name(spec: str) -> str:
    name = LANGUAGE_SPEC_NAMES.get(spec, spec)
    return _(name) if spec == "en+fr" else name


def months_between(date_from: date, date_to: date) -> list[str]:
    """The months "YYYY-MM" from the one of `date_from` to the one of `date_to`, both included."""
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
