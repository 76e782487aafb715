"""``--help`` follows the user's language: every screen in 简体中文 for a Chinese user, unchanged English otherwise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
import typer.rich_utils

from inspector.cli import app, help_zh, main
from inspector.cli.help_language import (
    apply_chinese_help,
    chinese_param_help,
    help_lang,
    missing_chinese,
    unused_chinese,
    walk_commands,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "INSPECTOR_LANG")
PATHS = [path for path, command in walk_commands(typer.main.get_command(app)) if not command.hidden]


def squash(text: str) -> str:
    """Text without whitespace and panel borders, so a help wrapped over several lines reads as one run."""
    return re.sub(r"[\s│╭╮╰╯─]", "", ANSI.sub("", text))


def first_paragraph(text: str) -> str:
    return text.split("\n\n")[0]


@pytest.fixture
def user_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean language environment at 80 columns; each test sets LANG / INSPECTOR_LANG itself."""
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return monkeypatch


# --- the catalogue is complete --------------------------------------------------------------------------------------


def test_every_command_option_and_argument_has_chinese_help() -> None:
    missing = missing_chinese(typer.main.get_command(app))
    assert missing == [], "add their Chinese to inspector/cli/help_zh.py:\n" + "\n".join(missing)


def test_every_chinese_text_belongs_to_a_command_or_option() -> None:
    unused = unused_chinese(typer.main.get_command(app))
    assert unused == [], "renamed or removed? fix inspector/cli/help_zh.py:\n" + "\n".join(unused)


def test_the_tree_walk_reaches_nested_groups_and_their_options() -> None:
    assert {(), ("sync",), ("sync", "export"), ("awards", "rules", "import")} <= set(PATHS)
    root = typer.main.get_command(app)
    export = dict(walk_commands(root))[("sync", "export")]
    out = next(param for param in export.params if "--out" in param.opts)
    assert chinese_param_help(("sync", "export"), out) == help_zh.PARAMS[("sync", "export", "--out")]


def test_applied_chinese_leaves_no_english_help_in_the_tree() -> None:
    root = typer.main.get_command(app)
    english = {path: command.help for path, command in walk_commands(root)}
    apply_chinese_help(root)
    for path, command in walk_commands(root):
        assert command.help and CJK.search(command.help), path
        assert command.help != english[path]
        context = command.context_class(command)
        for param in command.get_params(context):
            text = getattr(param, "help", None)
            assert text and CJK.search(text), (path, param.opts)


def test_typer_still_has_every_framing_string_we_translate() -> None:
    # A typer upgrade that renames one would silently leave that word in English.
    assert [name for name in help_zh.FRAMING if not hasattr(typer.rich_utils, name)] == []
    assert hasattr(typer.rich_utils, "_make_rich_text")


