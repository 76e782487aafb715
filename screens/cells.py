"""Text cut to terminal cells (a Chinese character takes two), for tables and charts that must fit 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text


def clip(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells, with an ellipsis when something was cut."""
    cut = Text(text, no_wrap=True)
    cut.truncate(cells, overflow="ellipsis")
    return cut.plain


def share_cells(natural: Sequence[int], budget: int, *, weights: Sequence[int], minimum: int = 6) -> list[int]:
    """Widths for columns that share ``budget`` cells: each gets its ``natural`` width when all fit, else the cells
    go by ``weights``, a column needing less than its share keeping only what it needs and the rest going to the
    others. No column is made narrower than ``minimum`` (or its natural width, if smaller), even past the budget."""
    if len(weights) != len(natural):
        raise ValueError(f"share_cells: {len(natural)} columns but {len(weights)} weights")
    widths = [max(0, n) for n in natural]
    if sum(widths) <= budget:
        return widths
    remaining = max(0, budget)
    open_ = [i for i in range(len(widths)) if weights[i] > 0]
    while open_:
        total = sum(weights[i] for i in open_)
        satisfied = [i for i in open_ if widths[i] <= remaining * weights[i] // total]
        if not satisfied:
            shares = {i: remaining * weights[i] // total for i in open_}
            for n, i in enumerate(open_):  # what the rounding left goes one cell each to the first columns
                widths[i] = shares[i] + (1 if n < remaining - sum(shares.values()) else 0)
            break
        for i in satisfied:
            remaining -= widths[i]
            open_.remove(i)
    return [max(w, min(n, minimum)) for w, n in zip(widths, natural, strict=True)]
