"""Spreadsheet imports (docs/DESIGN.md 9): encodings, separators, XLSX with merged headers, header
and value matching in English and French, dry run, one transaction, refused rows, re-import."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from fieldapp.documents.import_fields import Mapping
from fieldapp.documents.spreadsheet import Workbook, detect_delimiter
from fieldapp.errors import ImportFileError
from fieldapp.ops.imports import ImportCancelled, analyse, distinct_values, load_mapping, run_import, save_mapping
from fieldapp.documents.import_fields import KINDS

from tests.import_support import show, with_gazetteer

DIRECTORY_FR = (
    "Nom de la structure;Secteurs;Localisation;Adresse;Téléphone;Gratuit;Point focal;Horaires\r\n"
    "Hôpital général de Beni;Santé, Psychosocial;Beni;Boulevard Nyamwisi;+243 990 000 001;Oui;Dr Kahindo;24h/24\r\n"
    "Maison d'écoute Tujenge;Soutien psychosocial;CD6109;Quartier Matonge;+243 990 000 002;oui;Mme Masika;Lun–ven\r\n"
    "Clinique juridique;Assistance juridique et judiciaire;Goma;Av. du Lac;+243 990 000 003;non;Me Bahati;8h-16h\r\n"
    "Centre nutritionnel;Nutrition;Goma;;;;;\r\n"
    "Structure sans lieu;Santé;Kinshasa-Nord;;;;;\r\n"
)


@pytest.fixture
def gazetteer(session):
    return with_gazetteer(session)


def write_directory(tmp_path):
    path = tmp_path / "répertoire.csv"
    path.write_bytes(DIRECTORY_FR.encode("cp1252"))
    return path


def test_reads_cp1252_semicolon_csv_and_utf8_bom_tab(tmp_path):
    path = write_directory(tmp_path)
    book = Workbook(path)
    assert book.csv_format.encoding == "cp1252" and book.csv_format.delimiter == ";"
    rows = [cells for _line, cells in book.rows()]
    assert rows[1][0] == "Hôpital général de Beni" and rows[2][0] == "Maison d'écoute Tujenge"
    tabbed = tmp_path / "tab.csv"
    tabbed.write_bytes("\ufeffNom\tSecteurs\nÉcole\tSanté\n".encode("utf-8"))
    book = Workbook(tabbed)
    assert (book.csv_format.encoding, book.csv_format.delimiter) == ("utf-8-sig", "\t")
    assert [cells for _l, cells in book.rows()][0] == ["Nom", "Secteurs"]  # no BOM left in the header
    assert detect_delimiter('a,b,"c;d"\n1,2,3\n') == ","


def test_french_directory_dry_run_then_import_then_nothing_changes(gazetteer, tmp_path):
    path = write_directory(tmp_path)
    before = gazetteer.audit.count()
    dry = run_import(gazetteer, "providers", path, dry_run=True)
    show(dry)
    assert (dry.created, dry.updated, dry.unchanged, dry.refused) == (3, 0, 0, 2)
    assert gazetteer.providers.count() == 0 and gazetteer.audit.count() == before  # nothing written
    reasons = {(p.line, p.column, p.value): p.reason for p in dry.problems}
    assert reasons[(5, "Secteurs", "Nutrition")] == "“Nutrition” matches no value of this list"
    assert reasons[(6, "Localisation", "Kinshasa-Nord")] == "not a P-code or a place name of the gazetteer"
    assert dry.unmatched == {"sectors": {"Nutrition"}}  # shown, never guessed

    refused = tmp_path / "refusés.csv"
    report = run_import(gazetteer, "providers", path, refused_csv=refused)
    assert (report.created, report.refused) == (3, 2)
    providers = {p.name: p for p in gazetteer.providers.list()}
    hospital = providers["Hôpital général de Beni"]
    assert hospital.sectors == ["health", "psychosocial"] and hospital.location_pcode == "CD6109"
    assert hospital.phones == "+243 990 000 001" and hospital.free_of_charge is True
    assert providers["Clinique juridique"].free_of_charge is False
    assert providers["Clinique juridique"].location_pcode == "CD6101"
    imported, saved = gazetteer.audit.entries(limit=2, newest_first=True)[::-1]
    assert (imported.action, imported.detail["created"], imported.detail["refused"]) == ("import", 3, 2)
    assert (saved.action, saved.record_type, saved.detail["rows"], saved.detail["file"]) == (
        "export", "refused_rows", 2, str(refused.resolve()))
    with refused.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "Why refused" and [row[0] for row in rows[1:]] == ["Centre nutritionnel", "Structure sans lieu"]
    assert "Secteurs" in rows[1][-1]

    again = run_import(gazetteer, "providers", path, dry_run=True)
    show(again)
    assert (again.created, again.updated, again.unchanged, again.refused) == (0, 0, 3, 2)
    run_import(gazetteer, "providers", path)
    assert gazetteer.providers.count() == 3


def test_a_corrected_row_updates_the_record_it_made(gazetteer, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text("Name,Sectors,Location P-code,Key\nHope clinic,Medical care,CD6109,P-1\n", encoding="utf-8")
    mapping = Mapping("providers", key_column="Key")
    run_import(gazetteer, "providers", path, mapping)
    path.write_text("Name,Sectors,Location P-code,Key\nHope clinic,Medical care; Safe shelter,CD6109,P-1\n",
                    encoding="utf-8")
    report = run_import(gazetteer, "providers", path, mapping)
    assert (report.created, report.updated) == (0, 1)
    assert [p.sectors for p in gazetteer.providers.list()] == [["health", "shelter"]]


def test_xlsx_training_list_with_merged_header_and_total_row(gazetteer, tmp_path):
    path = tmp_path / "formations.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Formations 2025"
    sheet.append(["Liste des formations du bureau de Beni"])
    sheet.merge_cells("A1:I1")
    sheet.append(["Intitulé", "Date de début", "Lieu", "Public", "Thèmes", "Participants", None, None, "Formateurs"])
    sheet.append([None, None, None, None, None, "Femmes", "Hommes", "Non précisé", None])
    sheet.merge_cells("F2:H2")
    for column in "ABCDEI":
        sheet.merge_cells(f"{column}2:{column}3")
    import datetime as dt
    sheet.append(["Circuit de référencement", dt.datetime(2025, 3, 4), "Beni", "Société civile",
                  "Circuit de référencement; Approche centrée sur la survivante", 14, 9, 0, "WPA Beni"])
    sheet.append(["VSLC et DIH", "12/05/2025", "CD6101", "FARDC", "VSLC, DIH", 3, 27, 1, "WPA Goma"])
    sheet.append(["Total", None, None, None, None, 17, 36, 1, None])
    book.save(path)

    layout = analyse(Workbook(path), KINDS["trainings"])
    assert layout.labels[5] == "Participants / Femmes"
    dry = run_import(gazetteer, "trainings", path, dry_run=True)
    show(dry)
    assert (dry.created, dry.refused) == (2, 0) and dry.skipped == [(6, "a total row")]
    run_import(gazetteer, "trainings", path)
    trainings = {t.title: t for t in gazetteer.trainings.list()}
    first = trainings["Circuit de référencement"]
    assert (first.participants_female, first.participants_male, first.audience) == (14, 9, "civil_society")
    assert first.topics == ["referral_pathways", "survivor_centred_approach"]
    assert first.start_date.isoformat() == "2025-03-04" and first.location_pcode == "CD6109"
    second = trainings["VSLC et DIH"]
    assert second.start_date.isoformat() == "2025-05-12" and second.topics == ["crsv_prevention", "ihl"]
    assert second.audience == "national_army"
    assert run_import(gazetteer, "trainings", path).unchanged == 2


def test_hxl_row_matches_columns_whatever_the_header_says(gazetteer, tmp_path):
    path = tmp_path / "alerts.csv"
    path.write_text("Quand,Où,Quoi,Canal\n#date+received,#loc+code,#event+threat+code,#meta+channel+code\n"
                    "2025-11-02 08:30,CD6109,attack;looting,radio\n", encoding="utf-8")
    report = run_import(gazetteer, "alerts", path)
    show(report)
    alert = gazetteer.alerts.list()[0]
    assert report.created == 1 and alert.threat_types == ["attack", "looting"] and alert.channel == "radio"


def test_our_own_export_imports_back_unchanged(gazetteer, tmp_path):
    from datetime import datetime, timezone

    from fieldapp.documents.exports import export
    from fieldapp.domain.records import Alert

    gazetteer.alerts.create(Alert(received_at=datetime(2025, 10, 1, 6, 0, tzinfo=timezone.utc), channel="radio",
                                  location_pcode="CD6109", threat_types=["abduction"], severity="high"))
    target = tmp_path / "alerts.xlsx"
    export(gazetteer, "alerts", target, "xlsx", "en+fr", hxl=True)
    report = run_import(gazetteer, "alerts", target, dry_run=True)
    show(report)
    assert (report.created, report.updated, report.unchanged, report.refused) == (0, 0, 1, 0)


def test_one_transaction_a_cancel_writes_nothing(gazetteer, tmp_path):
    path = tmp_path / "many.csv"
    lines = ["Name,Sectors,Location P-code"] + [f"Provider {n},health,CD6109" for n in range(450)]
    path.write_text("\n".join(lines), encoding="utf-8")

    def cancel(done, total):
        if done >= 400:
            raise ImportCancelled("cancelled")

    before = gazetteer.audit.count()
    with pytest.raises(ImportCancelled):
        run_import(gazetteer, "providers", path, progress=cancel)
    assert gazetteer.providers.count() == 0 and gazetteer.audit.count() == before
    assert gazetteer.verify() == []


def test_saved_mapping_maps_columns_and_values(gazetteer, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Structure X;Type;Où\nCentre Amani;Nutrition et santé;CD6109\n", encoding="utf-8")
    mapping = Mapping("providers", columns={"Structure X": "name", "Type": "sectors", "Où": "location_pcode"})
    layout = analyse(Workbook(path), KINDS["providers"], mapping)
    assert distinct_values(Workbook(path), layout, KINDS["providers"], mapping) == {"sectors": ["Nutrition et santé"]}
    mapping.values = {"sectors": {"Nutrition et santé": "health"}}
    saved = tmp_path / "mapping.json"
    save_mapping(mapping, saved)
    assert json.loads(saved.read_text())["columns"]["Type"] == "sectors"
    report = run_import(gazetteer, "providers", path, load_mapping(saved))
    assert report.created == 1 and gazetteer.providers.list()[0].sectors == ["health"]


def test_unreadable_files_fail_in_one_line(tmp_path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ImportFileError, match="Excel 97-2003"):
        Workbook(old)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        Workbook(broken).sheet_names()
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFileError, match="No column"):
        analyse(Workbook(nothing), KINDS["providers"])


def test_referrals_import_generates_codes_and_keeps_consent_rules(gazetteer, tmp_path):
    path = tmp_path / "referrals.csv"
    path.write_text(
        "Date du signalement;Type d'incident;Sexe;Tranche d'âge;Consentement au partage;Consentement donné par\n"
        "03/11/2025 10:00;Viol;F;18-59;oui;survivante\n"
        "04/11/2025;Agression physique;Femme;12-17;oui;survivante\n", encoding="utf-8")
    report = run_import(gazetteer, "referrals", path)
    show(report)
    assert (report.created, report.refused) == (1, 1)
    assert report.problems[0].reason == "For a child, consent is given by a caregiver."
    referral = gazetteer.referrals.list()[0]
    assert referral.survivor_code == "BNI-2025-0001" and referral.incident_type == "rape"
    assert referral.reported_at.day == 3 and referral.reported_at.month == 11


def test_cli_import_dry_run(vault_copy, tmp_path, capsys, monkeypatch):
    from fieldapp.cli import main

    from tests.conftest import PASSPHRASE

    path = write_directory(tmp_path)
    vault, _key = vault_copy
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--vault", str(vault), "import-places", str(__import__("tests.conftest", fromlist=["PCODES"]).PCODES / "COD_pcodes.csv")]) == 0
    assert main(["--vault", str(vault), "import", "providers", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    print(out)
    assert "Dry run, nothing written: 3 to create, 0 to update, 0 unchanged, 2 refused." in out
    assert "line 5, column “Secteurs”, value “Nutrition”" in out
    refused = tmp_path / "refused.csv"
    assert main(["--vault", str(vault), "import", "providers", str(path), "--refused", str(refused)]) == 0
    out = capsys.readouterr().out
    assert "Imported: 3 created" in out and f"Refused rows written to {refused}." in out
    assert [line.split(",")[0] for line in refused.read_text(encoding="utf-8-sig").splitlines()[1:]] == [
        "Centre nutritionnel", "Structure sans lieu"]
    # Written out of the vault like any export: the audit log says what, where and how many rows.
    from fieldapp.store.vault import Vault
    from tests.conftest import USER

    with Vault(vault).unlock(USER, PASSPHRASE) as session:
        entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type) == ("export", "refused_rows")
    assert (entry.detail["file"], entry.detail["rows"], entry.detail["kind"], entry.detail["source"]) == (
        str(refused.resolve()), 2, "providers", path.name)


@pytest.mark.parametrize(("language", "dry_run", "figures", "expected"), [
    ("en", False, (1, 0, 1, 1), "Imported: 1 created, 0 updated, 1 unchanged, 1 refused."),
    ("en", True, (2, 1, 0, 3000), "Dry run, nothing written: 2 to create, 1 to update, 0 unchanged, 3,000 refused."),
    ("fr", False, (1, 0, 2, 1), "Importé\u00a0: 1 créé, 0 mis à jour, 2 inchangés, 1 refusé."),
    ("fr", False, (2, 1, 0, 1_000_000), "Importé\u00a0: 2 créés, 1 mis à jour, 0 inchangé, 1\u00a0000\u00a0000 refusés."),
    ("fr", True, (1, 0, 0, 2), "Essai à blanc, rien n'est écrit\u00a0: 1 à créer, 0 à mettre à jour, 0 inchangé, "
                               "2 refusés."),
])
def test_the_summary_line_agrees_with_each_count(language, dry_run, figures, expected):
    """One sentence holding four counts agrees with none of them (« 1 créés … 1 refusés »): each
    count is its own plural, in the language shown."""
    from fieldapp import i18n
    from fieldapp.ops.imports import ImportReport

    created, updated, unchanged, refused = figures
    i18n.set_language(language)
    report = ImportReport("providers", "répertoire.csv", dry_run, created=created, updated=updated,
                          unchanged=unchanged, refused=refused)
    assert report.summary() == expected
    assert report.lines()[0] == expected


def test_cli_import_in_french_agrees_in_number(vault_copy, tmp_path, capsys, monkeypatch):
    from fieldapp.cli import main

    from tests.conftest import PASSPHRASE, PCODES

    path = tmp_path / "répertoire.csv"
    path.write_bytes("Nom;Secteurs;Localisation\r\nHôpital général de Beni;Santé;Beni\r\n"
                     "Centre nutritionnel;Nutrition;Goma\r\n".encode("cp1252"))
    vault, _key = vault_copy
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--vault", str(vault), "import-places", str(PCODES / "COD_pcodes.csv")]) == 0
    monkeypatch.setenv("FIELDAPP_LANG", "fr")
    assert main(["--vault", str(vault), "import", "providers", str(path)]) == 0
    out = capsys.readouterr().out
    print(out)
    assert "Importé\u00a0: 1 créé, 0 mis à jour, 0 inchangé, 1 refusé." in out.splitlines()


def test_refused_rows_that_cannot_be_written_say_so_in_one_line(gazetteer, tmp_path):
    path = write_directory(tmp_path)
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    before = gazetteer.audit.count()
    with pytest.raises(ImportFileError, match="^The import is done, but the refused rows could not be written to"):
        run_import(gazetteer, "providers", path, refused_csv=blocked / "refused.csv")
    assert gazetteer.providers.count() == 3 and gazetteer.audit.count() == before + 1  # the import, not the CSV



def test_a_header_that_names_no_field_is_given_to_the_wizard_to_map(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Qui;Quoi\nCentre Amani;santé\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="No column"):
        analyse(Workbook(path), KINDS["providers"])
    layout = analyse(Workbook(path), KINDS["providers"], require_columns=False)
    assert (layout.labels, layout.columns, layout.ignored, layout.header_line) == (["Qui", "Quoi"], {}, ["Qui", "Quoi"], 1)
