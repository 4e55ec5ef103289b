"""Importing MARA incidents from spreadsheets (docs/DESIGN.md 2.5, 9): French and English sheets
written by XlsxWriter and by openpyxl, parties matched by name or short name, the incident's own
validation refusing rows (line, column, value, reason), codes given in order, verification
changes kept in the history, our own export importing back unchanged."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import xlsxwriter

from fieldapp.documents.exports import export
from fieldapp.ops.imports import run_import

from tests.import_support import show, with_gazetteer
from tests.mara_support import incident, party

FRENCH_HEADER = ["Date des faits", "Connu du bureau le", "Lieu", "Localité", "Type de violation", "Filles",
                 "Femmes", "Auteurs présumés", "Sources", "Statut de vérification", "Mesures prises"]


def parties(session):
    adf = party("Allied Democratic Forces", short_name="ADF")
    nyatura = party("Nyatura, faction Kavumbi", short_name="NYA-K")
    session.parties.create(adf)
    session.parties.create(nyatura)
    return adf, nyatura


def french_sheet_by_xlsxwriter(path):
    """What a MARA focal point keeps in Excel: a title, then the header, dates both as real dates
    and as typed text, parties by short or full name, some rows that must be refused."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Incidents T4")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Incidents VSLC – bureau de Beni, 4e trimestre 2025"])
    sheet.write_row(1, 0, FRENCH_HEADER)
    rows = [
        [datetime(2025, 10, 3), datetime(2025, 10, 5), "Beni", "Mavivi", "Viol collectif", 1, 2, "ADF",
         "Survivante; Centre de santé", "Vérifié", "Référées au centre de santé"],
        ["12/10/2025", "14/10/2025", "CD6109", "Oicha", "Viol", 0, 1, "Nyatura, faction Kavumbi | ADF",
         "Témoin", "", ""],
        ["20/10/2025", "21/10/2025", "Beni", "", "Esclavage sexuel", 0, 3, "Non identifié", "Relais", "", ""],
        # Refused: a party the vault does not know; no victim counted; learned before it happened;
        # a violation no list holds.
        ["01/11/2025", "02/11/2025", "Beni", "", "Viol", 0, 1, "Mai-Mai Inconnu", "Témoin", "", ""],
        ["05/11/2025", "06/11/2025", "Beni", "", "Viol", 0, 0, "ADF", "Témoin", "", ""],
        ["10/11/2025", "08/11/2025", "Beni", "", "Viol", 0, 1, "ADF", "Témoin", "", ""],
        ["12/11/2025", "13/11/2025", "Beni", "", "Pillage", 0, 1, "ADF", "Témoin", "", ""],
    ]
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write_datetime(number, column, value, day)
            else:
                sheet.write(number, column, value)
    book.close()


def test_french_xlsxwriter_sheet_dry_run_import_then_nothing_changes(session, tmp_path):
    with_gazetteer(session)
    adf, nyatura = parties(session)
    path = tmp_path / "incidents-T4.xlsx"
    french_sheet_by_xlsxwriter(path)

    before = session.audit.count()
    dry = run_import(session, "incidents", path, dry_run=True)
    show(dry)
    assert (dry.created, dry.updated, dry.unchanged, dry.refused) == (3, 0, 0, 4)
    assert session.incidents.count() == 0 and session.audit.count() == before
    reasons = {problem.line: (problem.column, problem.value, problem.reason) for problem in dry.problems}
    assert reasons[6] == ("Auteurs présumés", "Mai-Mai Inconnu",
                          "“Mai-Mai Inconnu” is not a party of this vault (add it on the Parties & commitments page first)")
    assert reasons[7][2] == "Count at least one victim."
    assert reasons[8] == ("Connu du bureau le", "08/11/2025",
                          "The office cannot learn of an incident before it happened.")
    assert reasons[9] == ("Type de violation", "Pillage", "“Pillage” matches no value of this list")
    assert "Values that match nothing in “Violations”: Pillage" in dry.lines()
    assert "Type de violation → Violations (violation_types)" in dry.lines()[1]

    refused = tmp_path / "refused.csv"
    report = run_import(session, "incidents", path, refused_csv=refused)
    assert (report.created, report.refused) == (3, 4)
    found = {i.incident_code: i for i in session.incidents.list()}
    assert sorted(found) == ["BNI-I-2025-0001", "BNI-I-2025-0002", "BNI-I-2025-0003"]
    first = found["BNI-I-2025-0001"]
    assert (first.occurred_on, first.learned_on, first.location_pcode) == (date(2025, 10, 3), date(2025, 10, 5),
                                                                          "CD6109")
    assert first.violation_types == ["gang_rape"] and first.sources == ["survivor", "health_provider"]
    assert (first.victims_girls, first.victims_women, first.perpetrator_parties) == (1, 2, [adf.id])
    # Verified in the sheet: the history says so, as when it is changed in the form.
    assert first.verification == "verified"
    assert [(step["from"], step["to"]) for step in first.verification_history] == [("reported", "verified")]
    second = found["BNI-I-2025-0002"]
    assert second.perpetrator_parties == [nyatura.id, adf.id] and second.verification == "reported"
    assert found["BNI-I-2025-0003"].perpetrator_parties == ["unidentified"]
    assert "Mai-Mai Inconnu" in refused.read_text(encoding="utf-8-sig")

    again = run_import(session, "incidents", path)
    show(again)
    assert (again.created, again.updated, again.unchanged, again.refused) == (0, 0, 3, 4)
    assert session.incidents.count() == 3
    assert session.verify() == []


