"""The app's sync: one thread worker at a time, never blocking a keypress, reporting pushed/pulled/conflicts/errors.

``start_sync(app)`` runs a sync now (F5 on the conflicts screen, after a sign-off, or from the palette);
``install_auto_sync(app)`` also tries every few minutes while the app is open: an unreachable server or a captive
portal is simply "offline" and the outbox waits. Network and database work happen in the worker thread; the UI is
touched only through ``call_from_thread``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import get_current_worker

import sync.messages  # noqa: F401  (registers the catalogue)
from inspector.i18n import t

if TYPE_CHECKING:
    from screens.app import InspectorApp
    from sync.client.engine import SyncReport
    from sync.client.service import SyncPaths

AUTO_SYNC_SECONDS = 300.0


def sync_paths() -> SyncPaths:
    """Where this laptop keeps its device token and attachments (``INSPECTOR_DATA_DIR``)."""
    from inspector.config import load_settings
    from sync.client.service import SyncPaths

    return SyncPaths(load_settings().data_dir)


def parse_enrolment(text: str) -> tuple[str, str] | None:
    """``URL CODE`` as typed, or the QR code printed by ``inspector server enroll`` (``inspector-enrol:URL#CODE``)."""
    text = text.strip()
    if text.startswith("inspector-enrol:"):
        url, _, code = text.removeprefix("inspector-enrol:").partition("#")
    else:
        url, _, code = text.partition(" ")
    url, code = url.strip(), code.strip()
    if not url.startswith(("http://", "https://")) or len(code) < 4:
        return None
    return url, code


def enrol_from_app(app: InspectorApp) -> None:
    """Ask for the server address and one-time code (typed, or scanned from the QR code) and enrol this laptop."""
    from screens.dialogs.text_input import TextInputDialog

    def check(text: str) -> str | None:
        return None if parse_enrolment(text) else t("sync.enrol.invalid", app.lang)

    def entered(text: str | None) -> None:
        found = parse_enrolment(text or "")
        if found is not None:
            app.run_worker(lambda: _enrol(app, *found), name="enrol", group="sync", thread=True, exit_on_error=False)

    app.push_screen(TextInputDialog(t("sync.enrol.prompt", app.lang), validate=check, allow_empty=False), entered)


def _enrol(app: InspectorApp, url: str, code: str) -> None:
    from sync.client.http import SyncError
    from sync.client.service import enroll

    try:
        creds = enroll(url, code, sync_paths())
    except SyncError as exc:
        app.call_from_thread(
            app.notify, t("sync.failed", app.lang, reason=exc.text(app.lang)), severity="error", timeout=12
        )
        return
    text = t(
        "sync.enrolled", app.lang, name=creds.name, role=creds.role, url=creds.server_url, path=sync_paths().credentials
    )
    app.call_from_thread(app.notify, text, timeout=10)


def install_auto_sync(app: InspectorApp, every: float = AUTO_SYNC_SECONDS) -> None:
    """Sync quietly every ``every`` seconds while the app runs (only when this laptop is enrolled)."""
    app.set_interval(every, lambda: start_sync(app, quiet=True), name="auto-sync")


def start_sync(app: InspectorApp, *, quiet: bool = False) -> None:
    """Start a sync in a thread worker (an already running one is left to finish: ``exclusive`` per group)."""
    if app.store is None:
        return
    for worker in app.workers:
        if worker.group == "sync" and worker.is_running:
            return
    if not quiet:
        app.notify(t("sync.indicator.running", app.lang), timeout=3)
    app.run_worker(lambda: _sync(app, quiet), name="sync", group="sync", thread=True, exit_on_error=False)


def _sync(app: InspectorApp, quiet: bool) -> None:
    from sync.client.http import Offline, SyncError
    from sync.client.service import NotEnrolled, run_sync

    store = app.store
    assert store is not None
    paths = sync_paths()
    if not paths.credentials.exists():
        if not quiet:
            app.call_from_thread(app.notify, t("sync.not_enrolled", app.lang), severity="warning", timeout=8)
        return
    worker = get_current_worker()
    try:
        report = run_sync(store, paths, attempts=2)
    except NotEnrolled:
        return
    except Offline as exc:
        if not quiet and not worker.is_cancelled:
            app.call_from_thread(
                app.notify, t("sync.offline", app.lang, reason=exc.text(app.lang)), severity="warning", timeout=8
            )
        return
    except SyncError as exc:
        if not worker.is_cancelled:
            reason = exc.text(app.lang)  # the catalogue's words for a typed code, in the app's language
            app.call_from_thread(app.notify, t("sync.failed", app.lang, reason=reason), severity="error", timeout=15)
        return
    if not worker.is_cancelled:
        app.call_from_thread(_done, app, report, quiet)


def _done(app: InspectorApp, report: SyncReport, quiet: bool) -> None:
    errors = report.rejected + len(report.errors)
    moved = report.pushed or report.pulled or report.conflicts or errors
    if moved or not quiet:
        text = t(
            "sync.indicator.done",
            app.lang,
            pushed=report.pushed,
            pulled=report.pulled,
            conflicts=report.conflicts,
            errors=errors,
        )
        app.notify(text, severity="warning" if report.conflicts or errors else "information", timeout=8)
    refresh = getattr(app.screen, "action_refresh", None)
    if moved and callable(refresh):
        refresh()
