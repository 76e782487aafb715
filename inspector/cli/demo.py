"""``inspector demo``: create the demo group (idempotently)."""

from __future__ import annotations

from typing import Annotated

import typer

from inspector.cli.common import DbOption, console, open_db


def demo_command(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated history (same seed, same data).")] = 2022,
) -> None:
    """Create the demo aluminium group: units, workshops, teams, people, both campaigns, checklists and a month
    of past inspections, findings and rectifications. Running it again changes nothing."""
    from inspector.demo import create_demo

    store = open_db(db)
    try:
        with store.session(skip_outbox=True) as session:
            summary = create_demo(session, seed=seed)
            session.commit()
    finally:
        store.close()
    console.print(summary.describe())
    console.print(f"Database: {store.path}")
