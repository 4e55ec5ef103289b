"""P-code files as they really come (issue 16.6): HDX attribute tables, XLSX, our own places
export; blank codes, two names for one code, codes outside their parent and expired files are
reported, not silently dropped."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl

from fieldapp.domain.gazetteer import parse_pcode_report, read_pcode_report

from tests.conftest import PCODES


def show(report) -> None:
    levels = {}
    for place in report.places:
        levels[place.level] = levels.get(place.level, 0) + 1
    print(f"{report.layout}: {len(report.places)} places by level {levels}")
    print("\n".join(report.warnings))


def cod_rows():
    with (PCODES / "COD_pcodes.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def hdx_csv() -> bytes:
    """The COD file as HDX's attribute tables lay it out (ADM2_PCODE, ADM2_FR…, ISO dates)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ADM2_FR", "ADM2_PCODE", "ADM2_REF", "ADM2ALT1FR", "ADM1_FR", "ADM1_PCODE", "ADM0_FR",
                     "ADM0_PCODE", "date", "validOn", "validTo"])
    for row in cod_rows():
        writer.writerow([row["admin2Name_fr"], row["admin2Pcode"], "", "", row["admin1Name_fr"], row["admin1Pcode"],
                         row["admin0Name_fr"], row["admin0Pcode"], "2019-09-06", "2019-09-11", ""])
    return out.getvalue().encode("utf-8")


def test_hdx_attribute_table_layout(session):
    report = parse_pcode_report(hdx_csv(), "cod_admbnda_adm2_rgc_20190911.csv")
    show(report)
    assert report.layout == "hdx" and report.warnings == []
    result = session.places.import_places(report.places)
    assert result.added == 216 and session.places.path_label("CD6109", "fr") == "Nord-Kivu › Beni"
    assert session.places.get("CD6109").valid_on == date(2019, 9, 11)


def test_xlsx_pcode_file(session, tmp_path):
    path = tmp_path / "COD_pcodes.xlsx"
    book = openpyxl.Workbook()
    rows = list(csv.reader((PCODES / "COD_pcodes.csv").open(encoding="utf-8-sig", newline="")))
    for row in rows:
        book.active.append([int(cell) if cell.isdigit() else cell for cell in row])
    book.save(path)
    report = read_pcode_report(path)
    show(report)
    assert len(report.places) == 216 and report.layout == "cod"
    assert session.places.import_places(report.places).added == 216


def test_our_own_places_export_imports_back(session, tmp_path):
    from fieldapp.documents.exports import export

    session.places.import_places(read_pcode_report(PCODES / "CAF_pcodes.csv").places)
    before = [(p.pcode, p.level, p.name_en, p.name_fr, p.parent_pcode) for p in session.places.list()]
    for fmt, languages in (("csv", "en+fr"), ("xlsx", "fr")):
        target = tmp_path / f"places.{fmt}"
        export(session, "places", target, fmt, languages, hxl=True)
        report = read_pcode_report(target)
        show(report)
        assert report.layout == "fieldapp"
        assert [(p.pcode, p.level, p.name_en, p.name_fr, p.parent_pcode) for p in report.places] == before
        result = session.places.import_places(report.places)
        assert (result.added, result.renamed) == (0, 0)


def test_blank_codes_two_names_foreign_prefixes_and_expired_files_are_reported():
    caf = read_pcode_report(PCODES / "CAF_pcodes.csv")
    show(caf)
    # 26 rows have a blank admin4 code; two admin4 codes carry two different names in the real file.
    assert caf.warnings[0].startswith("CAF_pcodes.csv: 26 rows have a blank P-code and were not imported (lines 14, ")
    assert caf.warnings[1] == ("CAF_pcodes.csv: CF711304 is named “Kokoro III” on line 40 and “Camerounais DLA” "
                               "on line 163; the first name is kept.")
    ssd = read_pcode_report(PCODES / "SSD_pcodes.csv")
    show(ssd)
    assert ssd.warnings == ["SSD_pcodes.csv was valid until 2021-06-30 (validTo): a newer edition replaces it; "
                            "look for it on HDX."]
    data = ("admin1Pcode,admin1Name_fr,admin2Pcode,admin2Name_fr\n"
            "CD61,Nord-Kivu,CD6109,Beni\n"
            "CD61,Nord Kivu,CD6101,Goma\n"
            "CD61,Nord-Kivu,CD7101,Lubero\n"
            "CD61,Nord-Kivu,,Masisi\n").encode("utf-8")
    report = parse_pcode_report(data, "edited.csv")
    show(report)
    assert report.warnings == [
        "edited.csv: 1 row has a blank P-code and was not imported (line 5).",
        "edited.csv: CD61 is named “Nord-Kivu” on line 2 and “Nord Kivu” on line 3; the first name is kept.",
        "edited.csv, line 4: CD7101 does not start with the code of its parent CD61.",
    ]
    assert [p.pcode for p in report.places] == ["CD61", "CD6101", "CD6109", "CD7101"]


def test_cli_import_places_prints_the_warnings(vault_copy, capsys, monkeypatch):
    from fieldapp.cli import main

    from tests.conftest import PASSPHRASE

    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    vault, _key = vault_copy
    assert main(["--vault", str(vault), "import-places", str(PCODES / "SSD_pcodes.csv")]) == 0
    out = capsys.readouterr().out
    assert "valid until 2021-06-30" in out and "90 places added" in out
