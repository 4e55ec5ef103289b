"""Parties & commitments: a party typed in, a commitment with items typed in, overdue items in red
on the page and listed on Home, where Enter opens the item."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.domain.mara import Commitment, CommitmentItem, Party
from fieldapp.gui.forms.commitment_form import CommitmentForm
from fieldapp.gui.forms.party_form import PartyForm
from fieldapp.gui.table_models import WARNING_COLOR
from tests.gui.test_incidents import day_is_month, ready, tab_to, type_date

TODAY = date.today()


def focused():
    return QApplication.focusWidget()


def test_a_party_and_a_commitment_with_items_typed_in_overdue_item_in_red_and_on_home(qtbot, window, session):
    page = window.page_of_kind("party")
    assert page is window.page_of_kind("commitment_item")
    window.show_page(page)
    qtbot.mouseClick(page.new_party_button, Qt.MouseButton.LeftButton)
    form = page.form
    assert isinstance(form, PartyForm)
    ready(qtbot, form)
    form.name.setFocus()
    qtbot.keyClicks(focused(), "Cooperative pour le developpement du Congo")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "CODECO")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.form is None)
    [party] = session.parties.all()
    assert party.short_name == "CODECO" and party.listed_since is None
    assert page.parties.topLevelItem(0).text(0) == "CODECO"

    qtbot.mouseClick(page.new_commitment_button, Qt.MouseButton.LeftButton)
    form = page.form
    assert isinstance(form, CommitmentForm)
    ready(qtbot, form)
    form.title.setFocus()
    qtbot.keyClicks(focused(), "Communique unilateral de Djugu")
    form.add_button.setFocus()
    qtbot.keyClick(form.add_button, Qt.Key.Key_Space)
    assert focused() is form.description
    qtbot.keyClicks(focused(), "Release every woman and girl held in the camps")
    due = day_is_month(TODAY - timedelta(days=1))
    tab_to(qtbot, form.due_on.edit, 1)
    type_date(qtbot, due)
    qtbot.keyClick(form.add_button, Qt.Key.Key_Space)
    qtbot.keyClicks(focused(), "Name a focal point for sexual violence")
    assert form.table.topLevelItemCount() == 2
    assert form.table.topLevelItem(0).foreground(0).color() == WARNING_COLOR  # past due, not started
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.form is None)

    [commitment] = session.commitments.for_party(party.id)
    items = session.commitment_items.for_commitment(commitment.id)
    assert [(i.description, i.due_on, i.status) for i in items] == [
        ("Release every woman and girl held in the camps", due, "not_started"),
        ("Name a focal point for sexual violence", None, "not_started")]
    assert page.overdue_rows() == ["Release every woman and girl held in the camps"]
    assert page.overdue_label.text() == "1 item past its due date"

    home = window.pages[0]
    window.show_page(home)
    qtbot.waitUntil(lambda: home.mara.items.tree.topLevelItemCount() == 1)
    row = home.mara.items.tree.topLevelItem(0)
    assert row.text(2) == "CODECO" and row.text(3) == "Release every woman and girl held in the camps"
    assert home.mara.items.heading.text() == "Commitment items past due (1)"
    home.mara.items.tree.setCurrentItem(row)
    qtbot.keyClick(home.mara.items.tree, Qt.Key.Key_Return)
    assert window.page_stack.currentWidget() is page
    assert page.items.currentItem().text(0) == "Release every woman and girl held in the camps"

    # Achieved: no longer overdue, gone from Home.
    page.edit_commitment()
    form = page.form
    ready(qtbot, form)
    form.table.setCurrentItem(form.table.topLevelItem(0))
    form.status.setFocus()
    qtbot.keyClicks(form.status, "Achieved")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.form is None)
    assert page.overdue_rows() == []
    window.show_page(home)
    qtbot.waitUntil(lambda: home.mara.items.tree.topLevelItemCount() == 0)


def test_a_party_named_in_an_incident_cannot_be_deleted_and_the_page_says_why(qtbot, window, session, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.mara_support import incident

    party = Party(name="Allied Democratic Forces", short_name="ADF")
    session.parties.create(party)
    session.incidents.save(incident(1, [party.id]), [])
    page = window.page_of_kind("party")
    window.show_page(page)
    page.refresh()
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    page.delete_party()
    assert warnings == ["This party is named in 1 incident; it cannot be deleted."]
    assert session.parties.all()[0].id == party.id
