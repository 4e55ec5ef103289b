"""Record forms driven through their widgets: a referral with services under the consent rule and
the allowed status moves, urgency and UN-personnel notices, the fast alert form, live training
totals, inline validation, and labels that follow a language switch."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from catalog_support import french_translations
from fieldapp import i18n
from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.domain.records import Alert, Referral, ReferralService
from fieldapp.domain.services import UN_PERSONNEL_NOTICE, allowed_next
from fieldapp.gui.context import AppContext
from fieldapp.gui.forms.alert_form import AlertForm
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.gui.forms.services import ReasonDialog, ServiceDialog
from fieldapp.gui.forms.training_form import TrainingForm
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.core.changes import ListQuery
from fieldapp.i18n import format_datetime
from tests.conftest import PCODES


@pytest.fixture
def context(qapp):
    """The app's signal hub, no main window: pages and forms get everything through it."""
    return AppContext()


@pytest.fixture
def unlocked(context, session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    context.set_session(session)
    return context


@pytest.fixture
def open_form(qtbot, unlocked):
    def make(form_class, record=None):
        form = form_class(unlocked, record)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        return form

    return make


def click_ok(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def add_service(qtbot, panel, sector: str) -> None:
    panel.add_service()
    dialog = panel.dialog
    assert isinstance(dialog, ServiceDialog)
    dialog.sector.set_code(sector)
    click_ok(dialog)


def offered(panel) -> list[str]:
    return [action.data() for action in panel.status_actions()]


def test_referral_with_two_services_refused_referred_without_consent_then_overridden(qtbot, open_form, session):
    form = open_form(ReferralForm)
    assert form.survivor_code.text() == f"BNI-{datetime.now(timezone.utc).year}-0001"
    form.incident_date.set_value(date.today() - timedelta(days=1))
    form.incident_type.set_code("rape")
    panel = form.services
    add_service(qtbot, panel, "health")
    add_service(qtbot, panel, "psychosocial")
    assert panel.model.rowCount() == 2
    assert [panel.model.index(r, 0).data() for r in range(2)] == ["Medical care", "Psychosocial support"]

    panel.view.selectRow(0)
    assert offered(panel) == list(allowed_next("pending"))
    next(a for a in panel.status_actions() if a.data() == "referred").trigger()
    reason = panel.dialog
    assert isinstance(reason, ReasonDialog)
    assert not reason.ok_button.isEnabled()  # an empty reason cannot be recorded
    reason.reject()
    assert panel.model.draft(0).service.status == "pending"
    assert "not consented" in panel.notice.text()

    next(a for a in panel.status_actions() if a.data() == "referred").trigger()
    override = "Child at immediate risk; caregiver unreachable, health service needed tonight"
    panel.dialog.reason.setPlainText(override)
    panel.dialog.ok_button.click()
    assert panel.model.index(0, 2).data() == "Referred"
    assert form.save()

    referral = session.referrals.list(ListQuery())[0]
    assert referral.survivor_code == form.survivor_code.text() and not referral.consent_referral
    services = {s.sector: s for s in session.services.for_referral(referral.id)}
    assert services["health"].status == "referred" and services["psychosocial"].status == "pending"
    assert services["health"].consent_override_reason == override
    entries = [e for e in session.audit.entries() if e.action == "consent_override"]
    assert len(entries) == 1 and entries[0].record_id == services["health"].id
    assert entries[0].detail["reason"] == override


def test_a_service_walks_only_through_allowed_transitions(qtbot, open_form, session):
    referral = Referral(survivor_code="BNI-2026-0007", reported_at=datetime.now(timezone.utc),
                        incident_date=date.today(), incident_type="sexual_assault", consent_referral=True)
    session.referrals.create(referral)
    session.services.create(ReferralService(referral_id=referral.id, sector="health"))
    session.services.create(ReferralService(referral_id=referral.id, sector="legal"))
    form = open_form(ReferralForm, session.referrals.get(referral.id))
    panel = form.services
    panel.view.selectRow(0)
    for step in ("referred", "accepted", "completed"):
        assert offered(panel) == list(allowed_next(panel.model.draft(0).service.status))
        next(a for a in panel.status_actions() if a.data() == step).trigger()
        assert panel.dialog is None  # consent given: nothing to ask
    assert offered(panel) == [] and not panel.status_button.isEnabled()

    # Refused by the provider needs its reason.
    panel.view.selectRow(1)
    next(a for a in panel.status_actions() if a.data() == "referred").trigger()
    next(a for a in panel.status_actions() if a.data() == "rejected").trigger()
    assert isinstance(panel.dialog, ReasonDialog)
    panel.dialog.reason.setPlainText("No lawyer available this month")
    panel.dialog.ok_button.click()
    assert form.save()

    stored = {s.sector: s for s in session.services.for_referral(referral.id)}
    assert [step["to"] for step in stored["health"].status_history] == ["referred", "accepted", "completed"]
    assert stored["health"].completed_at is not None
    assert stored["legal"].status == "rejected" and stored["legal"].reason == "No lawyer available this month"
    assert not any(e.action == "consent_override" for e in session.audit.entries())


def test_urgency_banner_and_un_personnel_notice_follow_the_fields(open_form):
    form = open_form(ReferralForm)
    assert "unknown" in form.urgency_text()
    form.incident_date.set_value(date.today())
    assert "PEP window OPEN" in form.urgency_text() and "Emergency contraception window OPEN" in form.urgency_text()
    form.incident_date.set_value(date.today() - timedelta(days=4))
    assert "PEP window (72 h) closed" in form.urgency_text()
    assert "Emergency contraception window OPEN" in form.urgency_text()
    form.incident_date.set_value(date.today() - timedelta(days=10))
    assert "closed" in form.urgency_text() and "OPEN" not in form.urgency_text()

    assert form.un_notice.isHidden()
    form.perpetrator.set_code("un_personnel")
    assert form.un_notice.isVisible() and form.un_notice.text() == UN_PERSONNEL_NOTICE
    form.perpetrator.set_code("state_police")
    assert form.un_notice.isHidden()


def test_inline_validation_messages_appear_under_the_fields(open_form, session):
    form = open_form(TrainingForm)
    assert not form.save()
    grid = form.grids[0]
    assert grid.error("title") == "A title is required."
    assert grid.error("audience") == "Choose a value."
    assert form.grids[1].error("topics") == "Choose at least one value."
    assert form.isVisible() and session.trainings.count() == 0
    assert form.focusWidget() is form.title

    form.title.setText("Prévention des VSLC")
    form.audience.set_code("military_peacekeepers")
    form.topics.set_checked("crsv_prevention")
    assert form.save()
    assert session.trainings.count() == 1


def test_training_totals_and_share_of_women_are_derived_live(open_form):
    form = open_form(TrainingForm)
    form.female.setValue(30)
    form.male.setValue(9)
    form.undisclosed.setValue(1)
    assert form.totals.text() == "Total: 40 participants · 75% women"


def test_alert_form_is_ready_at_once_and_keeps_a_sensible_tab_order(qtbot, open_form, session):
    form = open_form(AlertForm)
    received = form.received_at.value()
    assert abs(datetime.now(timezone.utc) - received) < timedelta(minutes=2)
    assert form.focusWidget() is form.channel
    # Reading order: down the left column, then the right one (never across to the other column).
    order = [form.channel, form.source_category, form.source_code, form.place.edit, form.locality,
             form.severity, form.verification, form.status, form.threat_types, form.crsv_related, form.description]
    for current, following in zip(order, order[1:]):
        assert form.focusWidget() is current
        qtbot.keyClick(current, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.description

    # Threats are ticked from the keyboard; sexual violence ticks CRSV by itself.
    form.threat_types.setFocus()
    form.threat_types.setCurrentRow(3)
    qtbot.keyClick(form.threat_types, Qt.Key.Key_Space)
    assert form.threat_types.codes() == ["sexual_violence"] and form.crsv_related.isChecked()
    form.forwarded_to.set_checked("mission_base")
    assert form.forwarded_at.value() is not None
    qtbot.keyClicks(form.place.edit, "beni")
    qtbot.waitUntil(lambda: bool(form.place._results), timeout=3000)
    qtbot.keyClick(form.place.edit, Qt.Key.Key_Return)
    assert form.place.pcode() == "CD6109" and form.place.edit.text() == "Nord-Kivu › Beni"
    assert form.save()
    alert = session.alerts.list()[0]
    assert alert.threat_types == ["sexual_violence"] and alert.location_pcode == "CD6109"
    assert alert.forwarded_to == ["mission_base"]


def type_time(qtbot, field, when: datetime) -> None:
    """Click in a date-and-time field, select what is there, type `when` as shown, leave with Tab."""
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, format_datetime(when))
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)


def test_a_stored_alert_opens_as_it_was_stored_and_typing_still_fills_in(qtbot, open_form, session):
    # Still open though a response reached the site; sexual violence without the CRSV tick;
    # forwarded with no time: live help must not rewrite any of it while the form loads.
    stored = Alert(received_at=datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc), source_code="CAN-BNI-004",
                   response="Patrol sent to the market", responded_at=datetime(2026, 3, 1, 11, 0, tzinfo=timezone.utc),
                   status="open", threat_types=["sexual_violence"], crsv_related=False, forwarded_to=["mission_base"])
    session.alerts.create(stored)
    form = open_form(AlertForm, session.alerts.find(stored.id))
    assert form.status.code() == "open"
    assert not form.crsv_related.isChecked() and form.forwarded_at.value() is None
    assert form.response.toPlainText() == "Patrol sent to the market"
    assert not form.is_dirty()  # Esc would close it without asking
    qtbot.mouseClick(form.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not form.isVisible(), form.message.text()
    again = session.alerts.find(stored.id)
    assert again.status == "open" and again.crsv_related is False and again.forwarded_at is None

    # Typing a response time is still what turns an open alert into "responded".
    form = open_form(AlertForm, again)
    type_time(qtbot, form.responded_at, datetime(2026, 3, 1, 12, 30))
    assert form.status.code() == "responded"


def test_a_referral_with_an_unknown_date_opens_with_the_date_field_off(open_form, session):
    stored = Referral(survivor_code="BNI-2026-0042", reported_at=datetime.now(timezone.utc), incident_type="rape",
                      incident_date=None, incident_date_precision="unknown")
    session.referrals.create(stored)
    form = open_form(ReferralForm, session.referrals.find(stored.id))
    assert form.precision.code() == "unknown" and not form.incident_date.isEnabled()
    assert form.urgency_text().startswith("Incident date unknown.")
    assert not form.is_dirty()


def test_escape_on_a_changed_form_asks_before_discarding(qtbot, open_form, session):
    form = open_form(AlertForm)
    form.source_code.setText("CAN-BNI-004")
    form.reject()
    assert form.isVisible() and form.discard_box is not None
    form.discard_box.button(QMessageBox.StandardButton.Cancel).click()
    assert form.isVisible() and form.source_code.text() == "CAN-BNI-004"
    form.reject()
    form.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not form.isVisible() and session.alerts.count() == 0


def test_form_labels_and_choices_retranslate_on_language_changed(open_form, unlocked, monkeypatch):
    translations = french_translations(
        [("Survivor code", "Code de la survivante"), ("New referral", "Nouveau référencement"), ("Rape", "Viol"),
         ("Services", "Services offerts"), ("Add service…", "Ajouter un service…")],
        contexts=[("referral status", "Open", "Ouvert")])
    monkeypatch.setitem(i18n._catalogs, "fr", translations)

    form = open_form(ReferralForm)
    form.incident_type.set_code("rape")
    assert form.grids[0].label("survivor_code").text() == "Survivor code"
    apply_language("fr", unlocked)
    assert form.grids[0].label("survivor_code").text() == "Code de la survivante"
    assert form.windowTitle() == "Nouveau référencement"
    assert form.incident_type.currentText() == "Viol" and form.incident_type.code() == "rape"
    assert form.status.currentText() == "Ouvert"
    assert form.services_box.title() == "Services offerts"
    assert form.services.add_button.text() == "Ajouter un service…"
    apply_language("en", unlocked)
    assert form.grids[0].label("survivor_code").text() == "Survivor code"
    assert form.incident_type.currentText() == "Rape"
