"""Export a report from the screens: the campaign summary, the commendation list or one inspection, as PDF, XLSX
or CSV, to a file the user names. The supervisor's screens open it with, e.g.::

    self.app.push_screen(ExportReportDialog("summary", campaign_code="SPM-2022"))

It writes in a thread worker (:mod:`inspector.reports.exports`) and returns the written path (``None`` if cancelled).
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import ClassVar

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet
from textual.worker import Worker, WorkerState

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.reports.errors import ReportError
from inspector.reports.exports import REPORTS, export_commendation, export_inspection, export_summary
from screens.base import InspectorDialog

FORMATS = (".pdf", ".xlsx", ".csv")


def default_folder() -> Path:
    """Where reports go unless the user says otherwise: ``~/Documents/inspector`` (or ``~/inspector``)."""
    documents = Path.home() / "Documents"
    return (documents if documents.is_dir() else Path.home()) / "inspector"


class ExportReportDialog(InspectorDialog[Path]):
    """Choose the format and the file, then write the report; dismisses with the written path."""

    DEFAULT_CSS = """
    ExportReportDialog {
        align: center middle;
        #export-box { width: 76; max-width: 100%; height: auto; border: thick $primary; background: $surface;
                      padding: 0 1; }
        #export-title { text-style: bold; padding: 0 0 1 0; }
        #export-format { height: auto; width: 100%; layout: horizontal; }
        #export-path-label { margin-top: 1; }
        #export-buttons { height: auto; margin-top: 1; align-horizontal: right; }
        #export-buttons Button { margin-left: 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "bind.dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        report: str,
        *,
        campaign_code: str | None = None,
        inspection_id: uuid.UUID | None = None,
        as_of: date | None = None,
        folder: Path | None = None,
    ) -> None:
        if report not in REPORTS:
            raise ValueError(f"unknown report {report!r}; one of {', '.join(REPORTS)}")
        if report == "inspection" and inspection_id is None:
            raise ValueError("the inspection report needs inspection_id")
        if report != "inspection" and not campaign_code:
            raise ValueError(f"the {report} report needs campaign_code")
        super().__init__()
        self.report = report
        self.campaign_code = campaign_code
        self.inspection_id = inspection_id
        self.as_of = as_of
        self.folder = folder or default_folder()

    def _file_stem(self) -> str:
        if self.report == "inspection" and self.inspection_id is not None:
            return f"inspection-{self.inspection_id.hex[:8]}"
        return f"{self.report}-{self.campaign_code}"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label("", id="export-title")
            with RadioSet(id="export-format"):
                yield RadioButton("PDF", value=True, id="format-pdf")
                yield RadioButton("Excel (XLSX)", id="format-xlsx")
                yield RadioButton("CSV", id="format-csv")
            yield Label("", id="export-path-label")
            yield Input(str(self.folder / f"{self._file_stem()}.pdf"), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("", id="export-cancel")
                yield Button("", id="export-write", variant="primary")

    def apply_language(self) -> None:
        super().apply_language()
        what = self.tr(f"export.report.{self.report}")
        subject = self.campaign_code or (self.inspection_id.hex[:8] if self.inspection_id else "")
        self.query_one("#export-title", Label).update(self.tr("export.title", what=what, subject=subject))
        self.query_one("#export-path-label", Label).update(self.tr("export.path"))
        self.query_one("#export-write", Button).label = self.tr("export.button")
        self.query_one("#export-cancel", Button).label = self.tr("bind.dialog.cancel")

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        suffix = FORMATS[event.index]
        field = self.query_one("#export-path", Input)
        current = Path(field.value.strip() or f"{self._file_stem()}{suffix}")
        field.value = str(current.with_suffix(suffix))

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#export-write")
    @on(Input.Submitted, "#export-path")
    def _write_pressed(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify(self.tr("export.path_empty"), severity="error")
            return
        self.query_one("#export-write", Button).disabled = True
        self._write(Path(text).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, name="export")
    def _write(self, path: Path) -> None:
        lang = self.lang
        app = self.inspector
        today: date = app.today()

        def job(session: Session) -> Path:
            if self.report == "inspection" and self.inspection_id is not None:
                return export_inspection(session, self.inspection_id, path, lang=lang)
            code = self.campaign_code or ""
            if self.report == "summary":
                return export_summary(session, code, path, today=self.as_of or today, lang=lang)
            return export_commendation(session, code, path, lang=lang, as_of=self.as_of)

        written = app.in_session(job, commit=False)
        app.call_from_thread(self._written, written)

    def _written(self, path: Path) -> None:
        self.notify(self.tr("export.written", path=path), timeout=8)
        self.dismiss(path)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.query_one("#export-write", Button).disabled = False
            error = event.worker.error
            if isinstance(error, ReportError):  # worded in both languages: say it in the reader's
                self.notify(error.localized(self.lang), title=self.tr("app.error"), severity="error", timeout=12)
            else:
                self.inspector.report_failure(error)
