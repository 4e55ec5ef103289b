"""The printable recovery sheet carries the site, the date and a key that types back exactly."""

import re
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


def printed_shares(text: str) -> list[str]:
    """Each page's numbered words, read back in their numbers' order (the sheet prints them in columns)."""
    shares = []
    for page in text.split("\f"):
        found = dict((int(number), word) for number, word in re.findall(r"\b(\d{1,2})\. ([a-z]+)\b", page))
        if found:
            shares.append(" ".join(found[n] for n in sorted(found)))
    return shares


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


def test_share_sheets_one_page_a_share_typed_back_give_the_key(tmp_path, key):
    from fieldapp.documents.recovery_sheet import write_share_sheets
    from fieldapp.store.shares import recovery_key_from_shares, split_recovery_key

    shares = split_recovery_key(key, 3, 5)
    target = write_share_sheets(tmp_path / "shares.pdf", shares, 3, "Beni field office", "BNI", date(2026, 3, 14))
    text = pdf_text(target)
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) == 5
    assert "Recovery share 2 of 5" in pages[1] and "any 3 of the 5 shares open the vault" in pages[1]
    assert "Beni field office" in pages[4] and "Forgot passphrase?" in pages[0]
    assert printed_shares(text) == shares
    assert recovery_key_from_shares("\n".join(printed_shares(text)[2:])) == key
    assert (target.stat().st_mode & 0o777) == 0o600


def test_share_sheets_in_french(tmp_path, key):
    from fieldapp.documents.recovery_sheet import write_share_sheets
    from fieldapp.store.shares import split_recovery_key

    set_language("fr")
    text = pdf_text(write_share_sheets(tmp_path / "parts.pdf", split_recovery_key(key, 2, 3), 2, "Bureau de Bunia",
                                       "BUN", date(2026, 3, 14)))
    assert "Part de récupération 1 sur 3" in text
    assert "14 mars 2026" in text
    assert "Phrase secrète oubliée" in " ".join(text.replace("\u00a0", " ").split())  # however the line wraps
