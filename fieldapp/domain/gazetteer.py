"""Reading OCHA COD-AB P-code CSV files: any country, any deepest level, `_en` or `_fr` names."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from fieldapp.domain import validation
from fieldapp.domain.records import Place
from fieldapp.errors import ImportFileError
from fieldapp.i18n import _, ngettext, translate_in

PCODE_COLUMN = re.compile(r"^admin(\d)pcode$", re.IGNORECASE)
NAME_COLUMN = re.compile(r"^admin(\d)name_([a-z]{2})$", re.IGNORECASE)
# HDX attribute tables (the shapefiles' .dbf as CSV/XLSX): ADM2_PCODE, ADM2_FR, ADM2_EN.
HDX_PCODE_COLUMN = re.compile(r"^adm(\d)_?pcode$", re.IGNORECASE)
HDX_NAME_COLUMN = re.compile(r"^adm(\d)_([a-z]{2})$", re.IGNORECASE)
MISSING = {"", "NA", "N/A", "NULL", "None"}
MAX_FILE_BYTES = 100 * 1024 * 1024


def _clean(value: str | None) -> str:
    value = validation.strip_controls(value or "").strip()  # a file cannot be corrected here
    return "" if value in MISSING else value


def _epoch_ms_to_date(value: str):
    value = _clean(value)
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(float(value)) / 1000, tz=timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        return None


@dataclass
class PcodeReport:
    """What a P-code file holds, and what in it a person should check before trusting it."""

    places: list[Place] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layout: str = "cod"  # cod (admin1Pcode), hdx (ADM1_PCODE), fieldapp (our own places export)


def read_pcode_file(path: Path) -> list[Place]:
    """Every place of the file, parents before children. Raises ImportFileError naming the problem."""
    return read_pcode_report(path).places


def read_pcode_report(path: Path) -> PcodeReport:
    """Places and warnings of a P-code file: CSV or XLSX, COD, HDX or our own export layout."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(_("{file} is too large for a P-code file ({size} MB).").format(
                file=path.name, size=size // (1024 * 1024)))
        with path.open("rb") as handle:
            head = handle.read(4)
        if head == b"PK\x03\x04":
            return _parse_xlsx(path)
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(_("Cannot read {file}: {reason}").format(file=path.name, reason=error.strerror)) from error
    return parse_pcode_report(raw, path.name)


def _parse_xlsx(path: Path) -> PcodeReport:
    # The spreadsheet reader lives with the other file formats; loaded only for an XLSX file.
    from fieldapp.documents.spreadsheet import Workbook, cell_text

    rows = ([cell_text(cell) if not isinstance(cell, (date, datetime)) else cell.isoformat()[:10] for cell in cells]
            for _line, cells in Workbook(path).rows())
    return _parse_rows(rows, path.name)


def parse_pcode_bytes(raw: bytes, name: str = "file") -> list[Place]:
    return parse_pcode_report(raw, name).places


