"""``inspector awards`` (evaluate, explain, record, export), ``inspector awards rules import`` and
``inspector awards decisions``, and ``inspector quality import``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from inspector.cli.common import DbOption, console, err_console, fail, open_db, write_failed
from inspector.cli.problems import error_text
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.errors import InspectorError

if TYPE_CHECKING:
    from inspector.awards.evaluate import Evaluation

awards_app = typer.Typer(
    help="Award eligibility of a campaign: every criterion's figure, threshold and outcome, ranks and quotas.",
    invoke_without_command=True,
)
rules_app = typer.Typer(help="Award rule files: import a new version for a campaign.")
awards_app.add_typer(rules_app, name="rules")
quality_app = typer.Typer(help="Team quality figures, 6S results and innovation projects.")

CampaignOption = Annotated[str, typer.Option("--campaign", help="The campaign's code, e.g. SPM-2022.")]
FORMATS = ("table", "json", "csv", "xlsx")


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD).", param_hint="--as-of") from None


def _fail_rules(exc: InspectorError, lang: str) -> None:
    fail(error_text(exc, lang), lang=lang)  # rule problems, an unknown campaign: in the user's language


@awards_app.callback()
def awards(
    ctx: typer.Context,
    campaign: Annotated[str | None, typer.Option("--campaign", help="The campaign's code, e.g. SPM-2022.")] = None,
    db: DbOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv or xlsx.")] = "table",
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Evaluate with this rule file instead of the stored rules.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Evaluation date YYYY-MM-DD (default: the rules' date, else the campaign's last day)."
        ),
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="Only this level: team, workshop, unit or innovation.")
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Store the decisions (and the rules' version) and chain an audit entry.")
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="Person code of who records the decisions.")] = None,
    lang: LangOption = None,
) -> None:
    """Evaluate the campaign's awards and explain every decision, criterion by criterion."""
    if ctx.invoked_subcommand is not None:
        return
    language = resolve_lang(lang)
    if campaign is None:
        raise typer.BadParameter("Name the campaign, e.g. --campaign SPM-2022.", param_hint="--campaign")
    if output_format not in FORMATS:
        raise typer.BadParameter(f"{output_format!r} is not one of {', '.join(FORMATS)}.", param_hint="--format")
    if level is not None and level not in ("team", "workshop", "unit", "innovation"):
        raise typer.BadParameter(f"{level!r} is not team, workshop, unit or innovation.", param_hint="--level")
    if output_format == "xlsx" and out is None:
        raise typer.BadParameter("An xlsx export needs --out FILE.xlsx.", param_hint="--out")
    day = _day(as_of)
    from inspector.awards.repository import (
        evaluate_campaign,
        find_campaign,
        load_rules,
        load_rules_file,
        record_evaluation,
    )
    from inspector.i18n import t
    from inspector.models import Person

    store = open_db(db, must_exist=True)
    try:
        with store.session(write=record) as session:
            found = find_campaign(session, campaign)
            loaded = load_rules_file(str(rules), campaign=found) if rules else load_rules(session, campaign=found)
            evaluation = evaluate_campaign(session, campaign_code=campaign, as_of=day, rules=loaded)
            if record:
                actor_id = None
                if by is not None:
                    from sqlmodel import select

                    person = session.exec(select(Person).where(Person.code == by)).first()
                    if person is None:
                        fail(t("awards.no_person", language, code=by), lang=language)
                    actor_id = person.id
                ruleset = record_evaluation(
                    session, evaluation=evaluation, rules_text=loaded.text, actor_id=actor_id, at=datetime.now(UTC)
                )
                session.commit()
                eligible = sum(1 for e in evaluation.entries if e.eligible)
                err_console.print(
                    t(
                        "awards.recorded",
                        language,
                        count=len(evaluation.entries),
                        version=ruleset.version,
                        eligible=eligible,
                    )
                )
    except InspectorError as exc:
        _fail_rules(exc, language)
    finally:
        store.close()
    if level is not None:
        evaluation.entries = [e for e in evaluation.entries if e.level == level]
        evaluation.rules = evaluation.rules.model_copy(
            update={"awards": [a for a in evaluation.rules.awards if a.level == level]}
        )
    _output(evaluation, output_format, out, language)


def _output(evaluation: Evaluation, output_format: str, out: Path | None, lang: str) -> None:
    from inspector.awards.export import to_csv, to_json, to_xlsx, write_csv
    from inspector.i18n import t

    try:
        if output_format == "json":
            text = to_json(evaluation, lang)
            if out is None:
                typer.echo(text)
            else:
                from inspector.output_file import replacing

                with replacing(out) as part:
                    part.write_text(text + "\n", encoding="utf-8")
        elif output_format == "csv":
            text = to_csv(evaluation, lang)
            if out is None:
                typer.echo(text, nl=False)
            else:
                write_csv(text, out)
        elif output_format == "xlsx":
            assert out is not None
            to_xlsx(evaluation, out, lang)
        else:
            _print_table(evaluation, lang)
            return
    except OSError as exc:
        write_failed(out, exc, lang)
    if out is not None:
        err_console.print(escape(t("awards.written", lang, path=out)))


