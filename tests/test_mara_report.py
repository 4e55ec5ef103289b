"""The MARA quarterly report: every figure equals one counted independently here from the records;
the French and bilingual PDFs read in French and English; the XLSX has numbers and dates."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from fieldapp.cli import main
from fieldapp.documents.common import DocumentError, Languages
from fieldapp.documents.mara_report import build_mara_pdf, build_mara_xlsx, build_sheets, previous_period
from fieldapp.domain import mara
from fieldapp.ops.mara import make_mara_report
from fieldapp.core.changes import ListQuery
from fieldapp.store.vault import Vault
from tests.conftest import PASSPHRASE, USER
from tests.documents_support import open_filled_vault, pdf_text


@pytest.fixture(scope="module")
def filled(template_vault, tmp_path_factory):
    session = open_filled_vault(template_vault, tmp_path_factory.mktemp("mara-report"), records=600)
    yield session
    session.close()


def _quarter(today: date) -> tuple[date, date]:
    """The last whole quarter before today."""
    first_month = (today.month - 1) // 3 * 3 + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    start = date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return start, end


def _in(incident, start: date, end: date, area: str = "") -> bool:
    when = incident.occurred_on or incident.learned_on
    return start <= when <= end and incident.location_pcode.startswith(area)


def _expected(incidents, start, end, area=""):
    """Independent counts, in Python over the records, of what the report's tables show."""
    period = [i for i in incidents if _in(i, start, end, area)]
    shared = [i for i in period if i.share_with_mara]
    by_violation, by_party, by_admin1, by_month, by_status = Counter(), Counter(), Counter(), Counter(), Counter()
    victims_by_violation, knowledge = Counter(), Counter()
    for i in shared:
        for code in i.violation_types:
            by_violation[code] += 1
            victims_by_violation[code] += mara.total_victims(i)
        for party in i.perpetrator_parties:
            by_party[party] += 1
        by_admin1[i.location_pcode[:4]] += 1
        by_month[(i.occurred_on or i.learned_on).strftime("%Y-%m")] += 1
        by_status[i.verification] += 1
        knowledge[mara.knowledge_bucket(mara.days_to_knowledge(i))] += 1
    return {"total": len(period), "counted": len(shared), "girls": sum(i.victims_girls for i in shared),
            "victims": sum(mara.total_victims(i) for i in shared), "by_violation": by_violation,
            "victims_by_violation": victims_by_violation, "by_party": by_party, "by_admin1": by_admin1,
            "by_month": by_month, "by_status": by_status, "knowledge": knowledge}


def _sheet(sheets, name):
    return next(sheet for sheet in sheets if sheet.name == name)


def test_every_figure_equals_an_independent_count(filled):
    today = datetime.now().date()
    start, end = _quarter(today)
    incidents = filled.incidents.list()
    expected, before = _expected(incidents, start, end), _expected(incidents, *previous_period(start, end))
    assert expected["counted"] > 10  # the demo data gives the quarter something to count
    sheets, current, previous = build_sheets(filled, start, end, "", Languages("en"))
    assert (current.total_in_period, current.total.incidents, current.left_out) == (
        expected["total"], expected["counted"], expected["total"] - expected["counted"])
    summary = _sheet(sheets, "summary").rows[0]
    assert summary[1:4] == [expected["counted"], before["counted"], expected["girls"]]
    assert summary[8:] == [expected["victims"], before["victims"]]
    labels = {mara.VIOLATION_TYPE.label(code): code for code in mara.VIOLATION_TYPE.codes}
    rows = _sheet(sheets, "violation_types").rows
    assert {labels[row[0]]: row[1] for row in rows if row[1]} == dict(expected["by_violation"])
    assert {labels[row[0]]: row[2] for row in rows if row[2]} == dict(before["by_violation"])
    assert {labels[row[0]]: row[8] for row in rows if row[1]} == dict(expected["victims_by_violation"])
    names = filled.parties.names() | {"unidentified": "Unidentified"}
    assert {row[0]: row[1] for row in _sheet(sheets, "parties").rows if row[1]} == {
        names[key]: n for key, n in expected["by_party"].items()}
    provinces = {row[0][-5:-1]: row[1] for row in _sheet(sheets, "admin1").rows if row[1]}
    assert provinces == dict(expected["by_admin1"])
    assert {row[0].strftime("%Y-%m"): row[1] for row in _sheet(sheets, "months").rows if row[1]} == dict(
        expected["by_month"])
    status_labels = {mara.INCIDENT_VERIFICATION.label(code): code for code in mara.INCIDENT_VERIFICATION.codes}
    assert {status_labels[row[0]]: row[1] for row in _sheet(sheets, "verification").rows if row[1]} == dict(
        expected["by_status"])
    knowledge = _sheet(sheets, "time_to_knowledge").rows
    bucket_labels = [code for code, *_rest in mara.KNOWLEDGE_BUCKETS] + ["unknown"]
    assert {code: row[1] for code, row in zip(bucket_labels, knowledge) if row[1]} == dict(expected["knowledge"])


