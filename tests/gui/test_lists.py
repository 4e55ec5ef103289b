"""Record lists as a user drives them: search as you type, filters, sorting, keyboard, delete,
the directory's stale entries, the gazetteer import, and nothing left behind on lock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QMessageBox

from fieldapp.demo import fill
from fieldapp.domain.records import Provider
from fieldapp.gui.alerts_page import AlertsPage
from fieldapp.gui.context import AppContext
from fieldapp.gui.directory_page import DirectoryPage
from fieldapp.gui.places_page import PlacesPage
from fieldapp.gui.referrals_page import ReferralsPage
from fieldapp.gui.table_models import ID_ROLE, RECORD_ROLE, WARNING_COLOR
from fieldapp.gui.trainings_page import TrainingsPage
from fieldapp.core.changes import ListQuery
from tests.conftest import PCODES

LIST_PAGES = (ReferralsPage, AlertsPage, TrainingsPage, DirectoryPage)


@pytest.fixture
def context(qapp):
    """The app's signal hub, no main window: pages and forms get everything through it."""
    return AppContext()


@pytest.fixture
def unlocked(context, session):
    """The context on a vault holding 200 demo records of each kind and the DR Congo gazetteer."""
    fill(session, 200)
    context.set_session(session)
    return context


@pytest.fixture
def show(qtbot, unlocked):
    def make(page_class):
        page = page_class(unlocked)
        qtbot.addWidget(page)
        page.resize(1300, 800)
        page.show()
        qtbot.waitExposed(page)
        return page

    return make


def rows(page) -> list:
    return [page.model.index(row, 0).data(RECORD_ROLE) for row in range(page.model.rowCount())]


def test_every_list_model_passes_the_model_tester_through_sort_filter_and_refresh(qtmodeltester, show):
    for page_class in LIST_PAGES:
        page = show(page_class)
        assert page.model.rowCount() > 0
        qtmodeltester.check(page.model)
        # The tester keeps watching: resets from a sort, a search and a refresh must be well-formed.
        page._header_clicked(page.model.sort_column())
        page.search.setText("a")
        page.apply_filters()
        page.refresh()
    places = show(PlacesPage)
    qtmodeltester.check(places.tree_model)
    places.search.setText("beni")
    places.run_search()
    qtmodeltester.check(places.search_model)


def test_search_returns_results_as_you_type(qtbot, show, session):
    page = show(ReferralsPage)
    assert page.count_label.text() == "200 referrals"
    target = session.referrals.list(ListQuery(limit=1, offset=37))[0]
    qtbot.keyClicks(page.search, target.survivor_code)
    # No Enter pressed: the list follows the typing after a short pause.
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.record_at(0).id == target.id
    assert target.survivor_code in page.detail.toPlainText()
    assert page.count_label.text() == "1 of 200 referrals"

    page.search.clear()
    qtbot.keyClicks(page.search, target.locality.lower()[:4])
    expected = session.referrals.count(ListQuery(search=target.locality[:4]))
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=3000)
    assert 1 < expected < 200
    assert all(target.locality[:4].lower() in (r.locality + r.notes + r.survivor_code).lower() for r in rows(page))


def test_filters_by_status_type_place_and_dates(qtbot, show, session):
    page = show(ReferralsPage)
    page.filter_combos["status"].set_code("open")
    assert rows(page) and all(r.status == "open" for r in rows(page))
    assert page.model.rowCount() == session.referrals.count(ListQuery(filters={"status": "open"}))
    page.filter_combos["incident_type"].set_code("rape")
    assert rows(page) and all(r.status == "open" and r.incident_type == "rape" for r in rows(page))

    page.filter_combos["status"].set_code("")
    page.filter_combos["incident_type"].set_code("")
    # The place filter is the picker: type part of a name, take it, and the list keeps that area.
    qtbot.keyClicks(page.place_filter.edit, "nord-ki")
    qtbot.waitUntil(lambda: bool(page.place_filter._results), timeout=3000)
    qtbot.keyClick(page.place_filter.edit, Qt.Key.Key_Return)
    assert page.place_filter.pcode() == "CD61"
    assert page.place_filter.edit.text() == "Nord-Kivu"
    in_area = rows(page)
    assert in_area and all(r.location_pcode.startswith("CD61") for r in in_area)
    assert len(in_area) < 200

    page.reset_filters()
    assert page.model.rowCount() == 200
    cutoff = date.today() - timedelta(days=30)
    page.date_from.set_value(cutoff)
    recent = rows(page)
    assert recent and all(r.reported_at.astimezone().date() >= cutoff for r in recent)
    assert page.count_label.text().endswith("of 200 referrals")


