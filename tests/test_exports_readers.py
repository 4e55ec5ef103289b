"""Exports as other tools read them: libhxl's core schema and tag patterns, openpyxl's dates, the
import engine reading our own CSV back (the neutralising mark taken off again)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import openpyxl
import pytest

from tests.import_support import show
from fieldapp.documents.exports import KINDS, NEUTRALISER, export
from fieldapp.domain.records import Alert, Provider, Referral, Training
from fieldapp.ops.imports import run_import
from fieldapp.domain.gazetteer import read_pcode_file
from tests.conftest import PCODES

RECEIVED = datetime(2025, 10, 1, 6, 30, tzinfo=timezone.utc)


@pytest.fixture
def filled(session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"), source="COD_pcodes.csv")
    session.alerts.create(Alert(received_at=RECEIVED, channel="radio", location_pcode="CD6109",
                                threat_types=["abduction"], severity="high", verification="verified",
                                status="responded", responded_at=RECEIVED.replace(hour=9), response="Patrouille envoyée",
                                description="-3 hommes armés vus près du marché"))
    session.referrals.create(Referral(
        survivor_code="BNI-2025-0001", reported_at=RECEIVED, incident_date=date(2025, 9, 29), incident_type="rape",
        sex="female", age_group="18-59", entry_point="self", consent_referral=True, consent_reporting=True,
        location_pcode="CD6109"))
    session.trainings.create(Training(title="Circuit de référencement", start_date=date(2025, 9, 2),
                                      end_date=date(2025, 9, 3), location_pcode="CD6109", audience="national_police",
                                      topics=["referral_pathways"], participants_female=12, participants_male=8))
    session.providers.create(Provider(name="=Maison d'écoute", sectors=["psychosocial"], location_pcode="CD6109",
                                      phones="+243 990 000 001"))
    return session


def _validate(path) -> list[str]:
    hxl = pytest.importorskip("hxl")
    messages = []
    hxl.schema(callback=messages.append).validate(hxl.data(str(path), hxl.InputOptions(allow_local=True)))
    return [f"{m.rule.tag_pattern if m.rule else ''}: {m.message} ({m.value!r})" for m in messages
            if m.rule is None or m.rule.severity in ("error", "warning")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_hxl_export_passes_libhxl_core_schema(filled, tmp_path, kind, fmt):
    path = tmp_path / f"{kind}.{fmt}"
    export(filled, kind, path, fmt, "en+fr", hxl=True)
    assert _validate(path) == []


def _tags(path) -> list[str]:
    return list(csv.reader(io.StringIO(path.read_bytes()[3:].decode("utf-8"))))[1]


def test_hxl_tags_use_core_attributes_and_status_name_finds_the_status(filled, tmp_path):
    hxl = pytest.importorskip("hxl")
    referrals, alerts, trainings = (tmp_path / "r.csv", tmp_path / "a.csv", tmp_path / "t.csv")
    export(filled, "referrals", referrals, "csv", "en", hxl=True)
    export(filled, "alerts", alerts, "csv", "en", hxl=True)
    export(filled, "trainings", trainings, "csv", "en", hxl=True)
    assert {"#date+reported", "#date+occurred"} <= set(_tags(referrals))
    assert "#date+reported" in _tags(alerts)
    # A count stays a count: the audience is text, the share of women is not under #reached.
    training_tags = _tags(trainings)
    assert not any(tag.startswith(("#targeted", "#reached")) and "pct" in tag or tag.startswith("#targeted")
                   and "audience" in tag for tag in training_tags)
    assert hxl.data(str(trainings), hxl.InputOptions(allow_local=True)).with_rows("#indicator+f+pct>50").values
    source = hxl.data(str(alerts), hxl.InputOptions(allow_local=True))
    pattern = hxl.model.TagPattern.parse("#status+name")
    first = next(column for column in source.columns if pattern.match(column))
    assert first.header == "Status (label)"
    assert source.get_value_set("#status+name") == {"Responded"}


def test_xlsx_dates_are_dates_for_openpyxl(filled, tmp_path):
    for kind, column, expected in (("referrals", "Date of report", datetime(2025, 10, 1, 6, 30)),
                                   ("referrals", "Date of incident", datetime(2025, 9, 29)),
                                   ("alerts", "Received", datetime(2025, 10, 1, 6, 30)),
                                   ("trainings", "Start date", datetime(2025, 9, 2))):
        path = tmp_path / f"{kind}.xlsx"
        export(filled, kind, path, "xlsx", "en", hxl=True)
        sheet = openpyxl.load_workbook(path).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        cell = sheet.cell(row=3, column=header.index(column) + 1)
        assert cell.is_date and cell.value == expected, (kind, column, cell.value)


def test_bilingual_label_headers_keep_each_language_whole(filled, tmp_path):
    path = tmp_path / "alerts.csv"
    export(filled, "alerts", path, "csv", "en+fr", hxl=False)
    header = list(csv.reader(io.StringIO(path.read_bytes()[3:].decode("utf-8"))))[0]
    assert "Channel (label, English) / Canal (libellé, anglais)" in header
    assert "Channel (label, French) / Canal (libellé, français)" in header


@pytest.mark.parametrize("kind", ["alerts", "directory", "trainings"])
def test_our_csv_exports_import_back_unchanged(filled, tmp_path, kind):
    path = tmp_path / f"{kind}.csv"
    export(filled, kind, path, "csv", "en+fr", hxl=True)
    text = path.read_bytes()[3:].decode("utf-8")
    if kind in ("alerts", "directory"):
        assert NEUTRALISER in text  # "-3 hommes…", "=Maison…", "+243…" were neutralised
    report = run_import(filled, {"directory": "providers"}.get(kind, kind), path, dry_run=True)
    show(report)
    assert (report.created, report.updated, report.refused) == (0, 0, 0) and report.unchanged == 1
