"""Every date and date-time field of every form and list, typed as a person types: the separators
people use, digits only, day first in French and month first in English, nothing shifting by
itself; and a future incident date flagged in the banner as soon as it is typed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.gui.alerts_page import AlertsPage
from fieldapp.gui.forms.alert_form import AlertForm
from fieldapp.gui.forms.provider_form import ProviderForm
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.gui.forms.services import ServiceDialog
from fieldapp.gui.forms.training_form import TrainingForm
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.referrals_page import ReferralsPage
from fieldapp.gui.trainings_page import TrainingsPage
from fieldapp.gui.widgets.dates import DateInput, DateTimeInput
from fieldapp.domain.records import ReferralService
from tests.conftest import PCODES

TYPED_DATES = {
    "fr": ["30/11/2026", "30-11-2026", "30.11.2026", "30112026", "30 11 2026"],
    "en": ["11/30/2026", "11-30-2026", "11.30.2026", "11302026"],
}
TYPED_TIMES = {"fr": ["14:05", "14h05", "1405"], "en": ["14:05", "1405"]}
WANTED = date(2026, 11, 30)


@pytest.fixture
def unlocked(context, session):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    context.set_session(session)
    return context


def _service_dialog(context, parent):
    return ServiceDialog(context.session, ReferralService(referral_id=""), lambda _service: None, parent)


def _windows(context):
    """Each window holding date fields, as a user opens it: the forms, the service dialog, the lists."""
    for form_class in (ReferralForm, AlertForm, TrainingForm, ProviderForm):
        yield form_class.__name__, form_class(context)
    referral = ReferralForm(context)
    yield "ServiceDialog", _service_dialog(context, referral)
    for page_class in (ReferralsPage, AlertsPage, TrainingsPage):
        yield page_class.__name__, page_class(context)


def type_into(qtbot, field, text: str) -> None:
    """Click in the field, select what is there (Ctrl+A), type, and leave it with Tab."""
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_date_field_reads_what_is_typed(qtbot, unlocked, language):
    apply_language(language, unlocked)
    checked = 0
    for name, window in _windows(unlocked):
        qtbot.addWidget(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        fields = [f for f in window.findChildren(DateInput) + window.findChildren(DateTimeInput) if f.isVisible()]
        assert fields, name
        for field in fields:
            for typed in TYPED_DATES[language]:
                if isinstance(field, DateTimeInput):
                    for time_text in TYPED_TIMES[language]:
                        type_into(qtbot, field, f"{typed} {time_text}")
                        local = field.value().astimezone()
                        assert (local.date(), local.hour, local.minute) == (WANTED, 14, 5), (name, typed, time_text)
                        checked += 1
                else:
                    type_into(qtbot, field, typed)
                    assert field.value() == WANTED, (name, typed, field.edit.text())
                    checked += 1
            # Left with Tab, the field writes the date the one short way and spells it out beside it.
            assert field.edit.text().startswith("30/11/2026" if language == "fr" else "11/30/2026"), (name, field.objectName(), window.focusWidget())
            assert field.reading.text() == ("30 novembre 2026" if language == "fr" else "November 30, 2026")
        window.close()
    assert checked > 60


def test_day_first_in_french_does_not_shift_the_month(qtbot, open_referral):
    form = open_referral("fr")
    field = form.incident_date
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    for text, wanted in (("3/1/2026", date(2026, 1, 3)), ("1/12/2026", date(2026, 12, 1))):
        field.edit.selectAll()
        qtbot.keyClicks(field.edit, text)
        assert field.value() == wanted and field.edit.text() == text  # nothing moved while typing


def test_letters_are_refused_and_a_wrong_date_is_named_at_save(qtbot, open_referral, session):
    form = open_referral("en")
    field = form.incident_date
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(field.edit, "1x1/30/2026")
    assert field.edit.text() == "11/30/2026"  # the x never reached the field
    type_into(qtbot, field, "30/11/2026")  # day first in an English field: no 30th month
    assert field.value() is None and field.reading.text() == "mm/dd/yyyy"
    form.incident_type.set_code("rape")
    assert not form.save()
    assert form.grids[0].error("incident_date") == "Not a date: type it as mm/dd/yyyy."
    assert session.referrals.count() == 0


def test_two_digit_year_is_written_out_when_the_field_is_left(qtbot, open_referral):
    form = open_referral("fr")
    type_into(qtbot, form.incident_date, "3/1/26")
    assert form.incident_date.value() == date(2026, 1, 3) and form.incident_date.edit.text() == "03/01/2026"


def test_up_and_down_step_the_part_under_the_cursor(qtbot, open_referral):
    form = open_referral("fr")
    field = form.incident_date
    type_into(qtbot, field, "30/11/2026")
    field.edit.setFocus()
    field.edit.setCursorPosition(1)  # in the day
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.value() == date(2026, 12, 1)
    field.edit.setCursorPosition(4)  # in the month
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    assert field.value() == date(2026, 11, 1)


def test_calendar_opens_below_the_field_and_a_click_sets_the_date(qtbot, open_referral):
    form = open_referral("fr")
    field = form.incident_date
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = field.calendar
    assert calendar is not None and calendar.isVisible()
    assert calendar.geometry().top() >= field.edit.mapToGlobal(field.edit.rect().bottomLeft()).y() - 1 or \
        calendar.geometry().bottom() <= field.edit.mapToGlobal(field.edit.rect().topLeft()).y()
    calendar.setSelectedDate(calendar.selectedDate().addDays(-2))
    qtbot.keyClick(calendar.findChild(QAbstractItemView), Qt.Key.Key_Return)  # the day grid has the focus
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=1000)
    assert field.value() == date.today() - timedelta(days=2)


def test_a_future_incident_date_is_flagged_in_the_banner_at_once(qtbot, open_referral):
    form = open_referral("fr")
    form.incident_type.set_code("rape")
    next_month = date.today() + timedelta(days=30)
    field = form.incident_date
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(field.edit, next_month.strftime("%d/%m/%Y"))  # no Tab, no save
    banner = form.urgency_text()
    assert "postérieure à aujourd'hui" in banner and next_month.strftime("%Y") in banner
    assert "72" not in banner and "il y a 0" not in banner and "0 hours ago" not in banner
    type_into(qtbot, field, date.today().strftime("%d/%m/%Y"))
    assert "PPE OUVERT" in form.urgency_text()


@pytest.fixture
def open_referral(qtbot, unlocked):
    def make(language: str):
        apply_language(language, unlocked)
        form = ReferralForm(unlocked)
        qtbot.addWidget(form)
        with qtbot.waitActive(form):
            form.show()
            form.activateWindow()
        return form

    return make


def test_a_date_time_field_keeps_local_time(qtbot, unlocked):
    apply_language("fr", unlocked)
    form = AlertForm(unlocked)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    type_into(qtbot, form.received_at, "01/12/2026 08h30")
    moment = form.received_at.value()
    assert moment.tzinfo is not None
    assert moment.astimezone().replace(tzinfo=None) == datetime(2026, 12, 1, 8, 30)
