"""Import team quality figures, 6S results and innovation projects from a supervisor's CSV or XLSX file.

Headers may be Chinese or English (``班组`` / ``team``, ``一次合格率`` / ``first pass yield``, …); a percentage may
carry a ``%``. A file with a project column (``项目编码`` / ``project code``) holds projects, otherwise team figures.
The import is all or nothing: when any row is wrong nothing is stored, and every wrong row is reported with its row
number as the spreadsheet shows it. An empty cell leaves the stored value as it was.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

import inspector.messages.awards  # noqa: F401  (registers the texts)
from inspector.checklists.spec import ReadResult
from inspector.errors import InspectorError
from inspector.file_errors import os_reason
from inspector.i18n import t
from inspector.models import InnovationProject, QualityFigure, Team, Unit, Workshop

MAX_FILE_BYTES = 10 * 1024 * 1024

#: Column → the headers that name it (compared without case, spaces, underscores and a trailing unit like "(%)").
ALIASES: dict[str, tuple[str, ...]] = {
    "team": ("班组", "班组编码", "班组代码", "team", "teamcode"),
    "first_pass_yield": ("一次合格率", "firstpassyield", "fpy"),
    "defect_rate": ("不良率", "报废率", "defectrate", "scraprate"),
    "rework_rate": ("返工率", "reworkrate"),
    "complaints": ("客诉", "客诉次数", "客户投诉", "complaints", "customercomplaints"),
    "six_s_score": ("6s", "6s得分", "6s成绩", "6sscore", "sixsscore"),
    "code": ("项目编码", "项目编号", "projectcode", "project"),
    "title_zh": ("项目名称", "课题名称", "title", "titlezh"),
    "title_en": ("英文名称", "titleen", "englishtitle"),
    "kind": ("类型", "项目类型", "kind", "type"),
    "panel_score": ("评审得分", "评分", "panelscore", "score"),
    "summary": ("简介", "摘要", "summary"),
}
PERCENT_COLUMNS = ("first_pass_yield", "defect_rate", "rework_rate", "six_s_score")
PROJECT_KINDS = {"innovation": "innovation", "创新": "innovation", "qc_circle": "qc_circle", "qc": "qc_circle",
                 "qc小组": "qc_circle"}  # fmt: skip


class QualityImportFailed(InspectorError):
    """Nothing was imported; ``problems`` are (zh, en) messages, each naming the file and row."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("E_QUALITY_IMPORT", self.localized("en"))

    def localized(self, lang: str) -> str:
        lines = [msg[0] if lang == "zh" else msg[1] for msg in self.problems]
        if len(self.problems) > 1 or any("row" in en for _zh, en in self.problems):
            lines.insert(0, t("qi.failed", lang, count=len(self.problems)))
        return "\n".join(lines)


@dataclass
class ImportResult:
    figures: int = 0
    projects: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def _key(header: object) -> str:
    text = str(header or "").strip().lower()
    for unit in ("(%)", "（%）", "%"):
        text = text.removesuffix(unit)
    return "".join(ch for ch in text if ch not in " _-/()（）")


def _columns(header: list[object]) -> dict[str, int]:
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = lookup.get(_key(cell))
        if name is not None and name not in found:
            found[name] = index
    return found


def _rows(path: Path, raw: bytes) -> Iterator[tuple[int, list[object]]]:
    """(row number as the user sees it, cells) of the file's first sheet."""
    if path.suffix.lower() == ".csv":
        text = _csv_text(path, raw)
        try:  # Excel in a European locale writes ";", "Unicode text" is tab-separated
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            yield number, list(row)
        return
    from inspector.checklists.spreadsheet import load_workbook

    found = ReadResult(source=str(path))
    loaded = load_workbook(raw, str(path), found)  # damaged, truncated, a zip bomb: said in both languages
    if loaded is None:
        raise _unreadable(str(path), found)
    workbook = loaded[0]
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _csv_text(path: Path, raw: bytes) -> str:
    """The text of a CSV file as Chinese Excel, WPS and Notepad save it: UTF-8 (BOM or not), GBK/GB18030, UTF-16."""
    from inspector.checklists.csv_file import decode_csv

    found = ReadResult(source=str(path))
    text = decode_csv(raw, str(path), found)
    if text is None:  # binary data, or lines in no encoding Chinese Excel writes: named with the line
        raise _unreadable(str(path), found)
    return text