def test_alert_and_directory_filters_use_their_own_vocabularies(show, session):
    alerts = show(AlertsPage)
    alerts.filter_combos["threat_type"].set_code("abduction")
    assert rows(alerts) and all("abduction" in a.threat_types for a in rows(alerts))
    directory = show(DirectoryPage)
    directory.filter_combos["sector"].set_code("legal")
    assert rows(directory) and all("legal" in p.sectors for p in rows(directory))


def test_clicking_a_header_sorts_in_sql_and_again_reverses(qtbot, show):
    page = show(ReferralsPage)
    header = page.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    codes = [r.survivor_code for r in rows(page)]
    assert codes == sorted(codes)
    assert header.sortIndicatorSection() == 0
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert [r.survivor_code for r in rows(page)] == sorted(codes, reverse=True)
    # A column without an index behind it does not sort, and the indicator stays where it was.
    sex_column = next(i for i, c in enumerate(page.model.columns) if c.sort is None)
    page._header_clicked(sex_column)
    assert header.sortIndicatorSection() == 0


def test_keyboard_moves_opens_and_deletes_with_confirmation_leaving_a_tombstone(qtbot, show, session):
    page = show(ReferralsPage)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.current_row() == 1
    second = page.model.record_at(1)
    assert second.survivor_code in page.detail.toPlainText()

    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.form is not None and page.form.record.id == second.id
    page.form.reject()  # nothing changed: closes without asking
    qtbot.waitUntil(lambda: page.form is None, timeout=2000)

    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    box = page.confirm_box
    assert box is not None and second.survivor_code in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    assert session.referrals.find(second.id).deleted is False

    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    page.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    tombstone = session.referrals.find(second.id)
    assert tombstone is not None and tombstone.deleted is True
    assert page.model.row_of(second.id) == -1
    assert page.count_label.text() == "199 referrals"
    assert page.current_row() == 1  # the next record, ready for the next key press
    assert any(e.action == "delete" and e.record_id == second.id for e in session.audit.entries())


def test_open_record_finds_a_record_hidden_by_the_filters(show, session):
    page = show(AlertsPage)
    page.filter_combos["status"].set_code("closed")
    hidden = session.alerts.list(ListQuery(filters={"status": "open"}, limit=1))[0]
    page.open_record(hidden.id)
    assert page.current_id() == hidden.id
    assert page.filter_combos["status"].code() == ""


def test_directory_marks_entries_not_verified_for_six_months(show, session):
    session.providers.create(Provider(name="Aaa clinique ancienne", sectors=["health"], location_pcode="CD6109",
                                      last_verified=date.today() - timedelta(days=200)))
    session.providers.create(Provider(name="Aab clinique vérifiée", sectors=["health"], location_pcode="CD6109",
                                      last_verified=date.today()))
    page = show(DirectoryPage)
    column = next(i for i, c in enumerate(page.model.columns) if c.sort == "last_verified")
    by_name = {page.model.record_at(row).name: row for row in range(page.model.rowCount())}
    stale = page.model.index(by_name["Aaa clinique ancienne"], column)
    fresh = page.model.index(by_name["Aab clinique vérifiée"], column)
    assert stale.data().endswith("(stale)")
    assert stale.data(Qt.ItemDataRole.ForegroundRole).color() == WARNING_COLOR
    assert "(stale)" not in fresh.data() and fresh.data(Qt.ItemDataRole.ForegroundRole) is None
    page.select_row(by_name["Aaa clinique ancienne"])
    assert "call to check" in page.detail.toPlainText()

    page.stale_only.setChecked(True)
    names = [p.name for p in rows(page)]
    assert "Aaa clinique ancienne" in names and "Aab clinique vérifiée" not in names
    assert all(p.last_verified is None or date.today() - p.last_verified > timedelta(days=183) for p in rows(page))


