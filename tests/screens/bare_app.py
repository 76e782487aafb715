"""The real app (its handlers, database workers, writer) over a blank screen instead of the walk's home screen,
for tests of dialogs that other screens open."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from screens.app import InspectorApp

FIXED_NOW = datetime(2022, 6, 28, 2, 0, tzinfo=UTC)


class Blank(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Footer()


class BareApp(InspectorApp):
    MODES: ClassVar[dict[str, Any]] = {"inspect": Blank}
    CSS_PATH = str(Path(inspect.getfile(InspectorApp)).with_name("app.tcss"))


def bare_app(**kwargs: Any) -> BareApp:
    """The bare app at a fixed clock and in UTC (``store=``, ``lang=`` as for :func:`screens.app.create_app`)."""
    return BareApp(clock=lambda: FIXED_NOW, tz=UTC, **kwargs)
