"""The TrueType fonts every PDF embeds (DejaVu: French and every Latin name, plus ☎ ☐ ›).

reportlab's built-in Helvetica is not embedded and lacks many Latin letters (ș, ț, Ł…), so a
name typed in the directory could print as black boxes; DejaVu covers them and is embedded as a
subset, which keeps the text selectable and the files small.
"""

from __future__ import annotations

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldapp.errors import FieldappError
from fieldapp.i18n import _
from fieldapp.paths import resources_dir

REGULAR = "FieldSans"
BOLD = "FieldSans-Bold"
CONDENSED = "FieldSansCondensed"
CONDENSED_BOLD = "FieldSansCondensed-Bold"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CONDENSED: "DejaVuSansCondensed.ttf",
    CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}
_registered = False


class FontMissing(FieldappError):
    pass


def register_fonts() -> None:
    """Register the fonts with reportlab once per process (cheap after the first call)."""
    global _registered
    if _registered:
        return
    folder = resources_dir() / "fonts"
    for name, file_name in _FILES.items():
        path = folder / file_name
        if not path.is_file():
            raise FontMissing(_("The font file {file} is missing; reinstall fieldapp.").format(file=path))
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b> inside a paragraph picks the bold face of the same family.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    addMapping(CONDENSED, 0, 0, CONDENSED)
    addMapping(CONDENSED, 1, 0, CONDENSED_BOLD)
    addMapping(CONDENSED, 0, 1, CONDENSED)
    addMapping(CONDENSED, 1, 1, CONDENSED_BOLD)
    _registered = True
