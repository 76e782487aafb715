"""The supervisor's screen: the leaderboard per level with filters, overdue rectifications across the group, the
award eligibility list with nominations and the final list (exported for the commendation conference), inspector
consistency (how differently inspectors score the same team), and charts of the score trend and hazards."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

import inspector.messages.reports  # noqa: F401  (registers the report texts)
import screens.messages.awards  # noqa: F401  (registers the texts)
from screens.base import InspectorScreen
from screens.supervisor_charts import ChartRequest, ChartsPane
from screens.supervisor_tables import fill_awards, fill_board, fill_consistency, fill_overdue
from screens.widgets.footer import KeyFooter
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from inspector.awards.figures import Subject
    from inspector.awards.standing import GroupOverview
    from inspector.store import StoreSession
    from inspector.team_records import OrderRow

LEVELS = ("team", "workshop", "unit")


class SupervisorScreen(InspectorScreen[None]):
    """主管: the whole group in one campaign."""

    CSS_PATH = "supervisor.tcss"
    #: The leaderboard, not the first filter: ↓ on arrival moved into an open drop-down instead of down the list.
    AUTO_FOCUS = "#sup-board"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "record", "bind.sup.record", id="sup.record"),
        Binding("n", "nominate", "bind.sup.nominate", id="sup.nominate"),
        Binding("f", "finalise", "bind.sup.finalise", id="sup.finalise"),
        Binding("x", "export", "bind.sup.export", id="sup.export"),
        Binding("p", "report('summary')", "bind.sup.report_summary", id="sup.report_summary", show=False),
        Binding("l", "report('commendation')", "bind.sup.report_list", id="sup.report_list", show=False),
        Binding("v", "verify", "bind.sup.verify", id="sup.verify"),
        Binding("j", "reject", "bind.sup.reject", id="sup.reject"),
        Binding("c", "pick_campaign", "bind.sup.campaign", id="sup.campaign"),
        Binding("r", "refresh", "bind.sup.refresh", id="sup.refresh"),
        Binding("1", "tab('tab-board')", "bind.sup.tab_board", id="sup.tab_board", show=False),
        Binding("2", "tab('tab-overdue')", "bind.sup.tab_overdue", id="sup.tab_overdue", show=False),
        Binding("3", "tab('tab-awards')", "bind.sup.tab_awards", id="sup.tab_awards", show=False),
        Binding("4", "tab('tab-consistency')", "bind.sup.tab_consistency", id="sup.tab_consistency", show=False),
        Binding("5", "tab('tab-verify')", "bind.sup.tab_verify", id="sup.tab_verify", show=False),
        Binding("6", "tab('tab-charts')", "bind.sup.tab_charts", id="sup.tab_charts", show=False),
        Binding("escape", "clear_compare", "bind.sup.clear_compare", id="sup.clear_compare", show=False),
        Binding("escape", "home", "bind.sup.home", id="sup.home", show=False),  # when nothing is compared
    ]
    #: Each tab's widget that takes the focus when the tab is opened by its number.
    TAB_FOCUS: ClassVar[dict[str, str]] = {
        "tab-board": "#sup-board",
        "tab-overdue": "#sup-overdue",
        "tab-verify": "#sup-verify",
        "tab-awards": "#sup-awards",
        "tab-consistency": "#sup-consistency-teams",
        "tab-charts": "#sup-charts",
    }

    def __init__(self) -> None:
        super().__init__()
        self.data: GroupOverview | None = None
        self.campaign_id: uuid.UUID | None = None
        self.level = "team"
        self.unit_id: uuid.UUID | None = None
        self.search = ""
        self.award: str | None = None
        #: The leaderboard row whose trend the charts compare with the scope's (Enter on the row).
        self.subject: Subject | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        yield Static(id="sup-heading")
        with Horizontal(id="sup-filters"):
            yield Select[str]([(name, name) for name in LEVELS], id="sup-level", allow_blank=False, compact=True)
            yield Select[str]([("—", "")], id="sup-unit", allow_blank=False, compact=True)
            yield Input(id="sup-search", compact=True)
        with TabbedContent(id="sup-tabs"):
            with TabPane("", id="tab-board"):
                yield DataTable(id="sup-board", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-overdue"):
                yield DataTable(id="sup-overdue", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-verify"):
                yield DataTable(id="sup-verify", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-awards"):
                with Horizontal(id="sup-award-bar"):
                    yield Select[str]([("—", "")], id="sup-award", allow_blank=False, compact=True)
                    yield Static(id="sup-award-state")
                yield DataTable(id="sup-awards", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-consistency"):
                yield Static(id="sup-consistency-teams-title", classes="sup-title")
                yield DataTable(id="sup-consistency-teams", cursor_type="row", zebra_stripes=True)
                yield Static(id="sup-consistency-inspectors-title", classes="sup-title")
                yield DataTable(id="sup-consistency-inspectors", cursor_type="row", zebra_stripes=True)
            with TabPane("", id="tab-charts"):
                yield ChartsPane(id="sup-charts")
        yield KeyFooter()

    # -- language -------------------------------------------------------------------------------------------

    def apply_language(self) -> None:
        super().apply_language()
        self.sub_title = self.tr("sup.title")
        tabs = self.query_one("#sup-tabs", TabbedContent)
        for pane, key in (
            ("tab-board", "sup.tab.board"),
            ("tab-overdue", "sup.tab.overdue"),
            ("tab-verify", "sup.tab.verify"),
            ("tab-awards", "sup.tab.awards"),
            ("tab-consistency", "sup.tab.consistency"),
            ("tab-charts", "sup.tab.charts"),
        ):
            tabs.get_tab(pane).label = self.tr(key)
        self.query_one("#sup-search", Input).placeholder = self.tr("sup.search")
        self._set_select("#sup-level", [(self.tr(f"level.{name}"), name) for name in LEVELS], self.level)
        self._show()

    def _set_select(self, selector: str, options: list[tuple[str, str]], value: str) -> None:
        """Replace a select's options (labels in the current language) and keep ``value`` chosen, quietly."""
        from textual.widgets._select import SelectCurrent  # textual is pinned: its label widget is stable

        select: Select[str] = self.query_one(selector, Select)
        if value not in {v for _, v in options}:
            value = options[0][1]
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = value
        # Select only relabels when its value changes; the same value in a new language must relabel too.
        select.query_one(SelectCurrent).update(next(label for label, v in options if v == value))

    def action_tab(self, pane: str) -> None:
        """Open a tab by number (1–6)."""
        self.query_one("#sup-tabs", TabbedContent).active = pane
        self.query_one(self.TAB_FOCUS[pane], Widget).focus()

    # -- data -----------------------------------------------------------------------------------------------

    def store_ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload everything, the award evaluation and the charts' figures included."""
        self.query_one(ChartsPane).forget()
        self._load(reuse_evaluation=False)

    def _load(self, *, reuse_evaluation: bool) -> None:
        campaign_id, level, unit_id, search = self.campaign_id, self.level, self.unit_id, self.search
        today = self.inspector.today()
        reuse = self.data.evaluation if reuse_evaluation and self.data is not None else None

        def load(session: StoreSession) -> GroupOverview | None:
            from inspector.awards.standing import group_overview

            return group_overview(
                session, campaign_id=campaign_id, today=today, level=level, unit_id=unit_id, search=search, reuse=reuse
            )

        self.run_db(load, self._loaded)

    def _loaded(self, data: GroupOverview | None) -> None:
        self.data = data
        if data is not None:
            self.campaign_id = data.campaign.id
            if data.evaluation is not None and self.award not in {a.code for a in data.evaluation.rules.awards}:
                self.award = data.evaluation.rules.awards[0].code
        self._show()

    def _show(self) -> None:
        heading = self.query_one("#sup-heading", Static)
        data = self.data
        if data is None:
            heading.update(self.tr("team.none") if self.inspector.store is not None else self.tr("app.loading"))
            return
        heading.update(
            self.tr(
                "sup.heading",
                campaign=f"[b]{data.campaign.name(self.lang)}[/b]",
                as_of=data.as_of.isoformat(),
                overdue=len(data.overdue),
            )
        )
        self._fill_selects(data)
        # A refresh after an action keeps each list on the row the supervisor was on.
        cursors = {table.id: table.cursor_row for table in self.query(DataTable)}
        fill_board(self, self.query_one("#sup-board", DataTable), data)
        fill_overdue(self, self.query_one("#sup-overdue", DataTable), data.overdue)
        fill_overdue(self, self.query_one("#sup-verify", DataTable), data.to_verify)
        fill_awards(
            self, self.query_one("#sup-awards", DataTable), self.query_one("#sup-award-state", Static), data, self.award
        )
        fill_consistency(
            self,
            self.query_one("#sup-consistency-teams-title", Static),
            self.query_one("#sup-consistency-teams", DataTable),
            self.query_one("#sup-consistency-inspectors-title", Static),
            self.query_one("#sup-consistency-inspectors", DataTable),
            data,
        )
        for table in self.query(DataTable):
            row = cursors.get(table.id, 0)
            if table.row_count and row:
                table.move_cursor(row=min(row, table.row_count - 1))
        self._update_charts()

    def _fill_selects(self, data: GroupOverview) -> None:
        units = [(self.tr("sup.all_units"), "")] + [(u.name(self.lang), str(u.id)) for u in data.units]
        self._set_select("#sup-unit", units, str(self.unit_id) if self.unit_id else "")
        if data.evaluation is not None:
            awards = [(a.name(self.lang), a.code) for a in data.evaluation.rules.awards]
            self._set_select("#sup-award", awards, self.award or awards[0][1])

    # -- filters --------------------------------------------------------------------------------------------

    @on(Select.Changed, "#sup-level")
    def _level_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.level:
            self.level = event.value
            self.subject = None
            self._load(reuse_evaluation=True)

    @on(Select.Changed, "#sup-unit")
    def _unit_changed(self, event: Select.Changed) -> None:
        value = uuid.UUID(event.value) if isinstance(event.value, str) and event.value else None
        if value != self.unit_id:
            self.unit_id = value
            self.subject = None
            self._load(reuse_evaluation=True)

    @on(Input.Submitted, "#sup-search")
    def _search(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        self._load(reuse_evaluation=True)

    @on(Select.Changed, "#sup-award")
    def _award_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.award:
            self.award = event.value
            if self.data is not None:
                fill_awards(
                    self,
                    self.query_one("#sup-awards", DataTable),
                    self.query_one("#sup-award-state", Static),
                    self.data,
                    self.award,
                )

    # -- charts -------------------------------------------------------------------------------------------------

    def _update_charts(self) -> None:
        """The charts follow the campaign, the unit filter, the compared row and the language."""
        data = self.data
        if data is None:
            return
        unit = next((u for u in data.units if u.id == self.unit_id), None)
        self.query_one(ChartsPane).follow(
            ChartRequest(
                data.campaign.id,
                self.unit_id,
                self.subject,
                self.lang,
                # the leaderboard's own selection: the trend counts exactly the inspections its rows count
                tuple(data.evaluation.rules.score_templates) if data.evaluation is not None else (),
            ),
            unit.name(self.lang) if unit is not None else self.tr("sup.all_units"),
            on_view=self.query_one("#sup-tabs", TabbedContent).active == "tab-charts",
        )

    @on(TabbedContent.TabActivated, "#sup-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-charts":
            self._update_charts()

    @on(DataTable.RowSelected, "#sup-board")
    def _compare(self, event: DataTable.RowSelected) -> None:
        """Enter on a leaderboard row: its score trend against the scope's, on the charts tab."""
        key = event.row_key.value
        row = next((r for r in self.data.board if str(r.subject.id) == key), None) if self.data else None
        if row is not None:
            self.subject = row.subject
            self.refresh_bindings()
            self.action_tab("tab-charts")
            self._update_charts()

    def action_clear_compare(self) -> None:
        """Back to the scope's own trend."""
        if self.subject is not None:
            self.subject = None
            self.refresh_bindings()
            self._update_charts()

    async def action_home(self) -> None:
        """Esc with nothing compared: out of the search field to the list, else home (F6) rather than nowhere."""
        if isinstance(self.focused, Input):
            self.query_one("#sup-board", DataTable).focus()
            return
        await self.inspector.action_switch_to("inspect")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_compare":
            return self.subject is not None
        return super().check_action(action, parameters)

    # -- decisions ------------------------------------------------------------------------------------------

    def _actor(self) -> uuid.UUID | None:
        return self.inspector.person.id if self.inspector.person else None

    def action_record(self) -> None:
        data = self.data
        if data is None or data.evaluation is None:
            return
        evaluation, actor, at = data.evaluation, self._actor(), self.inspector.clock()

        def job(session: StoreSession) -> int:
            from inspector.awards.repository import find_campaign as campaign_by_code
            from inspector.awards.repository import load_rules, record_evaluation

            loaded = load_rules(session, campaign=campaign_by_code(session, evaluation.campaign_code))
            record_evaluation(session, evaluation=evaluation, rules_text=loaded.text, actor_id=actor, at=at)
            return len(evaluation.entries)

        def done(count: int) -> None:
            self.notify(self.tr("sup.evaluated", count=count))
            self._load(reuse_evaluation=True)  # decisions changed, figures did not

        self.inspector.write(job, done)

    def _selected_subject(self) -> uuid.UUID | None:
        table = self.query_one("#sup-awards", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return uuid.UUID(key) if key else None

    def action_nominate(self) -> None:
        if self.query_one("#sup-tabs", TabbedContent).active != "tab-awards":
            # From another tab, n would have toggled whichever award row was selected there, unseen.
            self.action_tab("tab-awards")
            self.notify(self.tr("sup.nominate_pick"), timeout=5)
            return
        data, subject = self.data, self._selected_subject()
        if data is None or subject is None or self.award is None:
            return
        recorded = data.recorded.get((self.award, subject))
        if recorded is None:
            self.notify(self.tr("sup.need_record"), severity="warning")
            return
        decision_id, nominated, _final = recorded
        actor, at = self._actor(), self.inspector.clock()

        def job(session: StoreSession) -> bool:
            from inspector.awards.repository import set_nominated

            set_nominated(session, decision_id=decision_id, nominated=not nominated, actor_id=actor, at=at)
            return not nominated

        def done(now_nominated: bool) -> None:
            self.notify(self.tr("sup.nominated" if now_nominated else "sup.withdrawn"))
            self._load(reuse_evaluation=True)  # decisions changed, figures did not

        self.inspector.write(job, done)

    def action_finalise(self) -> None:
        from screens.dialogs.confirm import ConfirmDialog

        data = self.data
        if data is None or data.ruleset_id is None:
            self.notify(self.tr("sup.need_record"), severity="warning")
            return
        ruleset_id, actor, at = data.ruleset_id, self._actor(), self.inspector.clock()
        count = sum(1 for _id, nominated, final in data.recorded.values() if nominated and not final)

        def job(session: StoreSession) -> int:
            from inspector.awards.repository import finalise

            return len(finalise(session, ruleset_id=ruleset_id, actor_id=actor, at=at))

        def done(finalised: int) -> None:
            self.notify(self.tr("sup.finalised", count=finalised))
            self._load(reuse_evaluation=True)  # decisions changed, figures did not

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.inspector.write(job, done)

        self.app.push_screen(ConfirmDialog(self.tr("sup.confirm_final", count=count)), confirmed)

    def action_export(self) -> None:
        from screens.dialogs.text_input import TextInputDialog

        data = self.data
        if data is None or data.ruleset_id is None:
            self.notify(self.tr("sup.need_record"), severity="warning")
            return
        campaign_id, lang = data.campaign.id, self.lang
        any_final = any(final for _id, _nominated, final in data.recorded.values())
        default = str(Path.home() / f"commendation-{data.campaign.code}.xlsx")

        def valid(text: str) -> str | None:
            return None if text.lower().endswith(".xlsx") else self.tr("sup.export.bad")

        def job(session: StoreSession, target: Path) -> tuple[str, str]:
            from inspector.awards.export import write_decisions
            from inspector.awards.views import decision_list

            rows = [
                r.as_export(lang)
                for r in decision_list(session, campaign_id=campaign_id, only="final" if any_final else "nominated")
            ]
            csv_path = target.with_suffix(".csv")
            write_decisions(rows, target, lang)
            write_decisions(rows, csv_path, lang)
            return str(target), str(csv_path)

        def done(paths: tuple[str, str]) -> None:
            self.notify(self.tr("sup.exported", xlsx=paths[0], csv=paths[1]), timeout=10)

        def chosen(text: str | None) -> None:
            if text:
                target = Path(text).expanduser()
                self.run_db(lambda session: job(session, target), done)

        self.app.push_screen(TextInputDialog(self.tr("sup.export.prompt"), default, validate=valid), chosen)

    def action_report(self, report: str) -> None:
        """Export the campaign summary or the commendation list as PDF, XLSX or CSV (the report dialog)."""
        from screens.dialogs.export_report import ExportReportDialog

        if self.data is not None:
            self.app.push_screen(ExportReportDialog(report, campaign_code=self.data.campaign.code))

    # -- verification ---------------------------------------------------------------------------------------

    def _selected_to_verify(self) -> OrderRow | None:
        table = self.query_one("#sup-verify", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((o for o in self.data.to_verify if str(o.id) == key), None)

    def _verification(self, order: OrderRow, *, accepted: bool, reason: str = "") -> None:
        from screens.verification import record_verification

        actor = self._actor()
        if actor is None:
            self.notify(self.tr("team.need_person"), severity="warning")
            return
        record_verification(self, order.id, actor_id=actor, accepted=accepted, reason=reason, then=self.action_refresh)

    def action_verify(self) -> None:
        from screens.dialogs.confirm import ConfirmDialog

        self.action_tab("tab-verify")
        order = self._selected_to_verify()
        if order is None:
            self.notify(self.tr("sup.no_order"), severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._verification(order, accepted=True)

        self.app.push_screen(ConfirmDialog(self.tr("sup.verify.confirm", requirement=order.description)), confirmed)

    def action_reject(self) -> None:
        from screens.dialogs.text_input import TextInputDialog

        self.action_tab("tab-verify")
        order = self._selected_to_verify()
        if order is None:
            self.notify(self.tr("sup.no_order"), severity="warning")
            return

        def entered(reason: str | None) -> None:
            if reason:
                self._verification(order, accepted=False, reason=reason)

        self.app.push_screen(TextInputDialog(self.tr("sup.reject.prompt"), allow_empty=False), entered)

    def action_pick_campaign(self) -> None:
        from screens.dialogs.picker import PickerDialog, PickerOption

        if self.data is None:
            return

        def chosen(key: str | None) -> None:
            if key:
                self.campaign_id = uuid.UUID(key)
                self.award = None
                self.subject = None
                self.action_refresh()

        options = [
            PickerOption(
                str(c.id), f"{c.name(self.lang)}  [dim]{c.code}[/dim]", f"{c.code} {c.name_zh} {c.name_en}".lower()
            )
            for c in self.data.campaigns
        ]
        self.app.push_screen(PickerDialog("team.pick_campaign", options), chosen)
