"""A yes/no question (acknowledge, sign off)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.base import InspectorDialog


class ConfirmDialog(InspectorDialog[bool]):
    """Returns ``True`` when confirmed (Enter on Yes, or ``y``), ``False`` on No (or ``n``), ``None`` on Esc.

    Each button names its key: a gloved hand presses the letter, it does not tab to a button."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        #confirm-box { width: 70; max-width: 95%; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
        #confirm-buttons { height: auto; margin-top: 1; align-horizontal: center; }
        #confirm-buttons Button { margin: 0 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "bind.dialog.cancel", id="dialog.cancel"),
        Binding("y", "confirm", "bind.dialog.ok", id="dialog.ok"),
        Binding("n", "deny", "bind.dialog.no", id="dialog.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("", id="confirm-yes", variant="success")
                yield Button("", id="confirm-no", variant="default")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm-yes", Button).focus()

    def apply_language(self) -> None:
        super().apply_language()
        self.query_one("#confirm-yes", Button).label = f"{self.tr('dialog.yes')} (y)"
        self.query_one("#confirm-no", Button).label = f"{self.tr('dialog.no')} (n)"

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_deny(self) -> None:
        self.dismiss(False)