def test_english_openpyxl_sheet_with_hxl_row_and_a_corrected_row(session, tmp_path):
    with_gazetteer(session)
    adf, nyatura = parties(session)
    path = tmp_path / "incidents.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["When", "Known", "Where", "What", "Girls", "Boys", "Who", "From", "Code"])
    sheet.append(["#date+occurred", "#date+reported", "#loc+code", "#event+type+code", "#affected+f+children",
                  "#affected+m+children", "#org+perpetrator+name", "#meta+source+code", "#event+code"])
    sheet.append([datetime(2025, 9, 1), datetime(2025, 9, 2), "CD6109", "Rape; Forced nudity", 2, 0,
                  "Allied Democratic Forces", "Witness", "GOM-I-2025-0007"])
    sheet.append([None, datetime(2025, 9, 9), "CD6109", "Attempted rape", 0, 1, "adf, Nyatura, faction Kavumbi", "NGO",
                  ""])
    book.save(path)

    report = run_import(session, "incidents", path)
    show(report)
    assert (report.created, report.refused) == (2, 0)
    found = {i.incident_code: i for i in session.incidents.list()}
    kept = found["GOM-I-2025-0007"]
    assert kept.violation_types == ["rape", "forced_nudity"] and kept.victims_girls == 2
    assert kept.perpetrator_parties == [adf.id] and kept.sources == ["witness"]
    generated = found["BNI-I-2025-0001"]
    assert generated.occurred_on is None and generated.occurred_precision == "unknown"
    assert generated.victims_boys == 1
    # "adf, Nyatura, faction Kavumbi": split on the comma where the pieces are parties, not inside a name.
    assert generated.perpetrator_parties == [adf.id, nyatura.id]

    # The same sheet with a corrected count: the incident it made is updated, not doubled.
    book = openpyxl.load_workbook(path)
    book.active["E3"] = 3
    book.save(path)
    again = run_import(session, "incidents", path)
    show(again)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert session.incidents.get(kept.id).victims_girls == 3


def test_our_incidents_export_imports_back_unchanged(session, tmp_path):
    with_gazetteer(session)
    adf, nyatura = parties(session)
    session.incidents.save(incident(1, [adf.id], victims_girls=2, violation_types=["rape", "gang_rape"]), [])
    session.incidents.save(incident(2, [nyatura.id, "unidentified"], occurred_on=None,
                                    occurred_precision="unknown"), [])
    for fmt, languages in (("xlsx", "en+fr"), ("csv", "fr")):
        target = tmp_path / f"incidents.{fmt}"
        export(session, "incidents", target, fmt, languages, hxl=True)
        report = run_import(session, "incidents", target, dry_run=True)
        show(report)
        assert (report.created, report.updated, report.unchanged, report.refused) == (0, 0, 2, 0), fmt
