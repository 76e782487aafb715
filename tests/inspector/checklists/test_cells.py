"""What people type into checklist cells: deduction rules, limits, numbers, marks, kinds, headings, column names."""

from __future__ import annotations

import pytest

from inspector.checklists.cells import (
    CellError,
    Limits,
    is_heading_number,
    item_number,
    parse_flag,
    parse_kind,
    parse_limits,
    parse_number,
    strip_heading_number,
)
from inspector.checklists.columns import find_header, match_heading
from inspector.checklists.deduction import parse_deduction
from inspector.models.enums import ItemKind


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("每处扣1分", 1),
        ("每项扣2分，扣完本项分值为止", 2),
        ("发现一处扣1分", 1),
        ("每人次扣一分", 1),
        ("每处扣0.5分", 0.5),
        ("扣1分/处", 1),
        ("-2分/处", 2),
        ("1 point per occurrence", 1),
        ("Deduct 2 points for each defect", 2),
        ("0.5 pts per finding", 0.5),
        ("每处扣1分，情节严重的扣5分", None),
        ("不符合扣5分", None),
        ("无应急水源不得分", None),
        ("", None),
        ("see procedure", None),
    ],
)
def test_deduction_rules(rule: str, expected: float | None) -> None:
    assert parse_deduction(rule) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≤4Ω", Limits(None, 4, "Ω")),
        ("<= 4", Limits(None, 4, "")),
        ("≥10", Limits(10, None, "")),
        ("不小于 0.2 MPa", Limits(0.2, None, "MPa")),
        ("不大于85dB(A)", Limits(None, 85, "dB(A)")),
        ("0.2-0.4 MPa", Limits(0.2, 0.4, "MPa")),
        ("10～50", Limits(10, 50, "")),
        ("460至500 °C", Limits(460, 500, "°C")),
        ("", None),
    ],
)
def test_limits(text: str, expected: Limits | None) -> None:
    assert parse_limits(text) == expected


def test_limits_that_say_something_else() -> None:
    with pytest.raises(CellError) as caught:
        parse_limits("按说明书")
    assert caught.value.key == "sheet.bad_limits"


@pytest.mark.parametrize(
    ("value", "expected"), [(5, 5), ("5", 5), ("5分", 5), ("５", 5), (" 2.5 points", 2.5), ("", None), (None, None)]
)
def test_numbers(value: object, expected: float | None) -> None:
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", ["五", "5-10", "n/a", True])
def test_not_numbers(value: object) -> None:
    with pytest.raises(CellError):
        parse_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("√", True), ("Y", True), (1, True), ("否", False), ("N", False), (None, False), ("", False)],
)
def test_flags(value: object, expected: bool) -> None:
    assert parse_flag(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是否", (ItemKind.YES_NO, None)),
        ("yes/no", (ItemKind.YES_NO, None)),
        ("评分0-5", (ItemKind.SCORE, 5)),
        ("score 0-10", (ItemKind.SCORE, 10)),
        ("0–5", (ItemKind.SCORE, 5)),
        ("实测", (ItemKind.MEASUREMENT, None)),
        ("文字", (ItemKind.TEXT, None)),
        ("拍照", (ItemKind.PHOTO, None)),
        ("", (None, None)),
    ],
)
def test_kinds(value: str, expected: tuple[ItemKind | None, int | None]) -> None:
    assert parse_kind(value) == expected


@pytest.mark.parametrize(
    ("value", "heading"),
    [
        ("一", True),
        ("十二、", True),
        ("（三）", True),
        ("第二部分", True),
        ("IV", True),
        ("1", False),
        ("1.1", False),
        ("一次", False),
    ],
)
def test_heading_numbers(value: str, heading: bool) -> None:
    assert is_heading_number(value) is heading


@pytest.mark.parametrize(
    ("value", "code"),
    [("1", "1"), (3.0, "3"), ("1.2.3", "1.2.3"), ("(4)", "4"), ("（5）", "5"), ("6、", "6"), ("⑦", "7"), ("A1", "A1")],
)
def test_item_numbers(value: object, code: str) -> None:
    assert item_number(value) == code


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("一、熔铸车间", "熔铸车间"),
        ("（二）电气", "电气"),
        ("第三部分 消防", "消防"),
        ("1. Casting", "Casting"),
        ("一次合格率", "一次合格率"),
    ],
)
def test_heading_titles(title: str, stripped: str) -> None:
    assert strip_heading_number(title) == stripped


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("序号", ("number", None)),
        ("No.", ("number", None)),
        ("检查项目", ("section", None)),
        ("检查内容", ("text", None)),
        ("Item (EN)", ("text", "en")),
        ("检查内容（英文）", ("text", "en")),
        ("Item(中文)", ("text", "zh")),
        ("检查依据", ("basis", None)),
        ("Deduction rule", ("deduction_rule", None)),
        ("分 值", ("points", None)),
        ("一票否决", ("veto", None)),
        ("重大隐患", ("always_major", None)),
        ("不适用", ("answer", None)),
        ("负责部门", None),
    ],
)
def test_column_headings(heading: str, expected: tuple[str, str | None] | None) -> None:
    assert match_heading(heading) == expected


def test_header_row_below_title_rows() -> None:
    rows: list[list[object]] = [
        ["熔铸车间安全检查表"],
        ["单位：", "日期："],
        ["序号", "检查项目", "检查内容", "分值"],
        [1, "a", "b", 2],
    ]
    header = find_header(rows)
    assert header is not None and header.row == 3
    assert [(c.letter, c.field) for c in header.columns] == [
        ("A", "number"),
        ("B", "section"),
        ("C", "text"),
        ("D", "points"),
    ]


def test_category_heading_is_the_item_text_when_there_is_no_content_column() -> None:
    header = find_header([["序号", "检查项目", "分值"]])
    assert header is not None
    assert [c.field for c in header.columns] == ["number", "text", "points"]


def test_lone_no_column_is_the_number_but_beside_yes_it_is_an_answer() -> None:
    alone = find_header([["No", "Item", "Points"]])
    beside = find_header([["#", "Item", "Yes", "No", "N/A"]])
    assert alone is not None and beside is not None
    assert alone.columns[0].field == "number"
    assert [c.field for c in beside.columns] == ["number", "text", "answer", "answer", "answer"]
