"""The printable recovery sheet carries the site, the date and a key that types back exactly."""

import subprocess
from datetime import date

import pytest
from pyrage import x25519

from fieldapp.documents.recovery_sheet import key_lines, write_recovery_sheet
from fieldapp.store.vault import normalise_recovery_key
from fieldapp.i18n import set_language


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def key() -> str:
    return str(x25519.Identity.generate())


def test_sheet_shows_site_date_and_the_whole_key(tmp_path, key):
    target = write_recovery_sheet(tmp_path / "sheet.pdf", "Beni field office", "BNI", key, date(2026, 3, 14))
    text = pdf_text(target)
    assert "Beni field office" in text and "BNI" in text
    assert "March 14, 2026" in text
    assert "Forgot passphrase?" in text
    # Typed back from paper, spaces and line breaks included, the key is the vault's key.
    printed = text.split("Recovery key", 1)[1].split("How to use this key", 1)[0]
    assert normalise_recovery_key(printed) == key
    assert normalise_recovery_key(" ".join(key_lines(key))) == key
    assert (target.stat().st_mode & 0o777) == 0o600
    assert not list(tmp_path.glob(".*.part"))


def test_sheet_in_french_uses_french_dates(tmp_path, key):
    set_language("fr")
    target = write_recovery_sheet(tmp_path / "fiche.pdf", "Bureau de Bunia", "BUN", key, date(2026, 3, 14))
    assert "14 mars 2026" in pdf_text(target)


def test_failed_write_leaves_no_file(tmp_path, key):
    blocked = tmp_path / "sheet.pdf"
    blocked.mkdir()  # a folder where the file should go: the write fails, nothing is left behind
    with pytest.raises(OSError):
        write_recovery_sheet(blocked, "Beni", "BNI", key)
    assert blocked.is_dir() and not list(tmp_path.glob(".*.part"))
