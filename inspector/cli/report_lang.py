"""The ``--lang`` option of the report, label and verify commands, and how the language is chosen."""

from __future__ import annotations

from typing import Annotated

import typer

from inspector.config import Settings
from inspector.i18n import locale_lang, normalise_lang

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the output: zh or en (default: INSPECTOR_LANG, then the locale).",
        show_default=False,
    ),
]


def resolve_lang(value: str | None) -> str:
    """``--lang`` if given (zh/en), else ``INSPECTOR_LANG``, else the system locale."""
    if value is not None:
        lang = normalise_lang(value)
        if lang is None:
            raise typer.BadParameter(f"{value!r} is not a language this app speaks (zh or en).", param_hint="--lang")
        return lang
    return normalise_lang(Settings().lang) or locale_lang()
