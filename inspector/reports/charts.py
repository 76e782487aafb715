"""Charts for the PDF reports (reportlab graphics): the weekly score trend and hazards per workshop."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from inspector.reports.trends import TrendPoint

#: One colour per hazard grade (general, significant, major) and for the score line.
GRADE_COLOURS = (colors.HexColor("#4C78A8"), colors.HexColor("#F58518"), colors.HexColor("#E45756"))
LINE_COLOUR = colors.HexColor("#2E7D32")


def _title(drawing: Drawing, text: str, font: str, width: float, height: float) -> None:
    drawing.add(String(width / 2, height - 14, text, fontName=font, fontSize=11, textAnchor="middle"))


def score_trend_drawing(
    points: Sequence[TrendPoint], *, title: str, font: str, width: float = 460, height: float = 200
) -> Drawing:
    """A line of the weekly average score (0–100), one point per week."""
    drawing = Drawing(width, height)
    _title(drawing, title, font, width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = width - 60, height - 60
    chart.data = [[p.average for p in points]] if points else [[0.0]]
    chart.categoryAxis.categoryNames = [p.week.strftime("%m-%d") for p in points] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.lines[0].strokeColor = LINE_COLOUR
    chart.lines[0].strokeWidth = 2
    chart.lineLabelFormat = "%.1f"
    chart.lineLabels.fontName = font
    chart.lineLabels.fontSize = 7
    chart.joinedLines = 1
    drawing.add(chart)
    return drawing


def hazard_bars_drawing(
    rows: Sequence[tuple[str, dict[str, int]]],
    *,
    grades: Sequence[tuple[str, str]],
    title: str,
    font: str,
    width: float = 460,
    height: float = 220,
) -> Drawing:
    """Bars of hazards per workshop, one bar per grade. ``grades``: (grade key, label) in display order."""
    drawing = Drawing(width, height)
    _title(drawing, title, font, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 45
    chart.width, chart.height = width - 150, height - 75
    chart.data = [[counts.get(key, 0) for _name, counts in rows] or [0] for key, _label in grades]
    chart.categoryAxis.categoryNames = [name for name, _counts in rows] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20 if len(rows) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 4 else "n"
    highest = max([sum(c.values()) for _n, c in rows] or [0])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(2, highest)
    chart.valueAxis.valueStep = max(1, (highest + 4) // 5)
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    for index in range(len(grades)):
        chart.bars[index].fillColor = GRADE_COLOURS[index % len(GRADE_COLOURS)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 100, height - 40
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(GRADE_COLOURS[i % len(GRADE_COLOURS)], label) for i, (_k, label) in enumerate(grades)]
    drawing.add(legend)
    return drawing


def qr_drawing(matrix: Sequence[Sequence[bool]], *, size: float) -> Drawing:
    """A QR code module matrix drawn as vector squares, ``size`` points wide."""
    drawing = Drawing(size, size)
    module = size / max(1, len(matrix))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(c * module, size - (r + 1) * module, module, module, fillColor=colors.black, strokeColor=None)
                )
    return drawing
