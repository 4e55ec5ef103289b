"""MARA spreadsheet exports: incidents, parties and commitment items as CSV and XLSX with HXL
hashtags that libhxl reads; never notes, reasons for keeping an incident out, or links; incidents
kept out of the MARA reporting are left out and counted; formula-like cells are neutralised."""

from __future__ import annotations

import csv
from datetime import date, datetime

import hxl
import openpyxl

from fieldapp.documents.exports import NEUTRALISER, export
from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.domain.mara import IncidentLink
from fieldapp.domain.records import Referral
from tests.conftest import PCODES
from tests.mara_support import commitment, incident, item, party


def fill(session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    adf = party("Allied Democratic Forces", short_name="ADF")
    hostile = party("=HYPERLINK(\"http://x\")", short_name="@bad")
    session.parties.create(adf)
    session.parties.create(hostile)
    referral = Referral(survivor_code="BNI-2026-0042", reported_at=None, incident_type="rape")
    session.incidents.save(incident(1, [adf.id], victims_girls=2, victims_women=3), [])
    session.incidents.save(incident(2, [adf.id, "unidentified"], share_with_mara=False,
                                    share_reason="Survivor's village would be identified"), [])
    session.incidents.save(incident(3, [hostile.id], notes="-2+3 named witness"), [])
    session.commitments.save(commitment(adf.id), [item("Release the women held", due_on=date(2025, 1, 31)),
                                                  item("Train commanders", status="achieved")])
    return adf, hostile


def test_incidents_csv_reads_with_hxl_and_holds_no_notes_reasons_or_links(session, tmp_path):
    adf, hostile = fill(session)
    path = tmp_path / "incidents.csv"
    result = export(session, "incidents", path, "csv", "en", hxl=True)
    assert (result.rows, result.left_out) == (2, 1)
    text = path.read_text(encoding="utf-8-sig")
    for secret in ("named witness", "do not share", "Survivor's village", "BNI-2026-0042"):
        assert secret not in text
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True, encoding="utf-8-sig"))
    rows = list(dataset)
    assert [row.get("#event+code") for row in rows] == ["BNI-I-2026-0001", "BNI-I-2026-0003"]
    first = rows[0]
    assert first.get("#affected+f+children") == "2" and first.get("#affected+f+adults") == "3"
    assert first.get("#affected+total") == "5" and first.get("#adm1+code") == "CD61"
    assert first.get("#org+perpetrator+name") == "ADF" and first.get("#event+type+code") == "rape"
    assert first.get("#event+type+name+i_en") == "Rape" and first.get("#status+verification+code") == "reported"
    # The second party's short name starts with @: neutralised so no spreadsheet runs it.
    assert rows[1].get("#org+perpetrator+name") == NEUTRALISER + "@bad"
    assert "#meta+notes" not in {column.display_tag for column in dataset.columns}


def test_parties_and_commitments_as_xlsx_with_labels_in_both_languages(session, tmp_path):
    adf, hostile = fill(session)
    path = tmp_path / "commitments.xlsx"
    result = export(session, "commitments", path, "xlsx", "en+fr", hxl=True)
    assert result.rows == 2
    sheet = openpyxl.load_workbook(path).active
    header, tags, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[tags.index("#status+code")] == "Status / Statut"
    found = {row[tags.index("#meta+item+description")]: row for row in rows}
    late = found["Release the women held"]
    assert late[tags.index("#org+acronym")] == "ADF" and late[tags.index("#status+overdue+code")] == "yes"
    assert late[tags.index("#status+name+i_fr")] == "En cours"
    assert found["Train commanders"][tags.index("#status+overdue+code")] == "no"
    # A real spreadsheet date (openpyxl reads a date cell as a datetime at midnight), not text.
    assert late[tags.index("#date+due")] == datetime(2025, 1, 31)

    path = tmp_path / "parties.csv"
    export(session, "parties", path, "csv", "fr", hxl=True)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, tags, *rows = list(csv.reader(handle))
    names = {row[tags.index("#org+name")] for row in rows}
    assert names == {"Allied Democratic Forces", NEUTRALISER + "=HYPERLINK(\"http://x\")"}
    assert "notes" not in " ".join(tags)
