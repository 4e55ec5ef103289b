"""Spreadsheet exports: what a partner opening the file sees, what never leaves the vault, and
that a failed export leaves nothing behind."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from tests.documents_support import open_filled_vault, provider
from fieldapp.documents.common import DocumentError
from fieldapp.documents.exports import KINDS, export
from fieldapp.domain.records import Referral
from fieldapp.store.repositories import ListQuery

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


def test_a_typed_formula_is_not_run_by_a_spreadsheet(session, tmp_path):
    target = tmp_path / "directory.csv"
    export(session, "directory", target, "csv", "en")
    names = [row[1] for row in read_csv(target)[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names and "=HYPERLINK(\"http://x\")" not in names


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
