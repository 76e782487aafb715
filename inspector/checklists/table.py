"""Rows of a checklist sheet (from .xlsx or .csv) → draft sections and items.

Sections come from the category column (检查项目 / Category; blank or merged cells continue the one above), from
heading rows (``一、熔铸车间`` in the number column, or a row with one value across it), or else the sheet itself
is one section named after the sheet. Totals rows (合计 / Total) are not items; a sheet's grand total must equal
the sum of its items' points (see :func:`inspector.checklists.spreadsheet.checklist_from_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.checklists.assembly import DraftItem, DraftSection, Origin
from inspector.checklists.cells import (
    CellError,
    cell_text,
    has_cjk,
    is_heading_number,
    item_number,
    parse_flag,
    parse_kind,
    parse_limits,
    parse_number,
    starts_with_heading_number,
    strip_heading_number,
)
from inspector.checklists.columns import Column, Header, column_letter, find_header, match_heading, settle_languages
from inspector.checklists.deduction import parse_deduction
from inspector.checklists.messages import problem
from inspector.checklists.spec import Problem, ReadResult
from inspector.models.enums import ItemKind

_TOTAL_WORDS = {"合计", "总计", "总分", "小计", "得分合计", "total", "subtotal", "sum", "grandtotal"}
#: Totals of the whole sheet (a 小计 / subtotal belongs to one section and is not checked).
_GRAND_TOTAL_WORDS = _TOTAL_WORDS - {"小计", "subtotal"}
_NUMBER_FIELDS = ("points", "deduction_per_occurrence", "max_score", "lower_limit", "upper_limit")


@dataclass
class Table:
    """One sheet's cells, row 1 first, merged ranges already filled with their value."""

    name: str | None
    rows: list[list[object]]


@dataclass
class TableOutcome:
    header: Header
    title: str = ""
    sections: list[DraftSection] = field(default_factory=list)
    #: The points the sheet's own total row states, and that row's number (checked against the items' sum).
    stated_total: tuple[float, int] | None = None


def section_code(index: int) -> str:
    """``0`` → ``A``: sections are lettered in the order they appear across every sheet."""
    return column_letter(index)


class _Row:
    """One row with its header, for reading fields and locating problems."""

    def __init__(self, table: Table, header: Header, number: int, cells: Sequence[object]) -> None:
        self.table, self.header, self.number, self.cells = table, header, number, cells
        #: Each cell as text, computed once: a row is looked at a dozen times.
        self.texts = [cell_text(c) for c in cells]

    def raw(self, column: Column | None) -> object:
        if column is None or column.index >= len(self.cells):
            return None
        return self.cells[column.index]

    def text(self, name: str, lang: str | None = None) -> str:
        column = self.header.get(name, lang)
        if column is None or column.index >= len(self.texts):
            return ""
        return self.texts[column.index]

    def origin(self) -> Origin:
        columns: dict[str, str] = {}
        for column in self.header.columns:
            key = f"{column.field}_{column.lang}" if column.lang else column.field
            columns.setdefault(key, column.letter)
        if "number" in columns and "code" not in columns:
            columns["code"] = columns["number"]
        for limit in ("lower_limit", "upper_limit", "unit"):
            if "limits" in columns and limit not in columns:
                columns[limit] = columns["limits"]
        if "text_zh" in columns:
            columns.setdefault("text", columns["text_zh"])
        return Origin(self.table.name, self.number, columns)

    def is_empty(self) -> bool:
        return not any(self.texts)


def read_table(table: Table, file: str, result: ReadResult, section_offset: int) -> TableOutcome | None:
    """Read one sheet; ``None`` when it has no recognisable header row."""
    header = find_header(table.rows)
    if header is None:
        return None
    body = table.rows[header.row :]
    settle_languages(header, body)
    for column, kept in header.duplicates:
        result.problems.append(
            problem(
                file,
                "sheet.duplicate_column",
                sheet=table.name,
                row=header.row,
                column=column.letter,
                severity="skipped",
                header=column.heading,
                other=kept.letter,
            )
        )
    for letter, heading in header.unknown:
        result.problems.append(
            problem(
                file,
                "sheet.unknown_column",
                sheet=table.name,
                row=header.row,
                column=letter,
                severity="skipped",
                header=heading,
            )
        )
    outcome = TableOutcome(header=header, title=_title_above(table.rows[: header.row - 1]))
    parents = _parent_numbers(body, header)
    sections_by_title: dict[str, DraftSection] = {}
    current: DraftSection | None = None
    for offset, cells in enumerate(body):
        row = _Row(table, header, header.row + 1 + offset, cells)
        if _is_total(row):
            outcome.stated_total = _stated_total(row) or outcome.stated_total
            continue
        if row.is_empty() or (offset < 3 and _is_second_header(row)):
            continue
        heading_title = _heading_of(row, parents)
        if heading_title is not None:
            current = _section(outcome, sections_by_title, heading_title, row, section_offset)
            _weight(current, row, file, result)
            continue
        category = (row.text("section", "zh"), row.text("section", "en"))
        if any(category):
            current = _section(outcome, sections_by_title, category, row, section_offset)
            if _only_section(row):
                continue
        elif current is None:
            fallback = table.name or outcome.title or "检查项"
            current = _section(outcome, sections_by_title, _split_title(fallback), row, section_offset)
        _weight(current, row, file, result)
        item = _item(row, file, result)
        if item is not None:
            current.items.append(item)
    return outcome


