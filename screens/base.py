"""What every screen of the app shares: bilingual bindings, database work in thread workers, and the one handler
that turns a failed worker into a message for the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from inspector.i18n import t

if TYPE_CHECKING:
    from inspector.store import StoreSession
    from screens.app import InspectorApp

R = TypeVar("R")
ScreenResultType = TypeVar("ScreenResultType")


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Rewrite the descriptions of ``node``'s bindings in ``lang``: a binding's id names its catalogue key
    (``bind.<id>``), so the footer and the command palette follow the language."""
    rebuilt: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        rebuilt[key] = [
            replace(b, description=t(f"bind.{b.id}", lang))
            if b.id
            else replace(b, description=t("bind.app.palette", lang))
            if b.action in ("command_palette", "app.command_palette")
            else b
            for b in bindings
        ]
    node._bindings = BindingsMap.from_keys(rebuilt)


class LocalizedMixin:
    """Screens and dialogs re-label themselves when the language changes (:meth:`apply_language`)."""

    applied_lang: str | None = None
    #: Set while mounting: the ScreenResume that follows every mount refreshes the bindings (and so recomposes the
    #: footer) anyway, and refreshing them here as well would compose the footer twice before the first frame.
    _mounting: bool = False

    @property
    def inspector(self) -> InspectorApp:
        return cast("InspectorApp", cast(Any, self).app)

    @property
    def lang(self) -> str:
        return self.inspector.lang

    def tr(self, key: str, /, **values: object) -> str:
        return t(key, self.lang, **values)

    def apply_language(self) -> None:
        """Set every visible text in the current language (screens extend it)."""
        node = cast(DOMNode, self)
        localize_bindings(node, self.lang)
        self.applied_lang = self.lang
        if not self._mounting:
            node.refresh_bindings()

    def _apply_language_on_mount(self) -> None:
        self._mounting = True
        try:
            self.apply_language()
        finally:
            self._mounting = False


class InspectorScreen(LocalizedMixin, Screen[ScreenResultType]):
    """A full screen of the app."""

    def on_mount(self) -> None:
        self._apply_language_on_mount()
        if self.inspector.store is not None:
            self.store_ready()

    def on_screen_resume(self) -> None:
        if self.applied_lang != self.lang:
            self.apply_language()

    @property
    def is_open(self) -> bool:
        """Whether the screen is still on one of the app's screen stacks (its mode's or another's): a popped screen
        is removed a piece at a time, and while it is, its widgets may already be gone."""
        return any(self in stack for stack in self.app._screen_stacks.values())

    def store_ready(self) -> None:
        """Called once the database is open (at mount when it already is): load the screen's data."""

    def run_db(self, job: Callable[[StoreSession], R], done: Callable[[R], object] | None = None) -> None:
        """Run ``job`` in a session on the app's database thread and hand its result to ``done`` on the UI thread.

        Reads go through the same ordered queue as writes, so a screen always reads what was saved before it. The
        job always runs (a write must reach the disk); ``done`` is skipped when the screen has been closed meanwhile
        (a walk popped on the way home after sign-off has no table left to fill).
        """
        if done is None:
            self.inspector.write(job)
            return

        def shown(result: R) -> object:
            return done(result) if self.is_open else None

        self.inspector.write(job, shown)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.inspector.report_failure(event.worker.error)


class InspectorDialog(LocalizedMixin, ModalScreen[ScreenResultType]):
    """A modal dialog; Escape cancels (dismisses with ``None``)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "bind.dialog.cancel", id="dialog.cancel")]

    def on_mount(self) -> None:
        self.apply_language()

    def action_cancel(self) -> None:
        self.dismiss(None)
