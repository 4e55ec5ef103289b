"""KoboToolbox / ODK exports (docs/DESIGN.md 9): a CAN alert form collected on phones imports as
alerts, keyed by `_uuid`, twice without change; group paths, select_multiple, label headers."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import openpyxl

from fieldapp.ops.imports import run_import
from fieldapp.store.imports import ImportStore

from tests.import_support import show, with_gazetteer

FIXTURES = Path(__file__).parent / "fixtures" / "kobo"
XML_EXPORT = FIXTURES / "can_alerts_kobo_xml.xlsx"
LABEL_EXPORT = FIXTURES / "can_alerts_kobo_labels.csv"


def test_kobo_xml_export_imports_as_alerts_and_twice_changes_nothing(session):
    with_gazetteer(session)
    dry = run_import(session, "alerts", XML_EXPORT, dry_run=True)
    show(dry)
    assert (dry.created, dry.updated, dry.unchanged, dry.refused) == (4, 0, 0, 1)
    assert dry.unmatched == {"threat_types": {"tension_fonciere"}}  # listed, never guessed
    assert [(p.line, p.column) for p in dry.problems] == [(5, "menace/types_menace")]
    assert "_id" in dry.layout.ignored and "menace/types_menace/pillage" in dry.layout.ignored
    assert session.alerts.count() == 0

    first = run_import(session, "alerts", XML_EXPORT)
    assert (first.created, first.refused) == (4, 1)
    alert = session.alerts.get(ImportStore(session).lookup("alerts", "key:6c0e5a1e-3c7a-4d36-9a55-1b2f3e4d5a61")[0])
    assert alert.received_at == datetime(2025, 10, 2, 4, 30, tzinfo=timezone.utc)  # 06:30 at +02:00
    assert alert.threat_types == ["armed_presence", "looting"]   # space-separated choice names
    assert alert.channel == "phone_call" and alert.source_category == "community_focal_point"
    assert alert.severity == "high" and alert.forwarded_to == ["mission_base"]
    assert (alert.location_pcode, alert.locality, alert.source_code) == ("CD6109", "Mavivi", "RAN-BNI-014")
    fifth = session.alerts.get(ImportStore(session).lookup("alerts", "key:3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f")[0])
    assert fifth.crsv_related and fifth.forwarded_to == ["mission_base", "national_army"]
    audit_before = session.audit.count()

    second = run_import(session, "alerts", XML_EXPORT)
    show(second)
    assert (second.created, second.updated, second.unchanged, second.refused) == (0, 0, 4, 1)
    assert session.alerts.count() == 4
    assert session.audit.count() == audit_before + 1  # the import itself, nothing else


def test_an_edited_submission_updates_its_alert(session, tmp_path):
    with_gazetteer(session)
    run_import(session, "alerts", XML_EXPORT)
    edited = tmp_path / "export-later.xlsx"
    shutil.copy(XML_EXPORT, edited)
    book = openpyxl.load_workbook(edited)
    sheet = book.active
    severity = [cell.value for cell in sheet[1]].index("menace/gravite") + 1
    sheet.cell(row=4, column=severity, value="critique")  # verified later, graver than first thought
    book.save(edited)
    report = run_import(session, "alerts", edited)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    alert = session.alerts.get(ImportStore(session).lookup("alerts", "key:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")[0])
    assert alert.severity == "critical"


def test_kobo_csv_with_label_headers(session):
    with_gazetteer(session)
    report = run_import(session, "alerts", LABEL_EXPORT)
    show(report)
    assert (report.created, report.refused) == (3, 0)
    by_code = {a.source_code: a for a in session.alerts.list()}
    assert by_code["RAN-BNI-022"].channel == "sms_or_beep"
    assert by_code["RAN-BNI-022"].source_category == "local_protection_committee"
    assert by_code["RAN-BNI-022"].threat_types == ["sexual_violence"]
    assert by_code["RAN-GOM-003"].severity == "medium"
    assert run_import(session, "alerts", LABEL_EXPORT).unchanged == 3


def test_submission_time_stands_in_for_a_missing_reception_time(session, tmp_path):
    with_gazetteer(session)
    path = tmp_path / "kobo.csv"
    path.write_text("grp/types_menace;grp/pcode;_uuid;_submission_time\n"
                    "attaque;CD6109;aaaaaaaa-1111-4222-8333-444444444444;2025-10-02T05:02:11\n", encoding="utf-8")
    report = run_import(session, "alerts", path)
    assert report.created == 1
    assert session.alerts.list()[0].received_at == datetime(2025, 10, 2, 5, 2, 11, tzinfo=timezone.utc)
