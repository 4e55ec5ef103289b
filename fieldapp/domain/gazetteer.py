"""Reading OCHA COD-AB P-code CSV files: any country, any deepest level, `_en` or `_fr` names."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from fieldapp.domain import validation
from fieldapp.domain.records import Place
from fieldapp.errors import ImportFileError
from fieldapp.i18n import _

PCODE_COLUMN = re.compile(r"^admin(\d)pcode$", re.IGNORECASE)
NAME_COLUMN = re.compile(r"^admin(\d)name_([a-z]{2})$", re.IGNORECASE)
PCODE_VALUE = re.compile(r"^[A-Z]{2,3}[0-9A-Z]*$")
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


def read_pcode_file(path: Path) -> list[Place]:
    """Every place of the file, parents before children. Raises ImportFileError naming the problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(_("{file} is too large for a P-code file ({size} MB).").format(
                file=path.name, size=size // (1024 * 1024)))
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(_("Cannot read {file}: {reason}").format(file=path.name, reason=error.strerror)) from error
    return parse_pcode_bytes(raw, path.name)


def parse_pcode_bytes(raw: bytes, name: str = "file") -> list[Place]:
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
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("{file} is empty.").format(file=name)) from None
    except csv.Error as error:
        raise ImportFileError(_("{file} is not a readable CSV file ({reason}).").format(file=name, reason=error)) from None
    header = [column.strip() for column in header]
    pcode_columns = {int(m.group(1)): i for i, c in enumerate(header) if (m := PCODE_COLUMN.match(c))}
    if not pcode_columns:
        raise ImportFileError(_("{file} has no adminNPcode column: it is not an OCHA P-code file.").format(file=name))
    names: dict[int, dict[str, int]] = {}
    for index, column in enumerate(header):
        match = NAME_COLUMN.match(column)
        if match:
            names.setdefault(int(match.group(1)), {})[match.group(2).lower()] = index
    valid_on_column = next((i for i, c in enumerate(header) if c.lower() == "validon"), None)
    levels = sorted(pcode_columns)

    places: dict[str, Place] = {}
    try:
        for line_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise ImportFileError(_("{file}, line {line}: the row has {found} columns, the header {expected}.").format(
                    file=name, line=line_number, found=len(row), expected=len(header)))
            valid_on = _epoch_ms_to_date(row[valid_on_column]) if valid_on_column is not None else None
            parent = None
            for level in levels:
                pcode = _clean(row[pcode_columns[level]]).upper()
                if not pcode:
                    continue
                if not PCODE_VALUE.match(pcode):
                    # Quoted on one line whatever the cell holds (a quoted cell may span lines).
                    shown = "".join(c if c.isprintable() else " " for c in pcode[:40])
                    raise ImportFileError(_("{file}, line {line}: “{value}” is not a P-code.").format(
                        file=name, line=line_number, value=shown))
                level_names = names.get(level, {})
                name_en = _clean(row[level_names["en"]]) if "en" in level_names else ""
                name_fr = _clean(row[level_names["fr"]]) if "fr" in level_names else ""
                if not name_en and not name_fr:
                    other = next(iter(level_names.values()), None)
                    name_en = _clean(row[other]) if other is not None else ""
                place = Place(pcode=pcode, level=level, name_en=name_en, name_fr=name_fr,
                              parent_pcode=parent, valid_on=valid_on)
                known = places.get(pcode)
                if known is None:
                    places[pcode] = place
                elif known.level != level or known.parent_pcode != parent:
                    raise ImportFileError(_("{file}, line {line}: {pcode} appears with two different parents or levels.").format(
                        file=name, line=line_number, pcode=pcode))
                parent = pcode
    except csv.Error as error:
        raise ImportFileError(_("{file} is not a readable CSV file ({reason}).").format(file=name, reason=error)) from None
    if not places:
        raise ImportFileError(_("{file} holds no places.").format(file=name))
    return sorted(places.values(), key=lambda place: (place.level, place.pcode))
