"""A major hazard's plan (治理方案): measures, funds, deadline, emergency plan; the owner is who records it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from screens.base import InspectorDialog

FIELDS = ("measures", "funds", "deadline", "emergency")


@dataclass(frozen=True)
class PlanInput:
    measures: str
    funds: float | None
    deadline: date | None
    emergency: str


class HazardPlanDialog(InspectorDialog[PlanInput]):
    """Returns the plan (``None`` when cancelled); a bad amount or date is named and the dialog stays open."""

    DEFAULT_CSS = """
    HazardPlanDialog {
        align: center middle;
        #plan-box { width: 90%; max-width: 100; height: auto; max-height: 100%; border: thick $warning;
                    background: $surface; padding: 0 1; }
        #plan-requirement { width: 100%; color: $text-muted; }
        #plan-error { width: 100%; color: $error; height: auto; }
    }
    """

    def __init__(self, requirement: str, current: PlanInput) -> None:
        super().__init__()
        self.requirement = requirement
        self.current = current

    def compose(self) -> ComposeResult:
        values = {
            "measures": self.current.measures,
            "funds": "" if self.current.funds is None else f"{self.current.funds:g}",
            "deadline": self.current.deadline.isoformat() if self.current.deadline else "",
            "emergency": self.current.emergency,
        }
        with Vertical(id="plan-box"):
            yield Label(self.requirement, id="plan-requirement", markup=False)
            for name in FIELDS:
                yield Label("", id=f"plan-{name}-label")
                yield Input(values[name], id=f"plan-{name}")
            yield Label("", id="plan-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#plan-measures", Input).focus()

    def apply_language(self) -> None:
        super().apply_language()
        for name in FIELDS:
            self.query_one(f"#plan-{name}-label", Label).update(self.tr(f"team.plan.{name}"))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = (event.input.id or "").removeprefix("plan-")
        if name != FIELDS[-1]:
            self.query_one(f"#plan-{FIELDS[FIELDS.index(name) + 1]}", Input).focus()
            return
        self._finish()

    def _finish(self) -> None:
        error = self.query_one("#plan-error", Label)
        text = {name: self.query_one(f"#plan-{name}", Input).value.strip() for name in FIELDS}
        funds: float | None = None
        if text["funds"]:
            try:
                funds = float(text["funds"].replace(",", ""))
            except ValueError:
                error.update(self.tr("team.plan.bad_funds", value=text["funds"]))
                return
        deadline: date | None = None
        if text["deadline"]:
            try:
                deadline = date.fromisoformat(text["deadline"])
            except ValueError:
                error.update(self.tr("team.plan.bad_date", value=text["deadline"]))
                return
        self.dismiss(PlanInput(text["measures"], funds, deadline, text["emergency"]))
