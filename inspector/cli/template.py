"""``inspector template check|import FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import ChecklistSpec, ReadResult
from inspector.cli.common import DbOption, console, err_console, fail, open_db
from inspector.cli.problems import database_problem
from inspector.config import load_settings
from inspector.i18n import locale_lang, normalise_lang, register, t

register(
    {
        "cli.template.section": ("部分", "Section"),
        "cli.template.items": ("检查项", "Items"),
        "cli.template.points": ("分值", "Points"),
        "cli.template.veto": ("一票否决", "Veto"),
        "cli.template.major": ("重大隐患", "Always major"),
        "cli.template.code": ("编号", "Code"),
        "cli.template.kind": ("类型", "Kind"),
        "cli.template.text": ("检查内容", "Item"),
        "cli.template.rule": ("扣分", "Deduction"),
        "cli.template.summary": (
            "{sections} 个部分，{items} 个检查项，总分 {points}（内容摘要 {digest}）。",
            "{sections} sections, {items} items, {points} points in all (content hash {digest}).",
        ),
        "cli.template.skipped_label": ("已跳过", "Skipped"),
        "cli.template.error_label": ("错误", "Error"),
        "cli.template.skipped_count": (
            "{count} 处内容无法成为检查项，已跳过（见上）。",
            "{count} construct(s) could not become checklist items and were skipped (listed above).",
        ),
        "cli.template.failed": (
            "{file} 中有 {count} 个问题；没有导入任何内容。",
            "{count} problem(s) in {file}; nothing was imported.",
        ),
        "cli.template.imported": ("已导入 {code}，版本 {version}。", "Imported {code} as version {version}."),
        "cli.template.unchanged": (
            "{code} 的版本 {version} 内容相同；没有改动。",
            "{code} version {version} already has this content; nothing changed.",
        ),
        "cli.template.store_failed": ("无法保存检查表：{reason}", "cannot store the checklist: {reason}"),
    }
)

template_app = typer.Typer(help="Check and import checklist templates (TOML/YAML, XLSX/CSV sheets, XLSForm).")

FileArg = Annotated[Path, typer.Argument(help="The checklist file.", show_default=False)]
CodeOption = Annotated[
    str | None, typer.Option("--code", help="Checklist code (default: the file's meta sheet, then its name).")
]
NameZhOption = Annotated[str | None, typer.Option("--name-zh", help="Chinese name (overrides the file).")]
NameEnOption = Annotated[str | None, typer.Option("--name-en", help="English name (overrides the file).")]
CategoryOption = Annotated[str | None, typer.Option("--category", help="Category: safety, 6s, quality, …")]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Output language: zh or en (default: INSPECTOR_LANG, locale).")
]
ItemsOption = Annotated[bool, typer.Option("--items", help="List every item, not only the sections.")]


def _lang(value: str | None) -> str:
    return normalise_lang(value) or normalise_lang(load_settings().lang) or locale_lang()


def _flag_count(count: int) -> str:
    return str(count) if count else "-"


def _print_spec(spec: ChecklistSpec, lang: str, items: bool) -> None:
    name = spec.name_zh if lang == "zh" and spec.name_zh else spec.name_en or spec.name_zh
    table = Table(title=escape(f"{spec.code} — {name}"))
    for key, justify in (
        ("section", "left"),
        ("items", "right"),
        ("points", "right"),
        ("veto", "right"),
        ("major", "right"),
    ):
        table.add_column(t(f"cli.template.{key}", lang), justify="left" if justify == "left" else "right")
    for section in spec.sections:
        title = section.title_zh if lang == "zh" and section.title_zh else section.title_en or section.title_zh
        weight = f" (×{section.weight:g})" if section.weight is not None else ""
        table.add_row(
            escape(f"{section.code} {title}{weight}"),
            str(len(section.items)),
            f"{sum(ChecklistSpec.item_points(i) for i in section.items):g}",
            _flag_count(sum(1 for i in section.items if i.veto)),
            _flag_count(sum(1 for i in section.items if i.always_major)),
        )
    console.print(table)
    if items:
        listing = Table(show_lines=False)
        for key in ("code", "kind", "text", "points", "rule", "veto", "major"):
            listing.add_column(t(f"cli.template.{key}", lang))
        for item in spec.items:
            text = item.text_zh if lang == "zh" and item.text_zh else item.text_en or item.text_zh
            rule = f"{item.deduction_per_occurrence:g}/×" if item.deduction_per_occurrence else ""
            listing.add_row(
                escape(item.code),
                item.kind.value
                + (f" 0–{item.max_score}" if item.max_score else "")
                + _limits(item.lower_limit, item.upper_limit, item.unit),
                escape(text),
                f"{ChecklistSpec.item_points(item):g}",
                rule,
                "✓" if item.veto else "",
                "✓" if item.always_major else "",
            )
        console.print(listing)
    console.print(
        t(
            "cli.template.summary",
            lang,
            sections=len(spec.sections),
            items=len(spec.items),
            points=f"{spec.points_total:g}",
            digest=spec.content_hash()[:12],
        )
    )


def _limits(lower: float | None, upper: float | None, unit: str) -> str:
    if lower is None and upper is None:
        return ""
    low = "…" if lower is None else f"{lower:g}"
    high = "…" if upper is None else f"{upper:g}"
    return f" [{low}–{high}{(' ' + unit) if unit else ''}]"


def _report(result: ReadResult, lang: str, items: bool) -> None:
    colon = "：" if lang == "zh" else ": "
    for found in result.skipped:
        err_console.print(f"[yellow]{t('cli.template.skipped_label', lang)}{colon}[/]{escape(found.text(lang))}")
    for found in result.errors:
        err_console.print(f"[bold red]{t('cli.template.error_label', lang)}{colon}[/]{escape(found.text(lang))}")
    if result.spec is not None and not result.errors:
        _print_spec(result.spec, lang, items)
        if result.skipped:
            console.print(t("cli.template.skipped_count", lang, count=len(result.skipped)))


def _read(file: Path, code: str | None, name_zh: str | None, name_en: str | None, category: str | None) -> ReadResult:
    return read_checklist(file, ChecklistMeta(code=code, name_zh=name_zh, name_en=name_en, category=category))


@template_app.command("check")
def check(
    file: FileArg,
    code: CodeOption = None,
    name_zh: NameZhOption = None,
    name_en: NameEnOption = None,
    category: CategoryOption = None,
    lang: LangOption = None,
    items: ItemsOption = False,
) -> None:
    """Validate a checklist file and print what it contains, or every problem with where it is (exit code 1)."""
    language = _lang(lang)
    result = _read(file, code, name_zh, name_en, category)
    _report(result, language, items)
    if not result.ok:
        err_console.print(escape(t("cli.template.failed", language, file=file, count=len(result.errors))))
        raise typer.Exit(1)


@template_app.command("import")
def import_(
    file: FileArg,
    db: DbOption = None,
    code: CodeOption = None,
    name_zh: NameZhOption = None,
    name_en: NameEnOption = None,
    category: CategoryOption = None,
    lang: LangOption = None,
) -> None:
    """Store a checklist file as a new template version (identical content is not stored twice)."""
    from sqlalchemy.exc import SQLAlchemyError

    from inspector.checklists.repository import store_checklist

    language = _lang(lang)
    result = _read(file, code, name_zh, name_en, category)
    _report(result, language, items=False)
    if not result.ok or result.spec is None:
        err_console.print(escape(t("cli.template.failed", language, file=file, count=len(result.errors))))
        raise typer.Exit(1)
    store = open_db(db)
    try:
        with store.session(write=True) as session:
            version, created = store_checklist(session, spec=result.spec, source=file.name)
            session.commit()
            number = version.version
    except SQLAlchemyError as exc:  # locked by the app, a full disk: said plainly, nothing stored
        reason = database_problem(exc, language) or str(getattr(exc, "orig", None) or exc)
        fail(t("cli.template.store_failed", language, reason=reason), lang=language)
    finally:
        store.close()
    key = "cli.template.imported" if created else "cli.template.unchanged"
    console.print(escape(t(key, language, code=result.spec.code, version=number)))
