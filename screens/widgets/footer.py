"""The footer of every screen: the keys that fit, each one whole.

Textual's footer lays every key in one row and lets the row run under the command-palette key docked at its right
end. At 80 columns the walk, the team leader's and the supervisor's screens have more keys than fit: the last one
was cut mid-word ("f2 Eng") and a wide Chinese character under the palette key's edge blanked part of it
("^p   令"). Here the keys that do not fit are left out whole, from the end of the row (the app-wide F2/F3 come
last); Ctrl+P still lists every action with its key.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # textual is pinned: the footer's key widget is stable

from inspector.i18n import t


def key_width(key: FooterKey) -> int:
    """The cells ``key`` takes in the row: its text (key, description and their padding), padding, border, margin."""
    return key.render().cell_len + key.styles.gutter.width + key.styles.margin.width


#: Descriptions of Textual's own keys that reach a footer (an open drop-down's Esc), with their catalogue keys.
TEXTUAL_DESCRIPTIONS = {"Dismiss menu": "textual.dismiss_menu"}


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that shows only the keys that fit, each one whole, and Textual's own key
    descriptions in the user's language."""

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit_keys)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.fit_keys)

    def fit_keys(self) -> None:
        """Show the keys from the start of the row while they fit beside the palette key; hide the rest."""
        keys = [child for child in self.children if isinstance(child, FooterKey)]
        lang = str(getattr(self.app, "lang", "en"))
        for key in keys:
            catalogue_key = TEXTUAL_DESCRIPTIONS.get(key.description)
            if catalogue_key is not None:
                key.description = t(catalogue_key, lang)
                key.refresh(layout=True)
        palette = [key for key in keys if key.has_class("-command-palette")]
        room = self.size.width - sum(key_width(key) for key in palette)
        used = 0
        fits = True
        for key in keys:
            if key in palette:
                continue
            used += key_width(key)
            fits = fits and used <= room
            key.display = fits