def parse_pcode_report(raw: bytes, name: str = "file") -> PcodeReport:
    if b"\x00" in raw[:4096]:
        raise ImportFileError(_("{file} is not a text CSV file.").format(file=name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older COD files saved from Excel on Windows.
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _parse_rows(reader, name)
    except csv.Error as error:
        raise ImportFileError(_("{file} is not a readable CSV file ({reason}).").format(file=name, reason=error)) from None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", "".join(c for c in text if not unicodedata.combining(c)).casefold()).split())


def _date_value(value: str):
    """validOn / validTo as COD (epoch milliseconds) or HDX (ISO or DD/MM/YYYY) write them."""
    value = _clean(value)
    if not value:
        return None
    if re.fullmatch(r"\d{9,}(\.0+)?", value):
        return _epoch_ms_to_date(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    return None


def _parse_rows(rows, name: str) -> PcodeReport:
    rows = iter(rows)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("{file} is empty.").format(file=name)) from None
    except csv.Error as error:
        raise ImportFileError(_("{file} is not a readable CSV file ({reason}).").format(file=name, reason=error)) from None
    header = [str(column or "").strip() for column in header]
    if _own_export_columns(header):
        return _parse_own_export(header, rows, name)
    layout = "cod"
    pcode_columns = {int(m.group(1)): i for i, c in enumerate(header) if (m := PCODE_COLUMN.match(c))}
    names: dict[int, dict[str, int]] = {}
    if not pcode_columns:
        pcode_columns = {int(m.group(1)): i for i, c in enumerate(header) if (m := HDX_PCODE_COLUMN.match(c))}
        layout = "hdx"
        name_pattern = HDX_NAME_COLUMN
    else:
        name_pattern = NAME_COLUMN
    if not pcode_columns:
        raise ImportFileError(_("{file} has no adminNPcode column: it is not an OCHA P-code file.").format(file=name))
    for index, column in enumerate(header):
        match = name_pattern.match(column)
        if match:
            names.setdefault(int(match.group(1)), {})[match.group(2).lower()] = index
    valid_on_column = next((i for i, c in enumerate(header) if c.lower() in ("validon", "valid_on")), None)
    valid_to_column = next((i for i, c in enumerate(header) if c.lower() in ("validto", "valid_to")), None)
    levels = sorted(pcode_columns)
    report = PcodeReport(layout=layout)
    places: dict[str, Place] = {}
    first_line: dict[str, int] = {}
    blank_lines: list[int] = []
    renamed: dict[str, tuple[str, int, str, int]] = {}
    off_prefix: list[tuple[int, str, str]] = []
    valid_to = None
    for line_number, row in enumerate(rows, start=2):
        row = [str(cell) if cell is not None else "" for cell in row]
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise ImportFileError(_("{file}, line {line}: the row has {found} columns, the header {expected}.").format(
                file=name, line=line_number, found=len(row), expected=len(header)))
        valid_on = _date_value(row[valid_on_column]) if valid_on_column is not None else None
        if valid_to_column is not None:
            ending = _date_value(row[valid_to_column])
            if ending is not None and (valid_to is None or ending > valid_to):
                valid_to = ending
        parent = None
        for level in levels:
            pcode = _clean(row[pcode_columns[level]]).upper()
            level_names = names.get(level, {})
            name_en = _clean(row[level_names["en"]]) if "en" in level_names else ""
            name_fr = _clean(row[level_names["fr"]]) if "fr" in level_names else ""
            if not name_en and not name_fr:
                other = next(iter(level_names.values()), None)
                name_en = _clean(row[other]) if other is not None else ""
            if not pcode:
                if name_en or name_fr or level == levels[-1]:
                    blank_lines.append(line_number)
                continue
            if not validation.PCODE.match(pcode):
                # Quoted on one line whatever the cell holds (a quoted cell may span lines).
                shown = "".join(c if c.isprintable() else " " for c in pcode[:40])
                raise ImportFileError(_("{file}, line {line}: “{value}” is not a P-code.").format(
                    file=name, line=line_number, value=shown))
            place = Place(pcode=pcode, level=level, name_en=name_en, name_fr=name_fr,
                          parent_pcode=parent, valid_on=valid_on)
            known = places.get(pcode)
            if known is None:
                places[pcode] = place
                first_line[pcode] = line_number
                if parent and not pcode.startswith(parent):
                    off_prefix.append((line_number, pcode, parent))
            elif known.level != level or known.parent_pcode != parent:
                raise ImportFileError(_("{file}, line {line}: {pcode} appears with two different parents or levels.").format(
                    file=name, line=line_number, pcode=pcode))
            elif (known.name_en, known.name_fr) != (name_en, name_fr) and pcode not in renamed:
                renamed[pcode] = (known.name("fr") if known.name_fr else known.name("en"), first_line[pcode],
                                  name_fr or name_en, line_number)
            parent = pcode
    if not places:
        raise ImportFileError(_("{file} holds no places.").format(file=name))
    report.places = sorted(places.values(), key=lambda place: (place.level, place.pcode))
    report.warnings = _warnings(name, sorted(set(blank_lines)), renamed, off_prefix, valid_to)
    return report


def _shown_lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:10])
    return shown + ("…" if len(lines) > 10 else "")


