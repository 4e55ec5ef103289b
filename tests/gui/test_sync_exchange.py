"""A field office and headquarters set up and exchange data files through the Sync page only:
cards saved and added with the page's buttons and dialogs (the file dialogs answer with a path,
as a person choosing a file would), the security code read from one page and checked in the
other's dialog, headquarters made so by its own button, then referrals and alerts going up and
the directory coming down, with office names carrying accents."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldapp.gui.context import AppContext
from fieldapp.gui.sync_page import SyncPage
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.sync_support import alert, make_site, provider, referral

BENI, KINSHASA = "Bureau de Beni (démo)", "Siège — Kinshasa"


class Office:
    """One vault with its own Sync page, as on its own laptop."""

    def __init__(self, qtbot, site_vault):
        self.session = site_vault.open()
        self.context = AppContext()
        self.page = SyncPage(self.context)
        qtbot.addWidget(self.page)
        self.context.set_session(self.session)
        self.page.resize(900, 700)
        self.page.show()
        qtbot.waitExposed(self.page)

    def close(self):
        self.context.drop_session()
        self.session.close()


@pytest.fixture
def offices(qtbot, template_vault, tmp_path):
    beni = Office(qtbot, make_site(template_vault, tmp_path / "beni", BENI, "BNI"))
    kinshasa = Office(qtbot, make_site(template_vault, tmp_path / "kin", KINSHASA, "KIN"))
    yield beni, kinshasa
    beni.close()
    kinshasa.close()


def click(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def answer_save(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))


def answer_open(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))


def save_card(qtbot, monkeypatch, office, path) -> str:
    answer_save(monkeypatch, path)
    click(qtbot, office.page.card_button)
    assert path.exists() and office.page.code_label.text() in office.page.result_label.text()
    return office.page.code_label.text()


def add_office(qtbot, monkeypatch, office, card, code_read_by_phone: str):
    answer_open(monkeypatch, card)
    click(qtbot, office.page.enrol_button)
    dialog = office.page.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.code.text() == code_read_by_phone
    assert not dialog.add_button.isEnabled()  # not before the code was read aloud
    qtbot.mouseClick(dialog.same, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.same.height() // 2))
    assert dialog.same.isChecked() and dialog.add_button.isEnabled()
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: office.page.add_dialog is None, timeout=2000)


def export_to_folder(qtbot, monkeypatch, office, folder):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(folder))
    click(qtbot, office.page.export_button)
    qtbot.waitUntil(lambda: office.page.worker is None, timeout=20_000)


def open_files(qtbot, monkeypatch, office, paths):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(p) for p in paths], ""))
    click(qtbot, office.page.import_button)
    qtbot.waitUntil(lambda: office.page.worker is None, timeout=20_000)
    return office.page.result_label.text()


def test_a_field_office_and_headquarters_exchange_data_files_through_the_page_only(qtbot, monkeypatch, offices,
                                                                                      tmp_path):
    beni, kinshasa = offices
    # Before anything: nobody to send to, and the page says why.
    assert not beni.page.export_button.isEnabled()
    assert beni.page.export_reason.text().startswith("Add headquarters first")
    assert beni.page.empty_label.isVisible() and not beni.page.sites.isVisible()

    # Kinshasa makes its vault headquarters with its own button, after a question.
    assert kinshasa.page.role_button.text() == "Make this vault headquarters…"
    click(qtbot, kinshasa.page.role_button)
    box = kinshasa.page.role_box
    assert box is not None and box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    assert Site(kinshasa.session).role == HEADQUARTERS
    assert kinshasa.page.site_label.text() == f"{KINSHASA} (KIN), headquarters"
    assert kinshasa.page.role_button.text() == "Make this vault a field office…"

    # Cards both ways, each security code read aloud from the other page.
    kinshasa_code = save_card(qtbot, monkeypatch, kinshasa, tmp_path / "mail" / "KIN-office-card.json")
    beni_code = save_card(qtbot, monkeypatch, beni, tmp_path / "mail" / "BNI-office-card.json")
    add_office(qtbot, monkeypatch, beni, tmp_path / "mail" / "KIN-office-card.json", kinshasa_code)
    assert f"{KINSHASA} is added." in beni.page.result_label.text()
    add_office(qtbot, monkeypatch, kinshasa, tmp_path / "mail" / "BNI-office-card.json", beni_code)
    assert [beni.page.sites.item(0, c).text() for c in (0, 1)] == [f"{KINSHASA} (KIN)", "headquarters"]
    assert beni.page.selected_site().name == KINSHASA  # its only partner, chosen already
    assert beni.page.export_button.isEnabled() and not beni.page.export_reason.isVisible()

    # Field → headquarters: a referral with consent to reporting, one without, an alert.
    shared = referral("BNI", 1)
    beni.session.referrals.create(shared)
    beni.session.referrals.create(referral("BNI", 2, consent_reporting=False))
    beni.session.alerts.create(alert(1))
    export_to_folder(qtbot, monkeypatch, beni, tmp_path / "usb")
    up = list((tmp_path / "usb").glob("*.fieldbundle"))
    today = date.today().strftime("%Y%m%d")
    assert [p.name for p in up] == [f"BNI-to-KIN-{today}-0001.fieldbundle"]
    assert "Data file 1 for Siège — Kinshasa written to" in beni.page.result_label.text()
    summary = open_files(qtbot, monkeypatch, kinshasa, up)
    assert f"data file 1 from {BENI} imported" in summary
    assert "Referrals: 1 new" in summary and "Alerts: 1 new" in summary
    assert kinshasa.session.referrals.get(shared.id).survivor_code == "BNI-2026-0001"
    assert kinshasa.session.referrals.count() == 1 and kinshasa.session.alerts.count() == 1
    assert kinshasa.page.sites.item(0, 3).text().startswith("no. 1, ")

    # Headquarters → field: the directory.
    clinic = provider(1, name="Hôpital général de Beni")
    kinshasa.session.providers.create(clinic)
    export_to_folder(qtbot, monkeypatch, kinshasa, tmp_path / "usb")
    down = [p for p in (tmp_path / "usb").glob("*.fieldbundle") if p not in up]
    assert [p.name for p in down] == [f"KIN-to-BNI-{today}-0001.fieldbundle"]
    renamed = down[0].rename(tmp_path / "usb" / "from HQ.fieldbundle")  # the name does not matter
    summary = open_files(qtbot, monkeypatch, beni, [renamed])
    assert f"data file 1 from {KINSHASA} imported" in summary and "Providers: 1 new" in summary
    assert beni.session.providers.get(clinic.id).name == "Hôpital général de Beni"


def test_a_card_is_added_only_once_its_code_is_confirmed_and_bad_cards_say_why(qtbot, monkeypatch, offices,
                                                                               tmp_path):
    beni, kinshasa = offices
    code = save_card(qtbot, monkeypatch, kinshasa, tmp_path / "kin.json")
    answer_open(monkeypatch, tmp_path / "kin.json")
    click(qtbot, beni.page.enrol_button)
    dialog = beni.page.add_dialog
    assert dialog.code.text() == code and not dialog.add_button.isEnabled()
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Cancel))
    assert beni.page.add_dialog is None and Site(beni.session).peers() == []

    save_card(qtbot, monkeypatch, beni, tmp_path / "own.json")
    answer_open(monkeypatch, tmp_path / "own.json")
    click(qtbot, beni.page.enrol_button)
    assert beni.page.add_dialog is None
    assert beni.page.result_label.text() == "This is this office's own card; add the card of the other office."

    (tmp_path / "junk.json").write_text("{}")
    answer_open(monkeypatch, tmp_path / "junk.json")
    click(qtbot, beni.page.enrol_button)
    assert beni.page.result_label.text() == "junk.json is not a fieldapp office card."


def test_the_page_says_why_no_data_file_can_go_to_another_field_office(qtbot, monkeypatch, offices, tmp_path):
    beni, other_field_office = offices  # Kinshasa stays a field office here
    code = save_card(qtbot, monkeypatch, other_field_office, tmp_path / "kin.json")
    add_office(qtbot, monkeypatch, beni, tmp_path / "kin.json", code)
    assert beni.page.sites.rowCount() == 1
    assert not beni.page.export_button.isEnabled()
    assert beni.page.export_reason.isVisible()
    assert "Every office added here is a field office, like this one" in beni.page.export_reason.text()


def test_the_page_is_in_french_with_plain_words(qtbot, offices):
    from fieldapp.gui.qt_i18n import apply_language

    beni, _kinshasa = offices
    apply_language("fr", beni.context)
    page = beni.page
    assert page.title_label.text() == "Synchronisation"
    assert page.card_button.text() == "Enregistrer la fiche de ce bureau…"
    assert page.enrol_button.text() == "Ajouter un bureau…"
    assert page.code_title.text().startswith("Code de sécurité à lire au téléphone")
    assert page.site_label.text() == f"{BENI} (BNI), bureau de terrain"
    assert page.export_reason.text().startswith("Ajoutez d'abord le siège")
    text = page.intro.text()
    for jargon in ("paquet", "inscri", "empreinte", "carte de site"):
        assert jargon not in text.casefold() and jargon not in page.export_reason.text().casefold()
    assert "fichiers de données" in text
