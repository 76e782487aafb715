"""A QR code drawn in the terminal with half-block characters: two modules per character cell, so a version-3
code with a 2-module quiet zone takes 33 columns × 17 rows and fits an 80×24 terminal.

Modules are painted in explicit black and white (not theme colours), so the code scans in any theme."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from inspector.receipt import qr_matrix

DARK = "#000000"
LIGHT = "#ffffff"
UPPER_HALF = "▀"


def half_block_text(matrix: Sequence[Sequence[bool]]) -> Text:
    """``matrix`` (rows of modules, ``True`` = dark) as lines of ``▀``: the top module is the foreground colour,
    the bottom module the background; an odd last row is padded with a light row."""
    rows = [list(row) for row in matrix]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    styles = {
        (top, bottom): Style(color=DARK if top else LIGHT, bgcolor=DARK if bottom else LIGHT)
        for top in (False, True)
        for bottom in (False, True)
    }
    text = Text(no_wrap=True, overflow="crop")
    for index in range(0, len(rows), 2):
        if index:
            text.append("\n")
        for top, bottom in zip(rows[index], rows[index + 1], strict=True):
            text.append(UPPER_HALF, styles[(top, bottom)])
    return text


class QrCode(Static):
    """A QR code of ``data`` (error correction L, 2-module quiet zone), sized exactly to its modules."""

    DEFAULT_CSS = """
    QrCode { width: auto; height: auto; }
    """

    def __init__(self, data: str, *, border: int = 2, id: str | None = None) -> None:
        self.matrix = qr_matrix(data, border=border)
        super().__init__(half_block_text(self.matrix), id=id)
        self.data = data
