"""File › Import…, in French, driven as a person would: a directory kept in Excel on Windows
(cp1252, semicolons), one sector that matches no code and one row with an unknown place."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QWizard

from fieldapp.gui.import_wizard import ImportWizard
from fieldapp.gui.layout_check import cut_texts, outside, window_size
from fieldapp.ops.imports import load_mapping, run_import
from tests.import_support import with_gazetteer

DIRECTORY = (
    "Nom complet;Secteurs;Localisation;Téléphone;Gratuit;Remarque interne\r\n"
    "Hôpital général de Beni;Santé, Psychosocial;Beni;+243 990 000 001;Oui;bon accueil\r\n"
    "Maison d'écoute Tujenge;Soutien psychosocial;CD6109;+243 990 000 002;oui;\r\n"
    "Clinique juridique;Assistance juridique et judiciaire;Goma;+243 990 000 003;non;\r\n"
    "Centre nutritionnel;Nutrition;Goma;;;\r\n"
    "Structure sans lieu;Santé;Kinshasa-Nord;;;\r\n"
)


def _file(tmp_path, rows: str = DIRECTORY):
    path = tmp_path / "repertoire.csv"
    path.write_bytes(rows.encode("cp1252"))
    return path


def _button(wizard, which) -> QPushButton:
    return wizard.button(which)


def _next(qtbot, wizard) -> None:
    button = _button(wizard, QWizard.WizardButton.NextButton)
    if wizard.currentPage().isCommitPage():
        button = _button(wizard, QWizard.WizardButton.CommitButton)
    assert button.isVisible() and button.isEnabled(), wizard.currentPage().title()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _fits(wizard) -> None:
    visible = [button for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                    QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton,
                                    QWizard.WizardButton.CancelButton)
               if (button := wizard.button(which)).isVisible()]
    assert outside(wizard, visible) == [] and cut_texts(wizard) == []


def _open_kind(qtbot, window, monkeypatch, path, kind: str) -> ImportWizard:
    """Step 1 with another kind, chosen by typing its name in the closed list."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    window.import_action.trigger()
    wizard = window.import_wizard
    qtbot.waitExposed(wizard)
    page = wizard.kind_page
    page.kind.setFocus()
    qtbot.keyClicks(page.kind, kind)
    assert page.kind.currentText().startswith(kind)
    qtbot.mouseClick(page.choose, Qt.MouseButton.LeftButton)
    _next(qtbot, wizard)
    return wizard


def _open(qtbot, window, monkeypatch, path) -> ImportWizard:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    window.file_menu.setActiveAction(window.import_action)  # as a click in the File menu does
    assert window.import_action.text() == "&Importer…" and window.import_action.isEnabled()
    window.import_action.trigger()
    wizard = window.import_wizard
    qtbot.waitExposed(wizard)
    wizard.resize(*window_size("1024x600"))
    assert wizard.windowTitle() == "Importer un tableur"
    # 1. The records: the directory is the first kind; the file, through the file dialog.
    page = wizard.kind_page
    assert page.kind.currentText() == "Répertoire (prestataires)"
    assert not _button(wizard, QWizard.WizardButton.NextButton).isEnabled()  # no file yet
    qtbot.mouseClick(page.choose, Qt.MouseButton.LeftButton)
    assert page.path.text() == str(path)
    _fits(wizard)
    _next(qtbot, wizard)
    return wizard


def _values_read(qtbot, wizard) -> None:
    """4. Values: the whole file is read in a worker; Next waits for it."""
    values = wizard.values_page
    assert wizard.currentPage() is values
    qtbot.waitUntil(values.isComplete, timeout=30_000)
    assert _button(wizard, QWizard.WizardButton.NextButton).isEnabled()


def _columns(qtbot, wizard) -> None:
    # 3. Columns (a CSV has no sheet step): the engine matched what it knows, the rest is left.
    page = wizard.columns_page
    assert wizard.currentPage() is page and page.title() == "Colonnes"
    shown = {label: combo.currentText() for label, combo in zip(page.labels, page.combos)}
    assert shown == {"Nom complet": "— non importée —", "Secteurs": "Secteurs *", "Localisation": "P-code du lieu",
                     "Téléphone": "Téléphones", "Gratuit": "Gratuit", "Remarque interne": "— non importée —"}
    assert "Nom" in page.missing.text() and page.missing.isVisible()
    name = page.combos[page.labels.index("Nom complet")]
    name.setFocus()
    qtbot.keyClicks(name, "Nom")  # a closed list jumps to the entry starting with what is typed
    assert name.currentText() == "Nom *" and not page.missing.isVisible()
    _fits(wizard)
    _next(qtbot, wizard)


