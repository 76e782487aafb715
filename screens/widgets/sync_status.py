"""The sync indicator: when this laptop last synced and how many changes wait to be pushed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from inspector.i18n import t

if TYPE_CHECKING:
    from inspector.walk_views import SyncStatus


class SyncStatusLabel(Static):
    """``同步: 上次 2022-06-01 10:00 · 3 项待上传``; shows pending changes in the warning colour."""

    DEFAULT_CSS = """
    SyncStatusLabel.-pending { color: $warning; }
    """

    def show(self, status: SyncStatus | None, lang: str) -> None:
        if status is None:
            self.update("")
            return
        app = self.app
        when = (
            t("home.sync_last", lang, when=app.format_time(status.last_at))  # type: ignore[attr-defined]
            if status.last_at
            else t("home.sync_never", lang)
        )
        self.set_class(status.pending > 0, "-pending")
        self.update(f"{t('home.sync', lang)}: {when} · {t('home.sync_pending', lang, count=status.pending)}")
