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
from collections import namedtuple
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from fieldapp.documents import export_columns
from fieldapp.documents.common import DocumentError, Languages, check_destination, join_unique
from fieldapp.documents.export_columns import COLUMNS, Column
from fieldapp.domain.validation import strip_controls
from fieldapp.fileio import atomic_writer, is_out_of_space, out_of_space_message
from fieldapp.i18n import N_, _, translate_in
from fieldapp.store.outputs import (CONSENTED_REFERRAL, CONSENTED_SERVICE, LIVE_COMMITMENT_ITEM, SHARED_INCIDENT,
                                   count_records, iter_places, iter_records, iter_stored_rows, log_output,
                                   reader_of, stored_kinds)
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
        self.admin_rows: dict[str, tuple[str, str, str, str]] = {}
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

    def admin_row(self, pcode: str) -> tuple[str, str, str, str]:
        """(admin 1 P-code, admin 1 name, admin 2 P-code, admin 2 name) of a place, kept in
        `admin_rows` so a row maker reads it with one dictionary lookup."""
        found = self.admin_rows.get(pcode)
        if found is None:
            found = self.admin_rows[pcode] = (*self.admin(pcode, 1), *self.admin(pcode, 2))
        return found

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
        self.load_survivor_codes(s.referral_id for s in services)

    def load_survivor_codes(self, referral_ids) -> None:
        """The survivor codes of one batch of services' referrals."""
        self._codes = self._session.referrals.survivor_codes(referral_ids)

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


def stored_plan(columns: list[Column]) -> list[str] | None:
    """The stored fields an export of `columns` reads, in order of first use, or None when a
    column's getter takes a whole record (it says neither what it reads nor what it needs)."""
    names: list[str] = []
    for column in columns:
        reads = getattr(column.get, "reads", None)
        if reads is not None:
            wanted = ("location_pcode",) if reads[0] == "admin" else (reads[1],)
        else:
            wanted = getattr(column.get, "needs", None)
            if wanted is None:
                return None
        names += [name for name in wanted if name not in names]
    return names


# A moment as the store keeps it ("2025-03-04T10:22:33.123+00:00") and as csv_cell writes it
# ("2025-03-04T10:22:33+00:00"): cut, not parsed. Any other text is parsed as a record would be.
_STORED_MOMENT = ("(v[:19] + '+00:00' if len(v) == 29 and v[23:] == '+00:00' and v[19] == '.' and v[10] == 'T' "
                  "else moment_text(v, {kind!r}))")
_STORED_DAY = "(v if len(v) == 10 and v[4] == '-' and v[7] == '-' else moment_text(v, {kind!r}))"
# export_columns.moment, inline: a date-time in UTC.
_MOMENT = "(v if (v := {value}).__class__ is not datetime or v.tzinfo is UTC else v.astimezone(UTC))"


