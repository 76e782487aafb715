"""``inspector template check|import FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from inspector.checklists.reader import read_checklist
from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ReadResult
from inspector.cli.common import DbOption, console, err_console, open_db

template_app = typer.Typer(help="Check and import checklist templates (TOML/YAML, XLSX/CSV sheets, XLSForm).")

FileArg = Annotated[Path, typer.Argument(help="The checklist file.", show_default=False)]


def _report(result: ReadResult) -> None:
    for problem in result.skipped:
        err_console.print(f"[yellow]Skipped:[/] {problem}")
    for problem in result.errors:
        err_console.print(f"[bold red]Error:[/] {problem}")
    spec = result.spec
    if spec is None or result.errors:
        return
    table = Table(title=f"{spec.code} — {spec.name_zh or spec.name_en}", show_lines=False)
    table.add_column("Section")
    table.add_column("Items", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("Veto", justify="right")
    table.add_column("Always major", justify="right")
    for section in spec.sections:
        table.add_row(
            f"{section.code} {section.title_zh or section.title_en}"
            + (f" (×{section.weight:g})" if section.weight is not None else ""),
            str(len(section.items)),
            f"{sum(i.points for i in section.items):g}",
            str(sum(1 for i in section.items if i.veto)),
            str(sum(1 for i in section.items if i.always_major)),
        )
    console.print(table)
    console.print(
        f"{len(spec.sections)} sections, {len(spec.items)} items, {spec.points_total:g} points in all "
        f"(content hash {spec.content_hash()[:12]})."
    )


@template_app.command("check")
def check(file: FileArg) -> None:
    """Validate a checklist file and print what it contains, or every problem with where it is."""
    result = read_checklist(file)
    _report(result)
    if not result.ok:
        err_console.print(f"{len(result.errors)} problem(s) in {file}; nothing was imported.")
        raise typer.Exit(1)


@template_app.command("import")
def import_(file: FileArg, db: DbOption = None) -> None:
    """Store a checklist file as a new template version (identical content is not stored twice)."""
    result = read_checklist(file)
    _report(result)
    if not result.ok or result.spec is None:
        err_console.print(f"{len(result.errors)} problem(s) in {file}; nothing was imported.")
        raise typer.Exit(1)
    store = open_db(db)
    try:
        with store.session() as session:
            version, created = store_checklist(session, spec=result.spec, source=file.name)
            session.commit()
    finally:
        store.close()
    if created:
        console.print(f"Imported {result.spec.code} as version {version.version}.")
    else:
        console.print(f"{result.spec.code} version {version.version} already has this content; nothing changed.")
