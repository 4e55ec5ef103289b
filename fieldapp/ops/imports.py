"""Importing a spreadsheet into the vault (docs/DESIGN.md 9): find the header (English, French, HXL,
merged group titles), match columns and values, then create, update or leave each row in ONE
transaction; a dry run does the same work and rolls it back, so its counts are the import's.

Rows stream from the file; memory holds one row, the gazetteer's names and at most
MAX_KEPT refused rows (for the refused-rows CSV), whatever the file's size.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import timezone
from pathlib import Path
from typing import Callable, Iterator

from fieldapp.core.changes import Change
from fieldapp.documents.import_fields import (KINDS, ImportKind, Mapping, ValueProblem, fold, is_hxl_row,
                                              match_code, match_header, parse_bool, parse_date, parse_datetime,
                                              parse_float, parse_hxl, parse_int, hxl_index, split_codes)
from fieldapp.documents.spreadsheet import Workbook, cell_text, header_labels, write_csv
from fieldapp.domain.mara import UNIDENTIFIED, change_verification
from fieldapp.domain.records import utc_now
from fieldapp.domain.validation import PCODE
from fieldapp.errors import FieldappError, ImportFileError, ValidationError
from fieldapp.i18n import _, count_words, ngettext

HEADER_SEARCH_ROWS = 25
MAX_PROBLEMS = 1000
MAX_KEPT = 10_000
TOTAL_WORDS = {"total", "totaux", "grand total", "total general", "sous total", "subtotal", "sub total"}
KOBO_KEYS = ("_uuid", "meta/instanceid", "instanceid")
KOBO_SUBMISSION = "_submission_time"
Progress = Callable[[int, int], None]


class ImportCancelled(FieldappError):
    pass


class DryRunDone(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class Problem:
    line: int
    column: str
    value: str
    reason: str

    def text(self) -> str:
        return _("line {line}, column “{column}”, value “{value}”: {reason}").format(
            line=self.line, column=self.column, value=self.value, reason=self.reason)


@dataclass
class Layout:
    """Where the data is in a sheet, and which column feeds which field."""

    sheet: str | None
    header_line: int
    labels: list[str]
    columns: dict[int, str]                 # column index -> field name
    ignored: list[str]                      # labels of columns nothing reads
    key_index: int | None = None            # the source-id column (_uuid, or the user's choice)
    submission_index: int | None = None     # Kobo's _submission_time, when no received_at column
    hxl: bool = False

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) and self.labels[index] else f"#{index + 1}"


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    layout: Layout | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)   # (line, why): total rows
    problems: list[Problem] = field(default_factory=list)
    refused_rows: list[list[str]] = field(default_factory=list)     # cells + reasons, for the CSV
    unmatched: dict[str, set[str]] = field(default_factory=dict)    # field -> values no code matched
    created_ids: list[str] = field(default_factory=list)            # the first MAX_KEPT of each
    updated_ids: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [*self.created_ids, *self.updated_ids]

    def change(self) -> Change:
        """What the import changed, for the pages to refresh: created records must be listed, not
        only forgotten from a cache (a page told of updates only never showed the new rows)."""
        record_kind = KINDS[self.kind].record.KIND
        return Change(record_kind, created=list(self.created_ids), updated=list(self.updated_ids))

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.refused

    def counts(self) -> str:
        """The four figures, each agreeing in number with its own word (« 1 refusé », « 2 refusés »):
        one string holding four counts can agree with none of them."""
        created, updated, unchanged, refused = self.created, self.updated, self.unchanged, self.refused
        if self.dry_run:
            return count_words((ngettext("{n} to create", "{n} to create", created), created),
                               (ngettext("{n} to update", "{n} to update", updated), updated),
                               (ngettext("{n} unchanged", "{n} unchanged", unchanged), unchanged),
                               (ngettext("{n} refused", "{n} refused", refused), refused)) + "."
        return count_words((ngettext("{n} created", "{n} created", created), created),
                           (ngettext("{n} updated", "{n} updated", updated), updated),
                           (ngettext("{n} unchanged", "{n} unchanged", unchanged), unchanged),
                           (ngettext("{n} refused", "{n} refused", refused), refused)) + "."

    def summary(self) -> str:
        head = _("Dry run, nothing written") if self.dry_run else _("Imported")
        return _("{head}: {counts}").format(head=head, counts=self.counts())

    def _field_title(self, name: str) -> str:
        return _field_title(KINDS[self.kind], name) if self.kind in KINDS else name

    def lines(self, limit: int = 50) -> list[str]:
        """What the dry run shows a person: the counts, then why each refused row was refused."""
        out = [self.summary()]
        if self.layout is not None:
            # The field's title in the language shown, and its code, which a saved mapping names.
            used = ", ".join(f"{self.layout.label(i)} → {self._field_title(name)} ({name})"
                             for i, name in sorted(self.layout.columns.items()))
            out.append(_("Columns read: {columns}").format(columns=used))
            if self.layout.ignored:
                out.append(_("Columns ignored: {columns}").format(columns=", ".join(self.layout.ignored)))
        for line, why in self.skipped[:limit]:
            out.append(_("line {line}: skipped ({reason})").format(line=line, reason=why))
        for name, values in sorted(self.unmatched.items()):
            out.append(_("Values that match nothing in “{field}”: {values}").format(
                field=self._field_title(name), values=", ".join(sorted(values)[:30])))
        out += [problem.text() for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(ngettext("… and {n} more problem", "… and {n} more problems",
                                len(self.problems) - limit).format(n=len(self.problems) - limit))
        return out


def load_mapping(path: Path | str) -> Mapping:
    try:
        return Mapping.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except OSError as error:
        raise ImportFileError(_("Cannot read {file}: {reason}").format(file=path, reason=error.strerror)) from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ImportFileError(_("{file} is not a saved import mapping ({reason}).").format(
            file=Path(path).name, reason=error)) from error


def save_mapping(mapping: Mapping, path: Path | str) -> None:
    from fieldapp.fileio import atomic_write

    atomic_write(Path(path), json.dumps(mapping.to_json(), ensure_ascii=False, indent=2).encode("utf-8"))


def kind_of(name: str) -> ImportKind:
    if name not in KINDS:
        raise ImportFileError(_("Unknown import {kind}: choose one of {kinds}.").format(
            kind=name, kinds=", ".join(KINDS)))
    return KINDS[name]


# -- reading the layout ------------------------------------------------------------------------
def _head_rows(workbook: Workbook, sheet: str | None) -> list[tuple[int, list]]:
    rows = []
    for line, cells in workbook.rows(sheet):
        rows.append((line, cells))
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def analyse(workbook: Workbook, kind: ImportKind, mapping: Mapping | None = None,
            require_columns: bool = True) -> Layout:
    """Find the header (by the user's line, an HXL row, or the row naming most fields) and map
    each column to a field. With require_columns=False a header that names no field is still
    returned (every column ignored), for the wizard's columns step to map by hand."""
    mapping = mapping or Mapping(kind.name)
    sheet = mapping.sheet
    head = _head_rows(workbook, sheet)
    if not any(any(cell_text(c) for c in cells) for _line, cells in head):
        raise ImportFileError(_("{file} holds no rows.").format(file=workbook.path.name))
    texts = [(line, [cell_text(c) for c in cells]) for line, cells in head]
    hxl_at = next((n for n, (_line, cells) in enumerate(texts) if is_hxl_row(cells)), None)
    if mapping.header_row:
        position = next((n for n, (line, _c) in enumerate(texts) if line == mapping.header_row), None)
        if position is None:
            raise ImportFileError(_("{file} has no line {line} to read the header from.").format(
                file=workbook.path.name, line=mapping.header_row))
    elif hxl_at is not None:
        position = max(hxl_at - 1, 0)
    else:
        position = None
    if position is not None:
        header_rows = [texts[position][1]]
        last = position
    else:
        position, last = _best_header(kind, head)
        header_rows = [texts[n][1] for n in range(position, last + 1)]
    labels = header_labels(header_rows)
    tags = texts[hxl_at][1] if hxl_at is not None else []
    data_after = max(last, hxl_at if hxl_at is not None else -1)
    layout = Layout(sheet, texts[data_after][0], labels, {}, [], hxl=hxl_at is not None)
    taken: set[str] = set()
    by_tag = hxl_index(kind)
    full_labels = {label.strip() for label in labels if label.strip()}
    for index, label in enumerate(labels):
        raw = label.strip()
        lowered = raw.lower()
        name: str | None
        if raw in mapping.columns:
            name = mapping.columns[raw] or None
        elif mapping.key_column and raw == mapping.key_column:
            layout.key_index = index
            continue
        elif lowered == "_uuid":
            layout.key_index = index  # Kobo's submission id: the source key, whatever came before
            continue
        elif lowered in KOBO_KEYS or lowered.rsplit("/", 1)[-1] in KOBO_KEYS:
            if layout.key_index is None:
                layout.key_index = index
            continue
        elif "/" in raw and raw.rsplit("/", 1)[0] in full_labels:
            name = None  # Kobo's 0/1 column for one option of a select_multiple ("menace/types/pillage")
        elif lowered == KOBO_SUBMISSION:
            layout.submission_index = index
            continue
        elif raw.startswith("_") or lowered.startswith("meta/"):
            name = None  # Kobo's own bookkeeping (_id, _index, _status…)
        else:
            name = None
            if index < len(tags) and tags[index].startswith("#"):
                name = by_tag.get(parse_hxl(tags[index]))
            name = name or match_header(kind, raw)
        if name and name in kind.by_name and name not in taken:
            layout.columns[index] = name
            taken.add(name)
        elif raw:
            layout.ignored.append(raw)
    if "received_at" in taken:
        layout.submission_index = None
    if not layout.columns and require_columns:
        raise ImportFileError(_("No column of {file} matches a field of {kind}: map the columns by hand.").format(
            file=workbook.path.name, kind=_(kind.title)))
    return layout


def _best_header(kind: ImportKind, head: list[tuple[int, list]]) -> tuple[int, int]:
    """(first, last) position of the header among the first rows: the row, or two rows (a group
    title row over its sub-titles, as merged cells leave them), naming the most fields."""
    texts = [[cell_text(c) for c in cells] for _line, cells in head]

    def score(rows: list[list[str]]) -> int:
        return len({name for label in header_labels(rows) if (name := match_header(kind, label))})

    best, best_score = (0, 0), -1
    for n in range(len(texts)):
        single = score([texts[n]])
        if single > best_score:
            best, best_score = (n, n), single
        if n + 1 < len(texts) and not _looks_like_data(head[n + 1][1]):
            double = score([texts[n], texts[n + 1]])
            # Two rows only if together they name more than either alone: a sheet's title line
            # above its header is not a group title ("Incidents T4 / Date des faits").
            if double > best_score and double > single and double > score([texts[n + 1]]):
                best, best_score = (n, n + 1), double
    return best


def _looks_like_data(cells: list) -> bool:
    for cell in cells:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return True
        if not isinstance(cell, str):
            if cell is not None:
                return True
            continue
        if re.fullmatch(r"[\d\s.,:/-]+", cell) and any(ch.isdigit() for ch in cell):
            return True
    return False


def data_rows(workbook: Workbook, layout: Layout) -> Iterator[tuple[int, list]]:
    for line, cells in workbook.rows(layout.sheet):
        if line <= layout.header_line:
            continue
        if any(cell_text(c) for c in cells):
            yield line, cells


def distinct_values(workbook: Workbook, layout: Layout, kind: ImportKind, mapping: Mapping | None = None,
                    limit: int = 200, progress: Progress | None = None) -> dict[str, list[str]]:
    """For each code column, the values in the file that match no code (the wizard's values step).
    `progress(rows read, 0)` is called every 500 rows and may raise ImportCancelled to stop."""
    mapping = mapping or Mapping(kind.name)
    found: dict[str, set[str]] = {}
    for count, (_line, cells) in enumerate(data_rows(workbook, layout), start=1):
        if progress is not None and count % 500 == 0:
            progress(count, 0)
        for index, name in layout.columns.items():
            spec = kind.by_name[name]
            if spec.vocabulary is None or index >= len(cells):
                continue
            text = cell_text(cells[index])
            if not text:
                continue
            parts = _code_parts(spec, text, mapping.values.get(name)) if spec.kind == "codes" else [text]
            for part in parts:
                if match_code(spec.vocabulary, part, mapping.values.get(name)) is None:
                    bucket = found.setdefault(name, set())
                    if len(bucket) < limit:
                        bucket.add(part)
    return {name: sorted(values) for name, values in found.items()}


def _code_parts(spec, text: str, extra) -> list[str]:
    parts = split_codes(text)
    if len(parts) == 1 and " " in text and match_code(spec.vocabulary, text, extra) is None:
        words = text.split()  # Kobo's select_multiple: space-separated choice names
        if all(match_code(spec.vocabulary, word, extra) for word in words):
            return words
    return parts


# -- turning cells into values -----------------------------------------------------------------
class _Places:
    def __init__(self, store):
        codes, names = store.place_names()
        self.codes = codes
        self.by_name: dict[str, list[str]] = {}
        for pcode, name_en, name_fr in names:
            for name in {fold(name_en), fold(name_fr)} - {""}:
                self.by_name.setdefault(name, []).append(pcode)

    def resolve(self, text: str) -> str:
        code = text.strip().upper()
        if PCODE.match(code) and any(ch.isdigit() for ch in code):
            if self.codes and code not in self.codes:
                raise ValueProblem(_("this P-code is not in the gazetteer"))
            return code
        found = self.by_name.get(fold(text), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueProblem(_("several places have this name ({codes}): give the P-code").format(
                codes=", ".join(sorted(found)[:5])))
        raise ValueProblem(_("not a P-code or a place name of the gazetteer"))


# What a sheet writes when no party is known ("unidentified", as our incidents export writes it).
UNIDENTIFIED_WORDS = {"unidentified", "unknown", "non identifie", "non identifies", "inconnu", "inconnus",
                      "hommes armes non identifies", "unidentified armed men", "nsp"}
PARTY_SPLIT = re.compile(r"\s*[;|\n]\s*")  # never a comma: party names hold them ("Nyatura, faction X")


class _Parties:
    """The vault's parties by folded name and short name, read once per import (a few dozen)."""

    def __init__(self, session):
        self._session = session
        self._by_name: dict[str, set[str]] | None = None

    def resolve(self, text: str) -> list[str]:
        if self._by_name is None:
            self._by_name = {}
            for party in self._session.parties.all():
                for name in {fold(party.name), fold(party.short_name)} - {""}:
                    self._by_name.setdefault(name, set()).add(party.id)
        found: list[str] = []
        for part in self._parts(text):
            folded = fold(part)
            if folded in UNIDENTIFIED_WORDS:
                ids = {UNIDENTIFIED}
            else:
                ids = self._by_name.get(folded, set())
            if not ids:
                raise ValueProblem(_("“{name}” is not a party of this vault (add it on the Parties & commitments "
                                     "page first)").format(name=part[:60]))
            if len(ids) > 1:
                raise ValueProblem(_("several parties are called “{name}”: use the full name").format(name=part[:60]))
            party_id = next(iter(ids))
            if party_id not in found:
                found.append(party_id)
        return found

    def _known(self, part: str) -> bool:
        return fold(part) in UNIDENTIFIED_WORDS or fold(part) in self._by_name

    def _parts(self, text: str) -> list[str]:
        """Names split on ; | or new lines; on commas too ("ADF, FDLR") where the pieces, or runs of
        them, are known parties: a name may hold a comma ("Nyatura, faction Kavumbi")."""
        split: list[str] = []
        for part in (part for part in PARTY_SPLIT.split(text.strip()) if part):
            pieces = [piece.strip() for piece in part.split(",") if piece.strip()]
            names = [] if self._known(part) or len(pieces) < 2 else self._runs(pieces)
            split += names or [part]
        return split

    def _runs(self, pieces: list[str]) -> list[str]:
        """The pieces joined back into known names, longest first; [] if some piece fits none."""
        names, start = [], 0
        while start < len(pieces):
            end = next((end for end in range(len(pieces), start, -1)
                        if self._known(", ".join(pieces[start:end]))), None)
            if end is None:
                return []
            names.append(", ".join(pieces[start:end]))
            start = end
        return names


def _parse(spec, raw, text: str, mapping: Mapping, places: _Places, report: ImportReport, parties=None):
    extra = mapping.values.get(spec.name)
    if spec.kind == "parties":
        return parties.resolve(text)
    if spec.kind == "text":
        return text
    if spec.kind == "id":
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise ValueProblem(_("not a record id")) from None
    if spec.kind == "date":
        return parse_date(raw, mapping.day_first)
    if spec.kind == "datetime":
        return parse_datetime(raw, mapping.day_first)
    if spec.kind == "int":
        return parse_int(raw)
    if spec.kind == "float":
        return parse_float(raw)
    if spec.kind == "bool":
        return parse_bool(raw, extra)
    if spec.kind == "pcode":
        return places.resolve(text)
    if spec.kind == "code":
        code = match_code(spec.vocabulary, text, extra)
        if code is None:
            report.unmatched.setdefault(spec.name, set()).add(text)
            raise ValueProblem(_("matches no value of this list"))
        return code
    if spec.kind == "codes":
        codes, missing = [], []
        for part in _code_parts(spec, text, extra):
            code = match_code(spec.vocabulary, part, extra)
            if code is None:
                missing.append(part)
            elif code not in codes:
                codes.append(code)
        if missing:
            report.unmatched.setdefault(spec.name, set()).update(missing)
            raise ValueProblem(ngettext("“{values}” matches no value of this list",
                                        "“{values}” match no value of this list", len(missing)).format(
                                            values="; ".join(missing)))
        return codes
    raise AssertionError(spec.kind)


def _problem_text(reason) -> str:
    return _(str(reason))


# -- the import ---------------------------------------------------------------------------------
def run_import(session, kind_name: str, path: Path | str, mapping: Mapping | None = None, dry_run: bool = False,
               progress: Progress | None = None, refused_csv: Path | str | None = None) -> ImportReport:
    """Import one sheet of one file in one transaction (rolled back for a dry run).
    `progress(done, total)` may raise ImportCancelled: nothing is then written."""
    from fieldapp.store.imports import ImportStore

    kind = kind_of(kind_name)
    mapping = mapping or Mapping(kind.name)
    workbook = Workbook(path)
    layout = analyse(workbook, kind, mapping)
    report = ImportReport(kind.name, workbook.path.name, dry_run, layout)
    repository = getattr(session, kind.name)
    store = ImportStore(session)
    places = _Places(store)
    parties = _Parties(session)
    total = _estimate_rows(workbook, layout)
    progress = progress or (lambda done, total: None)
    digest = _file_digest(workbook.path)
    try:
        with store.transaction():
            done = 0
            for line, cells in data_rows(workbook, layout):
                _import_row(session, kind, layout, mapping, store, places, repository, report, line, cells, parties)
                done += 1
                if done % 200 == 0:
                    progress(done, max(total, done))
            progress(done, max(total, done))
            store.audit("import", kind.record.KIND, {
                "file": workbook.path.name, "sha256": digest, "kind": kind.name, "created": report.created,
                "updated": report.updated, "unchanged": report.unchanged, "refused": report.refused,
                "skipped": len(report.skipped)})
            if dry_run:
                raise DryRunDone
    except DryRunDone:
        pass
    if refused_csv is not None and report.refused_rows:
        write_refused(session, report, refused_csv)
    return report


def write_refused(session, report: ImportReport, path: Path | str) -> Path:
    """The refused rows as they were, with a last column saying why, to fix and import again;
    written atomically and, like every export, recorded in the audit log (file, rows, source)."""
    from fieldapp.store.outputs import log_output

    target = Path(path)
    labels = list(report.layout.labels) if report.layout else []
    width = max([len(labels)] + [len(row) - 1 for row in report.refused_rows])
    header = labels + [""] * (width - len(labels)) + [_("Why refused")]
    rows = ([*row[:-1], *([""] * (width - len(row) + 1)), row[-1]] for row in report.refused_rows)
    try:
        write_csv(target, header, rows)
    except OSError as error:
        message = (_("The refused rows could not be written to {file}: {reason}") if report.dry_run else
                   _("The import is done, but the refused rows could not be written to {file}: {reason}"))
        raise ImportFileError(message.format(file=target, reason=error.strerror or error)) from error
    log_output(session, "export", "refused_rows", "", {
        "kind": report.kind, "source": report.file, "rows": len(report.refused_rows), "refused": report.refused,
        "file": str(target.resolve()), "format": "csv"})
    return target


def _estimate_rows(workbook: Workbook, layout: Layout) -> int:
    if workbook.is_xlsx:
        return 0
    with workbook.path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - layout.header_line


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_total_row(cells: list) -> bool:
    texts = [cell_text(c) for c in cells]
    first = next((t for t in texts if t), "")
    return fold(first) in TOTAL_WORDS or fold(first).startswith("total ")


def _import_row(session, kind, layout, mapping, store, places, repository, report, line, cells, parties=None) -> None:
    if _is_total_row(cells):
        report.skipped.append((line, _("a total row")))
        return
    values: dict[str, object] = {}
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for index, name in layout.columns.items():
        raw = cells[index] if index < len(cells) else None
        text = cell_text(raw)
        seen[name] = text
        if not text:
            continue
        spec = kind.by_name[name]
        try:
            values[name] = _parse(spec, raw, text, mapping, places, report, parties)
        except ValueProblem as problem:
            problems.append(Problem(line, layout.label(index), text[:60], _problem_text(problem)))
    if layout.submission_index is not None and "received_at" not in values:
        raw = cells[layout.submission_index] if layout.submission_index < len(cells) else None
        if cell_text(raw):
            try:
                moment = parse_datetime(raw if not isinstance(raw, str) else raw.replace("Z", ""), mapping.day_first)
                if isinstance(raw, str) and not re.search(r"[+-]\d\d:?\d\d$|Z$", raw.strip()):
                    moment = moment.replace(tzinfo=timezone.utc)  # Kobo writes its server's UTC, without offset
                values["received_at"] = moment
            except ValueProblem as problem:
                problems.append(Problem(line, layout.label(layout.submission_index), cell_text(raw),
                                        _problem_text(problem)))
    if problems:
        _refuse(report, cells, problems)
        return
    row_hash = hashlib.sha256(json.dumps(seen, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    if "id" in values:
        source_key = "id:" + values["id"]
    elif kind.natural_key and values.get(kind.natural_key):
        # A corrected row of the same incident code updates the incident it made.
        source_key = f"{kind.natural_key}:{values[kind.natural_key]}"
    elif layout.key_index is not None and cell_text(cells[layout.key_index] if layout.key_index < len(cells) else ""):
        source_key = "key:" + cell_text(cells[layout.key_index])
    else:
        source_key = "row:" + row_hash
    known = store.lookup(kind.name, source_key)
    existing = None
    if "id" in values:
        existing = repository.find(values["id"])
    elif known is not None:
        existing = repository.find(known[0])
    try:
        if existing is not None:
            if known is not None and known[1] == row_hash and not existing.deleted:
                report.unchanged += 1
                return
            record = replace(existing, **values)
            _complete_update(session, kind, existing, record)
            if repository.update_in_transaction(record):
                report.updated += 1
                _keep_id(report.updated_ids, record.id)
            else:
                report.unchanged += 1
        else:
            record = kind.record(**values)
            _complete_new(session, kind, record, values)
            repository.insert_in_transaction(record)
            report.created += 1
            _keep_id(report.created_ids, record.id)
    except ValidationError as error:
        _refuse(report, cells, [Problem(line, _column_of(layout, name) or _field_title(kind, name),
                                        seen.get(name, "")[:60], message)
                                for name, message in error.problems.items()])
        return
    store.remember(kind.name, source_key, record.id, row_hash, report.file)


def _field_title(kind: ImportKind, name: str) -> str:
    spec = kind.by_name.get(name)
    return _(spec.title) if spec else name


def _keep_id(ids: list[str], record_id: str) -> None:
    if len(ids) < MAX_KEPT:
        ids.append(record_id)


def _column_of(layout: Layout, name: str) -> str:
    for index, field_name in layout.columns.items():
        if field_name == name:
            return layout.label(index)
    return ""


def _complete_new(session, kind: ImportKind, record, given: dict) -> None:
    """What a new record needs that a spreadsheet seldom has."""
    if kind.name == "referrals" and record.incident_date is None and "incident_date_precision" not in given:
        record.incident_date_precision = "unknown"  # no date in the sheet: unknown, not "exact"
    if kind.name == "referrals" and not record.survivor_code and record.reported_at is not None:
        record.survivor_code = session.referrals.next_survivor_code(session.office_code or "OFF",
                                                                    record.reported_at.year)
    if kind.name == "incidents":
        if record.occurred_on is None and "occurred_precision" not in given:
            record.occurred_precision = "unknown"
        if not record.incident_code and record.learned_on is not None:
            # Counted in this transaction: the rows before this one already hold their codes.
            record.incident_code = session.incidents.next_incident_code(session.office_code or "OFF",
                                                                        record.learned_on.year)
        if record.verification != "reported":
            target, record.verification = record.verification, "reported"
            change_verification(record, target, on=record.learned_on or utc_now().date(), by=session.user,
                                note=_("from a spreadsheet import"))


def _complete_update(session, kind: ImportKind, before, record) -> None:
    """An incident's verification changed by a sheet is recorded in its history, like one made in the form."""
    if kind.name == "incidents" and record.verification != before.verification:
        target, record.verification = record.verification, before.verification
        change_verification(record, target, on=utc_now().date(), by=session.user, note=_("from a spreadsheet import"))


def _refuse(report: ImportReport, cells: list, problems: list[Problem]) -> None:
    report.refused += 1
    room = MAX_PROBLEMS - len(report.problems)
    if room > 0:
        report.problems.extend(problems[:room])
    if len(report.refused_rows) < MAX_KEPT:
        report.refused_rows.append([cell_text(c) for c in cells] + ["; ".join(
            f"{p.column}: {p.reason}" for p in problems)])
