"""A filterable list: type part of a name (Chinese or English) or a code, pick with the arrows and Enter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from screens.base import InspectorDialog


@dataclass(frozen=True)
class PickerOption:
    key: str
    label: str
    #: Lower-case text the filter matches (names in both languages, codes).
    search: str


class PickerDialog(InspectorDialog[str]):
    """Returns the chosen option's key (``None`` when cancelled)."""

    DEFAULT_CSS = """
    PickerDialog {
        align: center middle;
        #picker-box { width: 90%; max-width: 100; height: 90%; max-height: 30; border: thick $primary; background: $surface; padding: 0 1; }
        #picker-title { text-style: bold; padding: 0 0 1 0; }
        #picker-list { height: 1fr; }
        #picker-empty { color: $text-muted; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "bind.dialog.cancel", id="dialog.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]

    def __init__(
        self,
        title_key: str,
        options: list[PickerOption],
        *,
        initial_filter: str = "",
        about: Callable[[str], str] | None = None,
    ) -> None:
        """``about(lang)``, when given, names what the choice is for (the scanned place) before the title."""
        super().__init__()
        self.title_key = title_key
        self.options = options
        self.initial_filter = initial_filter
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label("", id="picker-title")
            yield Input(self.initial_filter, id="picker-filter")
            yield Label("", id="picker-empty")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        super().on_mount()
        self._fill(self.initial_filter)
        self.query_one("#picker-filter", Input).focus()

    def apply_language(self) -> None:
        super().apply_language()
        title = escape(self.tr(self.title_key))
        if self.about is not None:
            title = f"{escape(self.about(self.lang))} — {title}"
        self.query_one("#picker-title", Label).update(title)
        self.query_one("#picker-filter", Input).placeholder = self.tr("pick.filter")
        self.query_one("#picker-empty", Label).update(self.tr("pick.none"))

    def _matches(self, text: str) -> list[PickerOption]:
        words = text.lower().split()
        return [o for o in self.options if all(w in o.search for w in words)]

    def _fill(self, text: str) -> None:
        found = self._matches(text)
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options([Option(o.label, id=o.key) for o in found])
        if found:
            options.highlighted = 0
        self.query_one("#picker-empty", Label).display = not found

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _take_highlighted(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _take(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """Arrows move the highlight while the filter keeps the focus, so typing and choosing never conflict."""
        options = self.query_one("#picker-list", OptionList)
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))
