"""Text of the supervisor's charts tab (简体中文 / English); the chart titles and hazard grades are the PDF
summary's own (:mod:`inspector.messages.reports`), so screen and paper say the same."""

import inspector.messages.reports  # noqa: F401  (summary.trend, summary.hazard_chart, rpt.hazard.*)
from inspector.i18n import register

register(
    {
        "sup.tab.charts": ("图表", "Charts"),
        "bind.sup.tab_charts": ("图表", "Charts"),
        "bind.sup.clear_compare": ("取消对比", "Stop comparing"),
        "sup.chart.no_inspections": ("暂无已签署的检查", "no signed inspections yet"),
        "sup.chart.no_hazards": ("未发现隐患", "no hazards found"),
        "sup.chart.more": ("隐患最多的 {shown} 个（共 {total} 个）", "the {shown} with most hazards, of {total}"),
        "sup.chart.hint": ("在排行榜某行按 Enter 可对比其趋势", "Enter on a leaderboard row compares its trend"),
        "sup.chart.clear_hint": ("Esc 取消对比", "Esc stops comparing"),
    }
)
