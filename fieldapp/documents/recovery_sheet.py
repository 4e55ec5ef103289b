"""The printable recovery sheet: one A4 page with the vault's recovery key and how to use it;
and the share sheets: one A4 page per SLIP-39 share of that key (store/shares.py).

The key is printed large, in a monospace font, in groups of six so it can be typed back from
paper; spaces and line breaks are ignored when it is typed in. No Qt here.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from fieldapp.fileio import atomic_write
from fieldapp.i18n import _, format_date, ngettext
from fieldapp.paths import resources_dir
from fieldapp.store.vault import normalise_recovery_key

KEY_PREFIX = "AGE-SECRET-KEY-1"
GROUP = 6


def _fonts() -> tuple[str, str, str]:
    """DejaVu Sans and Sans Mono when the bundled fonts are there (embedded, every French character),
    else reportlab's built-in Helvetica and Courier (not embedded)."""
    folder = resources_dir() / "fonts"
    regular, bold, mono = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf", folder / "DejaVuSansMono-Bold.ttf"
    if regular.is_file() and bold.is_file() and mono.is_file():
        try:
            if "FieldappSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("FieldappSans", str(regular)))
                pdfmetrics.registerFont(TTFont("FieldappSans-Bold", str(bold)))
                pdfmetrics.registerFont(TTFont("FieldappMono-Bold", str(mono)))
            return "FieldappSans", "FieldappSans-Bold", "FieldappMono-Bold"
        except Exception:  # noqa: BLE001 - a damaged font file must not block the sheet
            pass
    return "Helvetica", "Helvetica-Bold", "Courier-Bold"


def key_lines(recovery_key: str) -> list[str]:
    """The prefix on its own line, then the rest in groups of six, five groups a line."""
    key = normalise_recovery_key(recovery_key)
    rest = key[len(KEY_PREFIX):] if key.startswith(KEY_PREFIX) else key
    groups = [rest[i:i + GROUP] for i in range(0, len(rest), GROUP)]
    lines = [KEY_PREFIX] if key.startswith(KEY_PREFIX) else []
    lines += ["  ".join(groups[i:i + 5]) for i in range(0, len(groups), 5)]
    return lines


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    # Ordinary spaces only: French keeps "oubliée ?" and "« Phrase »" together with no-break spaces.
    words, lines, line = [word for word in text.split(" ") if word], [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def recovery_sheet_pdf(site_name: str, office_code: str, recovery_key: str, day: date | None = None) -> bytes:
    """The sheet as PDF bytes, in the current language."""
    regular, bold, mono = _fonts()
    day = day or date.today()
    buffer = io.BytesIO()
    # The initial font is written into the file even if no text uses it: make it an embedded one.
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=regular)
    page.setTitle(_("Recovery sheet"))
    page.setAuthor("fieldapp")
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm

    page.setFont(bold, 20)
    page.drawString(left, y, _("Recovery sheet"))
    y -= 8 * mm
    page.setFont(bold, 11)
    page.drawString(left, y, _("CONFIDENTIAL: keep locked away, apart from the laptop."))
    y -= 12 * mm

    page.setFont(regular, 12)
    for label, value in ((_("Site"), site_name), (_("Office code"), office_code),
                         (_("Vault created"), format_date(day, "long"))):
        page.setFont(bold, 12)
        page.drawString(left, y, label)
        page.setFont(regular, 12)
        page.drawString(left + 45 * mm, y, value)
        y -= 7 * mm
    y -= 6 * mm

    # A thick black frame: it survives black-and-white photocopies where a tint would not.
    lines = key_lines(recovery_key)
    size, leading = 18, 10 * mm
    box_height = leading * len(lines) + 16 * mm
    page.setLineWidth(2)
    page.setStrokeColor(colors.black)
    page.rect(left, y - box_height, right - left, box_height)
    page.setFont(bold, 11)
    page.drawString(left + 5 * mm, y - 7 * mm, _("Recovery key"))
    page.setFont(mono, size)
    text_y = y - 7 * mm - leading
    for line in lines:
        page.drawString(left + 8 * mm, text_y, line)
        text_y -= leading
    y -= box_height + 10 * mm

    page.setFont(bold, 13)
    page.drawString(left, y, _("How to use this key"))
    y -= 7 * mm
    steps = [
        _("This key opens the vault of this site when a passphrase is forgotten. Anyone who has both "
          "this key and the laptop can read every record: store it in a locked place, never with the laptop."),
        _("In fieldapp, on the unlock screen, choose “Forgot passphrase?”. Type the key exactly as printed; "
          "spaces and line breaks do not matter. Type your user name and a new passphrase."),
        _("From a command line: fieldapp recover --user NAME --recovery-file FILE, where FILE holds the key."),
        _("If this sheet is lost or may have been seen by someone else, tell your supervisor at once."),
    ]
    page.setFont(regular, 11)
    for number, step in enumerate(steps, start=1):
        wrapped = _wrap(step, regular, 11, right - left - 8 * mm)
        page.drawString(left, y, f"{number}.")
        for line in wrapped:
            page.drawString(left + 8 * mm, y, line)
            y -= 5.5 * mm
        y -= 2.5 * mm

    page.setFont(regular, 8)
    page.drawString(left, 12 * mm, _("fieldapp recovery sheet · {site} · printed {day}").format(
        site=site_name, day=format_date(day, "short")))
    page.showPage()
    page.save()
    return buffer.getvalue()


