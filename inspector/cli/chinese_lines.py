"""Line breaking for Chinese help text in rich's panels.

Rich breaks lines only at spaces; a Chinese sentence has none, so inside typer's help tables it is either cut with
"…" or folded at the column edge, splitting ``YYYY-MM-DD`` or leaving "。" alone at the start of a line. Chinese may
break between any two characters, except before closing punctuation and after opening punctuation (the 避头尾
rule), and a run of Latin letters or digits stays whole. :class:`ChineseWrapped` renders a rich ``Text`` that way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

NO_LINE_START = frozenset("，。、：；！？）】》」』”’…)]")
"""Characters that never begin a line (closing punctuation)."""

NO_LINE_END = frozenset("（【《「『“‘([")
"""Characters that never end a line (opening punctuation)."""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    width: int
    space: bool


def _units(text: str) -> list[_Unit]:
    """The unbreakable pieces of ``text``: a wide character, a run of narrow ones (a word, a path, a URL), or a run
    of spaces, with the 避头尾 rule applied (closing punctuation joins the piece before it, opening punctuation the
    piece after it)."""
    pieces: list[tuple[int, int, bool]] = []
    index = 0
    while index < len(text):
        char = text[index]
        end = index + 1
        if char.isspace():
            while end < len(text) and text[end].isspace():
                end += 1
            pieces.append((index, end, True))
        elif cell_len(char) == 2:
            pieces.append((index, end, False))
        else:
            while end < len(text) and _narrow_word_char(text[end]):
                end += 1
            pieces.append((index, end, False))
        index = end
    merged: list[tuple[int, int, bool]] = []
    glue_next = False
    for start, end, space in pieces:
        if merged and not space and not merged[-1][2] and (glue_next or text[start] in NO_LINE_START):
            merged[-1] = (merged[-1][0], end, False)
        else:
            merged.append((start, end, space))
        glue_next = not space and text[end - 1] in NO_LINE_END
    return [_Unit(start, end, cell_len(text[start:end]), space) for start, end, space in merged]


def _narrow_word_char(char: str) -> bool:
    return not char.isspace() and cell_len(char) == 1


def break_offsets(text: str, width: int) -> list[int]:
    """Where to break the single line ``text`` so that no line is wider than ``width`` cells."""
    offsets: list[int] = []
    used = 0
    for unit in _units(text):
        if unit.space:
            used += unit.width  # trailing spaces are dropped when the line ends here
            continue
        if used and used + unit.width > width:
            offsets.append(unit.start)
            used = 0
        if unit.width > width:  # longer than a whole line (a long path or URL): fold it
            position = unit.start
            chunks = chop_cells(text[unit.start : unit.end], width)
            for chunk in chunks[:-1]:
                position += len(chunk)
                offsets.append(position)
            used = cell_len(chunks[-1])
        else:
            used += unit.width
    return offsets


class ChineseWrapped:
    """A rich ``Text`` wrapped with :func:`break_offsets` to the width it is given."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(options.max_width, 1)
        lines: list[Text] = []
        for line in self.text.split("\n", allow_blank=True):
            for piece in line.divide(break_offsets(line.plain, width)):
                piece.rstrip()
                lines.append(_lstrip(piece))
        wrapped = Text("\n", style=self.text.style).join(lines)
        wrapped.overflow = "fold"
        wrapped.no_wrap = False
        yield wrapped

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest_unit = max((unit.width for unit in _units(plain) if not unit.space), default=0)
        longest_line = max((cell_len(line) for line in plain.split("\n")), default=0)
        return Measurement(min(widest_unit, options.max_width), min(longest_line, options.max_width))


def _lstrip(text: Text) -> Text:
    stripped = len(text.plain) - len(text.plain.lstrip(" "))
    return text[stripped:] if stripped else text