class RowMaker:
    """The values of one row, columns resolved once per export (a 200 000-row export calls it
    200 000 times), each value passed through the sink's `cell` (CSV: dates as text, formulas
    neutralised). A code and its labels are made once per code, not once per row.

    The row is one generated expression (as dataclasses generate their `__init__`): a column that
    reads an attribute reads it inline, a common text goes through without a call, a code takes
    its prepared cells from a dictionary; only computed columns call their getter.

    Made with `stored` ((field, how it is stored) for each value of a row tuple, see stored_plan),
    it makes the row from the stored values themselves, with no record: a moment's text is cut to
    the second, a list of codes is decoded once per distinct list, and a computed column's getter
    is given an object holding only the fields it needs."""

    def __init__(self, columns: list[Column], languages: Languages, lookups: Lookups,
                 cell: Callable | None = None, record_type: type | None = None,
                 stored: list[tuple[str, str]] | None = None):
        self._codes = languages.codes
        if stored is not None:
            single = {name for name, kind in stored if kind != "json"}
        else:
            # Attributes that hold one code, never a list (threat types…): read without a type check.
            single = ({f.name for f in fields(record_type) if not str(f.type).startswith("list")}
                      if record_type is not None and is_dataclass(record_type) else set())
        self._lookups = lookups
        self._cell = cell or _same
        names: dict[str, object] = {"cell": self._cell, "FORMULA_OR_SPACE": FORMULA_OR_SPACE, "UTC": timezone.utc,
                                    "datetime": datetime, "date": date, "moment_text": self._moment_text,
                                    "admin_rows": lookups.admin_rows, "admin_row": lookups.admin_row}
        position = {name: index for index, (name, _kind) in enumerate(stored or ())}
        kinds = dict(stored or ())

        def field(name: str) -> str:
            """The expression of a field's value as a record holds it."""
            if stored is None:
                return f"record.{name}"
            raw, kind = f"record[{position[name]}]", kinds[name]
            if kind == "plain":
                return raw
            names[f"read_{kind}"], names[f"empty_{kind}"] = reader_of(kind)
            return f"(empty_{kind} if (w := {raw}) is None else read_{kind}(w))"

        def truth(name: str) -> str:
            """A flag's expression, to be tested for truth (a stored 0 or 1, None read as False)."""
            return f"record.{name}" if stored is None else f"record[{position[name]}]"

        needed = [name for column in columns if getattr(column.get, "reads", None) is None
                  for name in getattr(column.get, "needs", ())]
        needed = list(dict.fromkeys(needed))
        prologue = ""
        if stored is not None and needed:
            names["Needed"] = namedtuple("Needed", needed)
            prologue = f"    record_ = Needed({', '.join(field(name) for name in needed)})\n"
        parts = []
        levels_found = False
        for number, column in enumerate(columns):
            reads = getattr(column.get, "reads", None)
            if reads is None:
                names[f"get{number}"] = column.get
                value = f"get{number}({'record_' if stored is not None else 'record'}, lookups)"
            elif reads[0] == "attr":
                value = field(reads[1])
            elif reads[0] == "admin":  # one of the place's admin levels (Lookups.admin_row), found once a row
                if not levels_found:
                    levels_found = True
                    pcode = field("location_pcode")
                    prologue += f"    admin_ = admin_rows.get({pcode}) or admin_row({pcode})\n"
                value = f"admin_[{int(reads[1])}]"
            elif reads[0] == "moment":
                value = _MOMENT.format(value=field(reads[1]))
            else:  # flag
                value = f"('yes' if {truth(reads[1])} else 'no')"
            if column.vocabulary is None:
                if reads is not None and reads[0] == "moment" and self._cell is csv_cell:
                    kind = kinds.get(reads[1])
                    if kind in ("datetime", "date"):
                        # Cut from the stored text (see _STORED_MOMENT), parsed only if unusual.
                        shape = (_STORED_MOMENT if kind == "datetime" else _STORED_DAY).format(kind=kind)
                        parts.append(f"('' if (v := record[{position[reads[1]]}]) is None else {shape})")
                        continue
                    # csv_cell's dates, inline: ISO 8601, a moment to the second with its offset.
                    parts.append(f"('' if (v := {value}) is None else v.isoformat(timespec='seconds') "
                                 f"if v.__class__ is datetime else v.isoformat() if v.__class__ is date else cell(v))")
                elif reads is not None and reads[0] == "moment":
                    parts.append(f"cell({value})")
                elif reads is not None and reads[0] == "flag":
                    parts.append(value)  # "yes" or "no": nothing to neutralise
                elif self._cell is csv_cell:
                    # Most texts need nothing done (see csv_cell), nor do numbers: decided here without a call.
                    parts.append(f"(v if (c := (v := {value}).__class__) is str and v.isprintable() and "
                                 f"(not v or v[0] not in FORMULA_OR_SPACE) else '' if v is None "
                                 f"else v if c is int or c is float else cell(v))")
                else:
                    parts.append(f"(v if (v := {value}).__class__ is str and v.isprintable() and "
                                 f"(not v or v[0] not in FORMULA_OR_SPACE) else cell(v))")
                continue
            expanded = {code: [self._cell(code)] + [self._cell(lookups.label(column.vocabulary, language, code))
                                                    for language in self._codes]
                        for code in column.vocabulary.codes}
            expanded[""] = expanded[None] = [""] * (1 + len(self._codes))
            names[f"codes{number}"] = expanded
            names[f"other{number}"] = other = self._other(column.vocabulary)
            if reads is not None and reads[0] == "flag" and "yes" in expanded and "no" in expanded:
                names[f"yes{number}"], names[f"no{number}"] = expanded["yes"], expanded["no"]
                parts.append(f"*(yes{number} if {truth(reads[1])} else no{number})")
                continue
            if reads is not None and reads[0] == "attr" and reads[1] in single:
                parts.append(f"*(codes{number}.get(v := {value}) or other{number}(v))")
                continue
            if reads is not None and reads[0] == "attr" and kinds.get(reads[1]) == "json":
                # A list of codes kept as JSON text: its cells are made once per distinct text.
                names[f"lists{number}"] = lists = {}
                names[f"decode{number}"] = self._decoder(lists, expanded, other)
                parts.append(f"*(lists{number}.get(v := record[{position[reads[1]]}]) or decode{number}(v))")
                continue
            parts.append(f"*((codes{number}.get(v) if (v := {value}).__class__ is not list else None) "
                         f"or other{number}(v))")
        source = "def make_row(record, lookups):\n" + prologue + "    return [" + ", ".join(parts) + "]\n"
        exec(compile(source, f"<export row of {len(columns)} columns>", "exec"), names)  # noqa: S102 - our own text
        self._make = names["make_row"]

    def _moment_text(self, text: str, kind: str):
        """A stored date or moment in an unusual shape, as csv_cell writes the record's value."""
        value = export_columns.moment(reader_of(kind)[0](text))
        return value.isoformat(timespec="seconds") if value.__class__ is datetime else csv_cell(value)

    @staticmethod
    def _decoder(lists: dict, expanded: dict, other: Callable) -> Callable:
        read, empty = reader_of("json")

        def decode(text) -> list:
            value = empty if text is None else read(text)
            found = (expanded.get(value) if value.__class__ is not list else None) or other(value)
            if len(lists) < 10_000:  # combinations of a few codes; bounded whatever the data
                lists[text] = found
            return found

        return decode

    def _other(self, vocabulary) -> Callable:
        """The cells of several codes (threat types, topics, sectors), or of a code outside the
        vocabulary (an old or hand-edited record)."""
        codes, cell, label = self._codes, self._cell, self._lookups.label

        def other(value) -> list:
            if value.__class__ is list:
                return [cell(";".join(value))] + [cell("; ".join(label(vocabulary, language, code) for code in value))
                                                  for language in codes]
            return [cell(value)] + [cell(label(vocabulary, language, value)) for language in codes]

        return other

    def __call__(self, record) -> list:
        return self._make(record, self._lookups)


