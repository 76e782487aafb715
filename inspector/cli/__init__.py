"""The ``inspector`` command line. ``inspector`` alone opens the app; subcommands do everything else headless.

This is the one package of ``inspector`` that may reach the UI and network packages. Opening the app is what an
inspector does every morning, so ``inspector [--db PATH] [--lang zh|en]`` goes straight to the app without loading
the command tree (its subcommands import the database stack and more; the app opens the database after its first
frame). Anything else — a subcommand, ``--help``, an unknown option — is the typer command tree in
:mod:`inspector.cli.commands`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

#: The root's own options (``inspector --db X --lang zh``), each taking one value.
APP_OPTIONS = ("--db", "--lang")


def app_only(args: list[str]) -> dict[str, str] | None:
    """The root options when ``args`` only opens the app (``--db``/``--lang`` with their values), else ``None``."""
    found: dict[str, str] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, equals, value = token.partition("=")
        if name not in APP_OPTIONS or name in found:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None  # a missing value: the command tree says what is wrong
            value = rest.pop(0)
        found[name] = value
    return found


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: every user-facing error becomes a clear message and exit code 1, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    options = app_only(args)
    if options is None:
        from inspector.cli.commands import main as run_command

        run_command(args)
        return
    try:
        from screens.app import run_app

        db = options.get("--db")
        run_app(db=Path(db) if db else None, lang=options.get("--lang"))
    except (Exception, KeyboardInterrupt) as exc:
        from inspector.cli.commands import report_failure

        report_failure(exc, args)


def __getattr__(name: str) -> Any:
    """``inspector.cli.app``: the typer command tree, loaded when first asked for."""
    if name == "app":
        from inspector.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "app_only", "main"]
