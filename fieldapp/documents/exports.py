"""Spreadsheet exports (CSV with a BOM so Excel reads accents right, and XLSX) of referrals,
services, alerts, trainings, the directory and the gazetteer.

Rows are streamed from the vault in batches into a temp file beside the target, which takes its
final name only when complete (fieldapp.fileio): a failure or a cancel leaves no file at all.
Referrals (and their services) without consent to reporting are never exported.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from fieldapp.documents.common import DocumentError, Languages, check_destination, join_unique
from fieldapp.documents.export_columns import COLUMNS, Column
from fieldapp.domain.validation import strip_controls
from fieldapp.fileio import atomic_writer, is_out_of_space, out_of_space_message
from fieldapp.i18n import N_, _, translate_in
from fieldapp.store.outputs import (CONSENTED_REFERRAL, CONSENTED_SERVICE, LIVE_COMMITMENT_ITEM, SHARED_INCIDENT,
                                   count_records, iter_places, iter_records, log_output)
from fieldapp.core.changes import ListQuery

KINDS = tuple(COLUMNS)
FORMATS = ("csv", "xlsx")
LABEL = N_("{field} (label)")
LABEL_IN = N_("{field} (label, {language})")
BATCH = 2000
# A cell starting with one of these, spaces before it or not, is run as a formula by Excel (and
# by LibreOffice for "="): CSV injection, whatever the cell's origin (a typed name, a place name
# from an OCHA file or a bundle).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_OR_SPACE = frozenset("=+-@\t\r ")
# Put in front of such a cell: U+2060 WORD JOINER is invisible and not a space (no reader trims
# it), so the cell stays text in every spreadsheet and "+243 970 000 000" still reads as typed.
# The apostrophe of spreadsheet typing is not a fix in a file: LibreOffice, pandas and HXL tools
# show it as a literal "'+243 …".
NEUTRALISER = "\u2060"


@dataclass
class ExportResult:
    path: Path
    rows: int
    left_out: int  # referrals or services held back for want of consent to reporting


class Lookups:
    """Names a row needs from elsewhere in the vault, cached per export (places, providers) or per
    batch (survivor codes), so memory stays bounded by the gazetteer and the directory."""

    def __init__(self, session, language: str):
        self._session = session
        self._language = language
        self._admin: dict[str, dict[int, tuple[str, str]]] = {}
        self._providers: dict[str, str] | None = None
        self._codes: dict[str, str] = {}
        self._labels: dict[tuple[str, str, str], str] = {}
        self._parties: dict[str, tuple[str, str]] | None = None
        self._commitments: dict | None = None

    def admin(self, pcode: str, level: int) -> tuple[str, str]:
        if not pcode:
            return ("", "")
        if pcode not in self._admin:
            self._admin[pcode] = {place.level: (place.pcode, place.name(self._language))
                                  for place in self._session.places.path(pcode)}
        return self._admin[pcode].get(level, ("", ""))

    def provider_name(self, provider_id: str | None) -> str:
        if self._providers is None:
            self._providers = {p.id: p.name for batch in iter_records(self._session.providers) for p in batch}
        return self._providers.get(provider_id or "", "")

    def label(self, vocabulary, language: str, code: str) -> str:
        # Looked up once per code: a 200 000-row export asks for the same few labels millions of times.
        key = (vocabulary.name, language, code)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = vocabulary.label_in(language, code)
        return found

    def load_referrals(self, services: list) -> None:
        found = self._session.referrals.get_many(sorted({s.referral_id for s in services}))
        self._codes = {referral_id: referral.survivor_code for referral_id, referral in found.items()}

    def survivor_code(self, referral_id: str) -> str:
        return self._codes.get(referral_id, "")

    # MARA exports: a mission has a few dozen parties and commitments, read once per export.
    def party(self, party_id: str) -> tuple[str, str]:
        """(short name or name, name) of a party; tombstoned ones too (an old incident may name one)."""
        if self._parties is None:
            self._parties = {p.id: (p.display_name(), p.name)
                             for p in self._session.parties.list(ListQuery(include_deleted=True))}
        return self._parties.get(party_id or "", ("", ""))

    def commitment(self, commitment_id: str):
        if self._commitments is None:
            self._commitments = {c.id: c for c in self._session.commitments.list(ListQuery(include_deleted=True))}
        return self._commitments.get(commitment_id)

    def party_of(self, commitment_id: str) -> str:
        found = self.commitment(commitment_id)
        return found.party_id if found else ""


def header_rows(columns: list[Column], languages: Languages, hxl: bool) -> list[list[str]]:
    """The header row in the chosen language(s) ("Date of report / Date du signalement") and, if
    asked, the HXL hashtag row under it. Each language's part is wholly in that language:
    "Channel (label, French) / Canal (libellé, français)"."""
    header, tags = [], []
    for column in columns:
        header.append(join_unique([translate_in(code, column.title) for code in languages.codes]))
        tags.append(column.hxl)
        if column.vocabulary is None:
            continue
        for label_language in languages.codes:
            parts = []
            for code in languages.codes:
                field = translate_in(code, column.title)
                if languages.bilingual:
                    parts.append(translate_in(code, LABEL_IN).format(
                        field=field, language=language_name_in(label_language, code)))
                else:
                    parts.append(translate_in(code, LABEL).format(field=field))
            header.append(join_unique(parts))
            tags.append(column.hxl.replace("+code", "") + "+name" + f"+i_{label_language}")
    return [header, tags] if hxl else [header]


def language_name_in(language: str, in_language: str) -> str:
    """A language's name as written in another: "French", "anglais" (CLDR, through Babel)."""
    from babel import Locale

    return Locale.parse(in_language).languages.get(language, language)