def test_an_area_and_the_incidents_kept_out_are_counted_apart(filled):
    start, end = date(2000, 1, 1), datetime.now().date()
    incidents = filled.incidents.list()
    expected = _expected(incidents, start, end, "CD61")
    _sheets, current, _previous = build_sheets(filled, start, end, "CD61", Languages("en"))
    assert current.total.incidents == expected["counted"] and current.total_in_period == expected["total"]
    assert current.left_out == sum(1 for i in incidents if _in(i, start, end, "CD61") and not i.share_with_mara) > 0


def test_commitments_and_the_status_of_their_items(filled):
    today = datetime.now().date()
    sheets, _c, _p = build_sheets(filled, *_quarter(today), "", Languages("en"), today=today)
    rows = _sheet(sheets, "commitments").rows
    items = filled.commitment_items.list()
    assert sum(row[4] for row in rows) == len(items)
    assert sum(row[-1] for row in rows) == sum(mara.item_overdue(i, today) for i in items) > 0


def test_french_and_bilingual_pdfs_show_the_labels(filled, tmp_path):
    start, end = date(2000, 1, 1), datetime.now().date()
    french = pdf_text(build_mara_pdf(filled, start, end, "", "fr"), tmp_path, "fr.pdf")
    assert "Incidents et victimes par type de violation" in french and "Viol collectif" in french
    assert "Statut de vérification" in french and "Gang rape" not in french
    both = pdf_text(build_mara_pdf(filled, start, end, "CD61", "en+fr"), tmp_path, "both.pdf")
    for text in ("Verification status / Statut de vérification", "Gang rape / Viol collectif", "Nord-Kivu",
                 "Commitments and the status of their items / Engagements et état de leurs points"):
        assert text in both
    assert "left out" in both and "FARDC" in both


def test_the_xlsx_has_numbers_as_numbers_and_dates_as_dates(filled):
    start, end = date(2000, 1, 1), datetime.now().date()
    book = openpyxl.load_workbook(io.BytesIO(build_mara_xlsx(filled, start, end, "", "en+fr")))
    assert book.sheetnames[:3] == ["report", "summary", "violation_types"]
    assert book["report"]["B8"].value == datetime(2000, 1, 1)
    sheet = book["violation_types"]
    assert sheet["A3"].value == "Violation type / Type de violation"
    values = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert all(isinstance(value, int) for row in values[:-1] for value in row[1:]) and values
    months = [row[0] for row in book["months"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert isinstance(months[0], datetime)
    signed = [row[3] for row in book["commitments"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert signed and all(isinstance(value, datetime) for value in signed)


def test_a_bad_period_or_area_is_refused_with_a_clear_message(filled, tmp_path):
    with pytest.raises(DocumentError, match="ends .* before it starts"):
        make_mara_report(filled, date(2026, 3, 1), date(2026, 1, 1), "", "en", "pdf", tmp_path / "x.pdf")
    with pytest.raises(DocumentError, match="Unknown area P-code CD99"):
        make_mara_report(filled, date(2026, 1, 1), date(2026, 3, 31), "CD99", "en", "xlsx", tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_previous_period_of_a_quarter_is_the_quarter_before():
    assert previous_period(date(2026, 4, 1), date(2026, 6, 30)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert previous_period(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert previous_period(date(2026, 1, 10), date(2026, 1, 19)) == (date(2025, 12, 31), date(2026, 1, 9))


def test_the_command_line_writes_the_report_and_audits_it(template_vault, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    session = open_filled_vault(template_vault, tmp_path, records=60)
    vault = session.vault.path
    session.close()
    out = tmp_path / "mara.xlsx"
    assert main(["--vault", str(vault), "mara-report", "--from", "2024-01-01", "--to", "2026-12-31", "--area",
                 "CD61", "--lang", "fr", "-o", str(out)]) == 0
    assert "mara.xlsx" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book["report"]["A1"].value == "Rapport MARA\u202f: violences sexuelles liées aux conflits"
    assert [cell.value for cell in book["summary"][3]][1:3] == ["Incidents", "Période précédente"]
    with Vault(vault).unlock_with_recovery(template_vault[1], USER) as session:
        entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type, entry.detail["format"], entry.detail["area"]) == (
        "export", "mara_report", "xlsx", "CD61")
