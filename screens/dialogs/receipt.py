"""The receipt shown after sign-off: a QR code the team leader photographs, and what it vouches for.

``inspector verify <text>`` later says whether the stored inspection still matches it.
"""

from __future__ import annotations

import uuid

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static
from textual.worker import Worker, WorkerState

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.receipt import ReceiptView, receipt_view
from screens.base import InspectorDialog
from screens.widgets.qr_code import QrCode


class ReceiptDialog(InspectorDialog[None]):
    """Shows the receipt of a signed inspection. Give it the inspection id (it loads the receipt in a worker) or an
    already loaded :class:`ReceiptView`."""

    DEFAULT_CSS = """
    ReceiptDialog {
        align: center middle;
        #receipt-box { width: 78; max-width: 100%; height: auto; border: thick $success; background: $surface;
                       padding: 0 1; }
        #receipt-qr-slot { width: 35; height: 17; align: center middle; }
        #receipt-side { width: 1fr; height: auto; padding: 0 0 0 1; }
        #receipt-title { text-style: bold; color: $success; }
        #receipt-place { margin-top: 1; }
        #receipt-hint { margin-top: 1; color: $text-muted; }
        #receipt-close { margin-top: 1; }
    }
    """

    def __init__(self, inspection_id: uuid.UUID | None = None, *, view: ReceiptView | None = None) -> None:
        if view is not None:
            inspection_id = view.inspection_id
        if inspection_id is None:
            raise ValueError("give the inspection id or its receipt view")
        super().__init__()
        self.inspection_id: uuid.UUID = inspection_id
        self.view = view

    def compose(self) -> ComposeResult:
        with Horizontal(id="receipt-box"):
            with Vertical(id="receipt-qr-slot"):
                if self.view is not None:
                    yield QrCode(self.view.text, id="receipt-qr")
            with Vertical(id="receipt-side"):
                yield Label("", id="receipt-title")
                yield Static("", id="receipt-place", classes="receipt-fact")
                yield Static("", id="receipt-signer", classes="receipt-fact")
                yield Static("", id="receipt-hash", classes="receipt-fact")
                yield Static("", id="receipt-hint", markup=False)
                yield Button("", id="receipt-close", variant="success")

    def on_mount(self) -> None:
        super().on_mount()
        if self.view is None:
            self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="receipt")
    def _load(self) -> None:
        view = self.inspector.in_session(lambda session: receipt_view(session, self.inspection_id), commit=False)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: ReceiptView) -> None:
        self.view = view
        self.query_one("#receipt-qr-slot", Vertical).mount(QrCode(view.text, id="receipt-qr"))
        self.apply_language()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.inspector.report_failure(event.worker.error)
            self.dismiss(None)

    def apply_language(self) -> None:
        super().apply_language()
        self.query_one("#receipt-title", Label).update(self.tr("receipt.title"))
        self.query_one("#receipt-close", Button).label = self.tr("receipt.close")
        # the instruction is shown in both languages: the team leader may not read the inspector's
        zh, en = _both("receipt.hint")
        self.query_one("#receipt-hint", Static).update(f"{zh}\n{en}")
        view = self.view
        if view is None:
            return
        place = view.place_zh if self.lang == "zh" else view.place_en
        signer = view.signer_zh if self.lang == "zh" else view.signer_en
        when = self.inspector.format_time(view.signed_at)
        score = f"{view.score_percent:.1f}" if view.score_percent is not None else "—"
        grade = self.tr(f"rpt.grade.{view.grade}") if view.grade else ""
        self.query_one("#receipt-place", Static).update(
            f"{self.tr('receipt.inspection')}: {place}\n{self.tr('report.score')}: {score} {grade}"
        )
        self.query_one("#receipt-signer", Static).update(
            f"{self.tr('receipt.signer')}: {signer} ({view.signer_code})\n{when}"
        )
        self.query_one("#receipt-hash", Static).update(f"{self.tr('receipt.hash')}: {view.hash_prefix[:16]}…")

    @on(Button.Pressed, "#receipt-close")
    def close_receipt(self) -> None:
        self.dismiss(None)


def _both(key: str) -> tuple[str, str]:
    from inspector.i18n import t

    return t(key, "zh"), t(key, "en")
