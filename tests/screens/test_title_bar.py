"""The title bar draws exactly what Textual's Header drew (cell for cell, style for style), follows the titles live,
and its icon still opens the command palette."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.widget import Widget
from textual.widgets import Header, Label

from inspector.i18n import t
from screens.app import InspectorApp
from screens.themes import HIGH_CONTRAST, HIGH_CONTRAST_THEME
from screens.widgets.title_bar import TitleBar
from tests.screens.conftest import settle
from tests.screens.sample_group import Sample

pytestmark = pytest.mark.anyio


class _Bar(App[None]):
    """One bar (Header or TitleBar) over a label, with a title and a sub-title."""

    def __init__(self, make_bar: Callable[[], Widget], title: str, sub_title: str, theme: str) -> None:
        super().__init__()
        self.make_bar = make_bar
        self.TITLE = title
        self.SUB_TITLE = sub_title
        self.register_theme(HIGH_CONTRAST)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield self.make_bar()
        yield Label("body")


async def _top_line(
    make_bar: Callable[[], Widget], size: tuple[int, int], title: str, sub: str, theme: str, hover: int | None = None
) -> str:
    """The screen's first line as the snapshot tests record it: every segment's text and full style (with the
    mouse over column ``hover`` of it, if given)."""
    app = _Bar(make_bar, title, sub, theme)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if hover is not None:
            await pilot.hover(offset=(hover, 0))
        await pilot.pause()
        console = Console(width=size[0], file=io.StringIO(), force_terminal=True, color_system="truecolor", record=True)
        console.print(app.screen._compositor.render_update(full=True))
        lines = list(Segment.split_and_crop_lines(Segment.filter_control(console._record_buffer), length=size[0]))
        return repr(lines[0])


@pytest.mark.parametrize(
    ("size", "title", "sub", "theme"),
    [
        ((80, 24), "巡检", "首页", "textual-dark"),
        ((120, 40), "Inspector", "Home", "textual-dark"),
        ((80, 24), "Inspector", "", HIGH_CONTRAST_THEME),
        ((80, 24), "巡检", "F1-CAST 铸造车间 熔炼炉 · 安全生产检查表 2022 版 · 第 12 项，共 318 项", "textual-dark"),
        ((30, 10), "Inspector", "a sub-title too long for the space", HIGH_CONTRAST_THEME),
    ],
)
async def test_the_bar_draws_what_textuals_header_drew(size: tuple[int, int], title: str, sub: str, theme: str) -> None:
    theirs = await _top_line(lambda: Header(icon="⛑"), size, title, sub, theme)
    ours = await _top_line(lambda: TitleBar(icon="⛑"), size, title, sub, theme)
    assert ours == theirs


@pytest.mark.parametrize(("column", "theme"), [(1, "textual-dark"), (7, HIGH_CONTRAST_THEME), (30, "textual-dark")])
async def test_the_icon_lights_up_under_the_mouse_as_in_header(column: int, theme: str) -> None:
    theirs = await _top_line(lambda: Header(icon="⛑"), (80, 24), "Inspector", "Home", theme, hover=column)
    ours = await _top_line(lambda: TitleBar(icon="⛑"), (80, 24), "Inspector", "Home", theme, hover=column)
    assert ours == theirs


async def test_the_bar_follows_the_language_and_the_screens_sub_title(
    make_app: Callable[..., InspectorApp], sample: Sample
) -> None:
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(TitleBar)
        assert bar.title_text == f"{t('app.title', 'zh')} — {t('home.title', 'zh')}"
        await pilot.press("f2")
        await pilot.pause()
        assert bar.title_text == f"{t('app.title', 'en')} — {t('home.title', 'en')}"
        # A label being scanned: the app's sub-title says so, over the screen's, until the scan ends.
        await pilot.press(*"INSP1")
        assert bar.title_text == f"{t('app.title', 'en')} — {t('scan.reading', 'en', text='INSP1')}"
        await pilot.press("escape")
        assert bar.title_text == f"{t('app.title', 'en')} — {t('home.title', 'en')}"
        app.screen.title = "Walk"
        app.screen.sub_title = None
        await pilot.pause()
        assert bar.title_text == "Walk"


async def test_the_icon_opens_the_command_palette_and_the_title_does_not(
    make_app: Callable[..., InspectorApp], sample: Sample
) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.hover(TitleBar, offset=(1, 0))
        bar: Any = app.screen.query_one(TitleBar)
        assert bar.tooltip == t("titlebar.palette", "en")
        await pilot.hover(TitleBar, offset=(40, 0))
        assert bar.tooltip is None
        await pilot.click(TitleBar, offset=(40, 0))
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
