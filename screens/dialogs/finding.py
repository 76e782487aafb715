"""Recording a hazard finding on a failed item: grade (forced to major by "always major" items), description,
responsible team, deadline (default by grade) and evidence photo paths (checked to exist)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select

from inspector.rectification import default_deadline
from screens.base import InspectorDialog

GRADES = ("general", "significant", "major")


@dataclass(frozen=True)
class FindingInput:
    grade: str
    description: str
    team_id: uuid.UUID | None
    deadline: date
    photo_paths: list[str]
    withdraw: bool = False


def parse_photos(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]


class FindingDialog(InspectorDialog[FindingInput]):
    DEFAULT_CSS = """
    FindingDialog {
        align: center middle;
        #finding-box { width: 96%; max-width: 100; height: auto; max-height: 100%; border: thick $error; background: $surface; padding: 0 1; }
        #finding-title { width: 100%; text-style: bold; }  /* a long item wraps instead of being cut */
        #finding-forced { color: $warning; height: auto; }
        #finding-grid { grid-size: 2; grid-columns: 20 1fr; grid-rows: auto; height: auto; grid-gutter: 0 1; }
        #finding-grid Label { padding: 0; }
        #finding-grade { layout: horizontal; height: auto; border: none; padding: 0; }
        #finding-grade RadioButton { margin-right: 2; }
        #finding-error { width: 100%; color: $error; height: auto; }
        #finding-buttons { height: auto; align-horizontal: right; }
        #finding-buttons Button { margin-left: 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "bind.dialog.cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "bind.hazard.save", id="hazard.save", priority=True),
    ]

    def __init__(
        self,
        *,
        item_label: str,
        always_major: bool,
        teams: list[tuple[str, uuid.UUID]],
        default_team: uuid.UUID | None,
        today: date,
        existing: FindingInput | None = None,
    ) -> None:
        super().__init__()
        self.item_label = item_label
        self.always_major = always_major
        self.teams = teams
        self.default_team = existing.team_id if existing else default_team
        self.today = today
        self.existing = existing
        grade = existing.grade if existing else "general"
        self.grade = "major" if always_major else grade
        self._deadline_edited = existing is not None

    def compose(self) -> ComposeResult:
        existing = self.existing
        deadline = existing.deadline if existing else default_deadline(self.grade, self.today)
        with Vertical(id="finding-box"):
            yield Label("", id="finding-title", markup=False)
            yield Label("", id="finding-forced")
            with Grid(id="finding-grid"):
                yield Label("", id="label-grade")
                with RadioSet(id="finding-grade", disabled=self.always_major):
                    for grade in GRADES:
                        yield RadioButton("", value=grade == self.grade, id=f"grade-{grade}")
                yield Label("", id="label-description")
                yield Input(existing.description if existing else "", id="finding-description", compact=True)
                yield Label("", id="label-team")
                yield Select(
                    [(name, team_id) for name, team_id in self.teams],
                    value=self.default_team if self.default_team in [t for _, t in self.teams] else Select.NULL,
                    id="finding-team",
                    compact=True,
                    allow_blank=True,
                    prompt=self.tr("hazard.team_none"),  # Textual's default is "Select", in English
                )
                yield Label("", id="label-deadline")
                yield Input(deadline.isoformat(), id="finding-deadline", compact=True)
                yield Label("", id="label-photos")
                yield Input("; ".join(existing.photo_paths) if existing else "", id="finding-photos", compact=True)
            yield Label("", id="finding-error")
            with Horizontal(id="finding-buttons"):
                if existing is not None:
                    yield Button("", id="finding-withdraw", variant="warning", compact=True)
                yield Button("", id="finding-save", variant="error", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#finding-description", Input).focus()

    def apply_language(self) -> None:
        super().apply_language()
        self.query_one("#finding-title", Label).update(self.tr("hazard.title", item=self.item_label))
        forced = self.query_one("#finding-forced", Label)
        forced.update(self.tr("hazard.forced_major") if self.always_major else "")
        forced.display = self.always_major
        for key in ("grade", "description", "team", "deadline", "photos"):
            self.query_one(f"#label-{key}", Label).update(self.tr(f"hazard.{key}"))
        for grade in GRADES:
            self.query_one(f"#grade-{grade}", RadioButton).label = self.tr(f"hazard.{grade}")
        self.query_one("#finding-save", Button).label = self.tr("hazard.save") + " ^s"
        if self.existing is not None:
            self.query_one("#finding-withdraw", Button).label = self.tr("hazard.delete")

    @on(RadioSet.Changed, "#finding-grade")
    def _grade_changed(self, event: RadioSet.Changed) -> None:
        button_id = event.pressed.id or ""
        self.grade = button_id.removeprefix("grade-")
        if not self._deadline_edited:
            deadline = default_deadline(self.grade, self.today)
            self.query_one("#finding-deadline", Input).value = deadline.isoformat()

    @on(Input.Changed, "#finding-deadline")
    def _deadline_typed(self, event: Input.Changed) -> None:
        expected = (default_deadline(self.grade, self.today)).isoformat()
        if event.value != expected:
            self._deadline_edited = True

    def _error(self, message: str) -> None:
        self.query_one("#finding-error", Label).update(message)

    @on(Input.Submitted)
    @on(Button.Pressed, "#finding-save")
    def action_save(self) -> None:
        description = self.query_one("#finding-description", Input).value.strip()
        if not description:
            self._error(self.tr("hazard.need_description"))
            self.query_one("#finding-description", Input).focus()
            return
        raw_deadline = self.query_one("#finding-deadline", Input).value.strip()
        try:
            deadline = date.fromisoformat(raw_deadline)
        except ValueError:
            self._error(self.tr("hazard.bad_date", value=raw_deadline))
            return
        if deadline < self.today:
            self._error(self.tr("hazard.past_date"))
            return
        photos = parse_photos(self.query_one("#finding-photos", Input).value)
        for path in photos:
            if not Path(path).expanduser().is_file():
                self._error(self.tr("input.photo_missing", path=path))
                return
        team = self.query_one("#finding-team", Select).value
        team_id = team if isinstance(team, uuid.UUID) else None
        grade = "major" if self.always_major else self.grade
        self.dismiss(FindingInput(grade, description, team_id, deadline, photos))

    @on(Button.Pressed, "#finding-withdraw")
    def _withdraw(self) -> None:
        if self.existing is not None:
            e = self.existing
            self.dismiss(FindingInput(e.grade, e.description, e.team_id, e.deadline, e.photo_paths, withdraw=True))
