"""Options and output helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from inspector.config import load_settings
from inspector.errors import InspectorError
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


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` as an error and exit with ``code``."""
    err_console.print(f"[bold red]Error:[/] {message}")
    sys.exit(code)


def open_db(db: Path | None) -> Store:
    """Open the database named by ``--db`` / ``INSPECTOR_DB`` / the default, failing with a clear message."""
    settings = load_settings(db)
    try:
        return open_store(settings.db)
    except InspectorError as exc:
        fail(exc.message)


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
