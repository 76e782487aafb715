"""The ``inspector`` command tree (typer): every subcommand, and the root that opens the app.

``inspector`` alone skips this module (see :mod:`inspector.cli`); the commands import the UI and network packages
lazily, inside the commands that need them, so ``inspector template check`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from inspector.cli.awards import awards_app, quality_app
from inspector.cli.common import DbOption, err_console, fail, write_crash_log
from inspector.cli.demo import demo_command
from inspector.cli.export import export_app
from inspector.cli.help_language import help_lang, localized_cli
from inspector.cli.labels import labels_command
from inspector.cli.problems import database_problem, error_text
from inspector.cli.server import server_app
from inspector.cli.sync import sync_app
from inspector.cli.template import template_app
from inspector.cli.verify import verify_command
from inspector.errors import InspectorError
from inspector.file_errors import os_reason
from inspector.i18n import register, t

#: The exit code of a command stopped by Ctrl+C (128 + SIGINT), as shells report it.
INTERRUPTED = 130

app = typer.Typer(
    name="inspector",
    help="Safety and quality inspections for the aluminium group, offline first. Run without a command to open the app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.command("demo")(demo_command)
app.add_typer(template_app, name="template")
app.add_typer(server_app, name="server")
app.add_typer(sync_app, name="sync")
app.command("labels")(labels_command)
app.command("verify")(verify_command)
app.add_typer(export_app, name="export")
app.add_typer(awards_app, name="awards")
app.add_typer(quality_app, name="quality")


@app.callback(invoke_without_command=True)
def open_app(
    ctx: typer.Context,
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option(help="Interface language: zh or en.")] = None,
) -> None:
    """Open the inspection app on the laptop's database."""
    if ctx.invoked_subcommand is not None:
        return
    from screens.app import run_app  # the UI is loaded only when the app is opened

    run_app(db=db, lang=lang)


register(
    {
        "cli.error": ("错误：", "Error:"),
        "cli.interrupted": (
            "已中断。未完成的修改已撤销，之前保存的内容都没有丢失。",
            "Interrupted. The unfinished change was rolled back; nothing that was already saved is lost.",
        ),
        "cli.os_error": (
            "{problem}{where}。已保存的内容都没有丢失。",
            "{problem}{where}. Nothing that was already saved is lost.",
        ),
        "cli.unexpected": (
            "意外错误：{kind}：{detail}。详细信息已写入 {log}，请将此文件发给维护人员。",
            "Unexpected error: {kind}: {detail}. Details were written to {log}; please send that file to the maintainers.",
        ),
    }
)


def main(argv: list[str] | None = None) -> None:
    """Run the command line on ``argv``: every user-facing error becomes a clear message and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    # Libraries log their own trouble (SQLAlchemy: "Error closing cursor" after Ctrl+C) with a traceback to stderr
    # when nothing is configured; the user gets our one line instead.
    root = logging.getLogger()
    if not root.handlers:  # tests call main() many times; an app that configured logging keeps its own
        root.addHandler(logging.NullHandler())
    try:
        with localized_cli(app, args) as command:  # --help in the user's language (help_language.py says how)
            command(args=args, prog_name="inspector", standalone_mode=True)
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # typer turns Ctrl+C into a silent exit 130: say what happened
            report_failure(KeyboardInterrupt(), args)
        raise
    except (Exception, KeyboardInterrupt) as exc:
        report_failure(exc, args)


def report_failure(exc: BaseException, args: list[str]) -> NoReturn:
    """One line for the user in their language (and the log file for a bug), never a traceback; exits."""
    lang = help_lang(args)  # --lang on the command line, else INSPECTOR_LANG, else the locale
    if isinstance(exc, KeyboardInterrupt):
        err_console.print(t("cli.interrupted", lang), style="yellow")
        sys.exit(INTERRUPTED)
    database = database_problem(exc, lang)
    if database is not None:  # locked by the app, a full disk, a damaged file: not a bug, no log
        message = database
    elif isinstance(exc, InspectorError):
        message = error_text(exc, lang)
    elif isinstance(exc, OSError):  # a full disk, a missing folder, a permission: name it, keep what was saved
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        message = t("cli.os_error", lang, problem=os_reason(exc, lang), where=where)
    else:  # a bug: the user gets one line and the log the traceback
        log = write_crash_log(exc)
        message = t("cli.unexpected", lang, kind=type(exc).__name__, detail=str(exc), log=str(log))
    fail(message, lang=lang)


__all__ = ["Path", "app", "main", "report_failure"]
