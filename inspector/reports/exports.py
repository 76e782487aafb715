"""One call per report, the format chosen by the file name: what ``inspector export`` and the screens both use.

Each function gathers the report in the caller's session and writes ``path`` (``.pdf``, ``.xlsx`` or ``.csv``);
an unknown suffix, campaign or inspection raises an :class:`~inspector.errors.InspectorError` naming it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlmodel import Session

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.file_errors import os_reason
from inspector.i18n import t
from inspector.output_file import replacing
from inspector.reports.campaign import campaign_summary
from inspector.reports.commendation import commendation_list
from inspector.reports.errors import ReportError
from inspector.reports.inspection import load_inspection_report
from inspector.reports.pdf import write_commendation_pdf, write_inspection_pdf, write_summary_pdf
from inspector.reports.tables import Table, write_tables

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


class ExportWriteFailed(ExportError):
    """The report file cannot be written (a full disk, a read-only folder); the reason is worded per language."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.error = error
        super().__init__("E_EXPORT_WRITE", "err.write_failed", path=path, reason=os_reason(error, "en"))

    def localized(self, lang: str) -> str:
        return t(self.key, lang, path=self.values["path"], reason=os_reason(self.error, lang))


def _write(path: Path, suffix: str, write_pdf: Callable[[Path], object], tables: Callable[[], Sequence[Table]]) -> Path:
    """Write a report to ``path`` whole or not at all: ``write_pdf`` for a ``.pdf``, else the ``tables``."""
    try:
        with replacing(path) as part:  # a failed write leaves no damaged report and keeps the previous file
            if suffix == ".pdf":
                write_pdf(part)
            else:
                write_tables(tables(), part)
    except OSError as exc:
        raise ExportWriteFailed(path, exc) from exc
    return path


def export_inspection(session: Session, inspection_id: uuid.UUID, path: Path, *, lang: str = "zh") -> Path:
    """Write the inspection report of ``inspection_id`` to ``path``."""
    suffix = check_format(path, "inspection", lang)
    report = load_inspection_report(session, inspection_id, lang)
    return _write(path, suffix, lambda part: write_inspection_pdf(report, part), report.tables)


def export_summary(session: Session, campaign_code: str, path: Path, *, today: date, lang: str = "zh") -> Path:
    """Write the summary of the campaign ``campaign_code`` as of ``today`` to ``path``."""
    suffix = check_format(path, "summary", lang)
    summary = campaign_summary(session, campaign_code, today=today, lang=lang)
    return _write(path, suffix, lambda part: write_summary_pdf(summary, part), summary.tables)


def export_commendation(
    session: Session, campaign_code: str, path: Path, *, lang: str = "zh", as_of: date | None = None
) -> Path:
    """Write the commendation list of the campaign ``campaign_code`` to ``path``."""
    suffix = check_format(path, "commendation", lang)
    listing = commendation_list(session, campaign_code, lang=lang, as_of=as_of)
    return _write(path, suffix, lambda part: write_commendation_pdf(listing, part), listing.tables)
