"""The command palette offers every action: each binding active on the current screen (in the current language)
and each mode of the app."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from inspector.i18n import t
from screens.app import MODE_KEYS

if TYPE_CHECKING:
    from screens.app import InspectorApp


class ActionsProvider(Provider):
    """Every key-bound action of the screen the palette was opened from, plus switching between modes."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("InspectorApp", self.app)
        screen = self.screen
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
            if not enabled or binding.action in ("command_palette", "app.command_palette") or not binding.description:
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            label = binding.description
            commands.append((label, app.get_key_display(binding) or key, partial(app.run_action, binding.action, node)))
        for mode in app.MODES:
            if mode == app.current_mode:
                continue
            name = t(f"mode.{mode}", app.lang)
            key = MODE_KEYS.get(mode, "")
            commands.append(
                (t("palette.switch_mode", app.lang, name=name), key.upper(), partial(app.switch_mode, mode))
            )
        return commands

    async def discover(self) -> Hits:
        for label, key, run in self._commands():
            yield DiscoveryHit(label, run, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, key, run in self._commands():
            score = matcher.match(f"{label} {key}")
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help=key)
