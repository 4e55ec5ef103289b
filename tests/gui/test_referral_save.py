"""Saving a referral with its services from the form, typed and clicked as a protection adviser
does: one transaction and one change signal for the whole, or, when a service is refused, a
message naming it and nothing saved (docs/DESIGN.md 5)."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from fieldapp.domain.records import Referral, ReferralService
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.ops.referrals import save_referral
from fieldapp.core.changes import ListQuery


@pytest.fixture
def unlocked(context, session):
    context.set_session(session)
    return context


@pytest.fixture
def open_form(qtbot, unlocked):
    def make(record=None):
        form = ReferralForm(unlocked, record)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        qtbot.waitUntil(form.isActiveWindow)
        return form

    return make


@contextlib.contextmanager
def transactions(session):
    """How many transactions the database ran meanwhile (its BEGIN statements)."""
    seen: list[str] = []
    session.connection.set_trace_callback(seen.append)
    count = []
    try:
        yield count
    finally:
        session.connection.set_trace_callback(None)
        count.append(sum(1 for s in seen if s.strip().upper().startswith("BEGIN")))


def changes_announced(context) -> list:
    announced = []
    context.records_changed.connect(announced.append)
    return announced


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def add_service(qtbot, panel, typed: str) -> None:
    click(qtbot, panel.add_button)
    dialog = panel.dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.sector, typed)  # the sector list jumps to what is typed
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert panel.dialog is None


def click_row(qtbot, panel, row: int) -> None:
    rect = panel.view.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.current_row() == row


def choose_status(qtbot, panel, label: str) -> None:
    """Click "Change status", wait for its menu to show, click `label` in it. The menu runs its own
    event loop until it closes, inside the click on the button: what is done in the menu is
    scheduled before that click, and closes the menu whatever happens so a failure cannot hang."""
    assert panel.status_button.isEnabled()
    menu = panel.status_menu
    picked: list = []

    def pick() -> None:
        try:
            qtbot.waitUntil(menu.isVisible, timeout=5000)
            action = next(action for action in menu.actions() if action.text() == label)
            # Choosing a status rebuilds the menu (the next allowed statuses): its actions go.
            qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
            picked.append(label)
        except BaseException as error:  # noqa: BLE001 - re-raised below, once the menu is closed
            picked.append(error)
        finally:
            if menu.isVisible():
                menu.close()

    QTimer.singleShot(0, pick)
    click(qtbot, panel.status_button)
    qtbot.waitUntil(lambda: bool(picked), timeout=5000)
    if isinstance(picked[0], BaseException):
        raise picked[0]
    assert picked == [label] and not menu.isVisible()


def test_a_typed_referral_with_two_services_is_one_transaction_and_one_change(qtbot, open_form, unlocked, session):
    form = open_form()
    assert QApplication.focusWidget() is form.incident_date.edit
    yesterday = date.today() - timedelta(days=1)
    qtbot.keyClicks(form.incident_date.edit, yesterday.isoformat())
    qtbot.keyClicks(form.incident_type, "Rape")
    box = form.consent_referral  # clicked on its box: the widget is wider than its text
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    qtbot.keyClicks(form.locality, "Mavivi")
    panel = form.services
    add_service(qtbot, panel, "Medical")
    add_service(qtbot, panel, "Psycho")
    click_row(qtbot, panel, 0)
    choose_status(qtbot, panel, "Referred")
    assert form.consent_referral.isChecked()
    assert panel.model.index(0, 2).data() == "Referred" and panel.dialog is None  # consent given

    announced = changes_announced(unlocked)
    audit_before = session.audit.count()
    with transactions(session) as count, qtbot.waitSignal(form.saved) as saved:
        click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    assert count == [1]
    (referral,) = session.referrals.list(ListQuery())
    assert len(announced) == 1 and announced[0] is saved.args[0]
    assert announced[0].kind == "referral" and announced[0].created == [referral.id]
    assert referral.locality == "Mavivi" and referral.incident_date == yesterday and referral.consent_referral
    services = {s.sector: s for s in session.services.for_referral(referral.id)}
    assert services["health"].status == "referred" and services["health"].referred_at is not None
    assert services["psychosocial"].status == "pending"
    assert session.audit.count() == audit_before + 3
    assert not form.isVisible()


def test_a_service_refused_at_save_names_it_and_leaves_everything_as_it_was(qtbot, open_form, unlocked, session):
    stored = Referral(survivor_code="BNI-2026-0007", reported_at=datetime.now(timezone.utc),
                      incident_date=date.today() - timedelta(days=1), incident_type="sexual_assault", consent_referral=True)
    session.referrals.create(stored)
    health = ReferralService(referral_id=stored.id, sector="health")
    legal = ReferralService(referral_id=stored.id, sector="legal")
    session.services.create(health)
    session.services.create(legal)
    form = open_form(session.referrals.get(stored.id))
    qtbot.keyClicks(form.locality, "Oicha")
    panel = form.services
    click_row(qtbot, panel, 0)
    choose_status(qtbot, panel, "Referred")
    click_row(qtbot, panel, 1)
    choose_status(qtbot, panel, "Referred")
    # Meanwhile the legal service was cancelled (another window, a bundle from headquarters).
    save_referral(session, session.referrals.get(stored.id), [replace(legal, status="cancelled")])
    audit_before = session.audit.count()

    announced = changes_announced(unlocked)
    with transactions(session) as count:
        click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    assert count == [0] and announced == []
    assert form.isVisible() and panel.current_row() == 1
    assert form.message.text() == ("Service 2 (Legal and judicial assistance): A service cannot go from "
                                   "“Cancelled” to “Referred”.")
    assert session.referrals.get(stored.id).locality == ""
    assert session.services.get(health.id).status == "pending"
    assert session.audit.count() == audit_before
