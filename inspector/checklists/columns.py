"""Recognising the header row of a checklist sheet and what each column holds, in Chinese or English.

A heading is matched after removing a language marker ("Item (EN)", "检查内容（英文）", "内容(中文)") and case, spaces
and punctuation; the marker, when present, fixes the column's language. Otherwise the language of a text column is
decided by its content (see :func:`column_language`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from inspector.checklists.cells import cell_text, has_cjk

#: How far down a sheet the header row is looked for (title rows, dates and notes often sit above it).
HEADER_SEARCH_ROWS = 30

#: Field → headings that name it. Text-like fields (``TEXT_FIELDS``) may come in a Chinese and an English column.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编号", "代码", "项目编号", "检查项编号", "条款号", "code", "itemcode", "id"),
    "number": ("序号", "序", "no", "no.", "number", "#", "sn", "s/n", "item no", "itemno"),
    "section": (
        "检查项目",
        "项目",
        "检查类别",
        "类别",
        "分类",
        "检查部位",
        "区域",
        "部分",
        "专业",
        "category",
        "section",
        "area",
        "group",
    ),
    "text": (
        "检查内容",
        "检查标准",
        "检查要求",
        "检查要点",
        "内容",
        "检查项",
        "要求",
        "标准要求",
        "item",
        "checkitem",
        "checkpoint",
        "requirement",
        "content",
        "question",
        "description",
    ),
    "basis": ("检查依据", "依据", "法规依据", "标准依据", "依据标准", "basis", "reference", "regulation", "standard"),
    "method": ("检查方法", "方法", "检查方式", "method", "howtocheck", "checkmethod"),
    "points": ("分值", "标准分", "标准分值", "分数", "配分", "满分", "points", "point", "maxpoints", "marks", "score"),
    "deduction_rule": (
        "扣分标准",
        "扣分办法",
        "扣分细则",
        "评分标准",
        "评分细则",
        "扣分说明",
        "deductionrule",
        "deduction",
        "deductions",
        "scoringrule",
        "scoring",
    ),
    "deduction_per_occurrence": ("每处扣分", "单次扣分", "deductionperoccurrence", "perocurrence", "peroccurrence"),
    "kind": ("类型", "检查类型", "题型", "答题方式", "kind", "type", "answertype"),
    "veto": ("一票否决", "否决项", "是否一票否决", "veto", "vetoitem"),
    "always_major": ("重大隐患", "是否重大隐患", "重大隐患项", "alwaysmajor", "majorhazard", "major"),
    "hint": ("说明", "备注", "提示", "注意事项", "hint", "note", "notes", "remark", "remarks", "guidance"),
    "max_score": ("最高分", "评分上限", "maxscore", "scale"),
    "lower_limit": ("下限", "最小值", "下限值", "lowerlimit", "lower", "min", "minimum"),
    "upper_limit": ("上限", "最大值", "上限值", "upperlimit", "upper", "max", "maximum"),
    "limits": ("限值", "标准值", "允许范围", "合格范围", "limits", "limit", "range", "tolerance"),
    "unit": ("单位", "unit", "units"),
    "required": ("必填", "必查", "required", "mandatory"),
    "weight": ("权重", "weight", "sectionweight"),
    # Columns of a printed sheet where the inspector writes the answer: recognised, never content.
    "answer": (
        "是",
        "否",
        "不适用",
        "符合",
        "不符合",
        "合格",
        "不合格",
        "检查结果",
        "结果",
        "得分",
        "实得分",
        "扣分",
        "存在问题",
        "检查记录",
        "检查情况",
        "整改措施",
        "整改要求",
        "责任人",
        "检查人",
        "检查日期",
        "yes",
        "no",
        "n/a",
        "na",
        "notapplicable",
        "result",
        "scoreobtained",
        "obtained",
        "findings",
        "comments",
    ),
}
TEXT_FIELDS = ("section", "text", "basis", "method", "deduction_rule", "hint")

_EN_MARKER = re.compile(r"[\s(（\[【_-]*(en|eng|english|英文|英语)[\s)）\]】]*$", re.IGNORECASE)
_ZH_MARKER = re.compile(r"[\s(（\[【_-]*(zh|cn|chinese|中文|汉语|简体)[\s)）\]】]*$", re.IGNORECASE)
_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s_:：*（）()\-]+", "", text)


def match_heading(heading: str) -> tuple[str, str | None] | None:
    """``(field, language or None)`` for a column heading, or ``None`` when it names no checklist field."""
    text = unicodedata.normalize("NFKC", heading).strip()
    if not text:
        return None
    lang: str | None = None
    for marker, code in ((_EN_MARKER, "en"), (_ZH_MARKER, "zh")):
        stripped = marker.sub("", text)
        if stripped != text and stripped:
            text, lang = stripped, code
            break
    key = _squash(text)
    name = _LOOKUP.get(key) or _LOOKUP.get(text.lower())
    if name is None:
        return None
    return name, lang


@dataclass
class Column:
    """One recognised column: its 0-based index, letter, heading, field and (for text fields) language."""

    index: int
    letter: str
    heading: str
    field: str
    lang: str | None = None


@dataclass
class Header:
    """The header row of a sheet and its recognised columns; ``unknown`` lists ``(letter, heading)`` ignored."""

    row: int
    columns: list[Column] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[Column, Column]] = field(default_factory=list)
    _cache: dict[tuple[str, str | None, int], Column | None] = field(default_factory=dict, repr=False)

    def get(self, name: str, lang: str | None = None) -> Column | None:
        """The first column holding ``name`` (in ``lang`` when given)."""
        key = (name, lang, len(self.columns))
        if key not in self._cache:
            self._cache[key] = next(
                (c for c in self.columns if c.field == name and (lang is None or c.lang == lang)), None
            )
        return self._cache[key]


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA`` (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _read_header(row_number: int, cells: Sequence[object]) -> Header:
    header = Header(row=row_number)
    for index, value in enumerate(cells):
        heading = cell_text(value)
        if not heading:
            continue
        matched = match_heading(heading)
        if matched is None:
            header.unknown.append((column_letter(index), heading))
            continue
        header.columns.append(Column(index, column_letter(index), heading, matched[0], matched[1]))
    # A lone "No" is the number column; beside a "Yes" column it is where the inspector ticks "no".
    if not any(_squash(c.heading) in ("yes", "是") for c in header.columns):
        for column in header.columns:
            if column.field == "answer" and _squash(column.heading) == "no":
                column.field = "number"
    _second_text_columns(header)
    header._cache.clear()
    # "检查项目" is the category when a 检查内容 column exists, otherwise it is the item text itself.
    if header.get("text") is None:
        section = header.get("section")
        if section is not None and section.heading.strip() in ("检查项目", "项目", "检查项"):
            section.field = "text"
            header._cache.clear()
    return header


#: Chinese headings that name the item text alone but, beside 检查内容, state the standard the item is judged by.
_CRITERIA_HEADINGS = ("检查标准", "检查要求", "标准要求", "要求", "检查要点")


def _second_text_columns(header: Header) -> None:
    """检查内容 beside 检查标准: the second Chinese text column is the basis (or, if there is one, the hint)."""
    chinese = [c for c in header.columns if c.field == "text" and c.lang is None and has_cjk(c.heading)]
    if len(chinese) < 2:
        return
    primary = next((c for c in chinese if c.heading.strip() not in _CRITERIA_HEADINGS), chinese[0])
    for column in chinese:
        if column is primary or column.heading.strip() not in _CRITERIA_HEADINGS:
            continue
        taken = {c.field for c in header.columns}
        for target in ("basis", "hint"):
            if target not in taken:
                column.field = target
                break


def find_header(rows: Sequence[Sequence[object]]) -> Header | None:
    """The first row (within :data:`HEADER_SEARCH_ROWS`) naming an item-text column and one more field."""
    for number, cells in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        header = _read_header(number, cells)
        fields = {c.field for c in header.columns if c.field != "answer"}
        if "text" in fields and len(fields) >= 2:
            return header
    return None


def column_language(column: Column, values: Sequence[str]) -> str:
    """A text column's language: its marker if it has one, else Chinese when most of its filled cells are."""
    if column.lang:
        return column.lang
    filled = [v for v in values if v]
    if not filled:
        return "en" if not has_cjk(column.heading) else "zh"
    chinese = sum(1 for v in filled if has_cjk(v))
    return "zh" if chinese * 2 >= len(filled) else "en"


def settle_languages(header: Header, rows: Sequence[Sequence[object]]) -> None:
    """Fix each text column's language and keep one column per (field, language); the rest become duplicates."""
    kept: dict[tuple[str, str | None], Column] = {}
    columns: list[Column] = []
    for column in header.columns:
        if column.field in TEXT_FIELDS:
            values = [cell_text(r[column.index]) if column.index < len(r) else "" for r in rows]
            column.lang = column_language(column, values)
        elif column.field != "answer":
            column.lang = None
        key = (column.field, column.lang)
        if column.field != "answer" and key in kept:
            header.duplicates.append((column, kept[key]))
            continue
        kept[key] = column
        columns.append(column)
    header.columns = columns
    header._cache.clear()