# --- which language ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--help"], {"LANG": "zh_CN.UTF-8"}, "zh"),
        (["sync", "export", "--help"], {"LANG": "en_US.UTF-8"}, "en"),
        (["--lang", "zh", "sync", "--help"], {"LANG": "en_US.UTF-8"}, "zh"),
        (["--lang=en", "--help"], {"LANG": "zh_CN.UTF-8"}, "en"),
        (["--help", "--lang", "zh"], {"LANG": "en_US.UTF-8"}, "zh"),  # --help first: still the language asked for
        (["verify", "--lang", "zh", "--help"], {"LANG": "en_US.UTF-8"}, "zh"),  # a command's own --lang
        (["--lang", "zh", "verify", "--lang", "en", "--help"], {"LANG": "zh_CN.UTF-8"}, "en"),  # the last one wins
        (["--help"], {"LANG": "zh_CN.UTF-8", "INSPECTOR_LANG": "en"}, "en"),
        (["--help"], {"LANG": "en_US.UTF-8", "INSPECTOR_LANG": "zh"}, "zh"),
        (["--lang", "fr", "--help"], {"LANG": "en_US.UTF-8"}, "en"),  # not a language: the next source decides
        (["--help"], {"LANG": "en_GB.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),  # LC_ALL before LANG, as everywhere
        (["template", "check", "--", "--lang", "zh"], {"LANG": "en_US.UTF-8"}, "en"),  # after --: data
    ],
)
def test_help_language_is_resolved_like_the_rest_of_the_cli(
    user_locale: pytest.MonkeyPatch, args: list[str], env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        user_locale.setenv(name, value)
    assert help_lang(args) == expected


# --- every help screen, in process ------------------------------------------------------------------------------


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0, args
    return capsys.readouterr().out


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "root")
def test_every_help_screen_is_chinese_for_a_chinese_user(
    user_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    user_locale.setenv("LANG", "zh_CN.UTF-8")
    out = run_main([*path, "--help"], capsys)
    assert f"用法: inspector {' '.join(path)}".rstrip() in out
    assert squash(help_zh.COMMANDS[path]) in squash(out)
    assert "显示本帮助并退出。" in out
    for english in ("Usage:", "Options", "Commands", "Arguments", "Show this message", "[default:", "[required]"):
        assert english not in out
    assert "…" not in out  # nothing cut off at 80 columns
    root = typer.main.get_command(app)
    command = dict(walk_commands(root))[path]
    for param in command.params:
        chinese = chinese_param_help(path, param)
        if chinese is not None:
            assert squash(chinese) in squash(out), param.opts
    assert typer.rich_utils.OPTIONS_PANEL_TITLE == "Options"  # typer's words are put back afterwards


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "root")
def test_every_help_screen_stays_english_for_an_english_user(
    user_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    user_locale.setenv("LANG", "en_US.UTF-8")
    out = run_main([*path, "--help"], capsys)
    command = dict(walk_commands(typer.main.get_command(app)))[path]
    assert f"Usage: inspector {' '.join(path)}".rstrip() in out
    assert squash(first_paragraph(command.help or "")) in squash(out)
    assert "Show this message and exit." in out
    assert not CJK.search(out)
    with pytest.raises(SystemExit):  # exactly what typer prints without the language hook
        app(args=[*path, "--help"], prog_name="inspector")
    assert capsys.readouterr().out == out


# --- the real console script ------------------------------------------------------------------------------------


def console_script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "inspector"
    assert script.exists(), f"the console script is not installed next to {sys.executable} (pip install -e .)"
    clean = {name: value for name, value in os.environ.items() if name not in LOCALE_VARS}
    result = subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env={**clean, "COLUMNS": "80", **env},
        timeout=120,
    )
    result.stdout = ANSI.sub("", result.stdout)
    result.stderr = ANSI.sub("", result.stderr)
    return result


def test_console_script_root_help_in_a_chinese_locale() -> None:
    result = console_script("--help", LANG="zh_CN.UTF-8")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "用法: inspector [选项] 命令 [参数]..." in out
    assert "╭─ 选项 " in out and "╭─ 命令 " in out
    assert "铝业集团安全与质量检查工具，离线优先。" in out
    assert "界面语言：zh 或 en。" in out
    assert "显示本帮助并退出。" in out
    assert squash(first_paragraph(help_zh.COMMANDS[("sync",)])) in squash(out)
    assert "Usage" not in out and "Options" not in out and "Show this message" not in out


def test_console_script_root_lang_zh_reaches_a_sub_group_in_an_english_locale() -> None:
    result = console_script("--lang", "zh", "sync", "--help", LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "用法: inspector sync [选项] 命令 [参数]..." in result.stdout
    assert squash(help_zh.PARAMS[("sync", "--retry-rejected")]) in squash(result.stdout)
    assert "Sync this laptop" not in result.stdout


def test_console_script_command_help_in_an_english_locale_is_unchanged() -> None:
    result = console_script("sync", "export", "--help", LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Usage: inspector sync export [OPTIONS]" in out
    assert squash(
        "Write this laptop's pending changes to a signed bundle file, for a plant without network."
    ) in squash(out)
    assert "The bundle file to write (e.g. on a USB stick)." in out
    assert "[required]" in out and "Show this message and exit." in out
    assert not CJK.search(out)


def test_console_script_lang_en_wins_over_a_chinese_locale() -> None:
    result = console_script("--lang", "en", "sync", "export", "--help", LANG="zh_CN.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "Usage: inspector sync export [OPTIONS]" in result.stdout
    assert not CJK.search(result.stdout)


def test_console_script_usage_errors_are_framed_in_chinese() -> None:
    result = console_script("--lang", "zh", "sync", "no-such-command", LANG="en_US.UTF-8")
    assert result.returncode == 2
    assert "用法: inspector sync [选项]" in result.stderr
    assert "运行 'inspector sync --help' 查看帮助。" in result.stderr
    assert "╭─ 错误 " in result.stderr
    assert "Traceback" not in result.stderr
