"""One call per report, the format chosen by the file name: what ``inspector export`` and the screens both use.

Each function gathers the report in the caller's session and writes ``path`` (``.pdf``, ``.xlsx`` or ``.csv``);
an unknown suffix, campaign or inspection raises an :class:`~inspector.errors.InspectorError` naming it.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from sqlmodel import Session

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.i18n import t
from inspector.reports.campaign import campaign_summary
from inspector.reports.commendation import commendation_list
from inspector.reports.errors import ReportError
from inspector.reports.inspection import load_inspection_report
from inspector.reports.pdf import write_commendation_pdf, write_inspection_pdf, write_summary_pdf
from inspector.reports.tables import write_tables

FORMATS = (".pdf", ".xlsx", ".csv")
#: The reports, by the name the CLI and the screens use.
REPORTS = ("inspection", "summary", "commendation")


class ExportError(ReportError):
    """A report cannot be written as asked."""


def check_format(path: Path, what: str, lang: str = "en") -> str:
    """The lower-case suffix of ``path`` if it is one a report is written as; :class:`ExportError` otherwise."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        what_text = t(f"export.report.{what}", lang) if what in REPORTS else what
        raise ExportError(
            "E_EXPORT_FORMAT", "export.format", what=what_text, formats=", ".join(FORMATS), suffix=path.suffix or "—"
        )
    return suffix


def _write_failed(path: Path, exc: OSError) -> ExportError:
    return ExportError("E_EXPORT_WRITE", "err.write_failed", path=path, reason=exc.strerror or exc)


def export_inspection(session: Session, inspection_id: uuid.UUID, path: Path, *, lang: str = "zh") -> Path:
    """Write the inspection report of ``inspection_id`` to ``path``."""
    suffix = check_format(path, "inspection", lang)
    report = load_inspection_report(session, inspection_id, lang)
    try:
        if suffix == ".pdf":
            write_inspection_pdf(report, path)
        else:
            write_tables(report.tables(), path)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    return path


def export_summary(session: Session, campaign_code: str, path: Path, *, today: date, lang: str = "zh") -> Path:
    """Write the summary of the campaign ``campaign_code`` as of ``today`` to ``path``."""
    suffix = check_format(path, "summary", lang)
    summary = campaign_summary(session, campaign_code, today=today, lang=lang)
    try:
        if suffix == ".pdf":
            write_summary_pdf(summary, path)
        else:
            write_tables(summary.tables(), path)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    return path


def export_commendation(
    session: Session, campaign_code: str, path: Path, *, lang: str = "zh", as_of: date | None = None
) -> Path:
    """Write the commendation list of the campaign ``campaign_code`` to ``path``."""
    suffix = check_format(path, "commendation", lang)
    listing = commendation_list(session, campaign_code, lang=lang, as_of=as_of)
    try:
        if suffix == ".pdf":
            write_commendation_pdf(listing, path)
        else:
            write_tables(listing.tables(), path)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    return path