def _parent_numbers(body: Sequence[Sequence[object]], header: Header) -> set[str]:
    """Numbers that have sub-numbers below them: ``1`` when ``1.1`` exists."""
    column = header.get("number")
    if column is None:
        return set()
    numbers = {item_number(cells[column.index]) for cells in body if column.index < len(cells)}
    return {n.rsplit(".", 1)[0] for n in numbers if "." in n} & numbers


def _title_above(rows: Sequence[Sequence[object]]) -> str:
    for cells in rows:
        texts = [cell_text(c) for c in cells if cell_text(c)]
        if texts:
            return texts[0]
    return ""


def _is_second_header(row: _Row) -> bool:
    """A second header row under merged headings: ``检查结果`` over ``是 | 否 | 不适用``."""
    return all(match_heading(text) is not None for text in row.texts if text)


def _only_section(row: _Row) -> bool:
    section_columns = {c.index for c in row.header.columns if c.field == "section"}
    return all(index in section_columns for index, text in enumerate(row.texts) if text)


def _is_total(row: _Row) -> bool:
    return any(text.replace(" ", "").lower() in _TOTAL_WORDS for text in row.texts if text)


def _stated_total(row: _Row) -> tuple[float, int] | None:
    """The points of a grand-total row (合计 39), or ``None`` (a subtotal, an empty or uncalculated cell)."""
    if not any(text.replace(" ", "").lower() in _GRAND_TOTAL_WORDS for text in row.texts if text):
        return None
    try:
        value = parse_number(row.raw(row.header.get("points")))
    except CellError:
        return None
    return (value, row.number) if value is not None else None


def _split_title(text: str) -> tuple[str, str]:
    title = strip_heading_number(text)
    return (title, "") if has_cjk(title) else ("", title)


def _heading_of(row: _Row, parents: set[str]) -> tuple[str, str] | None:
    """A section heading row, or ``None`` for an item row.

    Headings: a heading number (``一``) beside a title in the text column; a numbered title (``一、整理``) in the
    number column with no item text; a value merged across the row; a value alone outside the item columns.
    A number whose sub-numbers appear below it (``1`` above ``1.1``, ``1.2``) is a heading too. Points on a heading
    row are the section's subtotal and are not an item; a section weight may stand on the heading row.
    """
    number = row.raw(row.header.get("number"))
    zh, en = row.text("text", "zh"), row.text("text", "en")
    if (zh or en) and (is_heading_number(number) or item_number(number) in parents):
        return strip_heading_number(zh), strip_heading_number(en)
    if not (zh or en) and starts_with_heading_number(number):
        return _split_title(cell_text(number))
    weight = row.header.get("weight")
    skip = {weight.index} if weight else set()
    filled = [(i, text) for i, text in enumerate(row.texts) if text and i not in skip]
    if not filled or len({value for _, value in filled}) != 1:
        return None
    value = filled[0][1]
    number_column = row.header.get("number")
    starts = {0, number_column.index if number_column else 0}
    if len(filled) >= 2 and any(index in starts for index, _ in filled):
        return _split_title(value)  # merged across the row from its first column
    if row.text("points"):
        return None
    fields = {column.field for column in row.header.columns if column.index == filled[0][0]}
    if "section" in fields:
        return None  # a category cell with no item beside it: the category row itself, handled by the caller
    if "number" in fields and (is_heading_number(value) or not item_number(value).replace(".", "").isdigit()):
        return _split_title(value)
    if not fields:
        return _split_title(value)
    return None


