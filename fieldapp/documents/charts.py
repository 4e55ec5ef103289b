"""Bar charts for the period report (reportlab graphics: vector, real text, greyscale-safe).

Every bar carries its value as text, so a chart read from a photocopy loses nothing.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from fieldapp.documents.fonts import CONDENSED, CONDENSED_BOLD, register_fonts
from fieldapp.documents.styles import INK, SERIES

FONT_SIZE = 7.5


def _label_size(labels: list[str], room: float) -> float:
    """The category label size that lets the longest label fit beside the bars (never below 5 pt)."""
    widest = max([stringWidth(label, CONDENSED, FONT_SIZE) for label in labels] or [0])
    return FONT_SIZE if widest <= room else max(5.0, FONT_SIZE * room / widest)


def _axis_max(values: list[float]) -> float:
    top = max([0, *values])
    return top * 1.18 + 1  # room for the value printed past the end of the longest bar


def horizontal_bars(title: str, items: list[tuple[str, float]], width: float, label_width: float = 150,
                    value_text=str) -> Drawing:
    """One bar per (label, value), longest first as given; values printed at the bar ends."""
    register_fonts()
    bar = 11
    height = max(1, len(items)) * (bar + 5) + 24
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=CONDENSED_BOLD, fontSize=FONT_SIZE + 1, fillColor=INK))
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 10, height - 22
    # reportlab draws the first category at the bottom: reverse so the list reads top-down.
    ordered = list(reversed(items)) or [("", 0)]
    chart.data = [[value for _label, value in ordered]]
    chart.categoryAxis.categoryNames = [label for label, _value in ordered]
    chart.categoryAxis.labels.fontName = CONDENSED
    chart.categoryAxis.labels.fontSize = _label_size(chart.categoryAxis.categoryNames, label_width - 6)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = INK
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(chart.data[0])
    chart.bars[0].fillColor = SERIES[0]
    chart.bars[0].strokeColor = INK
    chart.barWidth = bar
    chart.barLabelFormat = lambda value: value_text(value)
    chart.barLabels.fontName = CONDENSED
    chart.barLabels.fontSize = FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def vertical_bars(title: str, items: list[tuple[str, float]], width: float, height: float = 130,
                  value_text=str) -> Drawing:
    register_fonts()
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=CONDENSED_BOLD, fontSize=FONT_SIZE + 1, fillColor=INK))
    chart = VerticalBarChart()
    chart.x, chart.y = 10, 30
    chart.width, chart.height = width - 20, height - 50
    chart.data = [[value for _label, value in items] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _value in items] or [""]
    chart.categoryAxis.labels.fontName = CONDENSED
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.strokeColor = INK
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
    register_fonts()
    bar = 11
    height = max(1, len(labels)) * (bar + 5) + 44
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=CONDENSED_BOLD, fontSize=FONT_SIZE + 1, fillColor=INK))
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 30, height - 42
    chart.data = [list(reversed(values)) or [0] for _name, values in series]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = CONDENSED
    chart.categoryAxis.labels.fontSize = _label_size(chart.categoryAxis.categoryNames, label_width - 6)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = INK
    totals = [sum(parts) for parts in zip(*chart.data)] if chart.data else [0]
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(totals)
    chart.barWidth = bar
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES[index % len(SERIES)]
        chart.bars[index].strokeColor = INK
    drawing.add(chart)
    # Totals at the end of each stacked bar.
    step = chart.height / max(1, len(totals))
    scale = chart.width / chart.valueAxis.valueMax
    for index, total in enumerate(totals):
        drawing.add(String(chart.x + total * scale + 3, chart.y + step * index + step / 2 - 3, value_text(total),
                           fontName=CONDENSED, fontSize=FONT_SIZE, fillColor=INK))
    legend = Legend()
    legend.x, legend.y = label_width, height - 18
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = CONDENSED
    legend.fontSize = FONT_SIZE
    legend.strokeColor = INK
    legend.strokeWidth = 0.5
    names = [name for name, _values in series]
    legend.deltax = max([stringWidth(name, CONDENSED, FONT_SIZE) for name in names] or [0]) + 22
    legend.x = max(0, min(label_width, width - legend.deltax * len(names)))
    legend.colorNamePairs = [(SERIES[index % len(SERIES)], name) for index, (name, _values) in enumerate(series)]
    drawing.add(legend)
    return drawing
