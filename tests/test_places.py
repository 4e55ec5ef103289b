"""The gazetteer: the real OCHA P-code files import at every level, names found at any level."""

from __future__ import annotations

import pytest

from fieldapp.domain.gazetteer import parse_pcode_bytes, read_pcode_file
from fieldapp.errors import ImportFileError
from tests.conftest import PCODES


@pytest.mark.parametrize("name, levels", [
    ("COD_pcodes.csv", {0: 1, 1: 26, 2: 189}),
    ("CAF_pcodes.csv", {0: 1, 1: 2, 2: 2, 3: 9, 4: 172}),  # 30 rows have a blank admin4 code
    ("SSD_pcodes.csv", {0: 1, 1: 10, 2: 79}),
])
def test_shipped_files_import_with_the_right_number_of_places_per_level(session, name, levels):
    result = session.places.import_places(read_pcode_file(PCODES / name), source=name)
    assert result.added == sum(levels.values())
    assert session.places.count_by_level() == levels


def test_reimport_updates_names_without_duplicating(session, tmp_path):
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    renamed = (PCODES / "COD_pcodes.csv").read_text(encoding="utf-8").replace(",Beni,", ",Béni-Ville,")
    (tmp_path / "renamed.csv").write_text(renamed, encoding="utf-8")
    result = session.places.import_places(read_pcode_file(tmp_path / "renamed.csv"))
    assert (result.added, result.renamed) == (0, 1)
    assert session.places.count() == 216
    assert session.places.get("CD6109").name_fr == "Béni-Ville"
    assert session.places.search("béni-ville")[0].pcode == "CD6109"


def test_paths_parents_and_search_at_any_level(session):
    session.places.import_places(read_pcode_file(PCODES / "CAF_pcodes.csv"))
    deepest = session.places.list(level=4)[0]
    path = session.places.path(deepest.pcode)
    assert [p.level for p in path] == [0, 1, 2, 3, 4]
    assert session.places.path_label(deepest.pcode, "fr").count(" › ") == 3
    session.places.import_places(read_pcode_file(PCODES / "COD_pcodes.csv"))
    assert session.places.path_label("CD6109", "fr") == "Nord-Kivu › Beni"
    assert [p.pcode for p in session.places.search("nord kiv")] == ["CD61"]
    assert "CD6109" in [p.pcode for p in session.places.search("CD61")]
    assert "CD6201" in [p.pcode for p in session.places.search("bukavu")]


def test_english_names_land_in_the_english_column(session):
    session.places.import_places(read_pcode_file(PCODES / "SSD_pcodes.csv"))
    juba = session.places.get("SS0101")
    assert (juba.name_en, juba.name_fr, juba.parent_pcode) == ("Juba", "", "SS01")
    assert juba.name("fr") == "Juba"  # falls back to the language the file has


def test_a_file_of_another_country_with_semicolons_and_another_level(session):
    data = ("admin0Pcode;admin0Name_en;admin3Pcode;admin3Name_fr;admin3Name_en\n"
            "ML;Mali;ML0101;Kayes commune;Kayes town\n").encode("utf-8")
    places = parse_pcode_bytes(data)
    assert [(p.pcode, p.level, p.parent_pcode) for p in places] == [("ML", 0, None), ("ML0101", 3, "ML")]
    assert places[1].name_en == "Kayes town" and places[1].name_fr == "Kayes commune"


def test_conflicting_parents_are_refused():
    data = b"admin1Pcode,admin2Pcode\nCD61,CD6109\nCD62,CD6109\n"
    with pytest.raises(ImportFileError, match="two different parents"):
        parse_pcode_bytes(data)


def test_a_failed_import_changes_nothing(session, tmp_path):
    session.places.import_places(read_pcode_file(PCODES / "SSD_pcodes.csv"))
    (tmp_path / "bad.csv").write_bytes(b"admin1Pcode,admin1Name_en\nSS01,Central\nbad code!,x\n")
    with pytest.raises(ImportFileError, match="line 3"):
        read_pcode_file(tmp_path / "bad.csv")
    assert session.places.count() == 90
