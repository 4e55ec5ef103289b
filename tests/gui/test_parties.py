"""Parties & commitments: a party typed in, a commitment with items typed in, overdue items in red
on the page and listed on Home, where Enter opens the item."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.domain.mara import Commitment, CommitmentItem, Party
from fieldapp.gui.forms.commitment_form import CommitmentForm
from fieldapp.gui.forms.party_form import EditsStayHereNote, PartyForm
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


def _click(qtbot, tree, text: str, column: int = 0):
    """A click on the row showing `text`, as a person picks a party or a commitment."""
    [row] = [tree.topLevelItem(n) for n in range(tree.topLevelItemCount()) if tree.topLevelItem(n).text(column) == text]
    tree.scrollToItem(row)
    QApplication.processEvents()  # the rows take their wrapped heights once laid out
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(row).center())
    assert tree.currentItem() is not None and tree.currentItem().text(column) == text, (
        tree.currentItem() and tree.currentItem().text(column))
    return tree.currentItem()


def _mission_list_from_headquarters(session, template_vault, tmp_path):
    """Headquarters (Kinshasa) sends this Beni office the mission's list: a party and a commitment
    of its own, and a party the Bunia office created, which headquarters relays."""
    from fieldapp.ops import mara as ops
    from fieldapp.sync.bundle import export_bundle
    from fieldapp.sync.importer import import_bundle
    from fieldapp.sync.site import HEADQUARTERS, Site
    from tests.mara_support import commitment, item, party
    from tests.sync_support import enrol_both, make_site

    hq = make_site(template_vault, tmp_path / "hq", "Siège de Kinshasa", "KIN", HEADQUARTERS)
    bunia = make_site(template_vault, tmp_path / "bunia", "Bureau de Bunia", "BUN")
    enrol_both(bunia, hq)
    with hq.open() as headquarters:
        Site(session).enrol(Site(headquarters).card())
        Site(headquarters).enrol(Site(session).card())
    out = tmp_path / "bundles"
    with bunia.open() as office:
        ops.save_party(office, party("Coopérative pour le développement du Congo", short_name="CODECO"))
        up = export_bundle(office, "KIN", out).path
    with hq.open() as headquarters:
        import_bundle(headquarters, up)
        fardc = party("Forces armées de la République démocratique du Congo", short_name="FARDC",
                      party_type="state_armed_forces", listed_since=2012)
        ops.save_party(headquarters, fardc)
        ops.save_commitment(headquarters, commitment(fardc.id, title="Plan d'action des FARDC"),
                            [item("Ordre de commandement interdisant les violences sexuelles")])
        down = export_bundle(headquarters, "BNI", out).path
    import_bundle(session, down)


def test_a_party_or_commitment_created_elsewhere_says_that_edits_stay_on_this_computer(
        qtbot, window, session, template_vault, tmp_path):
    _mission_list_from_headquarters(session, template_vault, tmp_path)
    session.parties.create(Party(name="Maï-Maï Kyandenga", short_name="MM Kyandenga"))  # met first in Beni
    window.context.unlocked.emit()
    window.choose_language("fr")
    page = window.page_of_kind("party")
    window.show_page(page)
    qtbot.waitExposed(page.parties)
    stays = ("vos modifications restent sur cet ordinateur\u00a0; demandez au siège de corriger la liste de la "
             "mission.")

    # Headquarters' party: the page says it, and so does the form opened with Enter.
    _click(qtbot, page.parties, "FARDC")
    assert page.party_detail.text().endswith("\nPartie créée par Siège de Kinshasa\u00a0: " + stays)
    qtbot.keyClick(page.parties, Qt.Key.Key_Return)
    form = page.form
    assert isinstance(form, PartyForm)
    ready(qtbot, form)
    assert form.stays_here.isVisible()
    assert form.stays_here.text() == "Partie créée par Siège de Kinshasa\u00a0: " + stays
    window.choose_language("en")  # the note follows the language while the form is open
    assert form.stays_here.text() == ("Party created by Siège de Kinshasa: your changes stay on this computer; ask "
                                      "headquarters to correct the mission's list.")
    window.choose_language("fr")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.form is None)

    # Its commitment, opened with a double click.
    row = _click(qtbot, page.commitments, "Plan d'action des FARDC", column=2)
    qtbot.mouseDClick(page.commitments.viewport(), Qt.MouseButton.LeftButton,
                      pos=page.commitments.visualItemRect(row).center())
    form = page.form
    assert isinstance(form, CommitmentForm)
    ready(qtbot, form)
    note = form.findChild(EditsStayHereNote)
    assert note.isVisible() and note.text() == "Engagement créé par Siège de Kinshasa\u00a0: " + stays
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.form is None)

    # Bunia's party, relayed by headquarters: this office does not know Bunia's card.
    _click(qtbot, page.parties, "CODECO")
    assert page.party_detail.text().endswith("\nPartie créée par un autre bureau\u00a0: " + stays)

    # This office's own party travels to headquarters: nothing to say.
    _click(qtbot, page.parties, "MM Kyandenga")
    assert "ordinateur" not in page.party_detail.text()
    qtbot.keyClick(page.parties, Qt.Key.Key_Return)
    form = page.form
    ready(qtbot, form)
    assert not form.stays_here.isVisible() and form.stays_here.text() == ""
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.form is None)
