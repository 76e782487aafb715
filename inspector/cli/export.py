"""``inspector export inspection|summary|commendation``: the reports a supervisor prints or sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from inspector.cli.common import DbOption, console, fail, open_db
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.errors import InspectorError
from inspector.reports.errors import localized

export_app = typer.Typer(help="Export reports: an inspection, a campaign summary, the commendation list.")

OutOption = Annotated[Path, typer.Option("--out", help="File to write: .pdf, .xlsx or .csv (UTF-8 with BOM).")]
CampaignOption = Annotated[str, typer.Option("--campaign", help="The campaign's code, e.g. SPM-2022.")]


def _parse_day(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD).", param_hint=option) from None


def _done(out: Path, lang: str) -> None:
    from inspector.i18n import t

    console.print(escape(t("export.written", lang, path=out)))  # a path is text, never markup


@export_app.command("inspection")
def export_inspection_command(
    out: OutOption,
    inspection_id: Annotated[
        str | None, typer.Argument(help="The inspection's id (or its first 6+ hex digits).", show_default=False)
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The most recently signed inspection.")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The inspection report: header, score and grade, every item, findings, signatures and the receipt code."""
    from inspector.i18n import t
    from inspector.reports.exports import check_format, export_inspection
    from inspector.reports.inspection import find_inspection_id, latest_inspection_id

    language = resolve_lang(lang)
    try:
        check_format(out, "inspection", language)
    except InspectorError as exc:
        fail(localized(exc, language))
    if (inspection_id is None) == (not latest):
        fail(t("export.need_inspection", language), code=2)
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            wanted = latest_inspection_id(session) if latest else find_inspection_id(session, inspection_id or "")
            export_inspection(session, wanted, out, lang=language)
    except InspectorError as exc:
        fail(localized(exc, language))
    finally:
        store.close()
    _done(out, language)


@export_app.command("summary")
def export_summary_command(
    out: OutOption,
    campaign: CampaignOption,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Count overdue orders as of this day (YYYY-MM-DD; default today).")
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The campaign summary, with the score trend and hazard charts.

    Coverage, scores by level, hazards by grade, rectification status and overdue orders.
    """
    from inspector.reports.exports import check_format, export_summary

    language = resolve_lang(lang)
    today = _parse_day(as_of) or datetime.now(UTC).date()
    try:
        check_format(out, "summary", language)
    except InspectorError as exc:
        fail(localized(exc, language))
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            export_summary(session, campaign, out, today=today, lang=language)
    except InspectorError as exc:
        fail(localized(exc, language))
    finally:
        store.close()
    _done(out, language)


@export_app.command("commendation")
def export_commendation_command(
    out: OutOption,
    campaign: CampaignOption,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Without recorded decisions: evaluate the awards as of this day (YYYY-MM-DD)."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The commendation list for the summary conference.

    The final decisions, else the nominations, else the award rules' evaluation as of --as-of (default: its last day).
    """
    from inspector.reports.exports import check_format, export_commendation

    language = resolve_lang(lang)
    day = _parse_day(as_of)
    try:
        check_format(out, "commendation", language)
    except InspectorError as exc:
        fail(localized(exc, language))
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            export_commendation(session, campaign, out, lang=language, as_of=day)
    except InspectorError as exc:
        fail(localized(exc, language))
    finally:
        store.close()
    _done(out, language)
