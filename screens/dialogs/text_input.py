"""One line of text: a measurement, a note, a photo path, an item code, an amendment reason.

``validate`` returns an error message (shown in the dialog, which stays open) or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from screens.base import InspectorDialog


class TextInputDialog(InspectorDialog[str]):
    """Returns the entered text (``None`` when cancelled)."""

    DEFAULT_CSS = """
    TextInputDialog {
        align: center middle;
        #input-box { width: 80%; max-width: 90; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
        #input-prompt { width: 100%; padding: 0 0 1 0; }  /* wraps: a measurement's unit and limits end it */
        #input-error { width: 100%; color: $error; height: auto; }
    }
    """

    def __init__(
        self,
        prompt: str,
        value: str = "",
        *,
        validate: Callable[[str], str | None] | None = None,
        allow_empty: bool = True,
    ) -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value
        self.validate = validate
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(id="input-box"):
            yield Label(self.prompt, id="input-prompt", markup=False)
            yield Input(self.value, id="input-value")
            yield Label("", id="input-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#input-value", Input).focus()

    @on(Input.Submitted, "#input-value")
    def _submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = None
        if not text and not self.allow_empty:
            error = self.prompt
        elif self.validate is not None:
            error = self.validate(text)
        if error:
            self.query_one("#input-error", Label).update(error)
            return
        self.dismiss(text)