def _print_table(evaluation: Evaluation, lang: str) -> None:
    from rich.table import Table

    from inspector.awards.export import criterion_text
    from inspector.i18n import t

    origin = {
        "stored": f"{t('awards.rules_version', lang)} {evaluation.rules_version}",
        "packaged": t("awards.rules_packaged", lang),
        "file": t("awards.rules_file", lang),
    }[evaluation.rules_origin]
    name = evaluation.campaign_zh if lang == "zh" else (evaluation.campaign_en or evaluation.campaign_zh)
    console.print(
        f"[bold]{name}[/] ({evaluation.campaign_code}) · {t('awards.as_of', lang)} {evaluation.as_of} · {origin}"
    )
    for award in evaluation.rules.awards:
        table = Table(title=award.name(lang), title_justify="left", show_lines=False, expand=False)
        for key in ("rank", "name", "belongs", "eligible", "criteria"):
            table.add_column(t(f"col.{key}", lang), overflow="fold")
        for entry in evaluation.for_award(award.code):
            mark = "[green]✔[/]" if entry.eligible else "[red]✘[/]"
            quota = "" if not entry.within_quota else " ★"
            table.add_row(
                f"{entry.rank}{quota}" if entry.rank else "—",
                entry.subject.name(lang),
                entry.subject.belongs(lang),
                mark,
                "\n".join(criterion_text(c, lang) for c in entry.criteria),
            )
        console.print(table)


@rules_app.command("import")
def import_rules_command(
    file: Annotated[Path, typer.Argument(help="The rule file (TOML).", show_default=False)],
    campaign: CampaignOption,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Store a rule file as the campaign's next version (unchanged content stores nothing)."""
    from inspector.awards.repository import find_campaign, import_rules
    from inspector.awards.rules import read_rules_file
    from inspector.i18n import t

    language = resolve_lang(lang)
    parsed = read_rules_file(file)
    if not parsed.ok:
        fail("\n".join(zh if language == "zh" else en for zh, en in parsed.problems))
    store = open_db(db, must_exist=True)
    try:
        with store.session(write=True) as session:
            found = find_campaign(session, campaign)
            ruleset, created = import_rules(session, campaign=found, text=parsed.text, source=str(file))
            session.commit()
    except InspectorError as exc:
        _fail_rules(exc, language)
    finally:
        store.close()
    key = "rules.imported" if created else "rules.unchanged"
    console.print(escape(t(key, language, code=campaign, version=ruleset.version)))


@awards_app.command("decisions")
def decisions_command(
    campaign: CampaignOption,
    out: Annotated[Path, typer.Option("--out", help="File to write: .xlsx or .csv (UTF-8 with BOM).")],
    only: Annotated[str, typer.Option("--only", help="all, eligible, nominated or final.")] = "nominated",
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Export the recorded nominations or the final decision list for the commendation conference."""
    from inspector.awards.export import write_decisions
    from inspector.awards.repository import find_campaign
    from inspector.awards.views import decision_list
    from inspector.i18n import t

    language = resolve_lang(lang)
    if only not in ("all", "eligible", "nominated", "final"):
        raise typer.BadParameter(f"{only!r} is not all, eligible, nominated or final.", param_hint="--only")
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter("Write a .xlsx or a .csv file.", param_hint="--out")
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            found = find_campaign(session, campaign)
            rows = [r.as_export(language) for r in decision_list(session, campaign_id=found.id, only=only)]
        write_decisions(rows, out, language)
    except InspectorError as exc:
        fail(error_text(exc, language), lang=language)
    except OSError as exc:
        write_failed(out, exc, language)
    finally:
        store.close()
    console.print(escape(t("awards.written", language, path=out)))


@quality_app.command("import")
def quality_import_command(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file of team figures or projects.", show_default=False)],
    campaign: CampaignOption,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Import team quality figures or innovation projects; nothing is imported when any row is wrong.

    Figures: first-pass yield, defect and rework rates, complaints, 6S. Every wrong row is named.
    """
    from inspector.awards.repository import find_campaign
    from inspector.i18n import t
    from inspector.quality_import import import_quality_file

    language = resolve_lang(lang)
    store = open_db(db, must_exist=True)
    try:
        with store.session(write=True) as session:
            found = find_campaign(session, campaign)
            result = import_quality_file(session, path=file, campaign_id=found.id)
            session.commit()
    except InspectorError as exc:  # every wrong row, or an unknown campaign: in the user's language
        fail(error_text(exc, language), lang=language)
    finally:
        store.close()
    console.print(escape(t("qi.imported", language, figures=result.figures, projects=result.projects, code=campaign)))
