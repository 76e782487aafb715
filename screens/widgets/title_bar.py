"""The one-line bar at the top of every screen: ``⛑  title — sub-title``, following the app's and the screen's titles.

It draws what Textual's ``Header`` draws (same cells, colours and segments, so snapshots are unchanged) as one widget
instead of a header with three child widgets and their style sheets: fewer nodes to mount and style before the first
frame. Clicking the icon opens the command palette, as in ``Header``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from inspector.i18n import t

if TYPE_CHECKING:
    from textual import events

#: Cells of the icon's box on the left (padding 1 on each side) and of the empty clock space on the right, as in
#: Textual's ``HeaderIcon`` and ``HeaderClockSpace``.
ICON_WIDTH = 8
CLOCK_WIDTH = 10


class TitleBar(Widget):
    """``icon  title — sub-title`` on one line, the title centred between the icon and the (empty) clock space."""

    DEFAULT_CSS: ClassVar[str] = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, icon: str = "⭘", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.icon = icon
        self._title = Content("")
        self._icon_hover = False

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._update_title, init=False)
            self.watch(node, "sub_title", self._update_title, init=False)
        self._update_title()

    def _update_title(self) -> None:
        """The title shown: the screen's own title, else the app's; the app's sub-title while it has one (the QR
        scanner's "scanning: …" feedback, which Header hid behind every screen's own sub-title), else the screen's."""
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = app.sub_title or (screen.sub_title if screen.sub_title is not None else "")
        content = app.format_title(title, sub_title)
        if content != self._title or content.spans != self._title.spans:
            self._title = content
            self.refresh()

    @property
    def title_text(self) -> str:
        """The title as shown (plain text): for tests and for anyone reading the bar."""
        return self._title.plain

    # -- the icon: hover, tooltip and click ---------------------------------------------------------------------

    def _on_icon(self, x: int) -> bool:
        return x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_icon_hover(self._on_icon(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_icon_hover(False)

    def _set_icon_hover(self, hover: bool) -> None:
        if hover != self._icon_hover:
            self._icon_hover = hover
            lang = getattr(self.app, "lang", "en")
            self.tooltip = t("titlebar.palette", lang) if hover else None
            self.refresh()

    async def on_click(self, event: events.Click) -> None:
        if self._on_icon(event.x):
            event.stop()
            await self.run_action("app.command_palette")

    # -- drawing ------------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.visual_style
        if y or not width:
            return Strip.blank(width, style.rich_style)
        # The segments (and their styles) are the ones Textual's Header draws with its three child widgets.
        fill = Style(background=style.background).rich_style
        padded = (style + Style(reverse=False)).rich_style
        segments: list[Segment] = []

        icon_style = style
        if self._icon_hover and style.background is not None and style.foreground is not None:
            # HeaderIcon:hover { background: $foreground 10%; }
            icon_style = style + Style(background=style.background + style.foreground.with_alpha(0.1))
        icon_fill = Style(background=icon_style.background).rich_style
        icon = Content(self.icon).truncate(ICON_WIDTH - 2)
        segments.append(Segment(" ", icon_fill))
        segments.extend(self._segments(icon, icon_style))
        if icon.cell_length < ICON_WIDTH - 2:
            pad = (icon_style + Style(reverse=False)).rich_style
            segments.append(Segment(" " * (ICON_WIDTH - 2 - icon.cell_length), pad))
        segments.append(Segment(" ", icon_fill))

        space = max(0, width - ICON_WIDTH - CLOCK_WIDTH)
        title = self._title.split(allow_blank=True)[0].expand_tabs(8).truncate(space, ellipsis=True)
        left = (space - title.cell_length) // 2
        right = space - title.cell_length - left
        if left:
            segments.append(Segment(" " * left, padded))
        segments.extend(self._segments(title, style))
        if right:
            segments.append(Segment(" " * right, padded))

        segments.append(Segment(" ", fill))
        segments.append(Segment("", style.rich_style_with_offset(0, 0)))
        segments.append(Segment(" " * (CLOCK_WIDTH - 2), fill))
        segments.append(Segment(" ", fill))
        return Strip(segments).crop(0, width)

    def _segments(self, content: Content, style: Style) -> list[Segment]:
        """``content`` drawn over ``style`` as Textual draws a widget's text (styles resolved, offsets for mouse)."""
        segments: list[Segment] = []
        x = 0
        for text, text_style in content.render(style, end="", parse_style=self._get_style):
            segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, 0)))
            x += len(text)
        return segments
