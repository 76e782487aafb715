"""Sync conflicts, for a supervisor to settle: both values side by side, who made the device's value and when."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

import sync.messages  # noqa: F401  (registers the catalogue)
from inspector.i18n import known_keys
from screens.base import InspectorScreen
from screens.sync_action import enrol_from_app, start_sync, sync_paths
from screens.widgets.footer import KeyFooter
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from sync.protocol import ConflictOut, Resolution

HIDDEN_FIELDS = frozenset({"id", "created_at", "updated_at", "server_version"})


def describe(payload: dict[str, object], other: dict[str, object]) -> str:
    """The payload's fields, the ones that differ from ``other`` first and marked."""
    keys = [k for k in payload if k not in HIDDEN_FIELDS]
    differ = [k for k in keys if payload.get(k) != other.get(k)]
    same = [k for k in keys if k not in differ]
    lines = [f"[b reverse] {k} [/] {json.dumps(payload.get(k), ensure_ascii=False)}" for k in differ]
    lines += [f"{k}: {json.dumps(payload.get(k), ensure_ascii=False)}" for k in same]
    return "\n".join(lines)


class ConflictsScreen(InspectorScreen[None]):
    """Open conflicts from the server, and those a bundle import kept on this laptop; k keeps the server's (or this
    laptop's) value, d takes the device's."""

    DEFAULT_CSS = """
    ConflictsScreen {
        #conflicts-table { height: 40%; }
        #conflicts-values { height: 1fr; }
        #conflicts-values > Static { width: 1fr; padding: 0 1; border: round $primary; overflow-y: auto; }
        #conflicts-status { height: auto; padding: 0 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "settle('keep_server')", "bind.conflicts.keep", id="conflicts.keep"),
        Binding("d", "settle('take_device')", "bind.conflicts.take", id="conflicts.take"),
        Binding("r", "refresh", "bind.conflicts.reload", id="conflicts.reload"),
        Binding("f5", "sync", "bind.conflicts.sync", id="conflicts.sync"),
        Binding("e", "enrol", "bind.conflicts.enrol", id="conflicts.enrol"),
        # Esc leads home (F6) rather than nowhere.
        Binding("escape", "app.switch_to('inspect')", "bind.conflicts.home", id="conflicts.home", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[ConflictOut] = []
        #: Why the last reading or settling failed, as (error code, message, message in Chinese or ""), kept to be
        #: said again when the language changes (it used to give way to "no conflicts waiting", which was false).
        self.failure: tuple[str, str, str] | None = None
        self._loading = False
        #: How many received changes the server was still applying at the last reading (they may add conflicts).
        self.changes_waiting = 0

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        yield DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="conflicts-values"):
            yield Static(id="conflict-server")
            yield Static(id="conflict-device")
        yield Static(id="conflicts-status")
        yield KeyFooter()

    def apply_language(self) -> None:
        super().apply_language()
        self.sub_title = self.tr("conflicts.title")
        self._show()

    def store_ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._loading = True
        self.query_one("#conflicts-status", Static).update(self.tr("sync.indicator.running"))
        self.run_worker(
            self._load, name="conflicts", group="conflicts", thread=True, exclusive=True, exit_on_error=False
        )

    def action_sync(self) -> None:
        start_sync(self.inspector)

    def action_enrol(self) -> None:
        enrol_from_app(self.inspector)

    def _load(self) -> None:
        from sync.client.http import SyncError
        from sync.client.local_conflicts import open_local_conflicts
        from sync.client.service import NotEnrolled, client_for, require_credentials

        store = self.inspector.store
        local = open_local_conflicts(store) if store is not None else []
        try:
            with client_for(require_credentials(sync_paths()), attempts=2, timeout=15) as client:
                listed = client.conflict_list()
        except (SyncError, NotEnrolled) as exc:
            # the server's conflicts shown before stay on view unless this laptop has its own to show
            self.app.call_from_thread(self._loaded, local or None, (exc.code, exc.message, _message_zh(exc)))
            return
        self.app.call_from_thread(self._loaded, local + listed.conflicts, None, listed.changes_waiting)

    def _loaded(
        self,
        found: list[ConflictOut] | None,
        failure: tuple[str, str, str] | None = None,
        changes_waiting: int | None = None,
    ) -> None:
        if found is not None:
            self.conflicts = found
        if changes_waiting is not None:
            self.changes_waiting = changes_waiting
        self.failure, self._loading = failure, False
        self._show()
        self.refresh_bindings()  # k / d are offered only while there is a conflict to settle

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """k and d leave the footer while there is nothing to settle (they did nothing there)."""
        if action == "settle":
            return bool(self.conflicts)  # False: not shown (None would show it dimmed)
        return True

    @staticmethod
    def _is_local(conflict: ConflictOut) -> bool:
        from sync.client.local_conflicts import LOCAL

        return conflict.status == LOCAL

    def _failed(self, failure: tuple[str, str, str]) -> None:
        self.failure = failure
        self.query_one("#conflicts-status", Static).update(self._status())

    def _failure_text(self, code: str, message: str, message_zh: str) -> str:
        """Why the conflicts could not be read, in the screen's language where the reason has a translation."""
        if code == "E_SYNC_NOT_ENROLLED":
            reason = self.tr("sync.not_enrolled")
        elif f"sync.error.{code}" in known_keys():
            reason = self.tr(f"sync.error.{code}")
        else:
            reason = message_zh if self.lang == "zh" and message_zh else message  # the server's own words
        return self.tr("conflicts.load_failed", reason=reason)

    def _status(self) -> str:
        if self.failure is not None:
            return self._failure_text(*self.failure)
        if self._loading:
            return self.tr("sync.indicator.running")
        status = self.tr("conflicts.empty") if not self.conflicts else self.tr("conflicts.hint")
        if self.changes_waiting:
            status += "\n" + self.tr("conflicts.waiting", count=self.changes_waiting)
        return status

    def _show(self) -> None:
        table = self.query_one("#conflicts-table", DataTable)
        table.clear(columns=True)
        table.add_columns(
            self.tr("conflicts.col.record"), self.tr("conflicts.col.device"), self.tr("conflicts.col.when")
        )
        for conflict in self.conflicts:
            device = conflict.device_name
            if self._is_local(conflict):
                device = f"{device} → {self.tr('conflicts.local')}"
            table.add_row(
                f"{self._entity(conflict.entity)} {str(conflict.record_id)[:8]}",
                device,
                self.inspector.format_time(conflict.received_at),
                key=str(conflict.id),
            )
        self.query_one("#conflicts-status", Static).update(self._status())
        self._show_values(table.cursor_row if self.conflicts else None)

    def _entity(self, entity: str) -> str:
        key = f"sync.entity.{entity}"
        return self.tr(key) if key in known_keys() else entity

    @on(DataTable.RowHighlighted, "#conflicts-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_values(event.cursor_row)

    def _show_values(self, row: int | None) -> None:
        server = self.query_one("#conflict-server", Static)
        device = self.query_one("#conflict-device", Static)
        if row is None or not (0 <= row < len(self.conflicts)):
            server.update("")
            device.update("")
            return
        c = self.conflicts[row]
        title = "conflicts.local_value" if self._is_local(c) else "conflicts.server_value"
        server.update(
            f"[b]{self.tr(title, version=c.server_version)}[/b]\n{describe(c.server_payload, c.device_payload)}"
        )
        when = self.inspector.format_time(c.made_at) if c.made_at else "—"
        head = self.tr("conflicts.device_value", device=c.device_name, person=c.person_code or "—", when=when)
        device.update(f"[b]{head}[/b]\n{describe(c.device_payload, c.server_payload)}")

    def action_settle(self, resolution: str) -> None:
        table = self.query_one("#conflicts-table", DataTable)
        if not self.conflicts or not (0 <= table.cursor_row < len(self.conflicts)):
            return
        conflict = self.conflicts[table.cursor_row]
        from sync.protocol import Resolution

        self.run_worker(
            lambda: self._settle(conflict, Resolution(resolution)),
            name="settle",
            group="conflicts",
            thread=True,
            exit_on_error=False,
        )

    def _settle(self, conflict: ConflictOut, resolution: Resolution) -> None:
        from inspector.errors import InspectorError
        from sync.client.http import SyncError
        from sync.client.local_conflicts import settle_local_conflict
        from sync.client.service import NotEnrolled, client_for, require_credentials
        from sync.protocol import ResolveRequest

        if self._is_local(conflict):
            store = self.inspector.store
            assert store is not None  # local conflicts were read from it
            try:
                settle_local_conflict(store, conflict.id, resolution)
            except InspectorError as exc:
                self.app.call_from_thread(self._failed, (exc.code, exc.message, exc.message_zh or ""))
                return
            self.app.call_from_thread(self.app.notify, self.tr("conflicts.settled"), timeout=4)
            self.app.call_from_thread(self._loaded, [c for c in self.conflicts if c.id != conflict.id])
            return
        try:
            with client_for(require_credentials(sync_paths()), attempts=2, timeout=15) as client:
                client.resolve(conflict.id, ResolveRequest(resolution=resolution))
                listed = client.conflict_list()
        except (SyncError, NotEnrolled) as exc:
            self.app.call_from_thread(self._failed, (exc.code, exc.message, _message_zh(exc)))
            return
        self.app.call_from_thread(self.app.notify, self.tr("conflicts.settled"), timeout=4)
        kept_here = [c for c in self.conflicts if self._is_local(c)]
        self.app.call_from_thread(self._loaded, kept_here + listed.conflicts, None, listed.changes_waiting)


def _message_zh(exc: Exception) -> str:
    """The Chinese message of an error that has one (an :class:`InspectorError` raised with it), else ""."""
    return str(getattr(exc, "message_zh", "") or "")
