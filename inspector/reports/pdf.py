"""PDF versions of the reports (reportlab platypus), with Chinese text in a CJK font and charts where useful."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.flowables import Flowable

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.i18n import t
from inspector.receipt import qr_matrix
from inspector.reports.campaign import GRADES, CampaignSummary
from inspector.reports.charts import hazard_bars_drawing, qr_drawing, score_trend_drawing
from inspector.reports.commendation import Commendation
from inspector.reports.fonts import pdf_font
from inspector.reports.inspection import InspectionReport
from inspector.reports.tables import Cell, Table

HEADER_BG = colors.HexColor("#DDE4EE")
FAILED_BG = colors.HexColor("#FDECEA")


class Styles:
    """Paragraph styles in the CJK font (Chinese text wraps anywhere: ``wordWrap="CJK"``)."""

    def __init__(self) -> None:
        font = pdf_font()
        self.font = font
        self.title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
        self.body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
        self.small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
        self.big = ParagraphStyle("big", fontName=font, fontSize=22, leading=28)


def _text(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _p(value: Cell, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_text(value)), style)


def table_flowable(
    table: Table,
    styles: Styles,
    widths: Sequence[float] | None = None,
    highlight_rows: Sequence[int] = (),
) -> PdfTable:
    """A report table as a PDF table with a repeated header row and wrapped cells."""
    data: list[list[Any]] = [[_p(c, styles.cell) for c in table.columns]]
    data += [[_p(v, styles.cell) for v in row] for row in table.rows]
    pdf_table = PdfTable(data, colWidths=list(widths) if widths else None, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, r + 1), (-1, r + 1), FAILED_BG) for r in highlight_rows]
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


def _empty_or_table(table: Table, styles: Styles, empty_key: str, lang: str, **kw: Any) -> Flowable:
    if not table.rows:
        return Paragraph(escape(t(empty_key, lang)), styles.body)
    return table_flowable(table, styles, **kw)


def _build(path: Path, story: list[Flowable], *, title: str, lang: str, landscape_page: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    styles_font = pdf_font()
    generated = t("report.generated", lang, at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    pagesize = landscape(A4) if landscape_page else A4

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(styles_font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, f"{title} · {generated}")
        canvas.drawRightString(pagesize[0] - 15 * mm, 8 * mm, t("report.page", lang, page=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="inspector",
        creator="inspector",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)


def _facts(rows: Sequence[tuple[str, str]], styles: Styles, width: float) -> PdfTable:
    data = [[_p(k, styles.small), _p(v, styles.body)] for k, v in rows]
    facts = PdfTable(data, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    facts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.grey),
            ]
        )
    )
    return facts


def write_inspection_pdf(report: InspectionReport, path: Path) -> None:
    """The inspection report as a PDF."""
    lang, styles = report.lang, Styles()
    width = A4[0] - 30 * mm
    title = t("report.inspection.title", lang)
    story: list[Flowable] = [Paragraph(escape(f"{title} · {report.workshop}"), styles.title)]
    status = t("report.status.signed" if report.signed else "report.status.draft", lang)
    facts = [
        (t("report.campaign", lang), report.campaign),
        (t("report.checklist", lang), report.checklist),
        (t("report.unit", lang), report.unit),
        (t("report.workshop", lang), report.workshop),
        (t("report.checkpoint", lang), report.checkpoint),
        (t("report.team", lang), report.team),
        (t("report.inspector", lang), report.inspector),
        (t("report.started", lang), _text(report.started_at)),
        (t("report.status", lang), status),
    ]
    if report.amends:
        facts.append(("", report.amends))
    if report.superseded_by:
        facts.append(("", t("report.superseded", lang, id=report.superseded_by)))
    story.append(_facts(facts, styles, width))
    percent = f"{report.score_percent:.1f}" if report.score_percent is not None else "—"
    score_line = (
        f"{t('report.score', lang)} {percent} · {t('report.grade', lang)} {report.grade_text()} · "
        f"{t('report.earned', lang)} {_text(report.score_earned)} / {t('report.possible', lang)} "
        f"{_text(report.score_possible)}"
    )
    story += [Spacer(1, 4 * mm), Paragraph(escape(score_line), styles.h2)]
    if report.vetoed:
        story.append(Paragraph(escape(t("report.veto", lang)), styles.h2))
    _header, items, findings = report.tables()
    failed = [index for index, line in enumerate(report.items) if line.failed]
    story += [
        Paragraph(escape(t("report.items", lang)), styles.h2),
        table_flowable(
            items,
            styles,
            widths=[22 * mm, 14 * mm, 62 * mm, 22 * mm, 12 * mm, 12 * mm, 10 * mm, width - 154 * mm],
            highlight_rows=failed,
        ),
        Paragraph(escape(t("report.findings", lang)), styles.h2),
        _empty_or_table(
            findings,
            styles,
            "report.no_findings",
            lang,
            widths=[18 * mm, 60 * mm, 24 * mm, 20 * mm, 36 * mm, width - 158 * mm],
        ),
    ]
    signatures = [
        (t("report.inspector", lang), f"{report.inspector} · {_text(report.signed_at)}"),
        (t("report.leader", lang), f"{report.leader} · {_text(report.acknowledged_at)}"),
        (t("report.content_hash", lang), report.content_hash or t("report.not_signed_yet", lang)),
    ]
    block: list[Flowable] = [
        Paragraph(escape(t("report.signatures", lang)), styles.h2),
        _facts(signatures, styles, width),
    ]
    if report.receipt:
        block += [
            Spacer(1, 3 * mm),
            qr_drawing(
                qr_matrix(report.receipt, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M), size=36 * mm
            ),
            Paragraph(escape(t("report.receipt", lang)), styles.small),
            Paragraph(escape(report.receipt), styles.small),
        ]
    story.append(KeepTogether(block))
    _build(path, story, title=title, lang=lang)


def write_summary_pdf(summary: CampaignSummary, path: Path) -> None:
    """The campaign summary as a PDF, with the score trend and hazard charts."""
    lang, styles = summary.lang, Styles()
    width = A4[0] - 30 * mm
    title = t("report.summary.title", lang)
    average = f"{summary.average:.1f}" if summary.average is not None else "—"
    story: list[Flowable] = [
        Paragraph(escape(f"{summary.campaign} · {title}"), styles.title),
        Paragraph(
            escape(
                t("summary.period", lang, start=summary.starts_on, end=summary.ends_on)
                + " · "
                + t("summary.as_of", lang, date=summary.as_of)
            ),
            styles.body,
        ),
        Paragraph(
            escape(
                t(
                    "summary.totals",
                    lang,
                    inspections=summary.inspections,
                    average=average,
                    hazards=summary.hazards,
                    overdue=summary.overdue,
                )
            ),
            styles.h2,
        ),
    ]
    story += [
        Paragraph(escape(summary.coverage.title), styles.h2),
        table_flowable(summary.coverage, styles),
        Paragraph(escape(summary.scores.title), styles.h2),
        table_flowable(summary.scores, styles),
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                score_trend_drawing(summary.trend, title=t("summary.trend", lang), font=styles.font, width=width),
            ]
        ),
        Paragraph(escape(summary.hazards_by_grade.title), styles.h2),
        table_flowable(summary.hazards_by_grade, styles),
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                hazard_bars_drawing(
                    summary.hazards_by_workshop,
                    grades=[(str(g), t(f"rpt.hazard.{g}", lang)) for g in GRADES],
                    title=t("summary.hazard_chart", lang),
                    font=styles.font,
                    width=width,
                ),
            ]
        ),
        Paragraph(escape(summary.rectification.title), styles.h2),
        table_flowable(summary.rectification, styles, widths=[60 * mm, 30 * mm]),
        Paragraph(escape(summary.overdue_orders.title), styles.h2),
        _empty_or_table(
            summary.overdue_orders,
            styles,
            "summary.none_overdue",
            lang,
            widths=[32 * mm, 22 * mm, 16 * mm, 54 * mm, 20 * mm, 14 * mm, width - 158 * mm],
        ),
    ]
    _build(path, story, title=title, lang=lang)


def write_commendation_pdf(commendation: Commendation, path: Path) -> None:
    """The commendation list as a PDF for the summary conference."""
    lang, styles = commendation.lang, Styles()
    width = A4[0] - 30 * mm
    title = t("report.commendation.title", lang)
    status = commendation.status()
    story: list[Flowable] = [
        Paragraph(escape(f"{commendation.campaign} · {title}"), styles.title),
        Paragraph(escape(status), styles.h2),
    ]
    table = commendation.tables()[0]
    story.append(
        _empty_or_table(
            table, styles, "commend.none", lang, widths=[30 * mm, 14 * mm, 36 * mm, 44 * mm, width - 124 * mm]
        )
    )
    _build(path, story, title=title, lang=lang)
