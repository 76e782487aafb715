"""Starting (or resuming) an inspection: from the filterable picker, from a scanned label, or from a draft.

Shared by the home screen, the app-level scanner and the command palette, so every path behaves the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from inspector.i18n import t

if TYPE_CHECKING:
    from inspector.store import StoreSession
    from inspector.walk_views import CheckpointView, Named
    from screens.app import InspectorApp

R = TypeVar("R")


def read(app: InspectorApp, job: Callable[[StoreSession], R], done: Callable[[R], None]) -> None:
    """Run a read on the app's database thread (after every write queued before it)."""
    app.write(job, done)


def _ready(app: InspectorApp) -> bool:
    if app.store is None:
        app.notify(t("app.not_ready", app.lang), severity="warning")
        return False
    if app.person is None:
        app.notify(t("scan.need_person", app.lang), severity="warning", timeout=6)
        return False
    if app.person.role == "team_leader":
        # A team leader signs in to answer the team's orders (F7); the inspection is the inspector's.
        app.notify(t("scan.leader_signed_in", app.lang, name=app.person.name(app.lang)), severity="warning", timeout=8)
        return False
    if app.campaign is None:
        app.notify(t("scan.need_campaign", app.lang), severity="warning", timeout=6)
        return False
    return True


def pick_place(app: InspectorApp, *, initial_filter: str = "") -> None:
    """Show the filterable list of checkpoints and workshops; start the chosen one."""
    if not _ready(app):
        return
    assert app.campaign is not None
    campaign_id = app.campaign.id

    def places(session: StoreSession) -> list[CheckpointView]:
        from inspector.walk_queries import start_places

        return start_places(session, campaign_id=campaign_id)

    def show(found: list[CheckpointView]) -> None:
        from screens.dialogs.picker import PickerDialog, PickerOption

        lang = app.lang
        by_key = {str(p.id): p for p in found}
        options = []
        for p in found:
            tag = (
                t("pick.workshop_whole", lang) if p.is_workshop else (t("pick.inspected", lang) if p.inspected else "")
            )
            label = f"{p.place(lang)}  [dim]{p.code}{' · ' + tag if tag else ''}[/dim]"
            options.append(PickerOption(str(p.id), label, p.search_text()))

        def chosen(key: str | None) -> None:
            if key is not None and key in by_key:
                start(app, by_key[key])

        app.push_screen(PickerDialog("pick.place", options, initial_filter=initial_filter), chosen)

    read(app, places, show)


def open_label(app: InspectorApp, kind: str, code: str) -> None:
    """A scanned label: find its place and start (or resume) its inspection; unknown codes change nothing."""
    if not _ready(app):
        return

    def find(session: StoreSession) -> CheckpointView | str:
        from inspector.errors import NotFoundError
        from inspector.walk_queries import place_for_label

        try:
            return place_for_label(session, kind=kind, code=code)
        except NotFoundError:
            return t("scan.no_place", app.lang, code=code, kind=t(f"scan.kind.{kind}", app.lang))

    def found(place: CheckpointView | str) -> None:
        if isinstance(place, str):
            app.notify(place, severity="error", timeout=8)
        else:
            start(app, place)

    read(app, find, found)


def start(app: InspectorApp, place: CheckpointView) -> None:
    """Choose the campaign's checklist (asking when it has several) and open the inspection of ``place``."""
    if not _ready(app):
        return
    assert app.campaign is not None and app.person is not None
    campaign_id, person_id = app.campaign.id, app.person.id

    def checklists(session: StoreSession) -> tuple[list[Named], set[uuid.UUID]]:
        """The campaign's checklists, and those this inspector has a draft of at this place (scanning the label
        again resumes it: the list says which, and offers it first)."""
        from inspector.inspections import find_draft
        from inspector.walk_queries import campaign_checklists

        found = campaign_checklists(session, campaign_id=campaign_id)
        drafted = {
            n.id
            for n in found
            if find_draft(
                session,
                campaign_id=campaign_id,
                inspector_id=person_id,
                template_version_id=n.id,
                checkpoint_id=None if place.is_workshop else place.id,
                workshop_id=place.workshop_id,
            )
            is not None
        }
        return found, drafted

    def begin(version_id: uuid.UUID) -> None:
        from inspector.inspections import start_inspection

        now = app.clock()

        def job(session: StoreSession) -> uuid.UUID:
            inspection, _created = start_inspection(
                session,
                campaign_id=campaign_id,
                template_version_id=version_id,
                inspector_id=person_id,
                checkpoint_id=None if place.is_workshop else place.id,
                workshop_id=place.workshop_id,
                now=now,
            )
            return inspection.id

        app.write(job, lambda inspection_id: open_inspection(app, str(inspection_id)))

    def choose(listed: tuple[list[Named], set[uuid.UUID]]) -> None:
        found, drafted = listed
        if not found:
            app.notify(t("pick.no_checklist", app.lang), severity="error")
            return
        if len(found) == 1:
            begin(found[0].id)
            return
        from screens.dialogs.picker import PickerDialog, PickerOption

        draft_mark = f"  [b]{t('pick.draft', app.lang)}[/b]"
        options = [
            PickerOption(
                str(n.id),
                f"{n.name(app.lang)}  [dim]{n.code}[/dim]" + (draft_mark if n.id in drafted else ""),
                f"{n.code} {n.name_zh} {n.name_en}".lower(),
            )
            for n in sorted(found, key=lambda n: n.id not in drafted)  # a draft first: Enter resumes it
        ]
        app.push_screen(
            PickerDialog("pick.checklist", options, about=place.place),
            lambda key: begin(uuid.UUID(key)) if key else None,
        )

    read(app, checklists, choose)


def _to_home(app: InspectorApp) -> None:
    if app.current_mode != "inspect":
        app.switch_mode("inspect")
    while len(app.screen_stack) > 1:
        app.pop_screen()


def open_inspection(app: InspectorApp, inspection_id: str) -> None:
    """Open the walk of an inspection (a draft reopens at the item it was left on)."""
    from screens.walk import WalkScreen

    _to_home(app)
    app.push_screen(WalkScreen(uuid.UUID(inspection_id)))


def open_review(app: InspectorApp, inspection_id: str) -> None:
    """Open the review of an inspection (read-only once signed)."""
    from screens.review import ReviewScreen

    _to_home(app)
    app.push_screen(ReviewScreen(uuid.UUID(inspection_id)))