def _header(page, regular: str, bold: str, title: str, warning: str, rows) -> float:
    width, height = A4
    left = 20 * mm
    y = height - 25 * mm
    page.setFont(bold, 20)
    page.drawString(left, y, title)
    y -= 8 * mm
    page.setFont(bold, 11)
    page.drawString(left, y, warning)
    y -= 12 * mm
    for label, value in rows:
        page.setFont(bold, 12)
        page.drawString(left, y, label)
        page.setFont(regular, 12)
        page.drawString(left + 45 * mm, y, value)
        y -= 7 * mm
    return y - 6 * mm


def share_sheets_pdf(shares: list[str], threshold: int, site_name: str = "", office_code: str = "",
                     day: date | None = None) -> bytes:
    """One page per share, in the current language: the share's 33 words numbered, in three columns,
    with how many shares open the vault and how to use them."""
    regular, bold, mono = _fonts()
    day = day or date.today()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(_("Recovery key shares"))
    page.setAuthor("fieldapp")
    width, _height = A4
    left, right = 20 * mm, width - 20 * mm
    count = len(shares)
    for number, share in enumerate(shares, start=1):
        rows = [(_("Site"), site_name), (_("Office code"), office_code)] if site_name else []
        rows.append((_("Shares made"), format_date(day, "long")))
        y = _header(page, regular, bold, _("Recovery share {n} of {count}").format(n=number, count=count),
                    _("CONFIDENTIAL: keep it locked away, apart from the laptop and from the other shares."), rows)
        words = share.split()
        per_column = (len(words) + 2) // 3
        leading = 8.5 * mm
        box_height = leading * per_column + 20 * mm
        page.setLineWidth(2)
        page.setStrokeColor(colors.black)
        page.rect(left, y - box_height, right - left, box_height)
        page.setFont(bold, 11)
        page.drawString(left + 5 * mm, y - 7 * mm, ngettext(
            "Share {n}: any {k} of the {count} shares open the vault.",
            "Share {n}: any {k} of the {count} shares open the vault.", threshold).format(
            n=number, k=threshold, count=count))
        column_width = (right - left - 10 * mm) / 3
        for index, word in enumerate(words):
            column, row = divmod(index, per_column)
            x = left + 6 * mm + column * column_width
            word_y = y - 16 * mm - row * leading
            page.setFont(regular, 10)
            page.drawRightString(x + 8 * mm, word_y, f"{index + 1}.")
            page.setFont(mono, 15)
            page.drawString(x + 10 * mm, word_y, word)
        y -= box_height + 10 * mm
        page.setFont(bold, 13)
        page.drawString(left, y, _("How to use this share"))
        y -= 7 * mm
        steps = [
            ngettext("The vault's recovery key was split into {count} shares; any {k} of them together open the "
                     "vault when every passphrase is forgotten. Fewer than {k} tell nothing about the key.",
                     "The vault's recovery key was split into {count} shares; any {k} of them together open the "
                     "vault when every passphrase is forgotten. Fewer than {k} tell nothing about the key.",
                     threshold).format(count=count, k=threshold),
            _("Each share is kept by a different person, in a locked place, never with the laptop or with "
              "another share."),
            _("In fieldapp, on the unlock screen, choose “Forgot passphrase?” and type the words of the shares one "
              "after the other, in any order; the first four letters of each word are enough. Then type your user "
              "name and a new passphrase."),
            _("From a command line: fieldapp recover --user NAME --shares FILE, where FILE holds the words."),
            _("If this sheet is lost or may have been seen by someone else, tell your supervisor at once."),
        ]
        page.setFont(regular, 11)
        for step_number, step in enumerate(steps, start=1):
            page.drawString(left, y, f"{step_number}.")
            for line in _wrap(step, regular, 11, right - left - 8 * mm):
                page.drawString(left + 8 * mm, y, line)
                y -= 5.5 * mm
            y -= 2.5 * mm
        page.setFont(regular, 8)
        page.drawString(left, 12 * mm, _("fieldapp recovery share {n} of {count} · printed {day}").format(
            n=number, count=count, day=format_date(day, "short")))
        page.showPage()
    page.save()
    return buffer.getvalue()


def write_share_sheets(path: Path | str, shares: list[str], threshold: int, site_name: str = "",
                       office_code: str = "", day: date | None = None) -> Path:
    target = Path(path)
    atomic_write(target, share_sheets_pdf(shares, threshold, site_name, office_code, day))
    return target


def write_recovery_sheet(path: Path | str, site_name: str, office_code: str, recovery_key: str,
                         day: date | None = None) -> Path:
    """Write the sheet atomically (temp file, fsync, rename) where the user chose."""
    target = Path(path)
    atomic_write(target, recovery_sheet_pdf(site_name, office_code, recovery_key, day))
    return target
