"""The team leader's screen: the team's inspections and scores over the campaign (with a chart), its findings'
rectification orders (answered here), and its award eligibility criterion by criterion, each figure traceable to
the inspections and orders behind it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

import screens.messages.awards  # noqa: F401  (registers the texts)
from screens.base import InspectorScreen
from screens.widgets.charts import ScorePoint, ScoreSeriesChart
from screens.widgets.footer import KeyFooter
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from inspector.awards.evaluate import AwardEntry, CriterionResult
    from inspector.awards.sources import SourceRow
    from inspector.awards.standing import TeamStanding
    from inspector.store import StoreSession
    from inspector.team_records import OrderEvent
    from screens.dialogs.answer_order import OrderAnswer
    from screens.dialogs.hazard_plan import PlanInput


def _mark(met: bool) -> str:
    return "[green]✔[/]" if met else "[red]✘[/]"


class TeamLeaderScreen(InspectorScreen[None]):
    """班组长: my team in one campaign."""

    CSS_PATH = "team_leader.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer", "bind.team.answer", id="team.answer"),
        Binding("p", "plan", "bind.team.plan", id="team.plan"),
        Binding("h", "history", "bind.team.history", id="team.history"),
        Binding("t", "pick_team", "bind.team.team", id="team.team"),
        Binding("c", "pick_campaign", "bind.team.campaign", id="team.campaign"),
        Binding("r", "refresh", "bind.team.refresh", id="team.refresh"),
        Binding("1", "tab('tab-scores')", "bind.team.tab_scores", id="team.tab_scores", show=False),
        Binding("2", "tab('tab-orders')", "bind.team.tab_orders", id="team.tab_orders", show=False),
        Binding("3", "tab('tab-awards')", "bind.team.tab_awards", id="team.tab_awards", show=False),
        # Esc leads home (F6) rather than nowhere.
        Binding("escape", "app.switch_to('inspect')", "bind.team.home", id="team.home", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: TeamStanding | None = None
        self.team_id: uuid.UUID | None = None
        self.campaign_id: uuid.UUID | None = None
        self.sources: list[SourceRow] = []
        self.source_title = ""

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        yield Static(id="team-heading")
        with TabbedContent(id="team-tabs"):
            with TabPane("", id="tab-scores"):
                yield ScoreSeriesChart(id="team-chart")
                yield DataTable(id="team-inspections", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-orders"):
                yield DataTable(id="team-orders", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-awards"):
                yield Static(id="team-decisions")
                yield DataTable(id="team-criteria", cursor_type="row", zebra_stripes=True)
                with Vertical(id="team-sources-box"):
                    yield Static(id="team-sources-title")
                    yield DataTable(id="team-sources", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    # -- language -------------------------------------------------------------------------------------------

    def apply_language(self) -> None:
        super().apply_language()
        self.sub_title = self.tr("team.title")
        tabs = self.query_one("#team-tabs", TabbedContent)
        for pane, key in (
            ("tab-scores", "team.tab.scores"),
            ("tab-orders", "team.tab.orders"),
            ("tab-awards", "team.tab.awards"),
        ):
            tabs.get_tab(pane).label = self.tr(key)
        self._show()

    def action_tab(self, pane: str) -> None:
        """Open a tab by number (1–3): one key, even with gloves on."""
        self.query_one("#team-tabs", TabbedContent).active = pane
        table = {"tab-scores": "#team-inspections", "tab-orders": "#team-orders", "tab-awards": "#team-criteria"}[pane]
        self.query_one(table, DataTable).focus()

    # -- data -----------------------------------------------------------------------------------------------

    def store_ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        person = self.inspector.person
        person_id = person.id if person else None
        team_id, campaign_id, today = self.team_id, self.campaign_id, self.inspector.today()

        def load(session: StoreSession) -> TeamStanding | None:
            from inspector.awards.standing import pick_team, team_standing

            team = pick_team(session, person_id, team_id)
            if team is None:
                return None
            return team_standing(session, team=team, campaign_id=campaign_id, today=today)

        self.run_db(load, self._loaded)

    def _loaded(self, data: TeamStanding | None) -> None:
        self.data = data
        if data is not None:
            self.team_id, self.campaign_id = data.team.id, data.campaign.id
        self.sources, self.source_title = [], ""
        self._show()

    def _show(self) -> None:
        heading = self.query_one("#team-heading", Static)
        data = self.data
        if data is None:
            heading.update(self.tr("team.none") if self.inspector.store is not None else self.tr("app.loading"))
            return
        lang = self.lang
        heading.update(
            self.tr(
                "team.heading",
                team=f"[b]{data.team.name(lang)}[/b]",
                belongs=data.team.belongs(lang),
                campaign=data.campaign.name(lang),
                as_of=data.as_of.isoformat(),
            )
        )
        cursors = {table.id: table.cursor_row for table in self.query(DataTable)}
        self._fill_chart(data)
        self._fill_inspections(data)
        self._fill_orders(data)
        self._fill_awards(data)
        self._fill_sources()
        for table in self.query(DataTable):  # stay on the row the leader was on
            row = cursors.get(table.id, 0)
            if table.row_count and row:
                table.move_cursor(row=min(row, table.row_count - 1))

    def _table(self, table_id: str, keys: tuple[str, ...]) -> DataTable[str]:
        table: DataTable[str] = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        for key in keys:
            table.add_column(self.tr(key), key=key)
        return table

    def _fill_chart(self, data: TeamStanding) -> None:
        counted = [i for i in data.inspections if not i.superseded and i.percent is not None and i.signed_at]
        self.query_one("#team-chart", ScoreSeriesChart).show_scores(
            [
                ScorePoint(i.signed_at.strftime("%m-%d") if i.signed_at else "", float(i.percent or 0.0), i.vetoed)
                for i in counted
            ],
            title=self.tr("team.chart"),
            empty=self.tr("team.chart.empty"),
        )

    def _fill_inspections(self, data: TeamStanding) -> None:
        table = self._table(
            "team-inspections", ("team.col.date", "team.col.score", "team.col.grade", "team.col.place", "team.col.note")
        )
        lang = self.lang
        for i in data.inspections:
            notes = []
            if i.superseded:
                notes.append(self.tr("team.superseded"))
            if i.amendment:
                notes.append(self.tr("team.amendment"))
            if i.vetoed:
                notes.append(self.tr("team.veto"))
            place = (
                (i.place_zh if lang == "zh" else i.place_en or i.place_zh)
                + " · "
                + (i.inspector_zh if lang == "zh" else i.inspector_en or i.inspector_zh)
            )
            table.add_row(
                self.inspector.format_time(i.signed_at),
                "—" if i.percent is None else f"{i.percent:.1f}",
                self.tr(f"grade.{i.grade}") if i.grade else "—",
                place,
                "; ".join(notes),
                key=str(i.id),
            )

    def _fill_orders(self, data: TeamStanding) -> None:
        table = self._table(
            "team-orders", ("team.col.deadline", "team.col.status", "team.col.hazard", "team.col.requirement")
        )
        for o in data.orders:
            status = self.tr(f"order.status.{o.status}")
            if o.overdue:
                status = f"[red]{status} · {self.tr('team.overdue', days=o.days_overdue)}[/]"
            if o.plan_missing and o.status != "closed":
                status += f" · {self.tr('team.plan_missing')}"
            table.add_row(
                o.deadline.isoformat(), status, self.tr(f"rect.hazard.{o.grade}"), o.description, key=str(o.id)
            )

    def _fill_awards(self, data: TeamStanding) -> None:
        decisions = self.query_one("#team-decisions", Static)
        table = self._table(
            "team-criteria",
            ("team.col.award", "team.col.criterion", "team.col.figure", "team.col.threshold", "team.col.met"),
        )
        if data.evaluation is None:
            decisions.update(self.tr("team.no_rules", problem=data.problem))
            return
        lines = []
        for entry in data.entries:
            award = data.evaluation.rules.award(entry.award).name(self.lang)
            outcome = (
                _mark(entry.eligible)
                + " "
                + self.tr("awards.eligible" if entry.eligible else "awards.not_eligible_short")
            )
            if entry.rank is not None:
                outcome += " · " + self.tr("team.rank", rank=entry.rank)
            lines.append(self.tr("team.decision", award=award, outcome=outcome))
            for n, criterion in enumerate(entry.criteria):
                table.add_row(
                    award if n == 0 else "",
                    self.tr(f"fig.{criterion.criterion}"),
                    _figure(criterion),
                    _threshold(criterion),
                    _mark(criterion.met),
                    key=f"{entry.award}|{entry.subject.id}|{criterion.criterion}",
                )
        decisions.update("\n".join(lines) + f"\n[dim]{self.tr('team.sources.hint')}[/dim]")

    def _fill_sources(self) -> None:
        title = self.query_one("#team-sources-title", Static)
        table = self._table(
            "team-sources", ("team.col.kind", "team.col.date", "team.col.what", "team.col.value", "team.col.counted")
        )
        title.update(self.source_title)
        for n, row in enumerate(self.sources):
            counted = f"{_mark(row.counted)} {self.tr(row.note)}"
            table.add_row(
                self.tr(f"src.kind.{row.kind}"),
                row.day.isoformat() if row.day else "",
                row.what(self.lang),
                row.value,
                counted,
                key=f"{n}",
            )

    # -- drill-down -------------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#team-criteria")
    def _criterion_chosen(self, event: DataTable.RowSelected) -> None:
        data = self.data
        if data is None or data.evaluation is None or event.row_key.value is None:
            return
        award, subject, figure = event.row_key.value.split("|")
        entry = next((e for e in data.entries if e.award == award and str(e.subject.id) == subject), None)
        if entry is None:
            return
        evaluation = data.evaluation
        found: AwardEntry = entry

        def load(session: StoreSession) -> list[SourceRow]:
            from inspector.awards.standing import entry_sources

            return entry_sources(session, evaluation, found, figure)

        def show(rows: list[SourceRow]) -> None:
            self.sources = rows
            self.source_title = self.tr("team.sources", criterion=self.tr(f"fig.{figure}"), count=len(rows))
            self._fill_sources()

        self.run_db(load, show)

    # -- orders ---------------------------------------------------------------------------------------------

    def _selected_order(self) -> uuid.UUID | None:
        table = self.query_one("#team-orders", DataTable)
        if self.data is None or not self.data.orders or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return uuid.UUID(key) if key else None

    def _can(self, status: str, action: str) -> bool:
        """Whether the selected order can take ``action``; if not, say why before anything is typed."""
        from inspector.rectification import refusal_from

        refusal = refusal_from(status, action)
        if refusal is not None:
            self.notify(refusal.localized(self.lang), severity="warning", timeout=8)
        return refusal is None

    def action_answer(self) -> None:
        from screens.dialogs.answer_order import AnswerOrderDialog

        self.action_tab("tab-orders")
        order_id = self._selected_order()
        if order_id is None or self.data is None:
            self.notify(self.tr("team.no_order"), severity="warning")
            return
        person = self.inspector.person
        if person is None:
            self.notify(self.tr("team.need_person"), severity="warning")
            return
        order = next(o for o in self.data.orders if o.id == order_id)
        if not self._can(order.status, "answer"):
            return

        def answered(answer: OrderAnswer | None) -> None:
            if answer is not None:
                self._save_answer(order_id, person.id, answer)

        self.app.push_screen(AnswerOrderDialog(order.description), answered)

    def _save_answer(self, order_id: uuid.UUID, person_id: uuid.UUID, answer: OrderAnswer) -> None:
        at = self.inspector.clock()

        def job(session: StoreSession) -> str:
            from inspector.rectification import OrderRefused, answer_order

            try:
                answer_order(
                    session,
                    order_id=order_id,
                    actor_id=person_id,
                    action_taken=answer.action_taken,
                    evidence_paths=answer.evidence_paths,
                    at=at,
                )
            except OrderRefused as refused:
                session.rollback()
                return refused.localized(self.lang)
            return ""

        def done(refusal: str) -> None:
            if refusal:
                self.notify(refusal, severity="error", timeout=10)
            else:
                self.notify(self.tr("team.answered"))
            self.action_refresh()

        self.inspector.write(job, done)

    def action_plan(self) -> None:
        """Record (or revise) the selected major hazard's plan; the signed-in person owns it."""
        from screens.dialogs.hazard_plan import HazardPlanDialog, PlanInput

        self.action_tab("tab-orders")
        order_id = self._selected_order()
        person = self.inspector.person
        if order_id is None or self.data is None:
            self.notify(self.tr("team.no_order"), severity="warning")
            return
        if person is None:
            self.notify(self.tr("team.need_person"), severity="warning")
            return
        order = next(o for o in self.data.orders if o.id == order_id)
        if order.grade != "major":
            self.notify(self.tr("team.not_major"), severity="warning")
            return
        if not self._can(order.status, "plan"):
            return
        current = PlanInput(order.plan_measures, order.plan_funds, order.plan_deadline, order.plan_emergency)
        at = self.inspector.clock()

        def job(session: StoreSession, plan: PlanInput) -> str:
            from inspector.rectification import MajorHazardPlan, OrderRefused, record_plan

            try:
                record_plan(
                    session,
                    order_id=order_id,
                    actor_id=person.id,
                    plan=MajorHazardPlan(plan.measures, plan.funds, plan.deadline, person.id, plan.emergency),
                    at=at,
                )
            except OrderRefused as refused:
                session.rollback()
                return refused.localized(self.lang)
            return ""

        def done(refusal: str) -> None:
            self.notify(refusal or self.tr("team.plan_saved"), severity="error" if refusal else "information")
            self.action_refresh()

        def entered(plan: PlanInput | None) -> None:
            if plan is not None:
                entered_plan = plan
                self.inspector.write(lambda session: job(session, entered_plan), done)

        self.app.push_screen(HazardPlanDialog(order.description, current), entered)

    def action_history(self) -> None:
        from screens.dialogs.message import MessageDialog

        order_id = self._selected_order()
        if order_id is None:
            self.notify(self.tr("team.no_order"), severity="warning")
            return

        def load(session: StoreSession) -> list[OrderEvent]:
            from inspector.team_records import order_history

            return order_history(session, order_id)

        def show(events: list[OrderEvent]) -> None:
            lines = [
                f"{self.inspector.format_time(e.at)}  {(e.actor_zh if self.lang == 'zh' else e.actor_en or e.actor_zh)}  "
                f"{self.tr(f'order.status.{e.from_status}') + ' → ' if e.from_status else ''}"
                f"{self.tr(f'order.status.{e.to_status}')}{'  ' + e.note if e.note else ''}"
                for e in events
            ]
            self.app.push_screen(MessageDialog(self.tr("team.history"), "\n".join(lines)))

        self.run_db(load, show)

    # -- choosing -------------------------------------------------------------------------------------------

    def action_pick_team(self) -> None:
        from inspector.team_records import TeamRef
        from screens.dialogs.picker import PickerDialog, PickerOption

        def load(session: StoreSession) -> list[TeamRef]:
            from inspector.team_records import teams

            return teams(session)

        def chosen(key: str | None) -> None:
            if key:
                self.team_id = uuid.UUID(key)
                self.action_refresh()

        def show(found: list[TeamRef]) -> None:
            options = [
                PickerOption(
                    str(t.id),
                    f"{t.name(self.lang)}  [dim]{t.belongs(self.lang)}[/dim]",
                    f"{t.code} {t.name_zh} {t.name_en} {t.belongs('zh')} {t.belongs('en')}".lower(),
                )
                for t in found
            ]
            self.app.push_screen(PickerDialog("team.pick_team", options), chosen)

        self.run_db(load, show)

    def action_pick_campaign(self) -> None:
        from screens.dialogs.picker import PickerDialog, PickerOption

        if self.data is None:
            return

        def chosen(key: str | None) -> None:
            if key:
                self.campaign_id = uuid.UUID(key)
                self.action_refresh()

        options = [
            PickerOption(
                str(c.id), f"{c.name(self.lang)}  [dim]{c.code}[/dim]", f"{c.code} {c.name_zh} {c.name_en}".lower()
            )
            for c in self.data.campaigns
        ]
        self.app.push_screen(PickerDialog("team.pick_campaign", options), chosen)


def _figure(criterion: CriterionResult) -> str:
    from inspector.awards.export import figure_text

    return figure_text(criterion.criterion, criterion.figure)


def _threshold(criterion: CriterionResult) -> str:
    from inspector.awards.export import threshold_text

    return threshold_text(criterion)
