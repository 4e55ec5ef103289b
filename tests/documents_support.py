"""Helpers for the documents tests: a filled vault made once per module, PDFs read back as text."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

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


# -- reading a PDF's layout back ---------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    """One word as pdftotext -bbox-layout places it: page, box in points (y down), and its line."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    line: int
    block: int
    page_width: float
    page_height: float

    def overlap(self, other: "Word") -> tuple[float, float]:
        return (min(self.x1, other.x1) - max(self.x0, other.x0), min(self.y1, other.y1) - max(self.y0, other.y0))


def pdf_words(data: bytes, tmp_path: Path, name: str = "layout.pdf") -> list[Word]:
    """Every word of every page with its box, as pdftotext -bbox-layout reads the PDF."""
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    words, page, block, line, size = [], 0, 0, 0, (0.0, 0.0)
    for element in ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out)).iter():
        tag = element.tag.rpartition("}")[2]
        if tag == "page":
            page += 1
            size = (float(element.get("width")), float(element.get("height")))
        elif tag == "block":
            block += 1
        elif tag == "line":
            line += 1
        elif tag == "word":
            box = [float(element.get(key)) for key in ("xMin", "yMin", "xMax", "yMax")]
            words.append(Word(page, *box, element.text or "", line, block, *size))
    return words


def overlapping_words(data: bytes, tmp_path: Path) -> list[str]:
    """Pairs of words whose boxes cross, which a reader sees as text printed over text.

    Two words overlap when they share more than half a point across and more than a third of the
    smaller one's height: the ascenders of one line touching the descenders of the next (normal
    leading) do not count; two labels printed over each other, or a line drawn over another, do.
    """
    found = []
    by_page: dict[int, list[Word]] = {}
    for word in pdf_words(data, tmp_path):
        by_page.setdefault(word.page, []).append(word)
    for page, words in by_page.items():
        words.sort(key=lambda w: w.x0)
        for index, word in enumerate(words):
            for other in words[index + 1:]:
                if other.x0 >= word.x1:
                    break  # sorted by left edge: no later word can reach back over this one
                across, down = word.overlap(other)
                if across > 0.5 and down > min(word.y1 - word.y0, other.y1 - other.y0) / 3:
                    found.append(f"page {page}: {word.text!r} ({word.x0:.0f},{word.y0:.0f}) over "
                                 f"{other.text!r} ({other.x0:.0f},{other.y0:.0f})")
    return found


def words_off_the_page(data: bytes, tmp_path: Path, margin: float = 5 * 72 / 25.4) -> list[str]:
    """Words printed closer than 5 mm to the edge of the sheet, which a printer or copier cuts."""
    return [f"page {w.page}: {w.text!r} at ({w.x0:.0f},{w.y0:.0f})-({w.x1:.0f},{w.y1:.0f})"
            for w in pdf_words(data, tmp_path)
            if w.x0 < margin or w.y0 < margin or w.x1 > w.page_width - margin or w.y1 > w.page_height - margin]


def broken_numbers(data: bytes, tmp_path: Path) -> list[str]:
    """A number or percent split over two lines of one paragraph or cell ("1 19" / "0", "26" / "%")."""
    found = []
    words = pdf_words(data, tmp_path)
    for before, after in zip(words, words[1:]):
        if before.block == after.block and before.line != after.line and (
                re.search(r"\d$", before.text) and re.match(r"(\d|%)", after.text)):
            found.append(f"page {before.page}: {before.text!r} / {after.text!r}")
    return found


def orphaned_punctuation(data: bytes, tmp_path: Path) -> list[str]:
    """Lines that start with what French glues to the word before ("?", "»", ":", "%"), which a
    breakable space instead of a no-break one lets fall onto the next line."""
    words = pdf_words(data, tmp_path)
    return [f"page {after.page}: {before.text!r} / {after.text!r}" for before, after in zip(words, words[1:])
            if after.line != before.line and after.block == before.block and after.text[:1] in "»:;?!%"]


def pdf_page_images(data: bytes, folder: Path, stem: str, resolution: int = 60) -> list[Path]:
    """Every page rendered as a PNG (pdftoppm), as a person previewing the file would see it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(path), str(folder / stem)], check=True,
                   capture_output=True)
    return sorted(folder.glob(f"{stem}-*.png"))
