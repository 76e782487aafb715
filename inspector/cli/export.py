"""``inspector export inspection|summary|commendation``: the reports a supervisor prints or sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from inspector.cli.common import DbOption, console, fail, open_db
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.errors import InspectorError

export_app = typer.Typer(help="Export reports: an inspection, a campaign summary, the commendation list.")

OutOption = Annotated[Path, typer.Option("--out", help="File to write: .pdf, .xlsx or .csv (UTF-8 with BOM).")]
CampaignOption = Annotated[str, typer.Option("--campaign", help="The campaign's code, e.g. SPM-2022.")]
FORMATS = (".pdf", ".xlsx", ".csv")


def _check_format(out: Path, what: str, lang: str) -> str:
    import inspector.messages.reports  # noqa: F401  (registers the texts)
    from inspector.i18n import t

    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        fail(t("export.format", lang, what=what, formats=", ".join(FORMATS), suffix=out.suffix or "(none)"))
    return suffix


def _done(out: Path, lang: str) -> None:
    from inspector.i18n import t

    console.print(t("export.written", lang, path=out))


@export_app.command("inspection")
def export_inspection(
    out: OutOption,
    inspection_id: Annotated[
        str | None, typer.Argument(help="The inspection's id (or its first 6+ hex digits).", show_default=False)
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The most recently signed inspection.")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The inspection report: header, score and grade, every item, findings, signatures and the receipt code."""
    from inspector.reports.inspection import find_inspection_id, latest_inspection_id, load_inspection_report
    from inspector.reports.pdf import write_inspection_pdf
    from inspector.reports.tables import write_tables

    language = resolve_lang(lang)
    suffix = _check_format(out, "inspection", language)
    if (inspection_id is None) == (not latest):
        from inspector.i18n import t

        fail(t("export.need_inspection", language), code=2)
    store = open_db(db)
    try:
        with store.session() as session:
            wanted = latest_inspection_id(session) if latest else find_inspection_id(session, inspection_id or "")
            report = load_inspection_report(session, wanted, language)
        if suffix == ".pdf":
            write_inspection_pdf(report, out)
        else:
            write_tables(report.tables(), out)
    except InspectorError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    finally:
        store.close()
    _done(out, language)


def _parse_day(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD).", param_hint="--as-of") from None


@export_app.command("summary")
def export_summary(
    out: OutOption,
    campaign: CampaignOption,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Count overdue orders as of this day (YYYY-MM-DD; default today).")
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The campaign summary: coverage, scores by level, hazards by grade, rectification status, overdue orders."""
    from inspector.reports.campaign import campaign_summary
    from inspector.reports.pdf import write_summary_pdf
    from inspector.reports.tables import write_tables

    language = resolve_lang(lang)
    suffix = _check_format(out, "summary", language)
    today = _parse_day(as_of)
    store = open_db(db)
    try:
        with store.session() as session:
            summary = campaign_summary(session, campaign, today=today, lang=language)
        if suffix == ".pdf":
            write_summary_pdf(summary, out)
        else:
            write_tables(summary.tables(), out)
    except InspectorError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    finally:
        store.close()
    _done(out, language)


@export_app.command("commendation")
def export_commendation(
    out: OutOption,
    campaign: CampaignOption,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Without recorded decisions: evaluate the awards as of this day (YYYY-MM-DD)."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The commendation list for the summary conference: the final decisions, else the nominations, else the award
    rules' evaluation (as of --as-of, default the campaign's last day)."""
    from inspector.reports.commendation import commendation_list
    from inspector.reports.pdf import write_commendation_pdf
    from inspector.reports.tables import write_tables

    language = resolve_lang(lang)
    suffix = _check_format(out, "commendation", language)
    if as_of is not None:
        _parse_day(as_of)
    store = open_db(db)
    try:
        with store.session() as session:
            listing = commendation_list(
                session, campaign, lang=language, as_of=date.fromisoformat(as_of) if as_of else None
            )
        if suffix == ".pdf":
            write_commendation_pdf(listing, out)
        else:
            write_tables(listing.tables(), out)
    except InspectorError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    finally:
        store.close()
    _done(out, language)
