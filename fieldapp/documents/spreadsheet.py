"""Reading spreadsheets as people really save them: CSV in UTF-8 (with or without a BOM) or
Windows-1252, separated by `,` `;` or tabs, and XLSX workbooks; rows are streamed, never loaded
whole, so a 100 000-row file is read in bounded memory.

XLSX is read with openpyxl in read-only mode: it parses the sheet XML as a stream (one row at a
time), ships as a pure-Python wheel on every platform we build for, and is the library the
Python spreadsheet world maintains. Read-only mode does not report merged ranges; a merged
header is the value in its first cell and blanks after it, which `header_labels` fills in.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

from fieldapp.errors import ImportFileError
from fieldapp.i18n import _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")
MAX_CELL = 32_767  # Excel's own limit; anything longer is not a spreadsheet cell
csv.field_size_limit(1024 * 1024)

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class CsvFormat:
    encoding: str   # "utf-8-sig" (BOM or plain UTF-8) or "cp1252"
    delimiter: str


def detect_encoding(path: Path) -> str:
    """UTF-8 if every byte of the file decodes as UTF-8 (with or without a BOM), else cp1252:
    what Excel writes on Windows when "CSV" is chosen rather than "CSV UTF-8"."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return "cp1252"
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def detect_delimiter(sample: str) -> str:
    """The separator that splits the first lines into the same, largest number of columns."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        steady = sum(1 for count in counts if count == counts[0])
        score = (counts[0] if counts[0] > 1 else 0, steady)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class Workbook:
    """A spreadsheet file: its sheet names and a stream of rows per sheet."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise ImportFileError(_("{file} does not exist or is not a file.").format(file=self.path))
        with self.path.open("rb") as handle:
            head = handle.read(8)
        self.is_xlsx = head.startswith(b"PK\x03\x04")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(_("{file} is an old Excel 97-2003 workbook (.xls): open it in a spreadsheet "
                                    "program and save it as .xlsx or CSV.").format(file=self.path.name))
        self.csv_format: CsvFormat | None = None
        if not self.is_xlsx:
            with self.path.open("rb") as handle:
                raw = handle.read(SAMPLE_BYTES)
            if b"\x00" in raw:
                raise ImportFileError(_("{file} is neither a CSV text file nor an XLSX workbook.").format(
                    file=self.path.name))
            encoding = detect_encoding(self.path)
            sample = raw.decode(encoding, errors="ignore")
            self.csv_format = CsvFormat(encoding, detect_delimiter(sample))

    def sheet_names(self) -> list[str]:
        if not self.is_xlsx:
            return [self.path.stem]
        book = self._open_xlsx()
        try:
            return list(book.sheetnames)
        finally:
            book.close()

    def _open_xlsx(self):
        import openpyxl

        try:
            return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ImportFileError(_("{file} is not a readable XLSX workbook ({reason}).").format(
                file=self.path.name, reason=error)) from error

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Cell]]]:
        """(line number from 1, cells) for every row, blank ones included, in file order."""
        if self.is_xlsx:
            yield from self._xlsx_rows(sheet)
        else:
            yield from self._csv_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        assert self.csv_format is not None
        with self.path.open("r", encoding=self.csv_format.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.csv_format.delimiter)
            try:
                for cells in reader:
                    yield reader.line_num, [_csv_cell(cell) for cell in cells]
            except csv.Error as error:
                raise ImportFileError(_("{file}, line {line}: not readable as CSV ({reason}).").format(
                    file=self.path.name, line=reader.line_num, reason=error)) from error

    def _xlsx_rows(self, sheet: str | None) -> Iterator[tuple[int, list[Cell]]]:
        book = self._open_xlsx()
        try:
            if sheet is None:
                worksheet = book.worksheets[0]
            elif sheet in book.sheetnames:
                worksheet = book[sheet]
            else:
                raise ImportFileError(_("{file} has no sheet named “{sheet}”.").format(file=self.path.name, sheet=sheet))
            if not hasattr(worksheet, "iter_rows"):
                raise ImportFileError(_("“{sheet}” is a chart, not a sheet of cells.").format(sheet=sheet))
            # Files written by some programs carry a wrong dimension; read what is there instead.
            worksheet.reset_dimensions()
            number = 0
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, [_xlsx_cell(value) for value in values]
        finally:
            book.close()


# The invisible mark our CSV exports put before a cell a spreadsheet would run as a formula
# (fieldapp.documents.exports.NEUTRALISER): taken off again, so an export re-imports unchanged.
NEUTRALISER = "\u2060"


def _csv_cell(cell: str) -> str:
    cell = cell.strip()
    return cell[1:].strip() if cell.startswith(NEUTRALISER) else cell


def _xlsx_cell(value) -> Cell:
    if isinstance(value, str):
        return value.strip()[:MAX_CELL]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return value.isoformat()
    return value


def cell_text(value: Cell) -> str:
    """A cell as the text a person sees (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_labels(rows: list[list[Cell]]) -> list[str]:
    """One label per column from one or more header rows. Upper rows are group titles, often
    merged across their columns ("Participants" over "Women | Men"): each blank there takes the
    title to its left, and the labels join top to bottom ("Participants / Women")."""
    width = max((len(row) for row in rows), default=0)
    labels = [[] for _index in range(width)]
    for depth, row in enumerate(rows):
        last = ""
        for index in range(width):
            text = cell_text(row[index]) if index < len(row) else ""
            if depth < len(rows) - 1:
                # A group title spreads right over the blanks after it (a merged range).
                text = text or last
                last = text
            if text and (not labels[index] or labels[index][-1] != text):
                labels[index].append(text)
    return [" / ".join(parts) for parts in labels]


def write_csv(path: Path, header: list[str], rows) -> None:
    """A UTF-8 CSV with a BOM (what Excel opens with accents right), written atomically."""
    from fieldapp.fileio import atomic_writer

    with atomic_writer(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_guard(cell_text(value)) for value in row])
        text.flush()
        text.detach()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(text: str) -> str:
    # A cell a spreadsheet would run as a formula is written as text (CSV injection).
    if not text.startswith(FORMULA_START):
        return text
    try:
        float(text)
        return text  # a negative number is a number, not a formula
    except ValueError:
        return "'" + text
