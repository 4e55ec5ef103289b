"""Helpers for the documents tests: a filled vault made once per module, PDFs read back as text."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import USER
from fieldapp.demo import fill
from fieldapp.domain.records import Provider
from fieldapp.store.vault import Vault


def open_filled_vault(template_vault, folder: Path, records: int = 300):
    """A copy of the template vault with the DR Congo gazetteer, the demo directory and `records`
    referrals and alerts spread over three years (fieldapp.demo)."""
    source, recovery_key = template_vault
    target = folder / "vault"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("fieldapp.lock"))
    session = Vault(target).unlock_with_recovery(recovery_key, USER)
    fill(session, records)
    return session


def pdf_text(data: bytes, tmp_path: Path, name: str = "doc.pdf") -> str:
    """The PDF's text as pdftotext reads it (content order), whitespace collapsed to single spaces."""
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", out)


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_fonts(data: bytes, tmp_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the PDF uses."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode().splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [encoding…] emb sub uni object ID: "emb" is the fifth field from the end.
        fonts.append((parts[0], parts[-5] == "yes"))
    return fonts


def provider(name: str, pcode: str, sectors: list[str], active: bool = True, phones: str = "+243 990 000 001",
             free: bool = True) -> Provider:
    return Provider(name=name, sectors=sectors, location_pcode=pcode, phones=phones, opening_hours="Lun–Ven 8h–16h",
                    free_of_charge=free, active=active, last_verified=date.today() - timedelta(days=10))
