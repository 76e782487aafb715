"""Typer's usage errors ("Missing option '--out'.", "No such command 'summarx'.") in Chinese.

Typer (with its vendored click) words these in English only and has no catalogue to plug into; a Chinese user who
mistypes an option got a Chinese frame ("用法", "错误") around an English sentence. :func:`usage_in_chinese` rewrites
the sentences typer and click build, keeping the names and values the user typed; a sentence it does not know (a
command's own ``BadParameter`` text, already in the user's language) passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = Callable[[re.Match[str]], str]


def _value(match: re.Match[str]) -> str:
    return f"{match['name']} 的值无效：{value_in_chinese(match['reason'])}"


def _no_such_option(match: re.Match[str]) -> str:
    text = f"没有选项 {match['option']}。"
    if match["similar"]:
        text += f"您是不是要用 {match['similar']}？"
    if match["possible"]:
        text += f"可用的选项：{match['possible']}。"
    return text


def _no_such_command(match: re.Match[str]) -> str:
    text = f"没有命令 {match['command']}。"
    if match["similar"]:
        text += f"您是不是要用 {match['similar']}？"
    return text


#: Whole messages, as typer's error panel shows them.
MESSAGES: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (re.compile(r"Missing option (?P<name>.+?)\.(?P<rest> .*)?"), lambda m: f"缺少选项 {m['name']}。"),
    (re.compile(r"Missing argument (?P<name>.+?)\.(?P<rest> .*)?"), lambda m: f"缺少参数 {m['name']}。"),
    (re.compile(r"Missing parameter: (?P<name>.+)"), lambda m: f"缺少参数 {m['name']}。"),
    (re.compile(r"Missing command\."), lambda m: "缺少命令。"),
    (
        re.compile(
            r"No such option: (?P<option>\S+?)(?: Did you mean (?P<similar>\S+)\?)?(?: \(Possible options: "
            r"(?P<possible>.+)\))?"
        ),
        _no_such_option,
    ),
    (re.compile(r"No such command (?P<command>.+?)\.(?: Did you mean (?P<similar>.+)\?)?"), _no_such_command),
    (
        re.compile(r"Got unexpected extra arguments? ?(?:\(s\) )?\((?P<extra>.*)\)"),
        lambda m: f"多余的参数：{m['extra']}",
    ),
    (re.compile(r"Option (?P<name>.+?) requires an argument\."), lambda m: f"选项 {m['name']} 需要一个值。"),
    (
        re.compile(r"Option (?P<name>.+?) requires (?P<count>\d+) arguments\."),
        lambda m: f"选项 {m['name']} 需要 {m['count']} 个值。",
    ),
    (re.compile(r"Invalid value for (?P<name>.+?): (?P<reason>.*)", re.DOTALL), _value),
    (re.compile(r"Invalid value: (?P<reason>.*)", re.DOTALL), lambda m: f"值无效：{value_in_chinese(m['reason'])}"),
)

#: Why a value was refused (the part after "Invalid value for --x:"): typer's words, then the commands' own
#: ``typer.BadParameter`` sentences (inspector/cli/awards.py, export.py, report_lang.py).
REASONS: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (
        re.compile(r"(?P<value>.+) is not a date \(YYYY-MM-DD\)\."),
        lambda m: f"{m['value']} 不是日期（应写成 YYYY-MM-DD，如 2022-06-30）。",
    ),
    (
        re.compile(r"(?P<value>.+) is not a language this app speaks \(zh or en\)\."),
        lambda m: f"{m['value']} 不是本应用支持的语言（zh 或 en）。",
    ),
    (re.compile(r"Name the campaign, e\.g\. (?P<example>.+)\."), lambda m: f"请给出活动编码，例如 {m['example']}。"),
    (re.compile(r"An xlsx export needs --out FILE\.xlsx\."), lambda m: "导出 xlsx 需要 --out 文件名.xlsx。"),
    (re.compile(r"Write a \.xlsx or a \.csv file\."), lambda m: "只能写出 .xlsx 或 .csv 文件。"),
    (
        re.compile(r"(?P<value>.+?) is not (?P<choices>(?:[\w-]+, )+[\w-]+ or [\w-]+)\."),
        lambda m: f"{m['value']} 不是可选值（{m['choices'].replace(' or ', ', ')}）之一。",
    ),
    (re.compile(r"Input should be a valid integer.*"), lambda m: "应为整数。"),
    (re.compile(r"Input should be a valid number.*"), lambda m: "应为数字。"),
    (re.compile(r"Input should be a valid boolean.*"), lambda m: "应为 true 或 false。"),
    (
        re.compile(r"(?P<value>.+?) is not one of (?P<choices>.+?)\.?"),
        lambda m: f"{m['value']} 不是可选值（{m['choices']}）之一。",
    ),
    (re.compile(r"(?:File|Directory|Path) (?P<path>.+) does not exist\."), lambda m: f"{m['path']} 不存在。"),
    (re.compile(r"(?:File|Directory|Path) (?P<path>.+) is a file\."), lambda m: f"{m['path']} 是文件，不是文件夹。"),
    (
        re.compile(r"(?:File|Directory|Path) (?P<path>.+) is a directory\."),
        lambda m: f"{m['path']} 是文件夹，不是文件。",
    ),
    (re.compile(r"(?:File|Directory|Path) (?P<path>.+) is not readable\."), lambda m: f"没有读取 {m['path']} 的权限。"),
    (re.compile(r"(?:File|Directory|Path) (?P<path>.+) is not writable\."), lambda m: f"没有写入 {m['path']} 的权限。"),
)


def _rewrite(text: str, table: tuple[tuple[re.Pattern[str], Rewrite], ...]) -> str | None:
    for pattern, rewrite in table:
        match = pattern.fullmatch(text.strip())
        if match is not None:
            return rewrite(match)
    return None


def value_in_chinese(reason: str) -> str:
    """Why a value was refused, in Chinese when it is typer's own English."""
    return _rewrite(reason, REASONS) or reason


def usage_in_chinese(message: str) -> str:
    """A usage error in Chinese when typer or click worded it; anything else as it is."""
    return _rewrite(message, MESSAGES) or message
