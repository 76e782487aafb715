"""``inspector demo``: create the demo group (idempotently)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from inspector.cli.common import DbOption, console, open_db
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.i18n import register, t

register({"demo.database": ("数据库：{path}", "Database: {path}")})


def demo_command(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated history (same seed, same data).")] = 2022,
    lang: LangOption = None,
) -> None:
    """Create the demo aluminium group; running it again changes nothing.

    Units, workshops, teams, people, both campaigns, checklists, and a month of inspections and rectifications.
    """
    from inspector.demo import create_demo

    store = open_db(db)
    try:
        with store.session(skip_outbox=True, write=True) as session:
            summary = create_demo(session, seed=seed)
            session.commit()
    finally:
        store.close()
    language = resolve_lang(lang)
    console.print(summary.describe(language))
    console.print(escape(t("demo.database", language, path=store.path)))
