"""GBVIMS Incident Recorder (docs/DESIGN.md 9): referrals export to its workbook layout and import
back equal; only referrals with consent to reporting leave, never notes."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone

import openpyxl

from fieldapp.documents import incident_recorder as ir
from fieldapp.domain.records import Referral, ReferralService
from fieldapp.ops.incident_recorder import export_incident_recorder, import_incident_recorder
from fieldapp.store.vault import Vault

from tests.conftest import USER
from tests.import_support import show, with_gazetteer

CARRIED = ("id", "survivor_code", "incident_date", "incident_type", "sex", "displacement", "disability",
           "perpetrator_category", "perpetrator_count", "location_pcode", "entry_point", "consent_reporting")


def fill(session):
    with_gazetteer(session)
    shared = Referral(survivor_code="BNI-2026-0001", reported_at=datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc),
                      incident_date=date(2026, 3, 4), incident_type="rape", sex="female", age_group="18-59",
                      displacement="idp", disability="no", perpetrator_category="non_state_armed_group",
                      perpetrator_count=2, location_pcode="CD6109", entry_point="health_facility",
                      consent_referral=True, consent_reporting=True, notes="NOTE-NEVER-LEAVES")
    session.referrals.create(shared)
    session.services.create(ReferralService(referral_id=shared.id, sector="health", status="referred"))
    session.services.create(ReferralService(referral_id=shared.id, sector="legal", status="declined"))
    second = Referral(survivor_code="BNI-2026-0002", reported_at=datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc),
                      incident_date=None, incident_date_precision="unknown", incident_type="physical_assault",
                      sex="male", age_group="18-59", location_pcode="CD61", entry_point="self",
                      consent_reporting=True)
    session.referrals.create(second)
    private = Referral(survivor_code="BNI-2026-0003", reported_at=datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc),
                       incident_type="rape", sex="female", age_group="18-59", consent_referral=True,
                       consent_reporting=False, incident_date_precision="unknown", notes="PRIVATE")
    session.referrals.create(private)
    return shared, second, private


def carried(referral) -> tuple:
    return tuple(getattr(referral, name) for name in CARRIED)


def test_export_carries_only_consented_referrals_and_no_notes(session, tmp_path):
    shared, second, private = fill(session)
    target = tmp_path / "ir.xlsx"
    result = export_incident_recorder(session, target)
    assert (result.rows, result.left_out) == (2, 1)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [ir.SHEET, ir.MENU_SHEET]
    rows = list(book[ir.SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == ir.COLUMNS
    text = repr(rows)
    assert "BNI-2026-0003" not in text and "NOTE-NEVER-LEAVES" not in text and "PRIVATE" not in text
    first = dict(zip(ir.COLUMNS, rows[1]))
    assert (first["SURVIVOR CODE"], first["SEX"], first["GBV TYPE"]) == ("BNI-2026-0001", "F", "Rape")
    assert first["DATE OF INTERVIEW"] == "05-Mar-2026" and first["INCIDENT DISTRICT"] == "Beni"
    assert first["HEALTH / MEDICAL SERVICES"] == "Referred"
    assert first["LEGAL ASSISTANCE SERVICES"] == "Referral declined by survivor"
    assert first["CONSENT GIVEN"] == "Yes"
    assert session.audit.entries(limit=1)[0].detail["left_out"] == 1


def test_round_trip_into_another_vault_is_equal_and_twice_changes_nothing(session, template_vault, tmp_path):
    shared, second, _private = fill(session)
    target = tmp_path / "ir.xlsx"
    export_incident_recorder(session, target)
    source, recovery_key = template_vault
    shutil.copytree(source, tmp_path / "other")
    with Vault(tmp_path / "other").unlock_with_recovery(recovery_key, USER) as other:
        with_gazetteer(other)
        dry = import_incident_recorder(other, target, dry_run=True)
        show(dry)
        assert (dry.created, dry.refused) == (2, 0) and other.referrals.count() == 0
        report = import_incident_recorder(other, target)
        assert report.created == 2
        imported = {r.survivor_code: r for r in other.referrals.list()}
        for original in (shared, second):
            assert carried(imported[original.survivor_code]) == carried(original)
            assert imported[original.survivor_code].reported_at.date() == original.reported_at.date()
        services = {s.sector: s.status for s in other.services.for_referral(shared.id)}
        assert services == {"health": "referred", "legal": "declined"}
        again = import_incident_recorder(other, target)
        show(again)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert other.services.count() == 2
    # Back into the vault it came from: the same records, nothing changes.
    back = import_incident_recorder(session, target)
    assert (back.created, back.updated, back.unchanged) == (0, 0, 2)


def test_a_workbook_that_is_not_the_incident_recorder_is_refused(tmp_path, session):
    import pytest

    from fieldapp.errors import ImportFileError

    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ImportFileError, match="Incident Data"):
        import_incident_recorder(session, path)
