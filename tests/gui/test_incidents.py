"""The Incidents page and form, driven from the keyboard as a women's protection adviser types an
incident from a verification mission's notes: victims counted with the total shown, a party found
by typing, a referral linked by its code, then verified; Home lists it while it awaits
verification; a referral or an alert starts an incident pre-filled and linked."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.domain.mara import IncidentLink, Party
from fieldapp.domain.records import Alert, Referral
from fieldapp.gui.forms.incident_form import IncidentForm
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.core.changes import ListQuery
from tests.conftest import PCODES

TODAY = date.today()


@pytest.fixture
def mara_window(window, session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    session.parties.create(Party(name="Allied Democratic Forces", short_name="ADF"))
    session.parties.create(Party(name="Forces armées de la République démocratique du Congo", short_name="FARDC",
                                 party_type="state_armed_forces"))
    session.referrals.create(Referral(survivor_code="BNI-2026-0042", reported_at=datetime.now(timezone.utc)
                                      - timedelta(days=25), incident_date=TODAY - timedelta(days=27),
                                      incident_type="rape", consent_referral=True, location_pcode="CD6109",
                                      locality="Mavivi"))
    window.context.unlocked.emit()  # pages read the new parties and places
    return window


def focused():
    return QApplication.focusWidget()


def day_is_month(on_or_before: date) -> date:
    """The latest date like 11/11 on or before the day given: typed as digits, it reads the same
    day-first or month-first, whichever order the date field follows."""
    while on_or_before.day != on_or_before.month:
        on_or_before -= timedelta(days=1)
    return on_or_before


def type_date(qtbot, value: date) -> None:
    qtbot.keyClicks(focused(), value.strftime("%d%m%Y"))


def ready(qtbot, form) -> None:
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)


def tab_to(qtbot, widget, most: int = 8) -> None:
    """Tab until `widget` has the focus (a date field takes a Tab per part of the date)."""
    for _ in range(most):
        if focused() is widget:
            return
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is widget


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def test_an_incident_typed_from_mission_notes_linked_verified_and_on_home_meanwhile(qtbot, mara_window, session):
    window = mara_window
    page = window.page_of_kind("incident")
    window.show_page(page)
    window.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.form
    assert isinstance(form, IncidentForm)
    ready(qtbot, form)
    assert form.code.text() == f"BNI-I-{TODAY.year}-0001"
    learned = day_is_month(TODAY - timedelta(days=15))
    occurred = day_is_month(learned - timedelta(days=1))
    verified = day_is_month(TODAY)

    assert focused() is form.occurred_on.edit
    type_date(qtbot, occurred)
    tab_to(qtbot, form.learned_on.edit)  # precision stays exact, no end date
    type_date(qtbot, learned)
    tab_to(qtbot, form.place.edit, 1)
    qtbot.keyClicks(focused(), "Beni")
    tab(qtbot)
    assert form.place.pcode().startswith("CD61")
    qtbot.keyClicks(focused(), "Mavivi")
    tab(qtbot)
    for count in ("2", "0", "3", "0", "1"):  # girls, boys, women, men, unknown
        qtbot.keyClicks(focused(), count)
        tab(qtbot)
    assert form.total.text() == "Total: 6 victims"
    assert focused() is form.parties.filter
    qtbot.keyClicks(focused(), "adf")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert form.isVisible()  # Enter ticked the party, it did not save
    tab(qtbot, 2)  # past the party list
    assert focused() is form.perpetrator_count
    qtbot.keyClicks(focused(), "4")
    tab(qtbot)
    assert focused() is form.violation_types
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # gang rape
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    tab(qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # attack on a locality
    tab(qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # a witness
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    tab(qtbot)
    assert focused() is form.verification  # the status-change date is hidden while nothing changes
    tab(qtbot, 2)  # shared with the MARA reporting: left ticked
    assert focused() is form.actions_taken
    qtbot.keyClicks(focused(), "Survivors referred to Oicha health centre")
    tab(qtbot, 2)
    assert focused() is form.links.search
    qtbot.keyClicks(focused(), "BNI-2026-0042")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert form.links.status.text() == "Linked to referral BNI-2026-0042."
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.form is None)

    [incident] = session.incidents.list(ListQuery())
    assert (incident.occurred_on, incident.learned_on, incident.locality) == (occurred, learned, "Mavivi")
    assert (incident.victims_girls, incident.victims_women, incident.victims_unknown) == (2, 3, 1)
    assert incident.violation_types == ["gang_rape"] and incident.contexts == ["attack_on_locality"]
    assert incident.sources == ["witness"] and incident.perpetrator_count == 4
    adf = next(p for p in session.parties.all() if p.short_name == "ADF")
    assert incident.perpetrator_parties == [adf.id] and incident.verification == "reported"
    referral = session.referrals.list(ListQuery())[0]
    assert session.incidents.links_of(incident.id) == [IncidentLink("referral", referral.id)]
    assert page.model.rowCount() == 1 and page.model.index(0, 3).data() == "6"
    assert "BNI-2026-0042" in page.detail.toPlainText()

    # Home: learned of more than 14 days ago, still only reported.
    home = window.pages[0]
    window.show_page(home)
    qtbot.waitUntil(lambda: home.mara.incidents.tree.topLevelItemCount() == 1)
    row = home.mara.incidents.tree.topLevelItem(0)
    waiting = (TODAY - learned).days
    assert row.text(1) == f"{waiting} days" and row.text(2) == incident.incident_code
    home.mara.incidents.tree.setCurrentItem(row)
    qtbot.keyClick(home.mara.incidents.tree, Qt.Key.Key_Return)
    assert window.page_stack.currentWidget() is page and page.current_id() == incident.id

    # Verify it: Enter opens it, the new status is typed, with when and how.
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    form = page.form
    ready(qtbot, form)
    assert form.verification_on.isHidden()
    form.verification.setFocus()
    qtbot.keyClicks(form.verification, "Verified")
    assert form.verification.code() == "verified" and form.verification_on.isVisible()
    tab_to(qtbot, form.verification_on.edit, 1)
    type_date(qtbot, verified)
    tab_to(qtbot, form.verification_note, 1)
    qtbot.keyClicks(focused(), "Two witnesses met at Mavivi")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.form is None)
    stored = session.incidents.get(incident.id)
    assert stored.verification == "verified"
    step = stored.verification_history[-1]
    assert (step["to"], step["on"], step["note"]) == ("verified", verified.isoformat(),
                                                     "Two witnesses met at Mavivi")
    assert "Verification history" in page.detail.toPlainText()
    window.show_page(home)
    qtbot.waitUntil(lambda: home.mara.incidents.tree.topLevelItemCount() == 0)
    assert home.mara.incidents.empty.isVisible()


def test_a_refused_incident_keeps_the_form_open_with_messages_under_the_fields(qtbot, mara_window, session):
    page = mara_window.page_of_kind("incident")
    mara_window.show_page(page)
    page.new_record()
    form = page.form
    ready(qtbot, form)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and session.incidents.count() == 0
    left, right = form.grids
    assert left.error("location_pcode") == "Choose a place."
    assert left.error("perpetrator_parties") == "Choose the parties credibly suspected, or “Unidentified”."
    assert right.error("violation_types") == "Choose at least one value."
    assert "Count at least one victim." in left.error("victims_women")


def test_an_incident_from_a_referral_or_an_alert_comes_pre_filled_and_linked(qtbot, mara_window, session):
    window = mara_window
    referrals = window.page_of_kind("referral")
    window.show_page(referrals)
    referrals.select_row(0)
    assert referrals.incident_button.isEnabled()
    qtbot.mouseClick(referrals.incident_button, Qt.MouseButton.LeftButton)
    incidents = window.page_of_kind("incident")
    form = incidents.form
    ready(qtbot, form)
    referral = session.referrals.list(ListQuery())[0]
    assert form.occurred_on.value() == referral.incident_date
    assert form.learned_on.value() == referral.reported_at.date()
    assert form.place.pcode() == "CD6109" and form.locality.text() == "Mavivi"
    assert form.violation_types.codes() == ["rape"] and form.sources.codes() == ["survivor"]
    assert form.links.links() == [IncidentLink("referral", referral.id)]
    assert "BNI-2026-0042" in form.links.list.item(0).text()
    form.victim_boxes["victims_women"].setFocus()
    qtbot.keyClicks(form.victim_boxes["victims_women"], "1")
    form.parties.setFocus()
    qtbot.keyClicks(form.parties.filter, "FARDC")
    qtbot.keyClick(form.parties.filter, Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: incidents.form is None)
    [incident] = session.incidents.list(ListQuery())
    assert session.incidents.links_of(incident.id) == [IncidentLink("referral", referral.id)]

    alert = Alert(received_at=datetime.now(timezone.utc) - timedelta(days=3), channel="phone_call",
                  source_category="community_focal_point", source_code="CFP-017", location_pcode="CD6109",
                  locality="Oicha", threat_types=["sexual_violence"], severity="high")
    session.alerts.create(alert)
    alerts = window.page_of_kind("alert")
    window.show_page(alerts)
    alerts.refresh()
    alerts.select_row(0)
    qtbot.mouseClick(alerts.incident_button, Qt.MouseButton.LeftButton)
    form = incidents.form
    ready(qtbot, form)
    assert form.occurred_on.value() == alert.received_at.date() and form.precision.code() == "approximate"
    assert form.locality.text() == "Oicha" and form.sources.codes() == ["community_focal_point"]
    assert form.links.links() == [IncidentLink("alert", alert.id)]
    assert "CFP-017" in form.links.list.item(0).text()
    assert form.code.text().endswith("-0002")
    form.reject()


def test_links_found_by_a_focal_point_code_are_listed_to_tick(qtbot, mara_window, session):
    session.alerts.create(Alert(received_at=datetime.now(timezone.utc) - timedelta(days=1), channel="phone_call",
                                source_category="community_focal_point", source_code="CFP-017",
                                location_pcode="CD6109", threat_types=["sexual_violence"], severity="high"))
    page = mara_window.page_of_kind("incident")
    mara_window.show_page(page)
    page.new_record()
    form = page.form
    ready(qtbot, form)
    form.links.setFocus()
    qtbot.keyClicks(form.links.search, "CFP-017")
    qtbot.keyClick(form.links.search, Qt.Key.Key_Return)
    assert form.links.list.count() == 1 and form.links.links() == []  # listed, not yet ticked
    qtbot.keyClick(form.links.search, Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert [link.kind for link in form.links.links()] == ["alert"]
    form.links.search.setFocus()
    qtbot.keyClick(form.links.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.links.search, "nothing-like-this")
    qtbot.keyClick(form.links.search, Qt.Key.Key_Return)
    assert form.links.status.text() == "No referral or alert matches “nothing-like-this”."
    form.discard()


def test_the_form_fits_a_small_screen_and_switches_to_french(qtbot, mara_window):
    page = mara_window.page_of_kind("incident")
    mara_window.show_page(page)
    page.new_record()
    form = page.form
    ready(qtbot, form)
    form.resize(1024, 600)
    QApplication.processEvents()
    assert form.scroll.horizontalScrollBar().maximum() == 0  # vertical scrolling only
    assert form.buttons.isVisible() and form.buttons.geometry().bottom() <= form.height()
    apply_language("fr", mara_window.context)
    assert form.windowTitle() == "Nouvel incident de VSLC"
    assert form.victim_labels["victims_girls"].text() == "Filles"
    assert page.title_label.text() == "Incidents"
    apply_language("en", mara_window.context)
    form.discard()


def test_the_mara_report_is_saved_from_the_documents_page_as_pdf_or_xlsx(qtbot, window, session, tmp_path,
                                                                         monkeypatch):
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    from fieldapp.demo_mara import fill_mara
    from fieldapp.gui.documents_page import MARA
    from fieldapp.gui.workers import Worker

    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    fill_mara(session, 60, TODAY)
    page = next(p for p in window.pages if p.TITLE == "Documents")
    window.show_page(page)
    page.document.setFocus()
    qtbot.keyClicks(page.document, "MARA")
    assert page.document.currentData() == MARA and page.date_from.isVisible() and not page.kind.isVisible()
    assert "shared with the MARA reporting" in page.note.text()
    for name in ("mara.pdf", "mara.xlsx"):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, target=target, **kw: (str(target), ""))
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not Worker._running and target.exists(), timeout=60_000)
        assert str(target) in page.note.text()
    assert (tmp_path / "mara.pdf").read_bytes().startswith(b"%PDF")
    assert openpyxl.load_workbook(tmp_path / "mara.xlsx").sheetnames
    entries = [e for e in session.audit.entries(limit=5) if e.record_type == "mara_report"]
    assert {e.detail["format"] for e in entries} == {"pdf", "xlsx"}


def _choose(qtbot, combo, text: str) -> None:
    """Open a drop-down with the mouse and click one of its lines, as a person does."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    row = combo.findText(text)
    assert row >= 0, [combo.itemText(i) for i in range(combo.count())]
    view.scrollTo(view.model().index(row, 0))
    rect = view.visualRect(view.model().index(row, 0))
    # The open list ignores a release that comes as fast as a double click's (as Qt's own tests wait).
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())