class RowMaker:
    """The values of one row, columns resolved once per export (a 200 000-row export calls it
    200 000 times), each value passed through the sink's `cell` (CSV: dates as text, formulas
    neutralised). A code and its labels are made once per code, not once per row."""

    def __init__(self, columns: list[Column], languages: Languages, lookups: Lookups,
                 cell: Callable | None = None):
        self._codes = languages.codes
        self._lookups = lookups
        self._cell = cell or (lambda value: value)
        self._plan = []
        for column in columns:
            expanded = None
            if column.vocabulary is not None:
                expanded = {code: [self._cell(code)] + [self._cell(lookups.label(column.vocabulary, language, code))
                                                        for language in self._codes]
                            for code in column.vocabulary.codes}
                expanded[""] = expanded[None] = [""] * (1 + len(self._codes))
            self._plan.append((column.get, column.vocabulary, expanded))

    def __call__(self, record) -> list:
        values, lookups, codes, cell = [], self._lookups, self._codes, self._cell
        append, extend, label = values.append, values.extend, lookups.label
        for get, vocabulary, expanded in self._plan:
            value = get(record, lookups)
            if vocabulary is None:
                # Most texts need nothing done (see csv_cell): decided here without a call.
                if value.__class__ is str and value.isprintable() and (not value or value[0] not in FORMULA_OR_SPACE):
                    append(value)
                else:
                    append(cell(value))
            elif value.__class__ is list:  # several codes (threat types, topics, sectors)
                append(cell(";".join(value)))
                extend(cell("; ".join(label(vocabulary, language, code) for code in value)) for language in codes)
            else:
                found = expanded.get(value)
                if found is None:  # a code outside the vocabulary (an old or hand-edited record)
                    found = [cell(value)] + [cell(label(vocabulary, language, value)) for language in codes]
                extend(found)
        return values


def row_values(record, columns: list[Column], languages: Languages, lookups: Lookups) -> list:
    return RowMaker(columns, languages, lookups)(record)


class CsvSink:
    def __init__(self, handle, columns: list[Column], languages: Languages):
        # utf-8-sig writes the BOM Excel needs to read UTF-8; newline="" lets csv write \r\n itself.
        self._text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text)

    def header(self, rows: list[list[str]]) -> None:
        self._writer.writerows([[csv_cell(value) for value in row] for row in rows])

    def write(self, values: list) -> None:
        self._writer.writerow([csv_cell(value) for value in values])

    def write_many(self, rows: list[list]) -> None:
        """Rows already made with `cell` (RowMaker)."""
        self._writer.writerows(rows)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # the atomic writer owns the binary handle and closes it


def csv_cell(value):
    """A value as written to a CSV cell: dates in ISO 8601 (UTC with its offset), every text
    neutralised, control characters dropped."""
    kind = value.__class__
    if kind is str:
        # The common case, decided in C: printable (no control character) and not starting like a
        # formula or with a space (which may hide one).
        if value.isprintable() and (not value or value[0] not in FORMULA_OR_SPACE):
            return value
        value = strip_controls(value)
        if value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START):
            return NEUTRALISER + value
        return value
    if value is None:
        return ""
    if kind is datetime:
        return value.isoformat(timespec="seconds")
    if kind is date:
        return value.isoformat()
    if isinstance(value, str):
        return csv_cell(str(value))
    return value


CsvSink.cell = staticmethod(csv_cell)


