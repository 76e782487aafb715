"""A DataTable that tells its screen when its size changes, so the screen can fit the columns to the new width."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import DataTable


class FitTable(DataTable[str]):
    """A row-cursor table whose screen sizes some columns to the width there is (see ``Resized``)."""

    class Resized(Message):
        """The table got a new size (the terminal was resized, or its tab was shown for the first time)."""

        def __init__(self, table: FitTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> FitTable:
            return self.table

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(self))

    def text_width(self, rows: int, fallback: int) -> int:
        """Cells the columns may take without a sideways scroll once the table holds ``rows`` rows (one line
        each): the width less the vertical scrollbar's when they and the header are taller than the table.
        ``fallback`` is the width to plan for while the table has not been laid out yet (its tab never shown)."""
        width, height = self.size
        if not width:
            return max(0, fallback)
        lines = rows + (self.header_height if self.show_header else 0)
        if height and lines > height and self.styles.overflow_y != "hidden":
            width -= self.styles.scrollbar_size_vertical
        return max(0, width)
