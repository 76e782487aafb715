"""A checklist's code, name and category: from the command line, a ``meta``/``说明`` sheet, a title row, the file name.

The first source that gives a value wins, in that order. A meta sheet holds key/value pairs, either down the
first two columns (``code | CAST-SAFETY``) or as a header row with one row of values below it (like XLSForm
``settings``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.checklists.assembly import Origin
from inspector.checklists.cells import cell_text, has_cjk
from inspector.checklists.columns import column_letter
from inspector.checklists.messages import problem
from inspector.checklists.spec import ReadResult

#: Names of the sheet that holds the checklist's properties (compared case-insensitively).
META_SHEETS = ("meta", "说明", "属性", "设置", "info", "about", "properties")

_KEYS: dict[str, tuple[str, ...]] = {
    "code": ("code", "编号", "代码", "检查表编号", "模板编号", "form_id", "id"),
    "name_zh": ("name_zh", "名称", "检查表名称", "中文名称", "标题", "name", "title", "form_title"),
    "name_en": ("name_en", "英文名称", "english name", "name (en)", "title_en", "title (en)"),
    "category": ("category", "类别", "分类", "检查类别"),
    "rule_version": ("rule_version", "规则版本", "评分规则版本"),
    "grade_bands": ("grade_bands", "等级", "等级划分", "grades"),
}
_LOOKUP = {alias: key for key, aliases in _KEYS.items() for alias in aliases}
_CATEGORIES = {"安全": "safety", "质量": "quality", "6s": "6s", "5s": "6s", "现场": "6s", "环保": "environment"}
_GRADES = {"优秀": "excellent", "良好": "good", "合格": "pass", "及格": "pass", "不合格": "fail"}


@dataclass(frozen=True)
class ChecklistMeta:
    """Properties given on the command line; ``None`` leaves the value to the file."""

    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    category: str | None = None

    def values(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}


def _key(text: str) -> str | None:
    return _LOOKUP.get(text.strip().lower())


def read_meta_sheet(
    rows: Sequence[Sequence[object]], sheet: str, file: str, result: ReadResult
) -> tuple[dict[str, Any], Origin] | None:
    """The properties a meta sheet gives, or ``None`` when it holds none (free-text instructions, say)."""
    filled = [(n, list(cells)) for n, cells in enumerate(rows, start=1) if any(cell_text(c) for c in cells)]
    if not filled:
        return None
    found: dict[str, Any] = {}
    columns: dict[str, str] = {}
    first_row, first = filled[0]
    horizontal = sum(1 for c in first if _key(cell_text(c))) >= 2 and len(filled) >= 2
    pairs: list[tuple[int, str, object, str]] = []
    if horizontal:
        values_row, values = filled[1]
        for index, heading in enumerate(first):
            value = values[index] if index < len(values) else None
            pairs.append((values_row, cell_text(heading), value, column_letter(index)))
    else:
        pairs = [(n, cell_text(cells[0]), cells[1] if len(cells) > 1 else None, "B") for n, cells in filled]
    unknown: list[tuple[int, str]] = []
    for row_number, heading, value, letter in pairs:
        key = _key(heading)
        if key is None:
            if heading:
                unknown.append((row_number, heading))
            continue
        text = cell_text(value)
        if not text:
            continue
        if key == "name_zh" and not has_cjk(text) and "name_en" not in found:
            key = "name_en"
        found[key] = _convert(key, text)
        columns[key] = letter
    if not found:
        return None
    for row_number, heading in unknown:
        result.problems.append(
            problem(file, "sheet.meta_unknown", sheet=sheet, row=row_number, severity="skipped", name=heading)
        )
    return found, Origin(sheet=sheet, row=first_row, columns=columns)


def _convert(key: str, text: str) -> Any:
    if key == "category":
        return _CATEGORIES.get(text.strip().lower(), text.strip().lower())
    if key == "grade_bands":
        bands: list[list[Any]] = []
        for part in re.split(r"[;；,，\n]+", text):
            match = re.match(r"\s*(\d+(?:\.\d+)?)\s*[=:：]?\s*(\S+)\s*$", part) or re.match(
                r"\s*(\S+?)\s*[=:：≥>]+\s*(\d+(?:\.\d+)?)\s*$", part
            )
            if not match:
                continue
            first, second = match.groups()
            threshold, grade = (first, second) if first[0].isdigit() else (second, first)
            bands.append([float(threshold), _GRADES.get(grade, grade)])
        return bands or text
    return text


def default_meta(path: Path, title: str) -> dict[str, str]:
    """What the file itself suggests: the title row above the header for the name, the file name for the code."""
    stem = re.sub(r"\s+", "-", path.stem.strip())[:64] or "CHECKLIST"
    name = title.strip()[:200] or path.stem
    return {"code": stem, ("name_zh" if has_cjk(name) else "name_en"): name}


def merge_meta(*sources: dict[str, Any], fallback: dict[str, Any]) -> dict[str, Any]:
    """Earlier sources win key by key; ``fallback`` (title row, file name) gives a name only when none gave one."""
    merged: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            merged.setdefault(key, value)
    for key, value in fallback.items():
        if key in ("name_zh", "name_en") and (merged.get("name_zh") or merged.get("name_en")):
            continue
        merged.setdefault(key, value)
    return merged
