"""Pilot tests of the inspector's whole path: home, scan, walk, hazard, review, acknowledgement, sign-off, amendment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from inspector.labels_payload import encode_label
from inspector.models import Answer, Finding, Inspection, LocalSetting, RectificationOrder
from inspector.store import Store
from screens.app import InspectorApp
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.finding import FindingDialog
from screens.dialogs.picker import PickerDialog
from screens.dialogs.text_input import TextInputDialog
from screens.home import HomeScreen
from screens.review import ReviewScreen
from screens.walk import WalkScreen
from screens.widgets.checklist_table import ChecklistTable
from tests.screens.conftest import settle, type_text
from tests.screens.sample_group import Sample

pytestmark = pytest.mark.anyio

FURNACE = encode_label("checkpoint", "F1-CAST-FURN")


def _messages(app: InspectorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_whole_inspection_from_scan_to_sign_off(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.person is not None
        await type_text(pilot, FURNACE)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.data is not None
        assert walk.data.place("en") == "Casting workshop · Furnace platform"
        # C-01 fails (an "always major" veto item): the cursor stays for the hazard.
        await pilot.press("n")
        await pilot.press("h")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FindingDialog) and dialog.always_major
        await type_text(pilot, "No emergency water")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
        assert walk.order[walk.query_one("#walk-items", ChecklistTable).cursor_row] == "C-02"  # moved on
        await pilot.press("h")  # on a yes/no item not yet failed: a hazard can still be recorded, not here
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("7")  # not a score item: nothing changes, the keys that fit are shown
        assert any("y yes" in m for m in _messages(app))
        # C-02 yes, C-03 yes, S-01 = 4, S-02 = 5, E-01 measured, E-02 yes
        await pilot.press("y", "y", "4", "5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TextInputDialog)
        await type_text(pilot, "3.2")
        await pilot.press("enter")
        await pilot.press("y")
        await settle(pilot)
        assert walk.score is not None and walk.score.vetoed and not walk.score.missing_required
        await pilot.press("r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.press("s")  # refused: nobody acknowledged yet
        assert any("team leader" in m for m in _messages(app))
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PickerDialog)
        await type_text(pilot, "li")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert review.data is not None and review.data.acknowledged_by is not None
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    with store.session() as s:
        inspection = s.exec(select(Inspection)).one()
        assert inspection.status == "signed" and inspection.vetoed and inspection.grade == "veto"
        assert inspection.acknowledged_by_id == sample.leader_id
        finding = s.exec(select(Finding)).one()
        assert finding.grade == "major" and finding.description == "No emergency water"
        order = s.exec(select(RectificationOrder)).one()
        assert order.finding_id == finding.id and order.status == "open"
        assert len(s.exec(select(Answer)).all()) == 7


async def test_malformed_and_unknown_labels_change_nothing(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "INSP1:CP:F1-CAST-FURN:0000")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("check digits do not match" in m for m in _messages(app))
        await type_text(pilot, encode_label("checkpoint", "NO-SUCH-PLACE"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("No checkpoint has the code NO-SUCH-PLACE" in m for m in _messages(app))
    with store.session() as s:
        assert s.exec(select(Inspection)).all() == []


async def test_scan_works_from_inside_a_dialog_and_resumes_the_draft(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, FURNACE)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        assert [(d.answered, d.current_item_code) for d in home.data.drafts] == [(2, "C-03")]
        await pilot.press("s")  # the picker has a text field: the scan must still be recognised
        await settle(pilot)
        assert isinstance(app.screen, PickerDialog)
        await type_text(pilot, FURNACE)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        table = walk.query_one("#walk-items", ChecklistTable)
        assert walk.order[table.cursor_row] == "C-03"  # moved on after answering C-02
    with store.session() as s:
        assert len(s.exec(select(Inspection)).all()) == 1


async def test_picker_filters_by_chinese_english_and_code(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert len(picker._matches("安全出口")) == 1
        assert len(picker._matches("fire exit")) == 1
        assert len(picker._matches("f1-cast-furn")) == 1
        assert len(picker._matches("熔铸")) == 3
        await type_text(pilot, "exit")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
        assert app.screen.data is not None and app.screen.data.place("en").endswith("Fire exit")


async def test_language_and_contrast_switch_at_runtime_and_are_remembered(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.sub_title == "首页"
        await pilot.press("f2")
        await settle(pilot)
        assert app.lang == "en" and home.sub_title == "Home"
        descriptions = {b.binding.description for b in home.active_bindings.values()}
        assert {"Start", "Sign in", "中文"} <= descriptions
        await pilot.press("f3")
        await settle(pilot)
        assert app.theme == "inspector-high-contrast"
    with store.session() as s:
        assert s.get(LocalSetting, "ui.lang").value == "en"  # type: ignore[union-attr]
        assert s.get(LocalSetting, "ui.theme").value == "inspector-high-contrast"  # type: ignore[union-attr]
    # A new run without --lang follows the remembered choice.
    again = InspectorApp(db_path=store.path, store=store)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.lang == "en" and again.theme == "inspector-high-contrast"


async def test_resize_and_small_terminal_keep_working(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, FURNACE)
        await pilot.press("enter")
        await settle(pilot)
        for size in ((40, 12), (200, 60), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        table = walk.query_one("#walk-items", ChecklistTable)
        shown = table.scrollable_content_region  # the lines left of (and above) any scrollbar
        lines = [table.render_line(y) for y in range(shown.height)]
        assert all(line.cell_length == shown.width for line in lines)


async def test_a_failed_database_job_becomes_a_message_not_a_crash(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    app = make_app("en")

    def broken(_session: object) -> None:
        raise RuntimeError("disk on fire")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.write(broken)
        await settle(pilot)
        assert any("Unexpected error" in m and "disk on fire" in m for m in _messages(app))
        assert isinstance(app.screen, HomeScreen)


async def test_the_database_opens_in_a_worker_after_the_first_frame(
    tmp_path: object, sample: Sample, store: Store
) -> None:
    from datetime import UTC

    from screens.app import create_app
    from tests.screens.sample_group import FIXED_NOW

    app = create_app(store.path, "en", clock=lambda: FIXED_NOW, tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        opener = [w for w in app.workers if w.name == "open-store"]
        if opener:
            await app.workers.wait_for_complete(opener)
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None and home.data.person is not None
        assert app.store is not None


async def test_an_unusable_database_shows_a_clear_dialog(tmp_path: object) -> None:
    from pathlib import Path

    from screens.app import create_app
    from screens.dialogs.message import MessageDialog

    bad = Path(str(tmp_path)) / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite at all, just text" * 10)
    app = create_app(bad, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        opener = [w for w in app.workers if w.name == "open-store"]
        await app.workers.wait_for_complete(opener)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MessageDialog)
        assert "not an inspector database" in dialog.body


async def test_command_palette_offers_the_screen_actions(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    from screens.commands import ActionsProvider

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = ActionsProvider(app.screen)
        labels = [label for label, _key, _terms, _run in provider._commands()]
        assert {"Start", "Sign in", "Refresh", "中文", "Contrast", "Quit"} <= set(labels)


async def test_amendment_from_a_signed_inspection(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    from inspector.inspections import acknowledge, sign_off
    from tests.inspector.test_inspections import _answer_all, _start

    original = _start(store, sample)
    _answer_all(store, sample, original, fail="C-03")
    with store.session() as s:
        acknowledge(s, inspection_id=original.id, leader_id=sample.leader_id)
        sign_off(s, inspection_id=original.id, signer_id=sample.inspector_id)
        s.commit()
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from screens.start_flow import open_review

        open_review(app, str(original.id))
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.data is not None and review.data.signed
        await pilot.press("s")  # signing again is not possible
        await pilot.press("w")  # its items, read-only
        await settle(pilot)
        items = app.screen
        assert isinstance(items, WalkScreen) and items.locked
        await pilot.press("y", "backspace")
        await settle(pilot)
        assert items.data is not None and items.data.answers["C-01"].choice == "yes"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is review
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press("enter")  # an empty reason is refused, the dialog stays
        assert isinstance(app.screen, TextInputDialog)
        await type_text(pilot, "C-03 misread")
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.data is not None
        assert walk.data.amends_id == original.id and len(walk.data.answers) == 7


async def test_wide_characters_line_up_in_the_checklist(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    from rich.cells import cell_len

    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, FURNACE)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        table = walk.query_one("#walk-items", ChecklistTable)
        texts = [table.render_line(y).text for y in range(1, 1 + table.row_count)]
        # Every row is exactly as wide as the table, and the item text (Chinese) starts at the same cell.
        assert {cell_len(text) for text in texts} == {table.size.width}
        starts = {
            cell_len(text[: text.index(item.text("zh")[:2])]) for text, item in zip(texts, walk.data.items, strict=True)
        }  # type: ignore[union-attr]
        assert len(starts) == 1


async def test_function_keys_open_every_mode_and_each_keeps_its_place(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    from screens.commands import ActionsProvider
    from screens.conflicts import ConflictsScreen
    from screens.supervisor import SupervisorScreen
    from screens.team_leader import TeamLeaderScreen

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("s")  # a dialog holds its own keys: Esc first, then F7…
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, PickerDialog)
        await pilot.press("escape")
        await settle(pilot)
        for key, screen_type in (
            ("f7", TeamLeaderScreen),
            ("f8", SupervisorScreen),
            ("f9", ConflictsScreen),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type), key
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen is home  # back where the inspector was
        # The palette names the keys next to its "Switch to" entries.
        provider = ActionsProvider(app.screen)
        keys = {label: key for label, key, _terms, _run in provider._commands() if "Switch to" in label}
        assert sorted(keys.values()) == ["F7", "F8", "F9"]


async def test_writes_queued_before_quitting_reach_the_disk(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    import time

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def slow(session: Any) -> None:
            time.sleep(0.3)  # a slow disk: the app is asked to quit while this write is still running
            session.add(LocalSetting(key="test.first", value="saved"))

        app.write(slow)
        app.write(lambda session: session.add(LocalSetting(key="test.second", value="saved")))
    with store.session() as s:
        assert [s.get(LocalSetting, k) is not None for k in ("test.first", "test.second")] == [True, True]
