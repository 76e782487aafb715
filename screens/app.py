"""The inspector's Textual app: modes, global bindings, themes, the database opened in a worker, ordered writes,
the QR scanner and the one place failures become messages.

``create_app`` builds the app for the command line (:func:`run_app`) and for the tests alike. Other areas add a
screen with one line in :attr:`InspectorApp.MODES` (and its ``mode.<name>`` catalogue entry).
"""

from __future__ import annotations

import os
import queue
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import Notify
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

import screens.messages  # noqa: F401  (registers the catalogues)
import sync.messages  # noqa: F401  (registers the sync catalogue: the palette names the conflicts mode with it)
from inspector.errors import InspectorError, StoreError
from inspector.i18n import locale_lang, normalise_lang, t
from screens.base import localize_bindings
from screens.home import HomeScreen
from screens.scanner import ScanBuffer
from screens.themes import DEFAULT_THEME, HIGH_CONTRAST, HIGH_CONTRAST_THEME

if TYPE_CHECKING:
    from inspector.store import Store, StoreSession
    from inspector.walk_views import CampaignView, PersonView

R = TypeVar("R")
Clock = Callable[[], datetime]


def lazy_screen(module: str, name: str) -> Callable[[], Any]:
    """A mode's screen, imported when the mode is first opened: ``MODES = {"x": lazy_screen("screens.x", "X")}``."""

    def make() -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)()

    return make


def actions_provider() -> type[Any]:
    """The palette's provider, imported when the palette first opens (not before the first frame)."""
    from screens.commands import ActionsProvider

    return ActionsProvider


#: The key that opens each mode from anywhere: F6 inspections, F7 my team, F8 supervisor, F9 sync and conflicts
#: (F5 stays the conflicts screen's "sync now").
MODE_KEYS = {"inspect": "f6", "team": "f7", "supervise": "f8", "conflicts": "f9"}


def system_clock() -> datetime:
    return datetime.now(UTC)


