"""Award evaluations and decision lists as JSON, CSV (UTF-8 with BOM, for Excel) and XLSX, with bilingual headers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from inspector.awards.evaluate import AwardEntry, CriterionResult, Evaluation
from inspector.awards.figures import Figure
from inspector.awards.rules import FIGURES
from inspector.i18n import t
from inspector.output_file import replacing

ENTRY_COLUMNS = ("award", "level", "code", "name", "belongs", "eligible", "rank", "within_quota", "criteria")


def header(key: str) -> str:
    """A bilingual column header: ``奖项 Award``."""
    return f"{t(f'col.{key}', 'zh')} {t(f'col.{key}', 'en')}"


def figure_text(figure: str, value: Figure) -> str:
    """A figure as people read it (one decimal for percentages and scores)."""
    if value is None:
        return "—"
    info = FIGURES.get(figure)
    if isinstance(value, float) or (info is not None and info.percent):
        return f"{float(value):.1f}"
    return str(value)


def threshold_text(criterion: CriterionResult) -> str:
    sign = "≥" if criterion.op == ">=" else "≤"
    value = criterion.threshold
    return f"{sign} {int(value) if float(value).is_integer() else value}"


def criterion_text(criterion: CriterionResult, lang: str) -> str:
    """``平均得分 93.2 ≥ 90 ✔`` — the figure, the threshold and the outcome."""
    mark = "✔" if criterion.met else "✘"
    label = t(f"fig.{criterion.criterion}", lang)
    return f"{label} {figure_text(criterion.criterion, criterion.figure)} {threshold_text(criterion)} {mark}"


def award_name(evaluation: Evaluation, code: str, lang: str) -> str:
    return evaluation.rules.award(code).name(lang)


def _yes(value: bool, lang: str) -> str:
    return t("awards.yes" if value else "awards.no", lang)


def entry_row(evaluation: Evaluation, entry: AwardEntry, lang: str) -> list[Any]:
    return [
        award_name(evaluation, entry.award, lang),
        t(f"level.{entry.level}", lang),
        entry.subject.code,
        entry.subject.name(lang),
        entry.subject.belongs(lang),
        _yes(entry.eligible, lang),
        entry.rank if entry.rank is not None else "",
        _yes(entry.within_quota, lang),
        "; ".join(criterion_text(c, lang) for c in entry.criteria),
    ]


def to_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The stable JSON form (docs/awards.md), keys in a fixed order, UTF-8 kept."""
    return json.dumps(evaluation.as_dict(lang), ensure_ascii=False, indent=2)


def to_csv(evaluation: Evaluation, lang: str = "zh") -> str:
    """One row per award and subject; the criteria column explains the decision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header(c) for c in ENTRY_COLUMNS])
    for entry in evaluation.entries:
        writer.writerow(entry_row(evaluation, entry, lang))
    return buffer.getvalue()


def write_csv(text: str, path: Path) -> None:
    """CSV with a BOM so Excel opens the Chinese text correctly (all at once or not at all)."""
    with replacing(path) as part:
        part.write_text(text, encoding="utf-8-sig", newline="")


def _sheet_title(name: str, used: set[str]) -> str:
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "Sheet"
    title, n = cleaned, 2
    while title in used:
        title, n = f"{cleaned[:25]}-{n}", n + 1
    used.add(title)
    return title


def to_xlsx(evaluation: Evaluation, path: Path, lang: str = "zh") -> None:
    """One sheet per award: every subject with a column per criterion (figure, threshold in the header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    used: set[str] = set()
    red = PatternFill("solid", fgColor="F8D7DA")
    for award in evaluation.rules.awards:
        sheet = workbook.create_sheet(_sheet_title(award.name(lang), used))
        columns = [header(c) for c in ("code", "name", "belongs", "eligible", "rank", "within_quota")]
        columns += [
            f"{t(f'fig.{c.figure}', 'zh')} {t(f'fig.{c.figure}', 'en')} ({'≥' if c.op == '>=' else '≤'} {c.threshold:g})"
            for c in award.criteria
        ]
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for entry in evaluation.for_award(award.code):
            row: list[Any] = [
                entry.subject.code,
                entry.subject.name(lang),
                entry.subject.belongs(lang),
                _yes(entry.eligible, lang),
                entry.rank,
                _yes(entry.within_quota, lang),
            ]
            row += [c.figure for c in entry.criteria]
            sheet.append(row)
            for offset, criterion in enumerate(entry.criteria):
                if not criterion.met:
                    sheet.cell(row=sheet.max_row, column=7 + offset).fill = red
        sheet.freeze_panes = "C2"
        for letter, width in zip("ABCDEF", (18, 24, 30, 12, 8, 12), strict=False):
            sheet.column_dimensions[letter].width = width
    with replacing(path) as part:
        workbook.save(part)


DECISION_COLUMNS = ("award", "level", "rank", "name", "belongs", "eligible", "nominated", "final", "criteria")


def decision_rows(rows: list[dict[str, Any]], lang: str) -> list[list[Any]]:
    """Rows of the nomination/final list, from :func:`inspector.awards.views.decision_list` dictionaries."""
    return [
        [
            r["award_name"],
            t(f"level.{r['level']}", lang),
            r["rank"] if r["rank"] is not None else "",
            r["name"],
            r["belongs"],
            _yes(r["eligible"], lang),
            _yes(r["nominated"], lang),
            _yes(r["final"], lang),
            r["criteria_text"],
        ]
        for r in rows
    ]


def write_decisions(rows: list[dict[str, Any]], path: Path, lang: str = "zh") -> None:
    """The nomination / final decision list for the commendation conference, as .csv or .xlsx (by suffix)."""
    headers = [header(c) for c in DECISION_COLUMNS]
    body = decision_rows(rows, lang)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "表彰名单 Commendation"
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append(row)
        with replacing(path) as part:
            workbook.save(part)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(body)
    write_csv(buffer.getvalue(), path)
