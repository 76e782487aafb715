"""The checklist readers' message catalogue: both languages, the same placeholders, every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspector.checklists.messages import MESSAGES, problem

PLACEHOLDER = re.compile(r"\{(\w+)\}")
SOURCES = Path(__file__).resolve().parents[3] / "inspector" / "checklists"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    zh, en = MESSAGES[key]
    assert zh and en
    assert set(PLACEHOLDER.findall(zh)) == set(PLACEHOLDER.findall(en)), key
    assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the Chinese text has no Chinese"


def test_every_key_the_readers_use_exists() -> None:
    used: set[str] = set()
    for source in SOURCES.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:file|text|csv|sheet|xlsform|spec)\.[a-z_0-9]+)"', text))
    missing = used - set(MESSAGES)
    assert not missing, missing
    ours = {key for key in MESSAGES if key.split(".")[0] in ("file", "text", "csv", "sheet", "xlsform", "spec")}
    assert not ours - used, f"messages nobody uses: {ours - used}"
    assert len(used) > 40


def test_problem_renders_both_languages_with_location() -> None:
    found = problem("表.xlsx", "sheet.not_number", sheet="检查表", row=7, column="F", value="十分")
    assert found.text("en") == "表.xlsx, sheet 检查表, row 7, column F: '十分' is not a number"
    assert found.text("zh") == "表.xlsx，工作表 检查表，第 7 行，F 列：“十分”不是数字"


def test_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        problem("x", "sheet.no_such_message")


def test_importing_the_readers_loads_no_parser_until_a_file_needs_it() -> None:
    import subprocess
    import sys

    code = (
        "import sys, inspector.checklists; "
        "print(sorted(m for m in ('openpyxl', 'pyxform', 'yaml', 'textual', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
