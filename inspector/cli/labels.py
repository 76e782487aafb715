"""``inspector labels``: print QR label sheets for checkpoints (or workshops)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from inspector.cli.common import DbOption, console, fail, open_db, write_failed
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.errors import InspectorError
from inspector.i18n import t
from inspector.reports.errors import localized


def labels_command(
    out: Annotated[
        Path, typer.Option("--out", help="File to write: .pdf (A4 label sheets), .svg or .png (one file per sheet).")
    ],
    db: DbOption = None,
    unit: Annotated[str | None, typer.Option(help="Only this unit (its code).", show_default=False)] = None,
    workshop: Annotated[
        str | None, typer.Option(help="Only this workshop (its code, or UNIT/WORKSHOP).", show_default=False)
    ] = None,
    per: Annotated[str, typer.Option(help="One label per checkpoint, or per workshop.")] = "checkpoint",
    lang: LangOption = None,
) -> None:
    """Print sheets of QR labels, one per checkpoint or workshop, with the bilingual name and code under each.

    A4, 6 per sheet: 99.1 × 93.1 mm stock such as Avery L7166.
    """
    import inspector.messages.reports  # noqa: F401  (registers the texts)
    from inspector.labels import A4_6_UP, collect_labels, output_format, write_labels

    language = resolve_lang(lang)
    try:
        output_format(out)
    except InspectorError as exc:
        fail(localized(exc, language))
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            labels = collect_labels(session, unit=unit, workshop=workshop, per=per)
        written = write_labels(labels, out)
    except InspectorError as exc:
        fail(localized(exc, language))
    except OSError as exc:
        write_failed(out, exc, language)
    finally:
        store.close()
    sheets = (len(labels) + A4_6_UP.per_sheet - 1) // A4_6_UP.per_sheet
    console.print(
        escape(
            t("labels.written", language, count=len(labels), sheets=sheets, files=", ".join(str(p) for p in written))
        )
    )
