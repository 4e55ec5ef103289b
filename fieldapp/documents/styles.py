"""Paragraph styles and colours for the PDFs, chosen to survive a black-and-white photocopy:
black text, dark rules, meaning never carried by colour alone, light fills only behind bold text."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from fieldapp.documents.fonts import BOLD, CONDENSED, CONDENSED_BOLD, REGULAR, register_fonts

INK = colors.black
ALERT_RED = colors.HexColor("#C00000")  # dark enough to photocopy as a heavy grey border
BAND = colors.HexColor("#D9D9D9")       # light fill behind bold black text only
RULE = colors.HexColor("#404040")
# Chart fills that stay distinct in greyscale: black, mid grey, white with a black outline.
SERIES = (colors.HexColor("#1A1A1A"), colors.HexColor("#8C8C8C"), colors.white, colors.HexColor("#C8C8C8"))


@dataclass(frozen=True)
class Styles:
    """A coherent set of styles scaled from one body size (the pathway sheet shrinks it to fit)."""

    body: ParagraphStyle
    small: ParagraphStyle
    bold: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    band: ParagraphStyle
    alert: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    centred: ParagraphStyle


def make_styles(size: float = 9.0, condensed: bool = False, leading: float = 1.2, minimum: float = 0.0) -> Styles:
    """`minimum`: no style is smaller, the small print and table cells included (a sheet that must
    survive a photocopy keeps everything at 8 pt or more)."""
    register_fonts()
    regular, bold = (CONDENSED, CONDENSED_BOLD) if condensed else (REGULAR, BOLD)
    leading = size * leading

    def style(name: str, **options) -> ParagraphStyle:
        base = {"fontName": regular, "fontSize": size, "leading": leading, "textColor": INK, "alignment": TA_LEFT}
        base.update(options)
        if base["fontSize"] < minimum:
            base["leading"] *= minimum / base["fontSize"]
            base["fontSize"] = minimum
        return ParagraphStyle(name, **base)

    return Styles(
        body=style("body"),
        small=style("small", fontSize=size * 0.85, leading=size * 1.02),
        bold=style("bold", fontName=bold),
        title=style("title", fontName=bold, fontSize=size * 1.9, leading=size * 2.2),
        subtitle=style("subtitle", fontSize=size * 1.15, leading=size * 1.4),
        heading=style("heading", fontName=bold, fontSize=size * 1.3, leading=size * 1.6, spaceBefore=size * 0.8,
                      keepWithNext=1,
                      spaceAfter=size * 0.3),
        band=style("band", fontName=bold, fontSize=size * 1.1, leading=size * 1.35),
        alert=style("alert", fontName=bold, fontSize=size * 1.25, leading=size * 1.5),
        cell=style("cell", fontSize=size * 0.9, leading=size * 1.05),
        cell_bold=style("cell_bold", fontName=bold, fontSize=size * 0.9, leading=size * 1.05),
        centred=style("centred", alignment=TA_CENTER),
    )
