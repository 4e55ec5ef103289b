"""The Sync page as headquarters staff drive it: offices added, data files opened (button or drop)
in a worker, the summary, gaps, export, and conflict review. test_sync_exchange.py does the whole
exchange, cards included, through the page's buttons only."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

import pytest

from fieldapp.gui.sync_page import SyncPage
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.sync_support import enrol_both, make_site, referral


@pytest.fixture
def offices(template_vault, tmp_path):
    hq = make_site(template_vault, tmp_path / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        case = referral("BNI", 1)
        session.referrals.create(case)
        first = export_bundle(session, "HQ", tmp_path / "out").path
        edited = session.referrals.get(case.id)
        edited.notes = "second visit"
        session.referrals.update(edited)
        second = export_bundle(session, "HQ", tmp_path / "out").path
    return {"hq": hq, "beni": beni, "first": first, "second": second, "case": case.id}


@pytest.fixture
def page(qtbot, context, offices):
    session = offices["hq"].open()
    context.set_session(session)
    sync = SyncPage(context)
    qtbot.addWidget(sync)
    sync.resize(1100, 700)
    sync.show()
    qtbot.waitExposed(sync)
    yield sync
    context.drop_session()
    session.close()


def _wait(qtbot, page):
    qtbot.waitUntil(lambda: page.worker is None, timeout=20_000)


def _cells(table, row):
    return [table.item(row, column).text() for column in range(table.columnCount())]


def test_the_page_lists_enrolled_sites_and_imports_bundles_with_a_summary_and_the_gap(qtbot, page, offices):
    assert page.sites.rowCount() == 1
    assert _cells(page.sites, 0)[:2] == ["Beni field office (BNI)", "field office"]
    assert page.site_label.text() == "Headquarters (HQ), headquarters"
    page.import_files([offices["second"]])
    _wait(qtbot, page)
    summary = page.result_label.text()
    assert "data file 2 from Beni field office imported" in summary
    assert "Referrals: 1 new, 0 updated, 0 unchanged, 0 conflicts" in summary
    assert "Bundle 1 from Beni field office not yet received." in summary
    assert _cells(page.sites, 0)[4] == "1"
    page.import_files([offices["first"], offices["second"]])
    _wait(qtbot, page)
    assert "already imported" in page.result_label.text()
    assert _cells(page.sites, 0)[4] == ""
    assert page.context.session.referrals.get(offices["case"]).notes == "second visit"


def test_bundles_dropped_on_the_page_are_imported_and_a_bad_one_is_reported(qtbot, page, offices, tmp_path):
    broken = tmp_path / "broken.fieldbundle"
    broken.write_bytes(offices["first"].read_bytes()[:400])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(offices["first"])), QUrl.fromLocalFile(str(broken))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    page.dropEvent(event)
    _wait(qtbot, page)
    summary = page.result_label.text()
    assert "data file 1 from Beni field office imported" in summary
    assert "broken.fieldbundle: refused" in summary
    assert page.context.session.referrals.count() == 1


def test_export_writes_a_bundle_for_the_selected_site(qtbot, page, tmp_path):
    assert page.selected_site().name == "Beni field office"  # the only partner: chosen already
    assert page.export_button.isEnabled() and not page.export_reason.isVisible()
    page.export_to(page.selected_site().site_id, tmp_path / "usb")
    _wait(qtbot, page)
    assert [p.name[:10] for p in (tmp_path / "usb").glob("*.fieldbundle")] == ["HQ-to-BNI-"]
    assert "Data file 1 for Beni field office written to" in page.result_label.text()
    assert "Nothing changed since the last one" in page.result_label.text()
    assert _cells(page.sites, 0)[2].startswith("no. 1, ")


def test_a_conflict_is_listed_and_the_other_version_can_be_restored(qtbot, page, offices):
    page.import_files([offices["first"]])
    _wait(qtbot, page)
    session = page.context.session
    correction = session.referrals.get(offices["case"])
    correction.locality = "Oicha"
    session.referrals.update(correction)
    with offices["beni"].open() as beni:  # Beni edits again without having seen the correction
        later = beni.referrals.get(offices["case"])
        later.status = "closed"
        beni.referrals.update(later)
        third = export_bundle(beni, "HQ", offices["first"].parent).path
    page.import_files([offices["second"], third])
    _wait(qtbot, page)
    assert page.conflicts.rowCount() == 1
    assert "BNI-2026-0001" in _cells(page.conflicts, 0)[0]
    assert "locality" in _cells(page.conflicts, 0)[3]
    page.conflicts.selectRow(0)
    assert page.restore_button.isEnabled()
    page.restore_button.click()
    assert page.conflicts.rowCount() == 0
    assert session.referrals.get(offices["case"]).locality == "Oicha"


def test_locking_empties_the_page(page):
    assert page.sites.rowCount() == 1
    page.context.drop_session()
    assert page.sites.rowCount() == 0 and page.site_label.text() == ""
