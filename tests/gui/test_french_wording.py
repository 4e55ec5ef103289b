"""French wording a French-speaking adviser reads on screen, with the shipped catalog: the button
that throws a form's changes away, labels followed by a value (« : » with its no-break space),
test scores as percents and gains in points."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from fieldapp.domain.records import Referral, ReferralService, Training
from fieldapp.gui.context import AppContext
from fieldapp.gui.forms.alert_form import AlertForm
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.referrals_page import ReferralsPage
from fieldapp.gui.trainings_page import TrainingsPage


@pytest.fixture
def french(qapp):
    apply_language("fr")
    yield
    apply_language("en")


@pytest.fixture
def unlocked(qapp, session):
    context = AppContext()
    context.set_session(session)
    return context


def test_closing_a_changed_form_offers_fermer_sans_enregistrer(qtbot, unlocked, french):
    form = AlertForm(unlocked, None)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    qtbot.keyClicks(form.source_code, "CAN-BNI-004")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: form.discard_box is not None and form.discard_box.isVisible(), timeout=3000)
    assert form.discard_box.button(QMessageBox.StandardButton.Discard).text() == "Fermer sans enregistrer"
    qtbot.mouseClick(form.discard_box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)
    assert not form.isVisible()


def test_referral_detail_spaces_the_colon_after_a_service(qtbot, unlocked, session, french):
    referral = Referral(survivor_code=session.referrals.next_survivor_code("BNI", 2026), incident_type="rape",
                        sex="female", age_group="18-59", entry_point="self", consent_referral=True,
                        reported_at=datetime(2026, 11, 30, 9, tzinfo=timezone.utc), incident_date=date(2026, 11, 29))
    session.referrals.create(referral)
    session.services.create(ReferralService(referral_id=referral.id, sector="health", status="pending"))
    page = ReferralsPage(unlocked)
    qtbot.addWidget(page)
    html = page.detail_html(session.referrals.get(referral.id))
    assert "<b>Prise en charge médicale</b>\u00a0: À référer" in html


def test_training_detail_shows_scores_as_percents_and_the_gain_in_points(qtbot, unlocked, session, french):
    training = Training(title="Prévention des VSLC", start_date=date(2026, 11, 3), end_date=date(2026, 11, 3),
                        audience="military_peacekeepers", topics=["crsv_prevention"], participants_female=10,
                        participants_male=12, pre_test_avg=42.0, post_test_avg=75.0)
    session.trainings.create(training)
    page = TrainingsPage(unlocked)
    qtbot.addWidget(page)
    html = page.detail_html(session.trainings.get(training.id))
    assert "42\u00a0%" in html and "75\u00a0%" in html
    assert "Progression</td><td>+33 points" in html


def test_documents_page_names_the_bilingual_choice_in_french(qtbot, unlocked, french):
    from fieldapp.gui.documents_page import DocumentsPage

    page = DocumentsPage(unlocked)
    qtbot.addWidget(page)
    names = [page.language.itemText(index) for index in range(page.language.count())]
    assert "Bilingue (français / anglais)" in names and "English" in names and "Français" in names
    apply_language("en", unlocked)
    names = [page.language.itemText(index) for index in range(page.language.count())]
    assert "Bilingual (English / French)" in names