def test_the_list_is_filtered_by_a_perpetrator_party_chosen_in_its_drop_down(qtbot, mara_window, session):
    from tests.mara_support import incident
    ids = {p.short_name: p.id for p in session.parties.all()}
    for n, suspects in enumerate([[ids["ADF"]], [ids["FARDC"]], [ids["FARDC"], ids["ADF"]], ["unidentified"]], 1):
        session.incidents.create(incident(n, suspects))
    page = mara_window.page_of_kind("incident")
    mara_window.show_page(page)

    def codes() -> list[str]:
        return sorted(page.model.record_at(row).incident_code for row in range(page.model.rowCount()))

    assert len(codes()) == 4
    assert [page.party_filter.itemText(i) for i in range(page.party_filter.count())] == [
        "All parties", "Unidentified", "ADF", "FARDC"]
    _choose(qtbot, page.party_filter, "FARDC")
    qtbot.waitUntil(lambda: codes() == ["BNI-I-2026-0002", "BNI-I-2026-0003"])
    assert page.count_label.text().startswith("2")
    _choose(qtbot, page.party_filter, "Unidentified")
    qtbot.waitUntil(lambda: codes() == ["BNI-I-2026-0004"])
    # A party added on the other page is offered at once; the choice survives a language switch.
    session_party = Party(name="Coopérative pour le développement du Congo", short_name="CODECO")
    from fieldapp.ops import mara as ops
    for change in ops.save_party(session, session_party):
        mara_window.context.records_changed.emit(change)
    assert page.party_filter.findText("CODECO") >= 0
    apply_language("fr", mara_window.context)
    assert page.party_filter.itemText(0) == "Toutes les parties"
    assert page.party_filter.currentText() == "Non identifié"
    apply_language("en", mara_window.context)
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(codes()) == 4)
    assert page.party_filter.currentText() == "All parties"


