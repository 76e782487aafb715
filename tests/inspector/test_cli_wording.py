"""How failures read: SQLite's and the system's errors in words for people, typer's usage errors in Chinese, help
paragraphs that do not break mid-sentence."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from inspector.cli.problems import database_problem
from inspector.file_errors import os_reason
from tests.inspector.cli_world import run


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("database is locked", "正被另一个程序写入", "being written by another program"),
        ("database or disk is full", "磁盘已满", "is full"),
        ("attempt to write a readonly database", "只读", "read-only"),
        ("disk I/O error", "读写数据库", "Input/output error"),
        ("file is not a database", "已损坏", "damaged"),
    ],
)
def test_sqlite_refusals_are_worded_for_people(text: str, zh: str, en: str) -> None:
    error = sqlite3.OperationalError(text)
    assert zh in (database_problem(error, "zh") or "")
    assert en in (database_problem(error, "en") or "")
    assert database_problem(ValueError(text), "en") is None  # not a database error: left to the caller


def test_file_errors_in_both_languages() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/media/usb/report.pdf")
    assert os_reason(full, "zh") == "磁盘已满"
    assert os_reason(full, "en") == "the disk is full"
    odd = OSError(errno.ETXTBSY, "Text file busy")
    assert os_reason(odd, "zh") == "Text file busy"  # rare ones keep the system's words rather than guess


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (["demo", "--seed", "abc"], "'--seed' 的值无效：应为整数。"),
        (["export", "summary", "--out", "s.pdf"], "缺少选项 '--campaign'。"),
        (["export", "summarx"], "没有命令 'summarx'。您是不是要用 'summary'？"),
        (["verify", "--chain", "a", "b"], "多余的参数：b"),
        (["template", "check"], "缺少参数 'file'。"),
        (["export", "summary", "--campaign", "X", "--out", "s.pdf", "--as-of", "2022/06/30"], "不是日期"),
        (["awards", "--campaign", "X", "--level", "rack"], "'rack' 不是可选值（team, workshop, unit, innovation）之一"),
    ],
)
def test_usage_errors_are_in_chinese(
    args: list[str], zh: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "200")  # one line per message
    code, err = run(args, capsys)
    assert code == 2
    assert zh in err
    for english in ("Missing", "Invalid value", "No such", "unexpected", "Input should", "is not a date"):
        assert english not in err


def test_usage_errors_stay_english_in_english(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, err = run(["export", "summarx", "--lang", "en"], capsys)
    assert code == 2 and "No such command 'summarx'. Did you mean 'summary'?" in err


def test_a_sentence_the_table_does_not_know_passes_unchanged() -> None:
    from inspector.cli.usage_zh import usage_in_chinese

    assert usage_in_chinese("--per 只能是 checkpoint, workshop") == "--per 只能是 checkpoint, workshop"
    assert usage_in_chinese("Invalid value for --x: something new") == "--x 的值无效：something new"


def test_no_first_help_paragraph_breaks_mid_sentence() -> None:
    """Typer (rich mode) keeps a docstring's single line breaks in the commands list: 'a month of' / 'past …'."""
    import typer.main

    from inspector.cli.commands import app
    from inspector.cli.help_language import walk_commands

    broken = [
        " ".join(path)
        for path, command in walk_commands(typer.main.get_command(app))
        if "\n" in (command.help or "").strip().split("\n\n")[0]
    ]
    assert broken == []
