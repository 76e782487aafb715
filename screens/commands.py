"""The command palette offers every action: each binding active on the current screen (in the current language)
and each mode of the app."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from inspector.i18n import known_keys, t
from screens.app import MODE_KEYS

if TYPE_CHECKING:
    from screens.app import InspectorApp


class ActionsProvider(Provider):
    """Every key-bound action of the screen the palette was opened from, plus switching between modes."""

    def _commands(self) -> list[tuple[str, str, str, Callable[[], object]]]:
        """(label, key, extra search words, run) of every action offered."""
        app = cast("InspectorApp", self.app)
        screen = self.screen
        commands: list[tuple[str, str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
            if not enabled or binding.action in ("command_palette", "app.command_palette") or not binding.description:
                continue
            if (node is not screen and node is not app) or f"bind.{binding.id}" not in known_keys():
                # Textual's own keys (a list's "Cursor up", the screen's "Focus Next", "Copy selected text"…) have
                # English descriptions only; every key of ours has its catalogue entry.
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            terms_key = f"palette.terms.{binding.id}"
            terms = t(terms_key, app.lang) if binding.id and terms_key in known_keys() else ""
            commands.append(
                (
                    binding.description,
                    app.get_key_display(binding) or key,
                    terms,
                    partial(app.run_action, binding.action, node),
                )
            )
        for mode in app.MODES:
            if mode == app.current_mode:
                continue
            name = t(f"mode.{mode}", app.lang)
            key = MODE_KEYS.get(mode, "")
            commands.append(
                (t("palette.switch_mode", app.lang, name=name), key.upper(), "", partial(app.switch_mode, mode))
            )
        return commands

    async def discover(self) -> Hits:
        for label, key, _terms, run in self._commands():
            yield DiscoveryHit(label, run, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, key, terms, run in self._commands():
            score = max(matcher.match(f"{label} {key}"), matcher.match(terms) * 0.9 if terms else 0)
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help=key)


class LocalizedCommandPalette(CommandPalette):
    """Textual's palette with its words in the user's language: the search hint and "no matches"."""

    def __init__(self, lang: str) -> None:
        super().__init__(id="--command-palette", placeholder=t("palette.placeholder", lang))
        self.lang = lang

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method (textual is pinned), with its hard-coded English "No matches found" translated.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches", self.lang), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