class InspectorApp(App[None]):
    """Home, start, walk, review and sign-off for the inspector; more modes are added by other areas."""

    #: The home screen is the first frame: its sheet (still its own, beside it) is read with the app's, so that
    #: opening it does not re-parse every sheet once more before the first paint.
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "home.tcss"]
    TITLE = "inspector"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[Any]] = {actions_provider}
    #: One line per mode; other modes load their module only when first opened (the first frame stays quick).
    MODES: ClassVar[dict[str, Any]] = {
        "inspect": HomeScreen,
        "conflicts": lazy_screen("screens.conflicts", "ConflictsScreen"),
        "team": lazy_screen("screens.team_leader", "TeamLeaderScreen"),
        "supervise": lazy_screen("screens.supervisor", "SupervisorScreen"),
    }
    DEFAULT_MODE = "inspect"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "toggle_language", "bind.app.lang", id="app.lang"),
        Binding("f3", "toggle_contrast", "bind.app.contrast", id="app.contrast"),
        Binding("ctrl+q", "quit", "bind.app.quit", id="app.quit", priority=True, show=False),
        # One key per mode, from any screen (the palette lists them with their keys; the footer has no room).
        *(Binding(key, f"switch_to('{mode}')", "", show=False) for mode, key in MODE_KEYS.items()),
    ]

    class InspectionSigned(Message):
        """An inspection was signed off (the receipt dialog and sync hook in here)."""

        def __init__(self, inspection_id: Any, content_hash: str) -> None:
            super().__init__()
            self.inspection_id = inspection_id
            self.content_hash = content_hash

    class StoreOpened(Message):
        """The database is open and migrated."""

    def __init__(
        self,
        *,
        db_path: Path | None = None,
        lang: str | None = None,
        clock: Clock | None = None,
        tz: tzinfo | None = None,
        store: Store | None = None,
    ) -> None:
        self.db_path = db_path
        self.explicit_lang = normalise_lang(lang) or normalise_lang(os.environ.get("INSPECTOR_LANG"))
        self.lang = self.explicit_lang or locale_lang()
        self.clock: Clock = clock or system_clock
        self.tz = tz
        self.store: Store | None = store
        self._owns_store = store is None
        self.person: PersonView | None = None
        self.campaign: CampaignView | None = None
        self._closing = False
        self._writer_started = False
        self._writes: queue.Queue[tuple[Callable[[StoreSession], Any], Callable[[Any], object] | None]] = queue.Queue()
        self._scan = ScanBuffer()
        self._scan_timer: Timer | None = None
        super().__init__()
        localize_bindings(self, self.lang)

    # -- start-up -------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = DEFAULT_THEME
        self.title = t("app.title", self.lang)
        if self.store is None:
            # After the first frame: importing and opening the database stack must not delay it.
            self.call_after_refresh(self._open_store_when_drawn)
        else:
            self._start_writer()
            self._after_store(self._read_remembered(self.store))

    def _open_store_when_drawn(self, refreshes: int = 0) -> None:
        """Open the database once the first screen has been drawn whole, its footer's key hints included.

        Importing the database stack in a thread competes with the UI thread for the interpreter lock, so starting
        it before that frame would delay the frame itself. A screen without a footer (or a slow one) waits at most
        a few refreshes."""
        from textual.widgets import Footer

        screen = self.screen
        whole = screen.is_mounted and all(footer.children for footer in screen.query(Footer))
        if whole or refreshes >= 10:
            self.call_after_refresh(self._open_store)  # the refresh that draws it comes first
        else:
            self.call_after_refresh(self._open_store_when_drawn, refreshes + 1)

    @work(thread=True, exit_on_error=False, name="open-store", group="store")
    def _open_store(self) -> None:
        from inspector.config import load_settings
        from inspector.store import open_store

        store = open_store(load_settings(self.db_path).db)
        remembered = self._read_remembered(store)
        self.call_from_thread(self._store_opened, store, remembered)

    @staticmethod
    def _read_remembered(store: Store) -> dict[str, str | None]:
        from inspector.local_settings import get_setting
        from inspector.walk_queries import SETTING_LANG, SETTING_THEME

        with store.session() as session:
            return {"lang": get_setting(session, SETTING_LANG), "theme": get_setting(session, SETTING_THEME)}

    def _store_opened(self, store: Store, remembered: dict[str, str | None]) -> None:
        self.store = store
        self._start_writer()
        self._after_store(remembered)

    def _after_store(self, remembered: dict[str, str | None]) -> None:
        if remembered.get("theme") == HIGH_CONTRAST_THEME:
            self.theme = HIGH_CONTRAST_THEME
        lang = normalise_lang(remembered.get("lang"))
        if self.explicit_lang is None and lang is not None and lang != self.lang:
            self.set_language(lang, remember=False)
        self.post_message(self.StoreOpened())
        from screens.sync_action import install_auto_sync  # not needed before the database is open

        install_auto_sync(self)
        for screen in self.screen_stack:
            ready = getattr(screen, "store_ready", None)
            if callable(ready):
                ready()

    def on_unmount(self) -> None:
        # Every answer queued before quitting reaches the disk before the database closes.
        self._closing = True
        self._drain_writes(timeout=5.0)
        if self._owns_store and self.store is not None:
            self.store.close()

    def _drain_writes(self, timeout: float) -> None:
        """Wait (on the UI thread, which is closing) until the writer has committed every queued write; it no longer
        calls back into the UI meanwhile, so it cannot wait for this thread."""
        if not self._writer_started:
            return
        deadline = time.monotonic() + timeout
        while self._writes.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    # -- database work ---------------------------------------------------------------------------------------

    def in_session(self, job: Callable[[StoreSession], R], *, commit: bool) -> R:
        """Run ``job`` in a fresh session (one unit of work), committing when asked. Called from worker threads."""
        if self.store is None:
            raise StoreError("E_STORE_NOT_READY", t("app.not_ready", self.lang))
        with self.store.session(write=commit) as session:
            result = job(session)
            if commit:
                session.commit()
            return result

    def write(self, job: Callable[[StoreSession], R], done: Callable[[R], object] | None = None) -> None:
        """Queue a write: one transaction, committed durably, in the order the writes were made."""
        self._writes.put((job, done))

    def wait_for_writes(self) -> None:
        """Block until every queued write is committed (tests and benchmarks call it in a thread)."""
        self._writes.join()

    def _start_writer(self) -> None:
        self._writer_started = True
        self.run_worker(self._writer_loop, name="writer", group="writer", thread=True, exit_on_error=False)

    def _writer_loop(self) -> None:
        worker = get_current_worker()
        while True:
            try:
                job, done = self._writes.get(timeout=0.2)
            except queue.Empty:
                if worker.is_cancelled:
                    return
                continue
            try:
                result = self.in_session(job, commit=True)
                if done is not None and not worker.is_cancelled and not self._closing:
                    self.call_from_thread(done, result)
            except Exception as exc:
                if not worker.is_cancelled and not self._closing:
                    self.call_from_thread(self.report_failure, exc)
            finally:
                self._writes.task_done()

    # -- failures ---------------------------------------------------------------------------------------------

    def report_failure(self, error: BaseException) -> None:
        """The one place a failed worker or write becomes a message: never a traceback on screen."""
        if isinstance(error, InspectorError):
            message = error.text(self.lang)
        else:
            self.log.error("".join(traceback.format_exception(error)))
            message = t("app.unexpected", self.lang, detail=f"{type(error).__name__}: {error}")
        self.notify(message, title=t("app.error", self.lang), severity="error", timeout=12)

    def on_notify(self, event: Notify) -> None:
        """A message already on screen is shown once: a key pressed again and again (a letter that does not fit the
        item, by a gloved hand) used to stack a copy per press until the toasts covered the list."""
        new = event.notification
        same = (new.message, new.title, new.severity)
        stale = [n for n in self._notifications if n is not new and (n.message, n.title, n.severity) == same]
        for notification in stale:
            self._unnotify(notification, refresh=False)
        if stale:
            self._refresh_notifications()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        if event.worker.group == "store":
            from inspector.file_errors import os_reason
            from screens.dialogs.message import MessageDialog

            error = event.worker.error
            if isinstance(error, InspectorError):  # the database's own message, in the app's language
                detail = error.text(self.lang)
            elif isinstance(error, OSError):  # a folder that cannot be made: the system's words are English
                detail = os_reason(error, self.lang) + (f" ({error.filename})" if error.filename else "")
            else:
                detail = str(error)
            self.push_screen(MessageDialog(t("app.store_failed", self.lang), detail, quit_on_close=True))
        else:
            self.report_failure(event.worker.error)

    def on_inspector_app_inspection_signed(self, message: InspectionSigned) -> None:
        """Show the receipt QR code the team leader photographs (``inspector verify`` checks it later)."""
        from screens.dialogs.receipt import ReceiptDialog
        from screens.sync_action import start_sync

        self.push_screen(ReceiptDialog(message.inspection_id))
        start_sync(self, quiet=True)  # a signed inspection leaves the laptop as soon as a server can be reached

    # -- language and theme -------------------------------------------------------------------------------------

    def set_language(self, lang: str, *, remember: bool = True) -> None:
        """Switch every screen to ``lang`` (``zh`` or ``en``), and remember it on this laptop."""
        self.lang = lang
        self.title = t("app.title", lang)
        localize_bindings(self, lang)
        for screen in self.screen_stack:
            apply = getattr(screen, "apply_language", None)
            if callable(apply):
                apply()
        self.refresh_bindings()
        if remember and self.store is not None:
            self.remember("ui.lang", lang)

    def remember(self, key: str, value: str) -> None:
        from inspector.local_settings import set_setting

        self.write(lambda session: set_setting(session, key, value))

    async def action_switch_to(self, mode: str) -> None:
        """Open a mode (its screens keep their state); a dialog open on the current screen stays with it."""
        if mode in self.MODES and mode != self.current_mode:
            await self.switch_mode(mode)

    def action_command_palette(self) -> None:
        """The command palette, its search field's hint in the user's language (Textual's is English only)."""
        from textual.command import CommandPalette

        from screens.commands import LocalizedCommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(LocalizedCommandPalette(self.lang))

    def action_help_quit(self) -> None:
        """Ctrl+C: say how to quit, in the user's language (Textual says it in English)."""
        self.notify(t("app.help_quit", self.lang), title=t("app.help_quit_title", self.lang))

    def action_toggle_language(self) -> None:
        self.set_language("en" if self.lang == "zh" else "zh")
        self.notify(t("app.lang_now", self.lang), timeout=3)

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST_THEME else HIGH_CONTRAST_THEME
        on = self.theme == HIGH_CONTRAST_THEME
        self.notify(t("app.contrast_on" if on else "app.contrast_off", self.lang), timeout=3)
        if self.store is not None:
            self.remember("ui.theme", self.theme)

    def format_time(self, value: datetime | None) -> str:
        """A stamp in the laptop's time zone (or the one given to the app), to the minute."""
        if value is None:
            return "—"
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def today(self) -> Any:
        return self.clock().astimezone(self.tz).date()

    # -- the QR scanner -----------------------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            outcome = self._scan.feed(event.key, event.character)
            for held in outcome.replay:
                await super().on_event(events.Key(held.key, held.character))
            self._scan_feedback()
            if outcome.scanned is not None:
                self.handle_scan(outcome.scanned)
            if outcome.consumed:
                return
        await super().on_event(event)

    def _scan_feedback(self) -> None:
        if self._scan_timer is not None:
            self._scan_timer.stop()
            self._scan_timer = None
        if self._scan.scanning:
            self.sub_title = t("scan.reading", self.lang, text=self._scan.text)
        else:
            self.sub_title = ""
            if self._scan.holding:
                # A person typing "I…" into a field: hand the held keys back after a short pause.
                self._scan_timer = self.set_timer(0.5, self._release_held)

    async def _release_held(self) -> None:
        self._scan_timer = None
        for held in self._scan.flush():
            await super().on_event(events.Key(held.key, held.character))

    def _scan_reason(self, reason: str, text: str) -> str:
        for marker, key in (
            ("check digits", "scan.reason.check"),
            ("newer than", "scan.reason.version"),
            ("unknown label type", "scan.reason.kind"),
        ):
            if marker in reason:
                return t(key, self.lang)
        return t("scan.reason.format", self.lang, text=text[:40])

    def handle_scan(self, text: str) -> None:
        """A complete payload was read: open that place's inspection, or say clearly why not."""
        from inspector.labels_payload import PayloadError, decode_label

        try:
            payload = decode_label(text)
        except PayloadError as exc:
            self.notify(t("scan.bad", self.lang, reason=self._scan_reason(str(exc), text)), severity="error", timeout=8)
            return
        from screens.start_flow import open_label

        open_label(self, payload.kind, payload.code)


def create_app(
    db: Path | None = None,
    lang: str | None = None,
    *,
    clock: Clock | None = None,
    tz: tzinfo | None = None,
    store: Store | None = None,
) -> InspectorApp:
    """The app as the command line and the tests build it (``store``: an already open database, for tests)."""
    return InspectorApp(db_path=db, lang=lang, clock=clock, tz=tz, store=store)


def run_app(db: Path | None, lang: str | None) -> None:
    """Open the app on the laptop's database (``inspector`` with no sub-command)."""
    create_app(db, lang).run()


class dev_app(InspectorApp):
    """The app with the default database, for ``make dev``."""