def test_import_wizard_in_french_every_step(qtbot, window, session, monkeypatch, tmp_path):
    with_gazetteer(session)
    window.choose_language("fr")
    path = _file(tmp_path)
    wizard = _open(qtbot, window, monkeypatch, path)
    _columns(qtbot, wizard)

    # 4. Values: read off the GUI thread (Next waits, the page says what it does), then the one
    # that matches nothing is listed, and left refused for now.
    values = wizard.values_page
    assert wizard.currentPage() is values and values.title() == "Valeurs"
    assert values.intro.text().startswith("Lecture des valeurs du fichier")
    assert not _button(wizard, QWizard.WizardButton.NextButton).isEnabled()
    _values_read(qtbot, wizard)
    assert [(name, value, combo.currentText()) for name, value, combo in values.rows] == [
        ("sectors", "Nutrition", "— refuser ces lignes —")]
    assert values.table.item(0, 0).text() == "Secteurs" and values.table.item(0, 1).text() == "Nutrition"
    _fits(wizard)
    _next(qtbot, wizard)

    # 5. The dry run, in a worker: figures and refused rows as shown.
    dry = wizard.dry_run_page
    qtbot.waitUntil(lambda: dry.isComplete(), timeout=20_000)
    assert dry.counts.text() == "3 à créer, 0 à mettre à jour, 0 inchangé, 2 refusés."
    shown = [[dry.table.item(row, column).text() for column in range(4)] for row in range(dry.table.rowCount())]
    assert shown == [["5", "Secteurs", "Nutrition", "«\u00a0Nutrition\u00a0» ne correspond à aucune valeur de cette liste"],
                     ["6", "Localisation", "Kinshasa-Nord", "ni un P-code ni un nom de lieu du répertoire des lieux"]]
    assert session.providers.count() == 0
    _fits(wizard)

    # The refused rows to a CSV, to correct them.
    refused = tmp_path / "refuses.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(refused), ""))
    qtbot.mouseClick(dry.save_refused, Qt.MouseButton.LeftButton)
    lines = refused.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",Raison du refus")
    assert [line.split(",")[0] for line in lines[1:]] == ["Centre nutritionnel", "Structure sans lieu"]
    entry = session.audit.entries(limit=1)[0]  # written out of the vault: audited like an export
    assert (entry.action, entry.record_type, entry.detail["file"], entry.detail["rows"]) == (
        "export", "refused_rows", str(refused.resolve()), 2)
    assert "Lignes refusées écrites dans" in dry.status.text()

    # Back to the values: "Nutrition" is food, put under "Other" sectors here.
    qtbot.mouseClick(_button(wizard, QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is values
    combo = values.rows[0][2]
    combo.setFocus()
    qtbot.keyClicks(combo, "Autre")
    assert combo.currentData() == "other"
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: dry.isComplete(), timeout=20_000)
    assert dry.counts.text() == "4 à créer, 0 à mettre à jour, 0 inchangé, 1 refusé."
    assert dry.table.rowCount() == 1 and dry.table.item(0, 0).text() == "6"

    # The mapping the command line reads.
    saved = tmp_path / "correspondance.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(saved), ""))
    qtbot.mouseClick(dry.save_mapping, Qt.MouseButton.LeftButton)
    assert "fieldapp import providers" in dry.status.text()
    mapping = load_mapping(saved)
    assert mapping.columns["Nom complet"] == "name" and mapping.values == {"sectors": {"Nutrition": "other"}}
    assert json.loads(saved.read_text(encoding="utf-8"))["format"] == "fieldapp-import-mapping"

    # 6. The import, in a worker: the summary, the records, the audit entry, the pages told.
    changes = []
    window.context.records_changed.connect(changes.append)
    assert _button(wizard, QWizard.WizardButton.CommitButton).text() == "&Importer"
    _next(qtbot, wizard)
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.isComplete(), timeout=20_000)
    assert page.summary.text() == "repertoire.csv\u00a0: 4 créés, 0 mis à jour, 0 inchangé, 1 refusé."
    assert not _button(wizard, QWizard.WizardButton.BackButton).isVisible()  # written: no going back
    _fits(wizard)
    providers = {provider.name: provider for provider in session.providers.list()}
    assert sorted(providers) == ["Centre nutritionnel", "Clinique juridique", "Hôpital général de Beni",
                                 "Maison d'écoute Tujenge"]
    assert providers["Centre nutritionnel"].sectors == ["other"]
    assert providers["Hôpital général de Beni"].sectors == ["health", "psychosocial"]
    assert providers["Hôpital général de Beni"].free_of_charge is True
    entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.detail["file"], entry.detail["created"], entry.detail["refused"]) == (
        "import", "repertoire.csv", 4, 1)
    assert [change.kind for change in changes] == ["provider"] and len(changes[0].ids) == 4
    qtbot.mouseClick(_button(wizard, QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.isVisible())

    # The same file again: nothing to do; the saved mapping says the same from the command line.
    wizard = _open(qtbot, window, monkeypatch, path)
    _columns(qtbot, wizard)
    _values_read(qtbot, wizard)
    wizard.values_page.rows[0][2].setFocus()
    qtbot.keyClicks(wizard.values_page.rows[0][2], "Autre")
    _next(qtbot, wizard)
    dry = wizard.dry_run_page
    qtbot.waitUntil(lambda: dry.isComplete(), timeout=20_000)
    assert dry.counts.text() == "0 à créer, 0 à mettre à jour, 4 inchangés, 1 refusé."
    assert run_import(session, "providers", path, load_mapping(saved), dry_run=True).unchanged == 4
    qtbot.mouseClick(_button(wizard, QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and session.providers.count() == 4


def test_cancel_the_import_writes_nothing(qtbot, window, session, monkeypatch, tmp_path):
    with_gazetteer(session)
    window.choose_language("fr")
    rows = "Nom complet;Secteurs;Localisation\r\n" + "".join(
        f"Structure {number};Santé;CD6109\r\n" for number in range(3000))
    path = _file(tmp_path, rows)
    wizard = _open(qtbot, window, monkeypatch, path)
    page = wizard.columns_page
    name = page.combos[page.labels.index("Nom complet")]
    name.setFocus()
    qtbot.keyClicks(name, "Nom")
    _next(qtbot, wizard)
    _values_read(qtbot, wizard)
    assert wizard.values_page.rows == [] and wizard.values_page.intro.text().startswith("Chaque valeur")
    _next(qtbot, wizard)
    dry = wizard.dry_run_page
    qtbot.waitUntil(lambda: dry.isComplete(), timeout=60_000)
    assert dry.counts.text() == "3\u00a0000 à créer, 0 à mettre à jour, 0 inchangé, 0 refusé."
    audit = session.audit.count()

    _next(qtbot, wizard)
    page = wizard.import_page
    assert page.cancel.isVisible() and page.cancel.text() == "Annuler l'importation"
    qtbot.mouseClick(page.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.isComplete(), timeout=60_000)
    assert page.summary.text() == "Importation annulée\u00a0: rien n'a été écrit."
    assert session.providers.count() == 0 and session.audit.count() == audit
    assert session.verify() == []
    QApplication.processEvents()


def test_locking_during_the_import_rolls_it_back_and_closes_the_wizard(qtbot, window, session, vault_copy,
                                                                       monkeypatch, tmp_path):
    from tests.conftest import USER

    with_gazetteer(session)
    window.choose_language("fr")
    rows = "Nom;Secteurs;Localisation\r\n" + "".join(f"Structure {number};Santé;CD6109\r\n" for number in range(3000))
    wizard = _open(qtbot, window, monkeypatch, _file(tmp_path, rows))
    _next(qtbot, wizard)
    _values_read(qtbot, wizard)
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.dry_run_page.isComplete(), timeout=60_000)
    assert wizard.dry_run_page.table.rowCount() == 0
    _next(qtbot, wizard)
    assert wizard.import_page.worker is not None
    window.lock()  # Ctrl+L, or the automatic lock, in the middle of the import
    assert not wizard.isVisible() and not wizard.import_page.worker.is_running()  # it waited for the rollback
    assert not window.import_action.isEnabled()
    _path, recovery_key = vault_copy
    with session.vault.unlock_with_recovery(recovery_key, USER) as reopened:
        assert reopened.providers.count() == 0 and reopened.verify() == []


def test_a_workbook_of_two_sheets_the_second_chosen_by_typing(qtbot, window, session, monkeypatch, tmp_path):
    import openpyxl

    with_gazetteer(session)
    window.choose_language("fr")
    path = tmp_path / "alertes.xlsx"
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Lisez-moi"
    notes.append(["Journal des alertes du RAN, bureau de Beni. Une ligne par alerte."])
    alerts = book.create_sheet("Alertes RAN")
    alerts.append(["Date et heure de réception", "Canal", "Lieu", "Type de menace"])
    alerts.append(["02/11/2025 08:30", "Appel", "CD6109", "Pillage"])
    alerts.append(["03/11/2025 21:10", "Radio", "Beni", "Hommes armés; Enlèvement"])
    alerts.append(["04/11/2025 06:00", "Pigeon", "Beni", "Pillage"])
    book.save(path)

    wizard = _open_kind(qtbot, window, monkeypatch, path, "Alertes")
    # 2. Sheet: the first is listed first; the person types the start of the second's name.
    page = wizard.sheet_page
    assert wizard.currentPage() is page and page.title() == "Feuille"
    assert [page.sheet.itemText(n) for n in range(page.sheet.count())] == ["Lisez-moi", "Alertes RAN"]
    assert page.sheet.currentText() == "Lisez-moi"
    page.sheet.setFocus()
    qtbot.keyClicks(page.sheet, "Al")
    assert page.sheet.currentText() == "Alertes RAN"
    _fits(wizard)
    _next(qtbot, wizard)

    # 3. The columns are the second sheet's, matched in French.
    columns = wizard.columns_page
    assert wizard.currentPage() is columns
    shown = {label: combo.currentText() for label, combo in zip(columns.labels, columns.combos)}
    assert shown == {"Date et heure de réception": "Réception *", "Canal": "Canal", "Lieu": "P-code du lieu",
                     "Type de menace": "Types de menace *"}
    _next(qtbot, wizard)
    _values_read(qtbot, wizard)
    assert [(name, value) for name, value, _combo in wizard.values_page.rows] == [("channel", "Pigeon")]
    _next(qtbot, wizard)
    dry = wizard.dry_run_page
    qtbot.waitUntil(dry.isComplete, timeout=20_000)
    assert dry.counts.text() == "2 à créer, 0 à mettre à jour, 0 inchangé, 1 refusé."

    # Back to the sheet step, the first sheet: it names no field, and the wizard says so.
    for _step in range(3):
        qtbot.mouseClick(_button(wizard, QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is page and page.sheet.currentText() == "Alertes RAN"
    page.sheet.setFocus()
    qtbot.keyClick(page.sheet, Qt.Key.Key_Up)  # the sheet above it in the closed list
    assert page.sheet.currentText() == "Lisez-moi"
    _next(qtbot, wizard)
    assert set(combo.currentData() for combo in columns.combos) == {""}
    assert "Réception" in columns.missing.text()


def test_mara_incidents_in_french_through_the_wizard_to_the_incidents_page(qtbot, window, session, monkeypatch,
                                                                             tmp_path):
    """An XLSX of incidents as a MARA focal point keeps it (written by XlsxWriter, French headers):
    one row names a party the vault knows by its short name, the other one it does not know."""
    from datetime import datetime

    import xlsxwriter

    from fieldapp.core.changes import ListQuery
    from fieldapp.domain.mara import Party

    with_gazetteer(session)
    session.parties.create(Party(name="Allied Democratic Forces", short_name="ADF",
                                 party_type="non_state_armed_group"))
    window.context.unlocked.emit()  # the pages read the new party
    window.choose_language("fr")
    path = tmp_path / "incidents-vslc.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Incidents")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Date des faits", "Connu du bureau le", "Lieu", "Localité", "Type de violation",
                           "Filles", "Femmes", "Auteurs présumés", "Sources", "Mesures prises"])
    rows = [[datetime(2025, 10, 3), datetime(2025, 10, 5), "Beni", "Mavivi", "Viol collectif", 1, 2, "ADF",
             "Survivante", "Référées au centre de santé"],
            [datetime(2025, 10, 12), datetime(2025, 10, 14), "CD6109", "Oicha", "Viol", 0, 1, "Mai-Mai Inconnu",
             "Témoin", ""]]
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write_datetime(number, column, value, day)
            else:
                sheet.write(number, column, value)
    book.close()

    incidents = window.page_of_kind("incident")
    window.show_page(incidents)  # open behind the wizard: the import must refresh it
    assert incidents.model.rowCount() == 0
    wizard = _open_kind(qtbot, window, monkeypatch, path, "Incidents")
    assert wizard.kind.name == "incidents"
    assert wizard.currentPage() is wizard.sheet_page and wizard.sheet_page.sheet.currentText() == "Incidents"
    _fits(wizard)
    _next(qtbot, wizard)

    # 3. Every French header is matched to its field.
    columns = wizard.columns_page
    assert wizard.currentPage() is columns
    shown = {label: combo.currentText() for label, combo in zip(columns.labels, columns.combos)}
    assert shown == {"Date des faits": "Survenu le", "Connu du bureau le": "Connu du bureau le *",
                     "Lieu": "P-code du lieu", "Localité": "Localité", "Type de violation": "Violations *",
                     "Filles": "Filles", "Femmes": "Femmes", "Auteurs présumés": "Parties auteures présumées *",
                     "Sources": "Sources *", "Mesures prises": "Mesures prises"}
    assert not columns.missing.isVisible()
    _fits(wizard)
    _next(qtbot, wizard)
    _values_read(qtbot, wizard)
    assert wizard.values_page.rows == []  # a party is no list value: it is checked in the dry run
    _next(qtbot, wizard)

    # 5. The dry run refuses the row whose party the vault does not know, and says why.
    dry = wizard.dry_run_page
    qtbot.waitUntil(dry.isComplete, timeout=20_000)
    assert dry.counts.text() == "1 à créer, 0 à mettre à jour, 0 inchangé, 1 refusé."
    shown = [[dry.table.item(row, column).text() for column in range(4)] for row in range(dry.table.rowCount())]
    assert shown == [["3", "Auteurs présumés", "Mai-Mai Inconnu",
                      "«\u00a0Mai-Mai Inconnu\u00a0» n'est pas une partie de ce coffre (ajoutez-la d'abord dans la "
                      "page Parties et engagements)"]]
    assert session.incidents.count() == 0
    _fits(wizard)

    # 6. The import, then the incident on the Incidents page, in French.
    _next(qtbot, wizard)
    page = wizard.import_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.summary.text() == "incidents-vslc.xlsx\u00a0: 1 créé, 0 mis à jour, 0 inchangé, 1 refusé."
    _fits(wizard)
    qtbot.mouseClick(_button(wizard, QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    [incident] = session.incidents.list(ListQuery())
    adf = session.parties.list()[0]
    assert (incident.occurred_on.isoformat(), incident.learned_on.isoformat(), incident.location_pcode,
            incident.locality) == ("2025-10-03", "2025-10-05", "CD6109", "Mavivi")
    assert incident.violation_types == ["gang_rape"] and incident.perpetrator_parties == [adf.id]
    assert (incident.victims_girls, incident.victims_women, incident.sources) == (1, 2, ["survivor"])
    assert incident.actions_taken == "Référées au centre de santé"

    qtbot.waitUntil(lambda: incidents.model.rowCount() == 1)
    assert incidents.model.record_at(0).incident_code == incident.incident_code
    cells = [incidents.model.index(0, column).data() for column in range(incidents.model.columnCount())]
    assert incident.incident_code in cells and "ADF" in " ".join(str(cell) for cell in cells)
    assert "Viol collectif" in " ".join(str(cell) for cell in cells)
    assert "1 incident" in incidents.count_label.text()
