"""Tables of figures for the reports (the period report, MARA): a label column taking the room the
number columns leave, numbers and percents never cut, bilingual headers one language a line."""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from fieldapp.documents.common import markup
from fieldapp.documents.fonts import CONDENSED
from fieldapp.documents.styles import BAND, INK, RULE, Styles

PADDING = 3
HEADER_SEPARATOR = " /\n"  # a bilingual column header: one language a line, the slash ending the first


def _words(text: str) -> list[str]:
    """What a cell may not break: split at ordinary spaces and line ends only, so "1 190" and
    "26 %" (no-break spaces) stay whole, and the slash of "Number /" stays on its word."""
    return [word for line in str(text).split("\n") for word in re.split(r" (?!/)", line) if word]


def _longest_word(texts, style) -> float:
    """Width of the longest word of a column, so a cell wraps between words, never inside one."""
    words = [word.replace("\u202f", "\u00a0") for text in texts for word in _words(text)]
    return max([stringWidth(word, style.fontName, style.fontSize) for word in words] or [10]) + 1


def _cell(text: str, style) -> Paragraph:
    return Paragraph(markup(text).replace("\n", "<br/>"), style)


def figure_table(header: list[str], rows: list[list[str]], total: list[str] | None, styles: Styles,
                 width: float) -> Table:
    """A table whose number columns are as narrow as their longest word and the first takes the rest.
    A header may hold line breaks ("Number /\nNombre", see HEADER_SEPARATOR)."""
    cell, bold = styles.cell, styles.cell_bold
    body = [*rows, *([total] if total else [])]
    widths = [_longest_word(column, bold) + 2 * PADDING for column in zip(header, *body)]
    widths[0] = max(widths[0], width - sum(widths[1:]))
    data = [[_cell(text, bold) for text in header]]
    data += [[_cell(text, cell) for text in row] for row in rows]
    if total:
        data.append([_cell(text, bold) for text in total])
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [("FONTNAME", (0, 0), (-1, -1), CONDENSED), ("GRID", (0, 0), (-1, -1), 0.5, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), BAND),
             ("LINEBELOW", (0, 0), (-1, 0), 1.2, INK), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING)]
    if total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1.2, INK))
    table.setStyle(TableStyle(style))
    return table
