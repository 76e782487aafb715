"""Options and output helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from inspector.cli.problems import current_lang, opened_database
from inspector.config import load_settings
from inspector.errors import InspectorError
from inspector.i18n import register, t
from inspector.store import Store, open_store

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay whole, never wrapped

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file (default: INSPECTOR_DB, then the user data directory).",
        show_default=False,
    ),
]


register(
    {
        "cli.error": ("错误：", "Error:"),
        "cli.stdout": ("标准输出", "the standard output"),
        "cli.empty_database_path": (
            "数据库路径是空的：请检查 --db 或环境变量 INSPECTOR_DB（设置了但没有值）",
            "The database path is empty: check --db or the INSPECTOR_DB variable (set, but to nothing)",
        ),
        "cli.no_database": (
            "没有数据库文件 {path}：请检查 --db 或 INSPECTOR_DB（新数据库可用 inspector demo 或导入检查表创建）",
            "There is no database file {path}: check --db or INSPECTOR_DB (a new database is made by inspector demo "
            "or by importing a checklist)",
        ),
    }
)


def fail(message: str, code: int = 1, *, lang: str | None = None) -> NoReturn:
    """Print ``message`` as an error (prefixed "错误：" or "Error:", in ``lang`` or the command's) and exit."""
    from rich.markup import escape

    prefix = t("cli.error", lang or current_lang())
    space = "" if prefix.endswith("：") else " "  # the full-width colon carries its own space
    err_console.print(f"[bold red]{prefix}[/]{space}{escape(message)}")
    sys.exit(code)


def open_db(db: Path | None, *, must_exist: bool = False) -> Store:
    """Open the database named by ``--db`` / ``INSPECTOR_DB`` / the default, failing with a clear message.

    ``must_exist``: the command only reads or adds to existing records (verify, reports, awards), so a mistyped
    path is named instead of silently creating an empty database that answers "nothing there".
    """
    settings = load_settings(db)
    lang = current_lang()
    path = settings.db.expanduser()
    if str(path) in ("", "."):  # INSPECTOR_DB= (set but empty) reads as the current folder
        fail(t("cli.empty_database_path", lang), lang=lang)
    if must_exist and not path.exists():
        fail(t("cli.no_database", lang, path=path), lang=lang)
    opened_database(path)  # named by any database message, opening included
    try:
        store = open_store(path)
    except InspectorError as exc:
        fail(exc.text(lang), lang=lang)
    return store


def write_failed(out: Path | None, exc: OSError, lang: str) -> NoReturn:
    """Fail with "Cannot write OUT: why" in ``lang`` (``out`` ``None``: the standard output)."""
    import inspector.messages.reports  # noqa: F401  (registers the texts)
    from inspector.file_errors import os_reason

    where = out if out is not None else t("cli.stdout", lang)
    fail(t("err.write_failed", lang, path=where, reason=os_reason(exc, lang)), lang=lang)


def write_crash_log(exc: BaseException) -> Path:
    """Append ``exc``'s traceback to the log file in the user's log folder and return its path."""
    import traceback

    from platformdirs import user_log_path

    from inspector.config import APP_NAME

    path = user_log_path(APP_NAME, appauthor=False) / "inspector.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return path