class XlsxSink:
    cell = None

    def __init__(self, handle, columns: list[Column], languages: Languages, scratch: str):
        import xlsxwriter

        # constant_memory writes each row out as it comes; its scratch files go in a private folder
        # beside the target (never the shared /tmp) that is removed whatever happens.
        self._book = xlsxwriter.Workbook(handle, {
            "constant_memory": True, "tmpdir": scratch, "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False})
        self._sheet = self._book.add_worksheet()
        self._bold = self._book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self._italic = self._book.add_format({"italic": True})
        # Real spreadsheet dates: sorted, filtered and counted as dates by Excel, LibreOffice and
        # openpyxl. A moment is written in UTC, and says so.
        self._day = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._moment = self._book.add_format({"num_format": 'yyyy-mm-dd hh:mm "UTC"'})
        self._row = 0

    def header(self, rows: list[list[str]]) -> None:
        for number, values in enumerate(rows):
            self._sheet.write_row(self._row, 0, values, self._bold if number == 0 else self._italic)
            self._row += 1
        self._sheet.freeze_panes(self._row, 0)
        self._sheet.set_column(0, len(rows[0]) - 1, 18)

    def write(self, values: list) -> None:
        sheet, row = self._sheet, self._row
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value:
                    sheet.write_string(row, column, value)
            elif value is None:
                continue
            elif kind is int or kind is float:
                sheet.write_number(row, column, value)
            elif kind is datetime:
                sheet.write_datetime(row, column, value.replace(tzinfo=None), self._moment)
            elif kind is date:
                sheet.write_datetime(row, column, value, self._day)
            elif kind is bool:
                sheet.write_string(row, column, str(value))
            else:
                sheet.write_string(row, column, str(value))
        self._row += 1

    def write_many(self, rows: list[list]) -> None:
        for values in rows:
            self.write(values)

    def close(self) -> None:
        self._book.close()


def _batches(session, kind: str, query: ListQuery):
    if kind == "referrals":
        return iter_records(session.referrals, query, BATCH, CONSENTED_REFERRAL)
    if kind == "services":
        return iter_records(session.services, query, BATCH, CONSENTED_SERVICE)
    if kind == "places":
        return iter_places(session, BATCH)
    if kind == "incidents":
        return iter_records(session.incidents, query, BATCH, SHARED_INCIDENT)
    if kind == "commitments":
        return iter_records(session.commitment_items, ListQuery(), BATCH, LIVE_COMMITMENT_ITEM)
    if kind == "parties":
        return iter_records(session.parties, ListQuery(), BATCH)
    repository = {"alerts": session.alerts, "trainings": session.trainings, "directory": session.providers}[kind]
    return iter_records(repository, query, BATCH)


def _counts(session, kind: str, query: ListQuery) -> tuple[int, int]:
    """(rows to export, rows held back for want of consent)."""
    if kind == "places":
        return session.places.count(), 0
    if kind == "incidents":
        shared = count_records(session.incidents, query, SHARED_INCIDENT)
        return shared, session.incidents.count(query) - shared
    if kind == "commitments":
        return count_records(session.commitment_items, ListQuery(), LIVE_COMMITMENT_ITEM), 0
    if kind == "parties":
        return session.parties.count(ListQuery()), 0
    if kind in ("referrals", "services"):
        repository = session.referrals if kind == "referrals" else session.services
        condition = CONSENTED_REFERRAL if kind == "referrals" else CONSENTED_SERVICE
        consented = count_records(repository, query, condition)
        return consented, repository.count(query) - consented
    repository = {"alerts": session.alerts, "trainings": session.trainings, "directory": session.providers}[kind]
    return repository.count(query), 0


def export(session, kind: str, path: Path | str, fmt: str, language_spec: str, hxl: bool = False,
           query: ListQuery | None = None, progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write one export where the user chose. `progress(done, total)` may raise to cancel."""
    if kind not in COLUMNS:
        raise DocumentError(_("Unknown export {kind}: choose one of {kinds}.").format(
            kind=kind, kinds=", ".join(KINDS)))
    if fmt not in FORMATS:
        raise DocumentError(_("Unknown format {format}: choose csv or xlsx.").format(format=fmt))
    languages = Languages(language_spec)
    query = query or ListQuery()
    columns = COLUMNS[kind]
    progress = progress or (lambda done, total: None)
    target = check_destination(path)
    total, left_out = _counts(session, kind, query)
    lookups = Lookups(session, languages.codes[0])
    written = so_far = 0
    scratch = None
    try:
        with atomic_writer(target) as handle:
            if fmt == "xlsx":
                scratch = tempfile.mkdtemp(prefix=".fieldapp-export-", dir=target.parent)
                sink = XlsxSink(handle, columns, languages, scratch)
            else:
                sink = CsvSink(handle, columns, languages)
            sink.header(header_rows(columns, languages, hxl))
            make_row = RowMaker(columns, languages, lookups, sink.cell)
            progress(0, total)
            for batch in _batches(session, kind, query):
                if kind == "services":
                    lookups.load_referrals(batch)
                sink.write_many([make_row(record) for record in batch])
                written += len(batch)
                so_far = handle.tell()
                progress(written, max(total, written))
            sink.close()
            log_output(session, "export", kind, "", {
                "format": fmt, "language": language_spec, "hxl": hxl, "rows": written, "left_out": left_out,
                "file": str(target.resolve()), "from": _iso(query.date_from), "to": _iso(query.date_to),
                "area": query.pcode_prefix})
    except OSError as error:
        if is_out_of_space(error):
            # The size is known only once written: what was written so far, scaled to every row.
            raise DocumentError(out_of_space_message(target.parent, so_far * max(total, 1) // max(written, 1),
                                                     at_least=True)) from None
        raise DocumentError(_("Cannot write {file}: {reason}").format(
            file=target, reason=error.strerror or error)) from error
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return ExportResult(target, written, left_out)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
