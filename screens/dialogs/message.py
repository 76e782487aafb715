"""A message the user must read (e.g. the database cannot be opened); optionally quits the app on close."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Label, Static

from screens.base import InspectorDialog


class MessageDialog(InspectorDialog[None]):
    DEFAULT_CSS = """
    MessageDialog {
        align: center middle;
        #message-box { width: 70; max-width: 95%; height: auto; padding: 1 2; border: thick $error; background: $surface; }
        #message-title { text-style: bold; color: $error; margin-bottom: 1; }
        #message-close { margin-top: 1; }
    }
    """

    def __init__(self, title: str, body: str, *, quit_on_close: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.quit_on_close = quit_on_close

    def compose(self) -> ComposeResult:
        with Vertical(id="message-box"):
            yield Label(self.title_text, id="message-title")
            yield Static(self.body, id="message-body", markup=False)
            yield Button("", id="message-close", variant="error" if self.quit_on_close else "primary")

    def apply_language(self) -> None:
        super().apply_language()
        self.query_one("#message-close", Button).label = self.tr(
            "app.quit_button" if self.quit_on_close else "dialog.ok"
        )

    @on(Button.Pressed, "#message-close")
    def action_cancel(self) -> None:
        if self.quit_on_close:
            self.app.exit(return_code=1)
        else:
            self.dismiss(None)
