"""Bar charts for the reports (reportlab graphics: vector, real text, greyscale-safe).

Every bar carries its value as text, so a chart read from a photocopy loses nothing. Category
labels wrap onto several lines (a bilingual label puts each language on its own line) instead of
shrinking or running into their neighbours. The helpers take plain (label, value) lists so any
report (the period report, MARA) can use them.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from fieldapp.documents.fonts import CONDENSED, CONDENSED_BOLD, register_fonts
from fieldapp.documents.styles import INK, SERIES

FONT_SIZE = 8.0
LEADING = FONT_SIZE * 1.2
MIN_FONT_SIZE = 6.5  # only for a single word wider than its whole room
BAR = 11.0


def wrap_label(text: str, width: float, font: str = CONDENSED, size: float = FONT_SIZE,
               split_languages: bool = True) -> list[str]:
    """`text` as lines no wider than `width`: when it does not fit on one, each language of
    "English / Français" starts a line, then words wrap at ordinary spaces (never at a no-break space inside "1 190" or "26 %").
    A single word wider than `width` keeps its own line (the caller shrinks the type for it)."""
    register_fonts()
    if stringWidth(text, font, size) <= width:
        return [text]
    pieces = text.split(" / ") if split_languages else [text]
    lines: list[str] = []
    for index, piece in enumerate(pieces):
        words = piece.split(" ")
        if index < len(pieces) - 1:
            words[-1] += " /"  # the slash ends the line of the first language, never starts one
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and stringWidth(candidate, font, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines or [""]


def fitting_size(lines: list[str], width: float, font: str = CONDENSED, size: float = FONT_SIZE) -> float:
    """The type size at which the widest line fits `width` (the given size when it already does)."""
    widest = max([stringWidth(line, font, size) for line in lines] or [0])
    return size if widest <= width else max(MIN_FONT_SIZE, size * width / widest)


TITLE_SIZE = FONT_SIZE + 1
TITLE_LEADING = TITLE_SIZE * 1.25


def _title_room(title: str, width: float) -> float:
    return len(wrap_label(title, width, CONDENSED_BOLD, TITLE_SIZE, split_languages=False)) * TITLE_LEADING + 6


def _drawing(width: float, height: float, title: str) -> Drawing:
    """A drawing of `height` below its title, which wraps to the width; the total is taller."""
    register_fonts()
    lines = wrap_label(title, width, CONDENSED_BOLD, TITLE_SIZE, split_languages=False)
    total = height + _title_room(title, width)
    drawing = Drawing(width, total)
    # The renderer starts every drawing in this font; left at reportlab's default it would pull an
    # unembedded Helvetica into the PDF even though no text is drawn in it.
    drawing.initialFontName, drawing.initialFontSize = CONDENSED, FONT_SIZE
    for index, line in enumerate(lines):
        drawing.add(String(0, total - TITLE_SIZE - index * TITLE_LEADING, line, fontName=CONDENSED_BOLD,
                           fontSize=TITLE_SIZE, fillColor=INK))
    return drawing


def _axis_max(values: list[float]) -> float:
    top = max([0, *values])
    return top * 1.18 + 1  # room for the value printed past the end of the longest bar


def _category_labels(labels: list[str], room: float) -> tuple[list[str], float, int]:
    """Wrapped labels joined with newlines, their type size, and the most lines any takes."""
    wrapped = [wrap_label(label, room) for label in labels]
    size = min([fitting_size(lines, room) for lines in wrapped] or [FONT_SIZE])
    if size < FONT_SIZE:
        wrapped = [wrap_label(label, room, size=size) for label in labels]
    return ["\n".join(lines) for lines in wrapped], size, max([len(lines) for lines in wrapped] or [1])


def _style_category_axis(axis, names: list[str], size: float) -> None:
    axis.categoryNames = names
    axis.labels.fontName = CONDENSED
    axis.labels.fontSize = size
    axis.labels.leading = size * 1.2
    axis.strokeColor = INK


def horizontal_bars(title: str, items: list[tuple[str, float]], width: float, label_width: float = 150,
                    value_text=str) -> Drawing:
    """One bar per (label, value), in the order given from the top; values printed at the bar ends."""
    # reportlab draws the first category at the bottom: reverse so the list reads top-down.
    ordered = list(reversed(items)) or [("", 0)]
    names, size, lines = _category_labels([label for label, _value in ordered], label_width - 6)
    row = max(BAR + 5, lines * size * 1.2 + 4)
    drawing = _drawing(width, len(ordered) * row + 6, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 10, len(ordered) * row
    chart.data = [[value for _label, value in ordered]]
    _style_category_axis(chart.categoryAxis, names, size)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.dx = -3
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(chart.data[0])
    chart.bars[0].fillColor = SERIES[0]
    chart.bars[0].strokeColor = INK
    chart.barWidth, chart.groupSpacing = BAR, row - BAR  # relative units: the bar keeps its thickness
    chart.barLabelFormat = lambda value: value_text(value)
    chart.barLabels.fontName = CONDENSED
    chart.barLabels.fontSize = FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def vertical_bars(title: str, items: list[tuple[str, float]], width: float, height: float = 130,
                  value_text=str) -> Drawing:
    """One column per (label, value), left to right; labels wrap under their own column."""
    ordered = list(items) or [("", 0)]
    column = (width - 20) / len(ordered)
    names, size, lines = _category_labels([label for label, _value in ordered], column - 6)
    label_room = lines * size * 1.2 + 6
    drawing = _drawing(width, label_room + height - 30 + 4, title)
    chart = VerticalBarChart()
    chart.x, chart.y = 10, label_room + 2
    chart.width, chart.height = width - 20, height - 30
    chart.data = [[value for _label, value in ordered]]
    _style_category_axis(chart.categoryAxis, names, size)
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.textAnchor = "middle"
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(chart.data[0])
    chart.bars[0].fillColor = SERIES[0]
    chart.bars[0].strokeColor = INK
    chart.barLabelFormat = lambda value: value_text(value)
    chart.barLabels.fontName = CONDENSED
    chart.barLabels.fontSize = FONT_SIZE
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 2
    drawing.add(chart)
    return drawing


def stacked_horizontal_bars(title: str, labels: list[str], series: list[tuple[str, list[float]]], width: float,
                            label_width: float = 150, value_text=str) -> Drawing:
    """Bars split into parts (participants by sex): black, grey and outlined white, with a legend."""
    ordered = list(reversed(labels)) or [""]
    names, size, lines = _category_labels(ordered, label_width - 6)
    row = max(BAR + 5, lines * size * 1.2 + 4)
    legend_names = [name for name, _values in series]
    # The legend: one line of swatches when they fit beside each other, else one swatch per line.
    swatch = 22
    step = max([stringWidth(name, CONDENSED, FONT_SIZE) for name in legend_names] or [0]) + swatch
    per_line = max(1, min(len(legend_names), int(width // step)))
    legend_lines = -(-len(legend_names) // per_line) if legend_names else 0
    legend_room = legend_lines * (FONT_SIZE * 1.6) + 4
    height = len(ordered) * row + legend_room + 6
    drawing = _drawing(width, height, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 30, len(ordered) * row
    chart.data = [list(reversed(values)) or [0] for _name, values in series]
    _style_category_axis(chart.categoryAxis, names, size)
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.dx = -3
    totals = [sum(parts) for parts in zip(*chart.data)] if chart.data else [0]
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(totals)
    chart.barWidth, chart.groupSpacing = BAR, row - BAR
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES[index % len(SERIES)]
        chart.bars[index].strokeColor = INK
    drawing.add(chart)
    # Totals at the end of each stacked bar.
    scale = chart.width / chart.valueAxis.valueMax
    for index, total in enumerate(totals):
        drawing.add(String(chart.x + total * scale + 3, chart.y + row * index + row / 2 - FONT_SIZE * 0.35,
                           value_text(total), fontName=CONDENSED, fontSize=FONT_SIZE, fillColor=INK))
    if legend_names:
        legend = Legend()
        legend.alignment = "right"
        legend.columnMaximum = legend_lines
        legend.fontName = CONDENSED
        legend.fontSize = FONT_SIZE
        legend.strokeColor = INK
        legend.strokeWidth = 0.5
        legend.deltax = step
        legend.deltay = FONT_SIZE * 1.6
        legend.dy = legend.dx = FONT_SIZE
        legend.x = max(0.0, min(label_width, width - step * per_line))
        legend.y = height - 2
        legend.colorNamePairs = [(SERIES[index % len(SERIES)], name) for index, name in enumerate(legend_names)]
        drawing.add(legend)
    return drawing
