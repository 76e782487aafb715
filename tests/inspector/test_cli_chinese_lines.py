"""Chinese help wraps like Chinese: between characters, never before closing or after opening punctuation,
Latin words whole, and never wider than the room it has."""

from __future__ import annotations

import itertools
import re

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from inspector.cli import help_zh
from inspector.cli.chinese_lines import NO_LINE_END, NO_LINE_START, ChineseWrapped, break_offsets

TEXTS = sorted({*help_zh.COMMANDS.values(), *help_zh.PARAMS.values(), *help_zh.SHARED_PARAMS.values()})
LATIN_WORD = re.compile(r"[A-Za-z0-9_@:/.+\-]+")


def lines_of(text: str, width: int) -> list[str]:
    cuts = [0, *break_offsets(text, width), len(text)]
    return [text[start:end].strip() for start, end in itertools.pairwise(cuts)]


@pytest.mark.parametrize("width", [24, 36, 46, 60])
def test_every_chinese_help_text_wraps_within_the_width_by_the_rules(width: int) -> None:
    for text in TEXTS:
        for paragraph in text.split("\n"):
            lines = lines_of(paragraph, width)
            assert "".join(lines).replace(" ", "") == paragraph.replace(" ", ""), paragraph  # nothing lost
            for line in lines:
                assert cell_len(line) <= width, (width, line)
            for line in lines[1:]:
                assert line[0] not in NO_LINE_START, (width, lines)
            for line in lines[:-1]:
                assert line[-1] not in NO_LINE_END, (width, lines)
            for word in LATIN_WORD.findall(paragraph):
                if cell_len(word) <= width:
                    assert any(word in line for line in lines), (width, word, lines)


def test_a_run_longer_than_the_line_is_folded() -> None:
    text = "数据库 " + "x" * 25 + " 结束"
    assert [cell_len(line) <= 10 for line in lines_of(text, 10)] == [True] * len(lines_of(text, 10))
    assert "".join(lines_of(text, 10)).replace(" ", "") == text.replace(" ", "")


def test_breaks_fall_between_chinese_characters_not_only_at_spaces() -> None:
    assert lines_of("活动编号，例如本月的安全生产月检查。", 12) == ["活动编号，例", "如本月的安全", "生产月检查。"]
    assert lines_of("按该日期评定奖项（YYYY-MM-DD）。", 20) == ["按该日期评定奖项", "（YYYY-MM-DD）。"]


def test_in_a_narrow_table_column_nothing_is_cut_off_and_styles_stay() -> None:
    console = Console(width=40, record=True, color_system=None, legacy_windows=False)
    table = Table(show_header=False, box=None, expand=True)
    table.add_row(
        "--db", ChineseWrapped(Text.from_markup("数据库文件（默认取 [bold]INSPECTOR_DB[/]，其次为用户数据目录）。"))
    )
    console.print(table)
    out = console.export_text()
    assert "…" not in out
    assert "".join(out.split()) == "--db数据库文件（默认取INSPECTOR_DB，其次为用户数据目录）。"
    assert all(cell_len(line) <= 40 for line in out.splitlines())
