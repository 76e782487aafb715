"""What a gloved inspector at 80×24 tripped over, driving the app in a real terminal: each test walks the path that
showed the defect and checks what the user sees."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlmodel import select

from inspector.inspections import AnswerInput, save_answer, start_inspection
from inspector.models import TemplateItem
from inspector.store import Store
from screens.app import InspectorApp
from screens.start_flow import open_inspection
from screens.walk import WalkScreen
from screens.widgets.checklist_table import ChecklistTable
from tests.screens.conftest import opened, press, settle
from tests.screens.sample_group import FIXED_NOW, Sample, build_sample

pytestmark = pytest.mark.anyio


def _messages(app: InspectorApp) -> list[str]:
    return [n.message for n in app._notifications]


def _long_draft(store: Store, *, answered: int) -> tuple[Sample, str, list[str]]:
    """A sample group whose checklist has 30 more items, and a draft with the first ``answered`` items answered
    (``yes`` or N/A, so the cursor moved on to the next one)."""
    sample = build_sample(store, extra_items=30)
    with store.session() as s:
        items = list(s.exec(select(TemplateItem).where(TemplateItem.version_id == sample.version_id)))
        items.sort(key=lambda i: i.position)
        inspection, _ = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.furnace_id,
            now=FIXED_NOW,
            inspection_id=uuid.UUID(int=0xD8AF7),
        )
        codes = [i.code for i in items]
        for item in items[:answered]:
            value = AnswerInput(choice="yes") if item.kind == "yes_no" else AnswerInput(choice="na")
            save_answer(
                s,
                inspection_id=inspection.id,
                item_id=item.id,
                value=value,
                now=FIXED_NOW,
                current_item_code=codes[answered] if answered < len(codes) else None,
            )
        s.commit()
        return sample, str(inspection.id), codes


def _cursor_line_shown(table: ChecklistTable) -> bool:
    """Whether the cursor's row is on one of the lines the table really shows (line 0 is the header)."""
    line = table.cursor_row + 1 - table.scroll_offset.y
    return 1 <= line < table.scrollable_content_region.height


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_resumed_draft_shows_its_cursor_row(
    store: Store, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """Resuming a draft far down the list opened with the cursor hidden under the table's last (scrollbar) line."""
    _sample, inspection_id, codes = _long_draft(store, answered=20)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        table = walk.query_one("#walk-items", ChecklistTable)
        assert walk.order[table.cursor_row] == codes[20]
        assert not table.show_horizontal_scrollbar  # rows are cut to the width, nothing to scroll sideways
        assert _cursor_line_shown(table)
        # Moving down to the last item keeps it in view too; so does End, and paging back up.
        for key in ("down", "down", "end", "pageup", "pagedown"):
            await press(pilot, key)
            assert _cursor_line_shown(table), key
        assert walk.order[table.cursor_row] == codes[-1]
        # Every line drawn fits the columns left of the scrollbar (the cut item text ends in "…", not under it).
        width = table.scrollable_content_region.width
        assert all(table.render_line(y).cell_length == width for y in range(table.scrollable_content_region.height))


async def test_a_smaller_terminal_keeps_the_cursor_row_in_view(
    store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    _sample, inspection_id, _codes = _long_draft(store, answered=12)
    app = make_app("zh")
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        table = app.screen.query_one("#walk-items", ChecklistTable)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert _cursor_line_shown(table)


def _complete_draft(store: Store, sample: Sample) -> str:
    """A draft of the furnace platform with every required item answered and the team leader's acknowledgement."""
    from inspector.inspections import acknowledge

    with store.session() as s:
        items = {i.code: i for i in s.exec(select(TemplateItem).where(TemplateItem.version_id == sample.version_id))}
        inspection, _ = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.furnace_id,
            now=FIXED_NOW,
        )
        answers = {
            "C-01": AnswerInput(choice="yes"),
            "C-02": AnswerInput(choice="yes"),
            "C-03": AnswerInput(choice="yes"),
            "S-01": AnswerInput(score=4),
            "S-02": AnswerInput(score=5),
            "E-01": AnswerInput(measurement=3.2),
            "E-02": AnswerInput(choice="yes"),
        }
        for code, value in answers.items():
            save_answer(s, inspection_id=inspection.id, item_id=items[code].id, value=value, now=FIXED_NOW)
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
        s.commit()
        return str(inspection.id)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_back_home_after_signing_shows_no_error(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """Walk → review → sign → close the receipt → Esc: the walk screen, popped on the way home, used to reload
    itself after it was gone and the inspector got "unexpected error: NoMatches … '#walk-items'"."""
    from screens.dialogs.receipt import ReceiptDialog
    from screens.home import HomeScreen
    from screens.review import ReviewScreen

    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        await press(pilot, "r")
        assert isinstance(app.screen, ReviewScreen)
        await press(pilot, "s")
        await press(pilot, "y")
        assert isinstance(app.screen, ReceiptDialog)
        await press(pilot, "escape")
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == []


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_value_prompt_wraps_so_the_limits_stay_visible(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """A measurement's prompt ends with its unit and limits; on a narrow screen it was cut at the box's edge."""
    from textual.widgets import Label

    from screens.dialogs.text_input import TextInputDialog

    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(40, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.move_to("E-01")
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, TextInputDialog)
        assert dialog.prompt.endswith(("≤4Ω）", "≤4Ω)"))
        prompt = dialog.query_one("#input-prompt", Label)
        box = dialog.query_one("#input-box").content_region
        assert box.contains_region(prompt.region)
        # Every cell of the prompt is on one of its lines.
        from rich.cells import cell_len

        lines = prompt.size.height
        assert lines >= 2 and lines * prompt.size.width >= cell_len(dialog.prompt)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_n_answers_no_in_a_confirmation(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """The question's buttons read 是/否 (Yes/No); y said yes but n did nothing: only Esc or Tab + Enter said no."""
    from textual.widgets import Button

    from screens.dialogs.confirm import ConfirmDialog
    from screens.review import ReviewScreen

    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        await press(pilot, "r")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await press(pilot, "s")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        labels = [str(b.label) for b in dialog.query(Button)]
        assert labels[0].endswith("(y)") and labels[1].endswith("(n)")
        await press(pilot, "n")
        assert app.screen is review  # back, with the focus on the review, and nothing signed
        assert review.data is not None and not review.data.signed


def _footer_row(app: InspectorApp) -> tuple[list[str], int, int]:
    """The keys the footer shows (in order), the right edge of the last one and the palette key's left edge."""
    from textual.widgets._footer import FooterKey

    from screens.widgets.footer import KeyFooter

    footer = app.screen.query_one(KeyFooter)
    keys = [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]
    palette = footer.query_one(".-command-palette", FooterKey)
    shown = [k for k in keys if k.display]
    return [k.key for k in shown], max(k.region.right for k in shown), palette.region.x


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_footer_shows_whole_keys_only(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """At 80 columns the walk's keys ran under the palette key: "f2 Eng" was cut and "^p 命令" lost a character."""
    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        keys, right, palette_x = _footer_row(app)
        assert keys[:3] == ["y", "n", "a"] and "escape" in keys
        assert "f2" not in keys  # no room: Ctrl+P lists it, and it still works
        assert right <= palette_x
        assert isinstance(app.screen, WalkScreen)
        app.screen.move_to("E-01")  # a measurement: the footer offers its keys, still whole
        await settle(pilot)
        keys, right, palette_x = _footer_row(app)
        assert "y" not in keys and keys[0] == "a" and right <= palette_x
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        keys, right, palette_x = _footer_row(app)
        assert keys[-2:] == ["f2", "f3"] and right <= palette_x
        await press(pilot, "f2")
        assert app.lang != lang
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        keys, right, palette_x = _footer_row(app)
        assert "f2" not in keys and right <= palette_x


async def test_a_key_pressed_again_and_again_shows_its_hint_once(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    """y pressed eight times on a measurement stacked eight copies of "Enter types the value…" over the list."""
    inspection_id = _complete_draft(store, sample)
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.move_to("E-01")
        await settle(pilot)
        for _ in range(8):
            await pilot.press("y")
        await press(pilot, "7")  # another key that does not fit: the same hint, still once
        hints = [m for m in _messages(app) if "Enter types the value" in m]
        assert len(hints) == 1
        await press(pilot, "f3")  # a different message is shown beside it
        assert len(_messages(app)) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_team_leader_signs_in_and_answers_the_teams_order(
    store: Store, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """F7's orders could only be answered by the team's leader, but the sign-in list (p) offered inspectors and
    supervisors only: every answer ended in "… may not answer this order". A signed-in team leader is named by
    role on the home screen and is told that inspections are the inspector's instead of starting one."""
    from textual.widgets import Static

    from inspector.models import OrderStatus, RectificationOrder
    from screens.dialogs.answer_order import AnswerOrderDialog
    from screens.dialogs.picker import PickerDialog
    from screens.home import HomeScreen
    from screens.team_leader import TeamLeaderScreen
    from tests.screens.award_sample import LEADER_TEAM, build_award_sample
    from tests.screens.conftest import type_text

    sample = build_award_sample(store, signed_in="supervisor")
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PickerDialog)
        await type_text(pilot, "tl-u1w1t1")
        await press(pilot, "enter")
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert app.person is not None and app.person.id == sample.world.leaders[LEADER_TEAM]
        who = str(home.query_one("#home-person", Static).render())
        assert who.startswith("班组长:" if lang == "zh" else "Team leader:")
        await press(pilot, "s")  # an inspection is not the team leader's to start
        assert isinstance(app.screen, HomeScreen)
        assert any(("班组长" if lang == "zh" else "team leader") in m for m in _messages(app))
        await press(pilot, "f7")
        assert isinstance(app.screen, TeamLeaderScreen)
        await press(pilot, "a")
        assert isinstance(app.screen, AnswerOrderDialog)
        await type_text(pilot, "cleared")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, TeamLeaderScreen)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == []
    with store.session() as s:
        answered = s.exec(select(RectificationOrder).where(RectificationOrder.action_taken == "cleared")).one()
        assert answered.status == OrderStatus.ANSWERED


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_answering_a_closed_order_says_why_before_anything_is_typed(
    store: Store, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """a on a closed (销号) order opened the answer form; the refusal came only after the leader had typed it all."""
    from screens.team_leader import TeamLeaderScreen
    from tests.screens.award_sample import build_award_sample

    build_award_sample(store)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f7")
        screen = app.screen
        assert isinstance(screen, TeamLeaderScreen) and screen.data is not None
        await pilot.press("2")
        closed = next(n for n, o in enumerate(screen.data.orders) if o.status == "closed")
        for _ in range(closed):
            await pilot.press("down")
        await press(pilot, "a")
        assert app.screen is screen  # no form to fill in
        assert any(("已销号" if lang == "zh" else "closed") in m for m in _messages(app))


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_recorded_awards_name_the_rules_version(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """With the rule file shipped for the campaign (the demo's case), recording (e) showed "规则第 None 版"."""
    from textual.widgets import Static

    from screens.supervisor import SupervisorScreen

    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen) and screen.data is not None
        assert screen.data.evaluation is not None and screen.data.evaluation.rules_version is None
        await press(pilot, "e")
        await press(pilot, "3")
        state = str(screen.query_one("#sup-award-state", Static).render())
        assert "None" not in state
        assert ("第 1 版" if lang == "zh" else "version 1") in state


async def test_new_rows_scroll_to_the_cursor_before_the_scrollbar_is_laid_out() -> None:
    """In a real terminal the walk's rows arrive before the layout that adds the scrollbar; the scroll to the
    resumed item was then ignored (Textual refuses to scroll a widget without a scrollbar unless forced)."""
    from rich.text import Text
    from textual.app import App, ComposeResult

    from screens.widgets.checklist_table import ChecklistRow

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield ChecklistTable(id="t")

    app = One()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ChecklistTable)
        await pilot.pause()
        assert not table.show_vertical_scrollbar  # no rows yet
        rows = [ChecklistRow(Text(f"I-{n}"), Text(""), Text("1"), Text(f"item {n}")) for n in range(60)]
        table.set_rows(ChecklistRow(Text("code"), Text(""), Text(""), Text("item")), rows, 40)
        table._scroll_to_cursor()  # what the after-refresh call does, before any layout
        assert _cursor_line_shown(table)
        await pilot.pause()
        assert _cursor_line_shown(table)


async def test_home_tabs_open_by_number_like_the_other_screens(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    """The team leader's and the supervisor's tabs open with 1–3 / 1–6; home's four tabs had no such keys, and ←/→
    on a list scrolled it sideways (cutting a Chinese character in half) instead of changing the tab."""
    from textual.widgets import DataTable, TabbedContent

    from screens.home import HomeScreen

    _complete_draft(store, sample)
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        tabs = home.query_one("#home-tabs", TabbedContent)
        for key, pane, table in (
            ("3", "tab-orders", "orders"),
            ("4", "tab-signed", "signed"),
            ("1", "tab-workshops", "workshops"),
            ("2", "tab-drafts", "drafts"),
        ):
            await press(pilot, key)
            assert tabs.active == pane
            focused = app.focused
            assert isinstance(focused, DataTable) and focused.id == table
        await press(pilot, "enter")  # the focused draft opens, as before
        assert isinstance(app.screen, WalkScreen)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_acknowledging_leader_is_offered_with_the_team_first(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """c listed the workshop's team leaders by name and code only, in code order: at the fire exit (team B) the
    leader of team A came first and nothing said which team anyone leads."""
    from screens.dialogs.picker import PickerDialog
    from screens.start_flow import open_review

    with store.session() as s:
        inspection, _ = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.exit_id,
            now=FIXED_NOW,
        )
        s.commit()
        inspection_id = str(inspection.id)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_review, inspection_id)
        await press(pilot, "c")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        first = picker.options[0]
        assert first.key == str(sample.other_leader_id)
        assert ("熔铸乙班" if lang == "zh" else "Casting team B") in first.label
        assert "casting team b" in first.search


async def test_the_veto_flag_is_whole_on_the_summarys_second_line(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    """At 80 columns in English "VETO:" ended the first summary line and its item began the second."""
    from textual.widgets import Static

    inspection_id = _complete_draft(store, sample)
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.move_to("C-01")
        await press(pilot, "n")  # C-01 is a veto item
        summary = walk.query_one("#walk-summary", Static)
        lines = [strip.text for strip in summary.render_lines(summary.region.reset_offset)]
        assert "VETO" not in lines[0]
        assert "VETO: C-01" in lines[1]


async def test_conflict_keys_are_offered_only_with_a_conflict(
    store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    """k (keep the server's) and d (take the device's) were in F9's footer with nothing to settle, and did nothing."""
    from datetime import UTC, datetime

    from textual.widgets._footer import FooterKey

    from screens.conflicts import ConflictsScreen
    from sync.protocol import ConflictOut

    app = make_app("en")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "f9")
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)

        def footer_keys() -> list[str]:
            return [k.key for k in screen.query(FooterKey) if k.display]

        assert screen.conflicts == []
        assert "k" not in footer_keys() and "d" not in footer_keys() and "r" in footer_keys()
        at = datetime(2022, 6, 3, 10, 0, tzinfo=UTC)
        conflict = ConflictOut(
            id=uuid.UUID(int=7),
            entity="answer",
            record_id=uuid.UUID(int=8),
            status="open",
            base_version=1,
            server_version=2,
            server_payload={"note": "server"},
            device_payload={"note": "device"},
            device_name="laptop-2",
            person_code="INS-01",
            made_at=at,
            received_at=at,
        )
        screen._loaded([conflict])
        await settle(pilot)
        assert "k" in footer_keys() and "d" in footer_keys()


async def test_n_from_another_supervisor_tab_opens_the_award_list_and_changes_nothing(
    store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    """n on the leaderboard switched to the award list and withdrew the nomination of whatever row was selected
    there, in one keypress, without the supervisor seeing which."""
    from textual.widgets import TabbedContent

    from inspector.models import AwardDecision
    from screens.supervisor import SupervisorScreen
    from tests.screens.award_sample import build_award_sample

    build_award_sample(store, signed_in="supervisor")
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        await press(pilot, "e")  # record: the first rows are nominated
        with store.session() as s:
            before = sorted((str(d.id), d.nominated) for d in s.exec(select(AwardDecision)))
        await press(pilot, "1", "n")
        assert screen.query_one("#sup-tabs", TabbedContent).active == "tab-awards"
        assert any("Choose a row" in m for m in _messages(app))
        with store.session() as s:
            assert sorted((str(d.id), d.nominated) for d in s.exec(select(AwardDecision))) == before
        await press(pilot, "n")  # on the list itself, n toggles the selected row as before
        with store.session() as s:
            assert sorted((str(d.id), d.nominated) for d in s.exec(select(AwardDecision))) != before


async def test_the_supervisor_arrives_on_the_leaderboard(store: Store, make_app: Callable[..., InspectorApp]) -> None:
    """F8 focused the level filter: ↓ opened its drop-down (then 3/4 did nothing) instead of moving down the list."""
    from textual.widgets import DataTable

    from screens.supervisor import SupervisorScreen
    from tests.screens.award_sample import build_award_sample

    build_award_sample(store, signed_in="supervisor")
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        board = screen.query_one("#sup-board", DataTable)
        assert app.focused is board
        await press(pilot, "down")
        assert board.cursor_row == 1 and app.screen is screen


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_signed_inspections_receipt_can_be_shown_again(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """The receipt QR code was shown once, at sign-off: closed by mistake, it could not be shown again."""
    from inspector.inspections import sign_off
    from screens.dialogs.receipt import ReceiptDialog
    from screens.review import ReviewScreen
    from screens.start_flow import open_review

    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_review, inspection_id)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.check_action("receipt", ()) is False  # a draft has no receipt: not offered
        await press(pilot, "q")
        assert app.screen is review
    with store.session() as s:
        sign_off(s, inspection_id=uuid.UUID(inspection_id), signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_review, inspection_id)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await press(pilot, "q")
        dialog = app.screen
        assert isinstance(dialog, ReceiptDialog) and dialog.view is not None
        assert str(dialog.view.inspection_id) == inspection_id
        await press(pilot, "escape")
        assert app.screen is review


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_basis_rule_and_method_labels_stay_with_their_text(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """The detail panel wrapped "依据: …  扣分: …  方法: …" as one paragraph: "扣分:" ended a line and its rule
    began the next (seen on the demo's casthouse items at 80 columns)."""
    from dataclasses import replace

    from textual.widgets import Static

    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, open_inspection, inspection_id)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.items["C-02"] = replace(
            walk.items["C-02"],
            basis_zh="《工贸企业重大事故隐患判定标准》有色企业第（四）项",
            basis_en="Criteria for major accident hazards in industry and trade, non-ferrous item 4",
            deduction_rule_zh="未设置扣8分，判定为重大隐患",
            deduction_rule_en="8 points when missing; always a major hazard",
            method_zh="现场查看出口塞杆或闸板的机械锁紧装置",
            method_en="Look at the outlet's mechanical lock on site",
        )
        walk._show_detail("C-02")
        await pilot.pause()
        detail = walk.query_one("#walk-detail", Static)
        lines = [strip.text.rstrip() for strip in detail.render_lines(detail.region.reset_offset)]
        labels = ("依据：", "扣分：", "方法：") if lang == "zh" else ("Basis:", "Deduction:", "Method:")
        assert not any(line.endswith(labels) for line in lines), lines
        assert any(labels[1] in line for line in lines)


async def test_the_palette_and_ctrl_c_speak_the_users_language(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    """On a Chinese screen Ctrl+P said "Search for commands…" and listed the focused list's "Cursor up/down…",
    searching 语言 found nothing (F2's label is "English"), and Ctrl+C said "Do you want to quit?" in English."""
    from textual.command import CommandInput, CommandPalette

    from screens.commands import ActionsProvider
    from tests.screens.conftest import type_text

    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = ActionsProvider(app.screen)
        labels = [label for label, _key, _terms, _run in provider._commands()]
        assert "开始检查" in labels and "English" in labels
        assert not any(label.isascii() and label not in ("English",) for label in labels), labels
        hits = [hit async for hit in provider.search("语言")]
        assert [str(hit.text) for hit in hits] == ["English"]
        await press(pilot, "ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(CommandInput).placeholder.startswith("搜索命令")
        palette._NO_MATCHES_COUNTDOWN = 0.001  # type: ignore[misc]  # say "no matches" at once
        await type_text(pilot, "zzzz")
        await settle(pilot)
        await pilot.pause()
        from textual.command import CommandList

        shown = [str(option.prompt.renderable) for option in palette.query_one(CommandList).options]  # type: ignore[union-attr]
        assert any("没有匹配的命令" in text for text in shown), shown
        await press(pilot, "escape")
        await press(pilot, "ctrl+c")
        assert any("Ctrl+Q" in m and "退出" in m for m in _messages(app))
        assert not any("Do you want" in (n.title or "") for n in app._notifications)


async def test_an_open_drop_down_says_esc_in_chinese(store: Store, make_app: Callable[..., InspectorApp]) -> None:
    """The supervisor's filters are drop-downs: open, the footer read "esc Dismiss menu" on a Chinese screen."""
    from textual.widgets import Select
    from textual.widgets._footer import FooterKey

    from tests.screens.award_sample import build_award_sample

    build_award_sample(store, signed_in="supervisor")
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")
        level = app.screen.query_one("#sup-level", Select)
        level.focus()
        await press(pilot, "enter")
        assert level.expanded
        shown = [str(k.description) for k in app.screen.query(FooterKey) if k.display]
        assert "关闭列表" in shown and "Dismiss menu" not in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_hazard_without_a_team_says_so_in_the_language(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """With no responsible team chosen, the team field read Textual's "Select" (English) on a Chinese screen."""
    from datetime import date

    from textual.widgets import Select
    from textual.widgets._select import SelectCurrent

    from screens.dialogs.finding import FindingDialog

    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = FindingDialog(
            item_label="C-03", always_major=False, teams=[("熔铸甲班", uuid.UUID(int=5))], default_team=None,
            today=date(2022, 6, 8),
        )  # fmt: skip
        await app.push_screen(dialog)
        await settle(pilot)
        from textual.widgets import Static

        current = dialog.query_one("#finding-team", Select).query_one(SelectCurrent)
        shown = str(current.query_one("#label", Static).render())
        assert shown == ("（不指定班组）" if lang == "zh" else "(no team)")


async def test_esc_leads_home_from_the_team_supervisor_and_conflicts_screens(
    store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    """Esc did nothing on F7, F8 and F9 (F6 home is not in their footers): a dead end for anyone who came in by
    mistake. On F8 Esc first stops a comparison, and leaves the search field for the list."""
    from textual.widgets import DataTable, Input

    from screens.conflicts import ConflictsScreen
    from screens.home import HomeScreen
    from screens.supervisor import SupervisorScreen
    from screens.team_leader import TeamLeaderScreen
    from tests.screens.award_sample import build_award_sample

    build_award_sample(store, signed_in="supervisor")
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, screen_type in (("f7", TeamLeaderScreen), ("f9", ConflictsScreen)):
            await press(pilot, key)
            assert isinstance(app.screen, screen_type)
            await press(pilot, "escape")
            assert isinstance(app.screen, HomeScreen), key
        await press(pilot, "f8")
        sup = app.screen
        assert isinstance(sup, SupervisorScreen)
        await press(pilot, "enter")  # compare the first leaderboard row on the charts tab
        assert sup.subject is not None
        await press(pilot, "escape")
        assert sup.subject is None and app.screen is sup
        sup.query_one("#sup-search", Input).focus()
        await press(pilot, "escape")
        assert app.screen is sup and isinstance(app.focused, DataTable)
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_scanning_a_place_with_a_draft_offers_the_draft_first(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """With two checklists in the campaign, scanning the label of a place with a draft asked for the checklist
    again, in code order and without saying which one had the draft: Enter started the other one."""
    from inspector.checklists.repository import store_checklist
    from inspector.labels_payload import encode_label
    from inspector.models import CampaignChecklist, Inspection
    from screens.dialogs.picker import PickerDialog
    from tests.screens.conftest import type_text
    from tests.screens.sample_group import sample_spec

    with store.session() as s:
        spec = sample_spec().model_copy(update={"code": "AAA-6S", "name_zh": "班组6S", "name_en": "Team 6S"})
        other, _ = store_checklist(s, spec=spec, source="test")
        s.add(CampaignChecklist(campaign_id=sample.campaign_id, template_version_id=other.id))
        s.commit()
    inspection_id = _complete_draft(store, sample)
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, encode_label("checkpoint", "F1-CAST-FURN"))
        await press(pilot, "enter")
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert picker.options[0].key == str(sample.version_id)
        assert ("草稿" if lang == "zh" else "draft") in picker.options[0].label
        assert not any(("草稿" if lang == "zh" else "draft") in o.label for o in picker.options[1:])
        await press(pilot, "enter")
        walk = app.screen
        assert isinstance(walk, WalkScreen) and str(walk.inspection_id) == inspection_id
    with store.session() as s:
        assert len(s.exec(select(Inspection)).all()) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_signed_tab_gives_the_real_total(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    """Home's "Signed (50)" stayed at 50 however many were signed: the list holds the newest 50 only."""
    from datetime import timedelta

    from textual.widgets import TabbedContent

    from inspector.models import Inspection, InspectionStatus
    from screens.home import HomeScreen

    with store.session(skip_outbox=True) as s:
        for n in range(53):
            at = FIXED_NOW - timedelta(hours=n + 1)
            s.add(
                Inspection(
                    campaign_id=sample.campaign_id,
                    template_version_id=sample.version_id,
                    workshop_id=sample.workshop_id,
                    checkpoint_id=sample.furnace_id,
                    team_id=sample.team_id,
                    inspector_id=sample.inspector_id,
                    started_at=at,
                    signed_at=at,
                    status=InspectionStatus.SIGNED,
                )
            )
        s.commit()
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        assert len(home.data.signed) == 50 and home.data.signed_total == 53
        label = str(home.query_one("#home-tabs", TabbedContent).get_tab("tab-signed").label)
        assert label == ("已签 (最近 50/53)" if lang == "zh" else "Signed (newest 50 of 53)")