def test_places_import_runs_in_a_worker_and_shows_its_result(qtbot, show, session, tmp_path):
    page = show(PlacesPage)
    assert page.tree_model.rowCount() == 1  # DR Congo, from the demo data
    before = session.places.count()
    page.import_file(PCODES / "CAF_pcodes.csv")
    assert page.worker is not None and not page.import_button.isEnabled()
    qtbot.waitUntil(lambda: page.worker is None, timeout=20000)
    assert "places added" in page.result_label.text()
    added = session.places.count() - before
    assert added > 0 and str(added) in page.result_label.text().replace("\u202f", "").replace(",", "")
    assert page.tree_model.rowCount() == 2  # two countries now

    page.search.setText("bangui")
    page.run_search()
    assert page.search_model.rowCount() >= 1
    assert any("Bangui" in page.search_model.index(r, 3).data() for r in range(page.search_model.rowCount()))

    bad = tmp_path / "not-pcodes.csv"
    bad.write_text("name,phone\nA,1\n", encoding="utf-8")
    count = session.places.count()
    page.import_file(bad)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    assert page.result_label.text().startswith("Nothing was imported.")
    assert "adminNPcode" in page.result_label.text()
    assert session.places.count() == count


def test_locking_leaves_no_record_in_any_model_view_or_form(qtbot, show, unlocked, session):
    pages = [show(page_class) for page_class in (*LIST_PAGES, PlacesPage)]
    referrals = pages[0]
    referrals.search.setText(referrals.model.record_at(0).survivor_code)
    referrals.apply_filters()
    referrals.select_row(0)
    referrals.edit_current()
    form = referrals.form
    assert form is not None and form.survivor_code.text()
    assert any(page.model.cached_count() for page in pages[:4])

    unlocked.drop_session()
    assert form.survivor_code.text() == "" and form.services.model.rowCount() == 0
    for page in pages[:4]:
        assert page.model.rowCount() == 0 and page.model.cached_count() == 0 and page.model.id_count() == 0
        assert page.detail.toPlainText() == "" and page.count_label.text() == ""
    assert referrals.search.text() == ""
    assert pages[4].tree_model.rowCount() == 0 and pages[4].search_model.rowCount() == 0
    qtbot.waitUntil(lambda: referrals.form is None, timeout=2000)
    # Every item view of these pages, whatever it is (tables, trees, headers, pickers' popups).
    for page in pages:
        for view in page.findChildren(QAbstractItemView):
            model = view.model()
            if model is not None and model.rowCount() and model.index(0, 0).data(ID_ROLE):
                pytest.fail(f"{type(view).__name__} of {type(page).__name__} still shows records after lock")


def test_headers_filters_and_counts_follow_a_language_switch(show, unlocked, monkeypatch):
    from catalog_support import french_translations
    from fieldapp import i18n
    from fieldapp.gui.qt_i18n import apply_language

    translations = french_translations([
        ("Survivor code", "Code de la survivante"), ("All statuses", "Tous les statuts"), ("Rape", "Viol"),
        (("{count} referral", "{count} referrals"),
         ("{count} référencement", "{count} de référencements", "{count} référencements"))])
    monkeypatch.setitem(i18n._catalogs, "fr", translations)
    page = show(ReferralsPage)
    type_column = next(i for i, c in enumerate(page.model.columns) if c.sort == "incident_type")
    rape_row = next(r for r in range(page.model.rowCount()) if page.model.record_at(r).incident_type == "rape")
    assert page.model.index(rape_row, type_column).data() == "Rape"

    apply_language("fr", unlocked)
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Code de la survivante"
    assert page.filter_combos["status"].currentText() == "Tous les statuts"
    assert page.model.index(rape_row, type_column).data() == "Viol"
    assert page.count_label.text() == "200 référencements"
    # Dates follow the language too: the one short format, day first in French, month first in English.
    reported = page.model.record_at(0).reported_at.astimezone()
    assert page.model.index(0, 1).data() == reported.strftime("%d/%m/%Y %H:%M")
    apply_language("en", unlocked)
    assert page.model.index(0, 1).data() == reported.strftime("%m/%d/%Y %H:%M")
    apply_language("en", unlocked)
    assert page.model.index(rape_row, type_column).data() == "Rape"


def test_copying_from_a_list_goes_through_the_clipboard_guard(qtbot, show):
    from PySide6.QtGui import QGuiApplication

    from fieldapp.gui.protection import clear_sensitive_clipboard

    page = show(ReferralsPage)
    page.table.setFocus()
    code = page.model.record_at(0).survivor_code
    qtbot.keySequence(page.table, "Ctrl+C")
    assert QGuiApplication.clipboard().text().startswith(code + "\t")
    page.detail.selectAll()
    page.detail.copy_selection()
    assert code in QGuiApplication.clipboard().text()
    clear_sensitive_clipboard()  # what the 30-second timer and the lock do
    assert QGuiApplication.clipboard().text() == ""
