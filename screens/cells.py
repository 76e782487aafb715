"""Text cut to terminal cells (a Chinese character takes two), for tables and charts that must fit 80 columns."""

from __future__ import annotations

from rich.text import Text


def clip(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells, with an ellipsis when something was cut."""
    cut = Text(text, no_wrap=True)
    cut.truncate(cells, overflow="ellipsis")
    return cut.plain
