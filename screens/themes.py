"""The app's themes: the everyday dark theme and a high-contrast one for bright light on the shop floor."""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "textual-dark"
HIGH_CONTRAST_THEME = "inspector-high-contrast"

HIGH_CONTRAST = Theme(
    name=HIGH_CONTRAST_THEME,
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
    success="#00FF00",
    warning="#FFAA00",
    error="#FF3030",
    boost="#FFFFFF",
    dark=True,
    variables={
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#FFFF00",
        "input-selection-background": "#FFFF00 50%",
        "border": "#FFFFFF",
        "border-blurred": "#A0A0A0",
    },
)
