"""Fuzzing the file readers a user can point at anything: the P-code CSV importer and the backup
reader. Random bytes, random edits of real files and generated CSV tables must end either in a
clean result or in the reader's own error with a one-line message, with the vault unchanged and
nothing left behind; never another exception, a hang or a traceback.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from fieldapp.cli import main
from fieldapp.domain.gazetteer import parse_pcode_bytes
from fieldapp.domain.validation import PCODE
from fieldapp.errors import FieldappError, ImportFileError
from fieldapp.store.backup import MAGIC, restore_backup, write_backup
from fieldapp.store.vault import Vault
from tests.conftest import PCODES, USER
from tests.hostile_support import assert_clear_error, fuzz_settings, mutated, no_hang

REAL_FILES = {path.name: path.read_bytes() for path in sorted(PCODES.glob("*.csv"))}


# -- P-code CSV ----------------------------------------------------------------------------------
def places_state(session) -> list:
    return [(p.pcode, p.level, p.name_en, p.name_fr, p.parent_pcode) for p in session.places.list()]


def offer_csv(session, data: bytes) -> None:
    """Parse `data` as a P-code file and, if it parses, import it; check what a user would see."""
    before = places_state(session)
    try:
        with no_hang():
            places = parse_pcode_bytes(data, "fuzzed.csv")
    except ImportFileError as error:
        assert_clear_error(error, ImportFileError)
        assert places_state(session) == before
        event("refused")
        return
    except Exception as error:  # noqa: BLE001 - the property under test
        raise AssertionError(f"{type(error).__name__} instead of a clear error: {error}") from error
    assert places, "an empty result must be an error"
    by_code = {place.pcode: place for place in places}
    for place in places:
        assert PCODE.match(place.pcode) and 0 <= place.level <= 9
        assert place.parent_pcode is None or by_code[place.parent_pcode].level < place.level
    with no_hang():
        session.places.import_places(places, source="fuzzed.csv")
        again = session.places.import_places(places, source="fuzzed.csv")
    assert again.added == again.renamed == 0, "a second import of the same file changed places"
    for place in places[:20]:
        assert session.places.path_label(place.pcode)
    event("imported")


@pytest.fixture(scope="module")
def places_session(template_vault, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-places")
    shutil.copytree(template_vault[0], folder / "vault")
    session = Vault(folder / "vault").unlock_with_recovery(template_vault[1], USER)
    yield session
    assert session.verify() == []
    session.close()


@fuzz_settings(150)
@given(data=st.binary(max_size=3000))
@example(data=b"")
@example(data=b"\xef\xbb\xbf")
@example(data=b"admin1Pcode\n")
@example(data=b"admin1Pcode,admin1Name_fr\nCD61,\"Nord\nKivu\nCD62")
def test_random_bytes_as_a_pcode_file(places_session, data):
    offer_csv(places_session, data)


@fuzz_settings(150)
@given(name=st.sampled_from(sorted(REAL_FILES)), data=st.data())
def test_random_edits_of_real_pcode_files(places_session, name, data):
    offer_csv(places_session, data.draw(mutated(REAL_FILES[name][:6000])))


cells = st.one_of(
    st.from_regex(r"\A[A-Z]{2,3}[0-9]{0,6}\Z"),  # P-code shaped
    st.sampled_from(["", "NA", "N/A", "NULL", "None", "CD", "CD61", "CD6109", "cd61", "1567728000000", "1e400",
                     "nan", "-1", "Nord-Kivu", "Équateur", "a,b", '"', "\n"]),
    st.text(max_size=30))
columns = st.one_of(
    st.builds(lambda n: f"admin{n}Pcode", st.integers(0, 9)),
    st.builds(lambda n, lang: f"admin{n}Name_{lang}", st.integers(0, 9), st.sampled_from(["fr", "en", "es", "FR"])),
    st.sampled_from(["validOn", "OBJECTID", "date", "validTo"]), st.text(max_size=12))


@fuzz_settings(200)
@given(header=st.lists(columns, min_size=1, max_size=8), rows=st.lists(st.lists(cells, max_size=9), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_generated_pcode_tables(places_session, header, rows, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    offer_csv(places_session, buffer.getvalue().encode(encoding, errors="replace"))


def test_the_command_line_reports_a_bad_pcode_file_in_one_line(tmp_path, vault_copy, capsys):
    path = tmp_path / "bad.csv"
    for data in (b"\x00\x01garbage", b"admin1Pcode,admin1Name_fr\nnot a pcode,x\n", REAL_FILES["COD_pcodes.csv"][:900]):
        path.write_bytes(data)
        assert main(["--vault", str(vault_copy[0]), "import-places", str(path)]) == 1
        error = capsys.readouterr().err.strip()
        assert error.startswith("fieldapp: ") and "\n" not in error and "unexpected error" not in error, error


# -- backup reader -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def backup(template_vault, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-backup")
    shutil.copytree(template_vault[0], folder / "vault")
    with Vault(folder / "vault").unlock_with_recovery(template_vault[1], USER) as session:
        session.places.import_places(parse_pcode_bytes(REAL_FILES["SSD_pcodes.csv"]), source="SSD")
        write_backup(session, folder / "good.fieldbackup")
    return {"folder": folder, "file": folder / "good.fieldbackup", "data": (folder / "good.fieldbackup").read_bytes(),
            "recovery_key": template_vault[1]}


def offer_backup(backup, data: bytes, work: Path) -> None:
    """Restore `data` into a new folder: a clean refusal leaves nothing; a success verifies."""
    source = work / "fuzzed.fieldbackup"
    source.write_bytes(data)
    target = work / "restored"
    try:
        with no_hang():
            summary = restore_backup(source, target, recovery_key=backup["recovery_key"], user=USER)
    except FieldappError as error:
        assert_clear_error(error)
        assert not target.exists(), "a refused restore left the target folder"
        assert sorted(p.name for p in work.iterdir()) == ["fuzzed.fieldbackup"], "a refused restore left files"
        event("refused")
        return
    except Exception as error:  # noqa: BLE001 - the property under test
        raise AssertionError(f"{type(error).__name__} instead of a clear error: {error}") from error
    # Some edits leave a valid file (spacing inside the JSON header): the restored vault must be whole.
    assert summary.counts["places"] > 0
    with Vault(target).unlock_with_recovery(backup["recovery_key"], USER) as session:
        assert session.verify() == []
    shutil.rmtree(target)
    event("restored")


@fuzz_settings(60)
@given(data=st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda tail: MAGIC + tail)))
@example(data=MAGIC + b"\x00\x00\x00\x10" + b'{"format": 1}   ')
@example(data=MAGIC + b"\xff\xff\xff\xff")
def test_random_bytes_as_a_backup(backup, tmp_path_factory, data):
    offer_backup(backup, data, tmp_path_factory.mktemp("b"))


@fuzz_settings(120)
@given(data=st.data())
def test_random_edits_of_a_backup(backup, tmp_path_factory, data):
    offer_backup(backup, data.draw(mutated(backup["data"])), tmp_path_factory.mktemp("b"))


def test_a_backup_is_refused_with_a_wrong_passphrase_and_a_foreign_recovery_key(backup, tmp_path):
    source = backup["file"]
    with pytest.raises(FieldappError) as refused:
        restore_backup(source, tmp_path / "a", passphrase="not the passphrase at all")
    assert_clear_error(refused.value)
    with pytest.raises(FieldappError) as refused:
        restore_backup(source, tmp_path / "b",
                       recovery_key="AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ")
    assert_clear_error(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