def _same(value):
    return value


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


def _source(session, kind: str, query: ListQuery):
    """(repository, query, condition): where a kind's rows come from, which of them, and the fixed
    condition that holds some back (consent to reporting, shared with the MARA reporting, live
    commitments). None for places: the gazetteer is not a record repository."""
    if kind == "places":
        return None
    condition = {"referrals": CONSENTED_REFERRAL, "services": CONSENTED_SERVICE, "incidents": SHARED_INCIDENT,
                 "commitments": LIVE_COMMITMENT_ITEM}.get(kind, "")
    if kind in ("commitments", "parties"):  # all of them, whatever the list shows
        query = ListQuery()
    repository = {"referrals": session.referrals, "services": session.services, "incidents": session.incidents,
                  "commitments": session.commitment_items, "parties": session.parties, "alerts": session.alerts,
                  "trainings": session.trainings, "directory": session.providers}[kind]
    return repository, query, condition


def _batches(session, kind: str, query: ListQuery):
    """Batches of the records to export."""
    source = _source(session, kind, query)
    if source is None:
        return iter_places(session, BATCH)
    repository, query, condition = source
    return iter_records(repository, query, BATCH, condition)


def _stored_batches(session, kind: str, query: ListQuery, plan: list[str]):
    """Batches of tuples of the stored values of `plan` (in its order) of the records _batches
    would give."""
    repository, query, condition = _source(session, kind, query)
    return iter_stored_rows(repository, plan, query, BATCH, condition)


def _made_rows(session, kind: str, query: ListQuery, columns: list[Column], languages: Languages,
               lookups: Lookups, cell: Callable | None):
    """Batches of rows ready for the sink. Made from the stored values the columns read when each
    says what it reads (no record built, see RowMaker); otherwise from whole records."""
    source = _source(session, kind, query)
    plan = stored_plan(columns) if source is not None else None
    if plan is not None:
        kinds = stored_kinds(source[0])
        make_row = RowMaker(columns, languages, lookups, cell, stored=[(name, kinds[name]) for name in plan])
        referral_at = plan.index("referral_id") if kind == "services" else None
        for batch in _stored_batches(session, kind, query, plan):
            if referral_at is not None:
                lookups.load_survivor_codes(row[referral_at] for row in batch)
            yield [make_row(row) for row in batch]
        return
    make_row = None
    for batch in _batches(session, kind, query):
        if make_row is None:
            make_row = RowMaker(columns, languages, lookups, cell, type(batch[0]) if batch else None)
        if kind == "services":
            lookups.load_referrals(batch)
        yield [make_row(record) for record in batch]


# Kinds whose export holds back some records (no consent to reporting, kept out of the MARA
# reporting); the result says how many.
HELD_BACK = {"referrals": CONSENTED_REFERRAL, "services": CONSENTED_SERVICE, "incidents": SHARED_INCIDENT}


def _counts(session, kind: str, query: ListQuery, exact: bool) -> tuple[int, int]:
    """(rows to export, records the query matches before any is held back). Counting the rows to
    export scans the table once more (the consent is not indexed): only for a progress bar;
    without one the first figure is the second, an upper bound, and nothing is scanned."""
    if kind == "places":
        return session.places.count(), 0
    if kind == "commitments":
        return count_records(session.commitment_items, ListQuery(), LIVE_COMMITMENT_ITEM), 0
    if kind == "parties":
        return session.parties.count(ListQuery()), 0
    if kind in HELD_BACK:
        repository = {"referrals": session.referrals, "services": session.services,
                      "incidents": session.incidents}[kind]
        candidates = repository.count(query)
        return (count_records(repository, query, HELD_BACK[kind]) if exact else candidates), candidates
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
    target = check_destination(path)
    total, candidates = _counts(session, kind, query, exact=progress is not None)
    progress = progress or (lambda done, total: None)
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
            progress(0, total)
            for rows in _made_rows(session, kind, query, columns, languages, lookups, sink.cell):
                sink.write_many(rows)
                written += len(rows)
                so_far = handle.tell()
                progress(written, max(total, written))
            sink.close()
            left_out = max(0, candidates - written) if kind in HELD_BACK else 0
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
