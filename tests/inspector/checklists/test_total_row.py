"""A sheet's own 合计 row is checked against its items: a mismatch means an item was lost or a points cell mistyped."""

from __future__ import annotations

from pathlib import Path

from inspector.checklists.reader import read_checklist

HEADER = "序号,检查内容,分值,扣分标准\n"
ITEMS = "1,灭火器在有效期内,5,每处扣1分\n2,安全通道畅通,3,每处扣1分\n3,电工持证上岗,10,\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_a_total_row_that_matches_is_accepted(tmp_path: Path) -> None:
    result = read_checklist(write(tmp_path, HEADER + ITEMS + "合计,,18,\n"))
    assert result.ok, [p.text("en") for p in result.problems]
    assert result.spec is not None and result.spec.points_total == 18


def test_a_total_row_that_disagrees_names_the_row_and_both_figures(tmp_path: Path) -> None:
    # the paper sheet totals 20: one item's points were typed as 3 instead of 5, or an item is missing
    result = read_checklist(write(tmp_path, HEADER + ITEMS + "合计,,20,\n"))
    assert not result.ok and result.spec is None
    (found,) = result.errors
    assert found.row == 5  # header, three items, the total
    assert "合计行写的是 20 分，但各检查项分值之和是 18 分" in found.text("zh")
    assert "the total row says 20 points but the items add up to 18" in found.text("en")


def test_subtotals_and_uncalculated_totals_are_not_checked(tmp_path: Path) -> None:
    text = HEADER + ITEMS.replace("3,电工", "小计,,99,\n3,电工") + "Total,,=SUM(C2:C5),\n"
    result = read_checklist(write(tmp_path, text))
    assert result.ok, [p.text("en") for p in result.problems]


def test_the_example_sheets_still_add_up() -> None:
    examples = Path(__file__).parents[3] / "examples" / "checklists"
    for path in sorted(examples.glob("*.csv")) + sorted(examples.glob("*.xlsx")):
        result = read_checklist(path)
        assert result.ok, (path.name, [p.text("en") for p in result.errors])