def _unreadable(file: str, found: ReadResult) -> QualityImportFailed:
    """ "Cannot read FILE: why" for each problem the checklist reader's loaders found."""
    return QualityImportFailed(
        [
            (
                t("qi.unreadable", "zh", file=file, reason=p.message_zh or p.message),
                t("qi.unreadable", "en", file=file, reason=p.message),
            )
            for p in found.problems
        ]
    )


def _problem(file: str, row: int, key: str, **values: object) -> tuple[str, str]:
    return (
        t("qi.row", "zh", file=file, row=row, problem=t(key, "zh", **values)),
        t("qi.row", "en", file=file, row=row, problem=t(key, "en", **values)),
    )


def _text(cells: list[object], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _TeamLookup:
    """Teams by ``UNIT/WORKSHOP/TEAM`` path, by code or name when unique."""

    def __init__(self, session: Session) -> None:
        self.by_path: dict[str, uuid.UUID] = {}
        self.by_name: dict[str, list[tuple[str, uuid.UUID]]] = {}
        rows = session.exec(
            select(Team, Workshop, Unit)
            .join(Workshop, Team.workshop_id == Workshop.id)  # type: ignore[arg-type]
            .join(Unit, Workshop.unit_id == Unit.id)  # type: ignore[arg-type]
        ).all()
        for team, workshop, unit in rows:
            path = f"{unit.code}/{workshop.code}/{team.code}".lower()
            self.by_path[path] = team.id
            for name in {team.code.lower(), team.name_zh.strip().lower(), team.name_en.strip().lower()} - {""}:
                self.by_name.setdefault(name, []).append((path, team.id))

    def find(self, text: str) -> tuple[uuid.UUID | None, str | None, list[str]]:
        """(team id, problem key, matching paths)."""
        key = text.strip().lower()
        if key in self.by_path:
            return self.by_path[key], None, []
        matches = self.by_name.get(key, [])
        if len(matches) == 1:
            return matches[0][1], None, []
        if matches:
            return None, "qi.ambiguous_team", sorted(p.upper() for p, _ in matches)
        return None, "qi.unknown_team", []


def _number(
    cells: list[object], index: int | None, column: str, *, low: float, high: float, whole: bool = False
) -> tuple[float | int | None, tuple[str, dict[str, Any]] | None]:
    raw = _text(cells, index)
    if raw == "":
        return None, None
    cleaned = raw.removesuffix("%").strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None, ("qi.not_integer" if whole else "qi.not_number", {"column": column, "value": raw})
    if whole and not value.is_integer():
        return None, ("qi.not_integer", {"column": column, "value": raw})
    if not low <= value <= high:
        return None, ("qi.out_of_range", {"column": column, "value": raw, "low": low, "high": high})
    return (int(value) if whole else value), None


def import_quality_file(
    session: Session, *, path: Path, campaign_id: uuid.UUID, entered_by_id: uuid.UUID | None = None
) -> ImportResult:
    """Import ``path`` into the campaign (in the caller's transaction); raises :class:`QualityImportFailed`."""
    file = str(path)
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise QualityImportFailed([(t("qi.format", "zh", file=file), t("qi.format", "en", file=file))])
    if path.exists() and not path.is_dir() and not path.is_file():  # a device or a pipe: reading never ends
        raise QualityImportFailed([(t("qi.not_a_file", "zh", file=file), t("qi.not_a_file", "en", file=file))])
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise QualityImportFailed(
                [(t("qi.too_big", "zh", file=file, limit=limit), t("qi.too_big", "en", file=file, limit=limit))]
            )
        raw = path.read_bytes()
        rows = list(_rows(path, raw))
    except QualityImportFailed:
        raise
    except OSError as exc:  # a missing file, a folder, no permission: the system's reason in both languages
        raise QualityImportFailed(
            [
                (
                    t("qi.unreadable", "zh", file=file, reason=os_reason(exc, "zh")),
                    t("qi.unreadable", "en", file=file, reason=os_reason(exc, "en")),
                )
            ]
        ) from exc
    except Exception as exc:  # a damaged workbook, an undecodable CSV: named, never a traceback
        reason = str(exc) or type(exc).__name__  # (an OSError, the only kind with a strerror, is handled above)
        raise QualityImportFailed(
            [(t("qi.unreadable", "zh", file=file, reason=reason), t("qi.unreadable", "en", file=file, reason=reason))]
        ) from exc
    header_at = next((n for n, (_num, cells) in enumerate(rows[:10]) if "team" in _columns(cells)), None)
    if header_at is None:
        raise QualityImportFailed([(t("qi.no_header", "zh", file=file), t("qi.no_header", "en", file=file))])
    columns = _columns(rows[header_at][1])
    body = [(n, cells) for n, cells in rows[header_at + 1 :] if any(_text(cells, i) for i in range(len(cells)))]
    if not body:
        raise QualityImportFailed([(t("qi.nothing", "zh", file=file), t("qi.nothing", "en", file=file))])
    headers = rows[header_at][1]

    def label(name: str) -> str:
        return str(headers[columns[name]]).strip() if name in columns else name

    teams = _TeamLookup(session)
    result = ImportResult()
    projects = "code" in columns or "title_zh" in columns
    seen: dict[Any, int] = {}
    planned: list[dict[str, Any]] = []
    for number, cells in body:
        problems: list[tuple[str, dict[str, Any]]] = []
        team_text = _text(cells, columns.get("team"))
        team_id = None
        if not team_text:
            problems.append(("qi.no_team", {}))
        else:
            team_id, issue, matches = teams.find(team_text)
            if issue:
                problems.append((issue, {"team": team_text, "matches": ", ".join(matches)}))
        values: dict[str, Any] = {"team_id": team_id, "row": number}
        if projects:
            code = _text(cells, columns.get("code"))
            title = _text(cells, columns.get("title_zh"))
            if not code:
                problems.append(("qi.no_project_code", {}))
            if not title:
                problems.append(("qi.no_project_title", {}))
            kind_text = _text(cells, columns.get("kind")).lower() or "innovation"
            if kind_text not in PROJECT_KINDS:
                problems.append(("qi.bad_kind", {"value": kind_text}))
            score, issue2 = _number(cells, columns.get("panel_score"), label("panel_score"), low=0, high=100)
            if issue2:
                problems.append(issue2)
            values.update(
                code=code,
                title_zh=title,
                title_en=_text(cells, columns.get("title_en")),
                kind=PROJECT_KINDS.get(kind_text, "innovation"),
                summary=_text(cells, columns.get("summary")),
                panel_score=score,
            )
            duplicate_key: Any = ("project", code.lower())
        else:
            for name in PERCENT_COLUMNS:
                value, issue3 = _number(cells, columns.get(name), label(name), low=0, high=100)
                values[name] = value
                if issue3:
                    problems.append(issue3)
            complaints, issue4 = _number(
                cells, columns.get("complaints"), label("complaints"), low=0, high=100_000, whole=True
            )
            values["complaints"] = complaints
            if issue4:
                problems.append(issue4)
            duplicate_key = ("team", team_id)
        if not problems and duplicate_key in seen and (not projects or values["code"]):
            key = "qi.duplicate_project" if projects else "qi.duplicate"
            problems.append((key, {"first": seen[duplicate_key]}))
        seen.setdefault(duplicate_key, number)
        result.problems.extend(_problem(file, number, key, **vals) for key, vals in problems)
        planned.append(values)
    if result.problems:
        raise QualityImportFailed(result.problems)
    for values in planned:
        if projects:
            _store_project(session, campaign_id, values)
            result.projects += 1
        else:
            _store_figures(session, campaign_id, values, entered_by_id)
            result.figures += 1
    session.flush()
    return result


def _store_figures(
    session: Session, campaign_id: uuid.UUID, values: dict[str, Any], entered_by_id: uuid.UUID | None
) -> None:
    row = session.exec(
        select(QualityFigure).where(
            QualityFigure.campaign_id == campaign_id, QualityFigure.team_id == values["team_id"]
        )
    ).first()
    if row is None:
        row = QualityFigure(campaign_id=campaign_id, team_id=values["team_id"])
    for name in (*PERCENT_COLUMNS, "complaints"):
        if values[name] is not None:  # an empty cell keeps what is stored
            setattr(row, name, values[name])
    row.entered_by_id = entered_by_id or row.entered_by_id
    session.add(row)


def _store_project(session: Session, campaign_id: uuid.UUID, values: dict[str, Any]) -> None:
    row = session.exec(
        select(InnovationProject).where(
            InnovationProject.campaign_id == campaign_id, InnovationProject.code == values["code"]
        )
    ).first()
    if row is None:
        row = InnovationProject(
            campaign_id=campaign_id, team_id=values["team_id"], code=values["code"], title_zh=values["title_zh"]
        )
    row.team_id = values["team_id"]
    row.title_zh = values["title_zh"]
    if values["title_en"]:
        row.title_en = values["title_en"]
    row.kind = values["kind"]
    if values["summary"]:
        row.summary = values["summary"]
    if values["panel_score"] is not None:
        row.panel_score = values["panel_score"]
    session.add(row)