def _warnings(name, blank_lines, renamed, off_prefix, valid_to) -> list[str]:
    warnings = []
    if blank_lines:
        warnings.append(ngettext(
            "{file}: {n} row has a blank P-code and was not imported (line {lines}).",
            "{file}: {n} rows have a blank P-code and were not imported (lines {lines}).",
            len(blank_lines)).format(file=name, n=len(blank_lines), lines=_shown_lines(blank_lines)))
    for pcode, (first, first_line, second, second_line) in list(renamed.items())[:20]:
        warnings.append(_("{file}: {pcode} is named “{first}” on line {first_line} and “{second}” on line "
                          "{second_line}; the first name is kept.").format(
            file=name, pcode=pcode, first=first, first_line=first_line, second=second, second_line=second_line))
    for line, pcode, parent in off_prefix[:20]:
        warnings.append(_("{file}, line {line}: {pcode} does not start with the code of its parent {parent}.").format(
            file=name, line=line, pcode=pcode, parent=parent))
    if valid_to is not None and valid_to < date.today():
        warnings.append(_("{file} was valid until {date} (validTo): a newer edition replaces it; look for it "
                          "on HDX.").format(file=name, date=valid_to.isoformat()))
    return warnings


OWN_TITLES = {"pcode": ("P-code",), "level": ("Level",), "name_en": ("Name in English",),
              "name_fr": ("Name in French",), "parent_pcode": ("Parent P-code",), "valid_on": ("Valid on",)}
OWN_TAGS = {"#loc+code": "pcode", "#loc+level": "level", "#loc+name+i_en": "name_en", "#loc+name+i_fr": "name_fr",
            "#loc+code+parent": "parent_pcode", "#date+valid": "valid_on"}


def _own_export_columns(header: list[str]) -> dict[str, int]:
    """Columns of our own places export (English, French or both languages in the header)."""
    wanted: dict[str, str] = {}
    for field_name, titles in OWN_TITLES.items():
        for title in titles:
            for language in ("en", "fr"):
                wanted[_fold(translate_in(language, title))] = field_name
    found: dict[str, int] = {}
    for index, column in enumerate(header):
        for part in [column, *column.split(" / ")]:
            field_name = wanted.get(_fold(part))
            if field_name and field_name not in found:
                found[field_name] = index
                break
    return found if {"pcode", "level", "parent_pcode"} <= set(found) else {}


def _parse_own_export(header: list[str], rows, name: str) -> PcodeReport:
    columns = _own_export_columns(header)
    places: list[Place] = []
    for line_number, row in enumerate(rows, start=2):
        row = [str(cell) if cell is not None else "" for cell in row]
        if not any(cell.strip() for cell in row):
            continue
        if row[columns["pcode"]].startswith("#"):
            continue  # the HXL row under the header
        value = lambda key: _clean(row[columns[key]]) if key in columns and columns[key] < len(row) else ""
        pcode = value("pcode").upper()
        if not validation.PCODE.match(pcode):
            raise ImportFileError(_("{file}, line {line}: “{value}” is not a P-code.").format(
                file=name, line=line_number, value=pcode[:40]))
        try:
            level = int(float(value("level")))
        except ValueError:
            raise ImportFileError(_("{file}, line {line}: the level “{value}” is not a number.").format(
                file=name, line=line_number, value=value("level")[:40])) from None
        places.append(Place(pcode=pcode, level=level, name_en=value("name_en"), name_fr=value("name_fr"),
                            parent_pcode=value("parent_pcode").upper() or None, valid_on=_date_value(value("valid_on"))))
    if not places:
        raise ImportFileError(_("{file} holds no places.").format(file=name))
    by_code = {place.pcode: place for place in places}
    for place in places:
        parent = by_code.get(place.parent_pcode) if place.parent_pcode else None
        if place.parent_pcode and (parent is None or parent.level >= place.level):
            raise ImportFileError(_("{file}: the parent {parent} of {pcode} is missing or not above it.").format(
                file=name, parent=place.parent_pcode, pcode=place.pcode))
    return PcodeReport(sorted(places, key=lambda place: (place.level, place.pcode)), [], "fieldapp")
