"""The team leader answers a rectification order: what was done, and the evidence photos (paths)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from screens.base import InspectorDialog


@dataclass(frozen=True)
class OrderAnswer:
    action_taken: str
    evidence_paths: list[str]


def split_paths(text: str) -> list[str]:
    """Paths separated by ``;`` (or new lines), blanks dropped."""
    return [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]


class AnswerOrderDialog(InspectorDialog[OrderAnswer]):
    """Returns the answer (``None`` when cancelled). Missing evidence files are named before the dialog closes."""

    DEFAULT_CSS = """
    AnswerOrderDialog {
        align: center middle;
        #answer-box { width: 90%; max-width: 100; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
        #answer-requirement { width: 100%; padding: 0 0 1 0; color: $text-muted; }  /* wraps, never cut */
        .answer-label { padding: 1 0 0 0; }
        #answer-error { width: 100%; color: $error; height: auto; }
    }
    """

    def __init__(self, requirement: str) -> None:
        super().__init__()
        self.requirement = requirement

    def compose(self) -> ComposeResult:
        with Vertical(id="answer-box"):
            yield Label(self.requirement, id="answer-requirement", markup=False)
            yield Label("", id="answer-action-label", classes="answer-label")
            yield Input(id="answer-action")
            yield Label("", id="answer-evidence-label", classes="answer-label")
            yield Input(id="answer-evidence")
            yield Label("", id="answer-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#answer-action", Input).focus()

    def apply_language(self) -> None:
        super().apply_language()
        self.query_one("#answer-action-label", Label).update(self.tr("team.answer.prompt"))
        self.query_one("#answer-evidence-label", Label).update(self.tr("team.answer.evidence"))

    @on(Input.Submitted, "#answer-action")
    def _next_field(self) -> None:
        self.query_one("#answer-evidence", Input).focus()

    @on(Input.Submitted, "#answer-evidence")
    def _submit(self) -> None:
        action = self.query_one("#answer-action", Input).value.strip()
        paths = split_paths(self.query_one("#answer-evidence", Input).value)
        error = self.query_one("#answer-error", Label)
        if not action:
            error.update(self.tr("err.E_ORDER_ACTION_EMPTY"))
            self.query_one("#answer-action", Input).focus()
            return
        missing = next((p for p in paths if not Path(p).expanduser().is_file()), None)
        if missing is not None:
            error.update(self.tr("err.E_ORDER_EVIDENCE_MISSING", path=missing))
            return
        self.dismiss(OrderAnswer(action, paths))
