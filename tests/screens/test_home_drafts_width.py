"""Home's drafts table fits the terminal: at 80 columns the last column (开始 / Started) was off screen behind a
sideways scroll, because the place and checklist names were cut at fixed 36 and 24 cells; at 120 they were cut at
the same widths with room to spare. The names now share the width there is, measured on mount and on resize."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from rich.cells import cell_len
from sqlmodel import select

from inspector.i18n import t
from inspector.inspections import start_inspection
from inspector.models import ChecklistTemplate, Checkpoint, TemplateVersion
from inspector.store import Store
from screens.app import InspectorApp
from screens.home import HomeScreen
from screens.walk import WalkScreen
from screens.widgets.fit_table import FitTable
from tests.screens.conftest import press, settle
from tests.screens.sample_group import FIXED_NOW, Sample

pytestmark = pytest.mark.anyio

LONG_PLACE = (
    "熔炼炉炉前平台及铸造机周边作业区",
    "Melting furnace front platform and the casting machine's working area",
)
LONG_CHECKLIST = ("安全生产月现场安全综合检查表", "Safety Production Month comprehensive on-site safety checklist")
FURNACE_DRAFT = uuid.UUID(int=0xF17)
EXIT_DRAFT = uuid.UUID(int=0xE817)


def _id(value: object) -> uuid.UUID:
    assert isinstance(value, uuid.UUID)
    return value


def _two_drafts(store: Store, sample: Sample) -> None:
    """Drafts of the furnace platform (renamed long, the newer) and the fire exit (short), on a long checklist name."""
    with store.session() as s:
        furnace = s.get(Checkpoint, sample.furnace_id)
        assert furnace is not None
        furnace.name_zh, furnace.name_en = LONG_PLACE
        version = s.get(TemplateVersion, sample.version_id)
        assert version is not None
        template = s.exec(select(ChecklistTemplate).where(ChecklistTemplate.id == version.template_id)).one()
        template.name_zh, template.name_en = LONG_CHECKLIST
        for checkpoint_id, inspection_id, started in (
            (sample.exit_id, EXIT_DRAFT, FIXED_NOW - timedelta(hours=2)),
            (sample.furnace_id, FURNACE_DRAFT, FIXED_NOW - timedelta(hours=1)),
        ):
            start_inspection(
                s,
                campaign_id=_id(sample.campaign_id),
                template_version_id=_id(sample.version_id),
                inspector_id=_id(sample.inspector_id),
                checkpoint_id=_id(checkpoint_id),
                now=started,
                inspection_id=inspection_id,
            )
        s.commit()


def _assert_fits(table: FitTable) -> None:
    """Every column within the table's width: no sideways scroll, the last column (started) on screen."""
    columns = sum(column.get_render_width(table) for column in table.columns.values())
    assert columns <= table.scrollable_content_region.width
    assert table.virtual_size.width <= table.scrollable_content_region.width
    assert table.max_scroll_x == 0


def _place_cells(table: FitTable) -> dict[str, str]:
    """Each draft's place cell as shown, by the draft's id."""
    return {str(row.key.value): str(table.get_row(row.key)[0]) for row in table.ordered_rows}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_drafts_table_fits_80_columns_and_uses_the_room_at_120(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    _two_drafts(store, sample)
    place = {"zh": f"熔铸车间 · {LONG_PLACE[0]}", "en": f"Casting workshop · {LONG_PLACE[1]}"}[lang]
    exit_place = {"zh": "熔铸车间 · 安全出口", "en": "Casting workshop · Fire exit"}[lang]
    app = make_app(lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one("#drafts", FitTable)
        assert app.focused is table  # home opens on the drafts when there are some
        _assert_fits(table)
        wide = _place_cells(table)
        # Cut less than at the old fixed 36 cells: the long place gets the room there is, the short one is whole.
        # (the Chinese place, 43 cells, is whole; the English one, 86, is cut with an ellipsis).
        furnace = wide[str(FURNACE_DRAFT)]
        assert cell_len(furnace) > 36
        assert furnace == place or (furnace.endswith("…") and place.startswith(furnace.rstrip(" …")))
        assert (furnace == place) == (lang == "zh")
        assert wide[str(EXIT_DRAFT)] == exit_place

        await press(pilot, "down")  # the fire exit's draft (the older) under the cursor
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        _assert_fits(table)
        narrow = _place_cells(table)
        assert cell_len(narrow[str(FURNACE_DRAFT)]) < cell_len(wide[str(FURNACE_DRAFT)])
        assert narrow[str(FURNACE_DRAFT)].endswith("…")
        # The column is as wide for both: the Chinese fire exit (19 cells) stays whole, the English one (28) is cut.
        assert (narrow[str(EXIT_DRAFT)] == exit_place) == (lang == "zh")
        assert exit_place.startswith(narrow[str(EXIT_DRAFT)].rstrip(" …"))
        assert table.ordered_columns[-1].label.plain == t("home.col.started", lang)

        # Refilled for the new width, the table keeps its cursor and Enter still resumes that draft.
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(EXIT_DRAFT)
        await press(pilot, "enter")
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.inspection_id == EXIT_DRAFT


async def test_the_drafts_table_fits_when_opened_at_80_columns_and_after_a_language_change(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    _two_drafts(store, sample)
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one("#drafts", FitTable)
        _assert_fits(table)
        place = _place_cells(table)[str(FURNACE_DRAFT)]
        assert place.endswith("…") and cell_len(place) <= 36
        await press(pilot, "f2")
        _assert_fits(table)
        assert _place_cells(table)[str(FURNACE_DRAFT)].startswith("Casting workshop")


def test_names_share_the_width_by_weight_each_keeping_no_more_than_it_needs() -> None:
    from screens.cells import share_cells

    assert share_cells([29, 24], 60, weights=(3, 2)) == [29, 24]  # both fit: nothing cut
    assert share_cells([29, 24], 38, weights=(3, 2)) == [23, 15]  # 3 : 2 of the 38 cells there are
    assert share_cells([10, 40], 38, weights=(3, 2)) == [10, 28]  # the short one whole, the rest to the long one
    assert share_cells([60, 60], 5, weights=(3, 2)) == [6, 6]  # never narrower than 6 cells, even past the budget
    with pytest.raises(ValueError, match="2 columns but 1 weights"):
        share_cells([1, 2], 10, weights=(1,))
