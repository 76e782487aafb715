"""How a command says what went wrong: in the user's language, naming the file or the database, never a traceback.

The commands reach three kinds of failure that no domain function words for them: an operating-system error on a
file (missing, a folder, no permission, a full or read-only disk), a database the SQLite engine refuses to write (held
by another program, full disk, damaged file), and a domain error whose class carries the text in both languages.
Each becomes one sentence here; :func:`inspector.cli.common.fail` prints it with the localized "Error:".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inspector.errors import InspectorError
from inspector.i18n import normalise_lang, register, t
from inspector.store import sqlite_problem

register(
    {
        "db.locked": (
            "数据库 {path} 正被另一个程序写入（例如正在运行的检查应用或同步）；请稍后重试",
            "The database {path} is being written by another program (the inspection app or a sync); try again "
            "in a moment",
        ),
        "db.full": (
            "磁盘已满，无法写入数据库 {path}；请腾出空间",
            "The disk of the database {path} is full; free some space",
        ),
        "db.readonly": (
            "数据库 {path} 或其所在文件夹是只读的",
            "The database {path} or its folder is read-only",
        ),
        "db.io": (
            "读写数据库 {path} 时出错（磁盘可能已满，或磁盘、U 盘已损坏或已拔出）",
            "Input/output error on the database {path} (the disk may be full, damaged or removed)",
        ),
        "db.corrupt": (
            "数据库 {path} 已损坏；请用备份恢复（迁移前的备份在同一文件夹，文件名含 .before-）",
            "The database {path} is damaged; restore it from a backup (the copies made before migrations are in the "
            "same folder, named *.before-*)",
        ),
        "db.other": ("数据库 {path} 出错：{reason}", "The database {path} failed: {reason}"),
        "db.nothing_saved": (
            "{problem}。未完成的修改已撤销，之前保存的内容都没有丢失。",
            "{problem}. The unfinished change was rolled back; nothing that was already saved is lost.",
        ),
    }
)


#: The database the running command opened (named in database messages, which SQLite words without a path).
_database: list[Path] = []


def opened_database(path: Path) -> None:
    """Remember the database this command works on."""
    _database[:] = [path]


def current_lang() -> str:
    """The language of the running command: its own ``--lang``, a parent's (``inspector --lang zh …``), then
    ``INSPECTOR_LANG``, then the locale."""
    from typer._click.globals import get_current_context  # typer vendors click; no public alias

    from inspector.cli.report_lang import resolve_lang

    context = get_current_context(silent=True)
    while context is not None:
        found = normalise_lang(context.params.get("lang"))
        if found:
            return found
        context = context.parent
    return resolve_lang(None)


def database_problem(exc: BaseException, lang: str) -> str | None:
    """The sentence for a database error SQLite raised (locked, full disk, read-only, damaged), else ``None``."""
    original = getattr(exc, "orig", None) or exc
    if not isinstance(original, sqlite3.Error):
        return None
    path = _database[0] if _database else ""  # the server's database: no laptop file to name
    kind = sqlite_problem(original)
    if kind is None:
        return _squeezed(t("db.nothing_saved", lang, problem=t("db.other", lang, path=path, reason=original)))
    return _squeezed(t("db.nothing_saved", lang, problem=t(f"db.{kind}", lang, path=path)))


def _squeezed(text: str) -> str:
    return text.replace("  ", " ")  # "the database  is" when no path is known


def error_text(exc: InspectorError, lang: str) -> str:
    """A domain error's message in ``lang``, whichever way its class carries the two languages."""
    localized = getattr(exc, "localized", None)
    if callable(localized):
        return str(localized(lang))
    return exc.text(lang)