def _section(
    outcome: TableOutcome,
    by_title: dict[str, DraftSection],
    title: tuple[str, str],
    row: _Row,
    offset: int,
) -> DraftSection:
    zh, en = (strip_heading_number(t) if t else "" for t in title)
    key = f"{zh}\n{en}"
    if key in by_title:
        return by_title[key]
    code = section_code(offset + len(outcome.sections))
    section = DraftSection(code=code, data={"title_zh": zh, "title_en": en}, origin=row.origin())
    outcome.sections.append(section)
    by_title[key] = section
    return section


def _weight(section: DraftSection, row: _Row, file: str, result: ReadResult) -> None:
    column = row.header.get("weight")
    try:
        weight = parse_number(row.raw(column))
    except CellError as exc:
        result.problems.append(_cell_problem(exc, row, column, file))
        return
    if weight is None:
        return
    if weight > 1:  # "30" or "30%" on the sheet means 0.3
        weight = weight / 100
    previous = section.data.get("weight")
    if previous is not None and abs(previous - weight) > 1e-9:
        result.problems.append(
            problem(
                file,
                "sheet.weight_conflict",
                sheet=row.table.name,
                row=row.number,
                column=column.letter if column else None,
                section=section.code,
                first=f"{previous:g}",
                second=f"{weight:g}",
            )
        )
        return
    section.data["weight"] = weight


def _cell_problem(exc: CellError, row: _Row, column: Column | None, file: str) -> Problem:
    return problem(
        file,
        exc.key,
        sheet=row.table.name,
        row=row.number,
        column=column.letter if column else None,
        values=exc.values,
    )


def _item(row: _Row, file: str, result: ReadResult) -> DraftItem | None:
    data: dict[str, Any] = {}
    code = row.text("code") or item_number(row.raw(row.header.get("number")))
    if code:
        data["code"] = code
    for name in ("text", "basis", "method", "hint", "deduction_rule"):
        for lang in ("zh", "en"):
            value = row.text(name, lang)
            if value:
                data[f"{name}_{lang}"] = value
    errors_before = len(result.errors)
    for name in _NUMBER_FIELDS:
        column = row.header.get(name)
        try:
            number = parse_number(row.raw(column))
        except CellError as exc:
            result.problems.append(_cell_problem(exc, row, column, file))
            continue
        if number is not None:
            data[name] = int(number) if name == "max_score" and number.is_integer() else number
    limits_column = row.header.get("limits")
    try:
        limits = parse_limits(row.raw(limits_column))
        kind, scale = parse_kind(row.raw(row.header.get("kind")))
    except CellError as exc:
        column = limits_column if exc.key == "sheet.bad_limits" else row.header.get("kind")
        result.problems.append(_cell_problem(exc, row, column, file))
        limits, kind, scale = None, None, None
    if limits is not None:
        data.setdefault("lower_limit", limits.lower)
        data.setdefault("upper_limit", limits.upper)
        if limits.unit:
            data.setdefault("unit", limits.unit)
    if row.text("unit"):
        data["unit"] = row.text("unit")
    if scale is not None:
        data.setdefault("max_score", scale)
    if kind is None:
        has_limits = data.get("lower_limit") is not None or data.get("upper_limit") is not None
        kind = ItemKind.MEASUREMENT if has_limits else ItemKind.YES_NO
    data["kind"] = kind.value
    for name, default in (("veto", False), ("always_major", False), ("required", True)):
        column = row.header.get(name)
        try:
            data[name] = parse_flag(row.raw(column), default=default)
        except CellError as exc:
            result.problems.append(_cell_problem(exc, row, column, file))
    rule = " ".join(data.get(f"deduction_rule_{lang}", "") for lang in ("zh", "en"))
    if "deduction_per_occurrence" not in data and data.get("points"):
        per_occurrence = parse_deduction(rule)
        if per_occurrence is not None:
            data["deduction_per_occurrence"] = per_occurrence
    if "一票否决" in rule or "veto" in rule.lower():
        data["veto"] = True
    if len(result.errors) > errors_before:
        return None
    return DraftItem(data=data, origin=row.origin())


def assign_codes(sections: list[DraftSection]) -> None:
    """Give every item a code: its own, its number, or (when numbers restart per section) section + number."""
    by_code: dict[str, set[str]] = {}
    for section in sections:
        for item in section.items:
            if "code" in item.data:
                by_code.setdefault(str(item.data["code"]), set()).add(section.code)
    restarts = any(len(owners) > 1 for owners in by_code.values())
    for section in sections:
        for index, item in enumerate(section.items, start=1):
            code = item.data.get("code")
            if code is None:
                item.data["code"] = f"{section.code}-{index}"
            elif restarts and item.origin.column("code") == item.origin.columns.get("number"):
                item.data["code"] = f"{section.code}-{code}"
