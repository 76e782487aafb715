"""The walk's item list: a line-API table that re-renders only the rows that changed.

A generic ``DataTable`` re-renders every visible row after any cell update; answering an item here redraws that
one row (and the two rows the cursor leaves and enters), so scoring a 300-item checklist stays as quick as moving
a cursor. Columns are laid out by terminal cell width (Rich's ``cell_len``), so Chinese text lines up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: Widths of the fixed columns (code, answer, points); the item text takes the rest.
CODE_WIDTH, ANSWER_WIDTH, POINTS_WIDTH = 9, 10, 5


@dataclass
class ChecklistRow:
    code: Text
    answer: Text
    points: Text
    item: Text


def fit(text: Text, width: int, *, justify: str = "left") -> Text:
    """``text`` cut or padded to exactly ``width`` terminal cells (wide characters count as two)."""
    fitted = text.copy()
    fitted.no_wrap = True
    fitted.truncate(width, overflow="ellipsis", pad=False)
    gap = width - fitted.cell_len
    if gap > 0:
        if justify == "right":
            fitted = Text(" " * gap) + fitted
        else:
            fitted.append(" " * gap)
    return fitted


class ChecklistTable(ScrollView, can_focus=True):
    """Rows of items with a cursor; posts :class:`CursorMoved` and :class:`Chosen` (Enter)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "checklist-table--header",
        "checklist-table--cursor",
        "checklist-table--even",
    }
    DEFAULT_CSS = """
    ChecklistTable {
        background: $surface;
        /* Rows are cut to the width: a horizontal scrollbar would only take the last visible line. */
        overflow-x: hidden;
        & > .checklist-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .checklist-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: $block-cursor-text-style; }
        & > .checklist-table--even { background: $surface-lighten-1 20%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "choose", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=False)

    class CursorMoved(Message):
        """The cursor is on another row."""

        def __init__(self, table: ChecklistTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> ChecklistTable:
            return self.table

    class Chosen(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: ChecklistTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> ChecklistTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ChecklistRow] = []
        self.headers = ChecklistRow(Text(""), Text(""), Text(""), Text(""))
        self._cache: dict[int, tuple[int, bool, Strip]] = {}

    # -- content ---------------------------------------------------------------------------------------------------

    def set_rows(self, headers: ChecklistRow, rows: list[ChecklistRow], cursor: int = 0) -> None:
        self.headers = headers
        self.rows = rows
        self._cache.clear()
        self.virtual_size = Size(self._view_width, len(rows) + 1)
        self.set_reactive(ChecklistTable.cursor_row, max(0, min(cursor, len(rows) - 1)))
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)

    def update_row(self, index: int, row: ChecklistRow) -> None:
        """Replace one row and redraw only that line."""
        self.rows[index] = row
        self._cache.pop(index, None)
        self.refresh_line(index + 1)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def move_cursor(self, index: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(index, len(self.rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        for index in (old, new):
            self._cache.pop(index, None)
            self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self.post_message(self.CursorMoved(self, new))

    @property
    def _view_width(self) -> int:
        # The lines' width: the vertical scrollbar's columns are not theirs.
        return self.scrollable_content_region.width

    @property
    def _view_height(self) -> int:
        # The lines that are really shown (``size`` would count a scrollbar's line too).
        return self.scrollable_content_region.height

    def _scroll_to_cursor(self) -> None:
        # Viewport line 0 is the header: keep the cursor's line within lines 1 … height-1.
        height = self._view_height
        if height < 2:
            return
        top = self.scroll_offset.y
        line = self.cursor_row + 1 - top
        # force: right after new rows the scrollbar is not shown yet (the next layout adds it), and an unforced
        # scroll would be ignored; a resumed draft then opened with its cursor row out of sight.
        if line < 1:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True, force=True)
        elif line > height - 1:
            self.scroll_to(y=self.cursor_row + 2 - height, animate=False, immediate=True, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(self._view_width, len(self.rows) + 1)
        self.call_after_refresh(self._scroll_to_cursor)  # a smaller terminal must not hide the cursor's row

    # -- keys and mouse ---------------------------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * max(1, self._view_height - 2))

    def action_jump(self, index: int) -> None:
        self.move_cursor(index if index >= 0 else len(self.rows) - 1)

    def action_choose(self) -> None:
        if self.rows:
            self.post_message(self.Chosen(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y - 1
        if 0 <= index < len(self.rows):
            self.move_cursor(index)
            if event.chain > 1:
                self.post_message(self.Chosen(self, index))

    # -- rendering --------------------------------------------------------------------------------------------------

    def _line(self, row: ChecklistRow, width: int, style: Style) -> Strip:
        text_width = max(4, width - CODE_WIDTH - ANSWER_WIDTH - POINTS_WIDTH - 2)
        line = Text.assemble(
            " ",
            fit(row.code, CODE_WIDTH),
            fit(row.answer, ANSWER_WIDTH),
            fit(row.points, POINTS_WIDTH - 1, justify="right"),
            " ",
            fit(row.item, text_width),
            " ",
        )
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style) for seg in line.render(self.app.console)
        ]
        return Strip(segments).crop_extend(0, width, style)

    def render_line(self, y: int) -> Strip:
        width = self._view_width
        if y == 0:  # the header stays in place while the rows scroll
            return self._line(self.headers, width, self.get_component_rich_style("checklist-table--header"))
        index = y + self.scroll_offset.y - 1
        if index >= len(self.rows) or index < 0:
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor_row
        cached = self._cache.get(index)
        if cached is not None and cached[0] == width and cached[1] == selected:
            return cached[2]
        if selected:
            style = self.get_component_rich_style("checklist-table--cursor")
        elif index % 2:
            style = self.get_component_rich_style("checklist-table--even")
        else:
            style = self.rich_style
        strip = self._line(self.rows[index], width, style)
        self._cache[index] = (width, selected, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