def test_the_list_shows_its_columns_from_light_rows_and_the_detail_pane_the_whole_incident(qtbot, mara_window,
                                                                                          session):
    """The list reads only what it shows (no notes, no history); a click on a row shows all of the
    incident, in the language chosen."""
    from fieldapp.domain import mara
    from fieldapp.ops import mara as ops
    from tests.mara_support import incident
    ids = {p.short_name: p.id for p in session.parties.all()}
    session.incidents.create(incident(1, [ids["ADF"]]))
    checked = incident(2, [ids["FARDC"], "unidentified"], violation_types=["gang_rape", "forced_nudity"],
                       victims_girls=2, victims_women=1, sources=["witness"], notes="named witness: do not share")
    session.incidents.create(checked)
    stored = session.incidents.get(checked.id)
    stored.verification = "under_verification"
    ops.save_incident(session, stored, verification_note="mission to Mavivi")
    page = mara_window.page_of_kind("incident")
    statements = []
    session.connection.set_trace_callback(statements.append)
    try:
        mara_window.show_page(page)
        qtbot.waitUntil(lambda: page.model.rowCount() == 2)
        texts = [page.model.index(0, column).data() for column in range(page.model.columnCount())]
    finally:
        session.connection.set_trace_callback(None)
    assert texts[0] == "BNI-I-2026-0002" and texts[2] == "Under verification" and texts[3] == "3"
    assert texts[4] == "Gang rape, Forced nudity" and texts[5] == "FARDC, Unidentified"
    reads = [s for s in statements if "FROM incidents" in s and s.lstrip().upper().startswith("SELECT")]
    rows = [s for s in reads if "WHERE seq IN" in s]
    assert rows and not any("notes" in s or "verification_history" in s for s in rows)
    # Whole records only for the detail pane of the row selected, by its id.
    assert all("WHERE id =" in s for s in reads if "notes" in s)

    table = page.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(page.model.index(0, 0)).center())
    qtbot.waitUntil(lambda: "named witness: do not share" in page.detail.toPlainText())
    detail = page.detail.toPlainText()
    assert "Witness" in detail and "mission to Mavivi" in detail and "Verification history" in detail

    apply_language("fr", mara_window.context)
    try:
        french = [page.model.index(0, column).data() for column in range(page.model.columnCount())]
        assert french[2] == mara.INCIDENT_VERIFICATION.label("under_verification") != "Under verification"
        assert french[4] == ", ".join(mara.VIOLATION_TYPE.label(v) for v in ("gang_rape", "forced_nudity"))
        assert french[5] == "FARDC, Non identifié"
        assert "Historique de la vérification" in page.detail.toPlainText()
    finally:
        apply_language("en", mara_window.context)
