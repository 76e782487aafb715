"""Home: the active campaign, who is signed in, the inspector's workshops with progress, drafts to resume,
orders waiting for verification, signed inspections, and the sync status."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from screens.base import InspectorScreen
from screens.cells import clip, share_cells
from screens.widgets.footer import KeyFooter
from screens.widgets.sync_status import SyncStatusLabel
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import DataTable

    from inspector.store import StoreSession
    from inspector.walk_views import HomeData, OrderView, PersonView
    from screens.widgets.fit_table import FitTable


def _home_data(session: StoreSession) -> HomeData:
    from inspector.walk_queries import home_data

    return home_data(session)


class HomeScreen(InspectorScreen[None]):
    """Where the inspector starts each walk."""

    CSS_PATH = "home.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "bind.home.start", id="home.start"),
        Binding("p", "sign_in", "bind.home.person", id="home.person"),
        Binding("r", "refresh", "bind.home.refresh", id="home.refresh"),
        # One key per tab, as on the team leader's (1–3) and the supervisor's (1–6) screens.
        Binding("1", "tab('tab-workshops')", "bind.home.tab_workshops", id="home.tab_workshops", show=False),
        Binding("2", "tab('tab-drafts')", "bind.home.tab_drafts", id="home.tab_drafts", show=False),
        Binding("3", "tab('tab-orders')", "bind.home.tab_orders", id="home.tab_orders", show=False),
        Binding("4", "tab('tab-signed')", "bind.home.tab_signed", id="home.tab_signed", show=False),
    ]
    #: Each tab's list, which takes the focus when the tab is opened by its number.
    TAB_TABLES: ClassVar[dict[str, str]] = {
        "tab-workshops": "#workshops",
        "tab-drafts": "#drafts",
        "tab-orders": "#orders",
        "tab-signed": "#signed",
    }

    def __init__(self) -> None:
        super().__init__()
        self.data: HomeData | None = None
        #: The drafts' place and checklist widths, in cells, that the drafts table was last filled with.
        self._drafts_fit: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        with Vertical(id="home-status"):
            yield Static(id="home-campaign")
            with Horizontal(id="home-who"):
                yield Static(id="home-person")
                yield SyncStatusLabel(id="home-sync")
        yield Static(id="home-loading")
        yield KeyFooter()

    # -- language --------------------------------------------------------------------------------------------

    def apply_language(self) -> None:
        super().apply_language()
        self.sub_title = self.tr("home.title")
        self._show_data()

    def _label_tabs(self) -> None:
        from textual.widgets import TabbedContent

        tabs = self.query_one("#home-tabs", TabbedContent)
        data = self.data
        counts = {
            "tab-workshops": len(data.workshops) if data else None,
            "tab-drafts": len(data.drafts) if data else None,
            "tab-orders": len(data.orders) if data else None,
            "tab-signed": len(data.signed) if data else None,
        }
        for pane_id, key in (
            ("tab-workshops", "home.tab.workshops"),
            ("tab-drafts", "home.tab.drafts"),
            ("tab-orders", "home.tab.orders"),
            ("tab-signed", "home.tab.signed"),
        ):
            count = counts[pane_id]
            label = f" ({count})" if count else ""
            if pane_id == "tab-signed" and data is not None and data.signed_total > len(data.signed):
                # The list holds the newest only: say so, with the real total, instead of a count that stops at 50.
                label = f" ({self.tr('home.signed_newest', shown=len(data.signed), total=data.signed_total)})"
            tabs.get_tab(pane_id).label = self.tr(key) + label

    # -- data -------------------------------------------------------------------------------------------------

    def store_ready(self) -> None:
        self.action_refresh()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.inspector.store is not None and self.data is not None:
            self.action_refresh()  # back from a walk or a dialog: progress may have changed

    def action_refresh(self) -> None:
        self.run_db(_home_data, self._loaded)

    async def _mount_tabs(self, before: Widget) -> None:
        # Imported and built here, once the data is there: the first frame stays light and quick.
        from textual.widgets import DataTable, TabbedContent, TabPane

        from screens.widgets.fit_table import FitTable

        tabs = TabbedContent(id="home-tabs")
        await self.mount(tabs, before=before)
        for pane_id, table_id in (
            ("tab-workshops", "workshops"),
            ("tab-drafts", "drafts"),
            ("tab-orders", "orders"),
            ("tab-signed", "signed"),
        ):
            # The drafts' names are fitted to the table's width (FitTable says when it changes): at 80 columns every
            # column shows, at 120 the names have the room there is.
            kind = FitTable if table_id == "drafts" else DataTable
            await tabs.add_pane(TabPane("", kind(id=table_id, cursor_type="row", zebra_stripes=True), id=pane_id))

    async def _loaded(self, data: HomeData) -> None:
        first = not self.query("#home-tabs")
        if not first and data == self.data:
            return  # nothing changed: keep the lists (and their cursors) as they are
        if first:
            loading = self.query_one("#home-loading", Static)
            await self._mount_tabs(loading)
            await loading.remove()
        self.data = data
        self.inspector.person = data.person
        self.inspector.campaign = data.campaign
        self._show_data()
        if first:
            # Open on the drafts when there are some (resuming is the likeliest next step), else the workshops.
            from textual.widgets import DataTable, TabbedContent

            pane, table = ("tab-drafts", "#drafts") if data.drafts else ("tab-workshops", "#workshops")
            self.query_one("#home-tabs", TabbedContent).active = pane
            self.query_one(table, DataTable).focus()

    def _show_data(self) -> None:
        lang = self.lang
        data = self.data
        campaign = self.query_one("#home-campaign", Static)
        who = self.query_one("#home-person", Static)
        sync = self.query_one("#home-sync", SyncStatusLabel)
        if data is None:
            campaign.update(self.tr("app.loading"))
            who.update("")
            sync.show(None, lang)
            return
        if data.campaign is not None:
            campaign.update(f"{self.tr('home.campaign')}: [b]{data.campaign.name(lang)}[/b] ({data.campaign.code})")
        else:
            campaign.update(f"{self.tr('home.campaign')}: {self.tr('home.no_campaign')}")
        person = data.person
        # Who is signed in, under their role's name: 检查员 / 班组长 / 主管.
        label = self.tr(f"role.{person.role}").capitalize() if person and person.role != "inspector" else None
        who.update(
            f"{label or self.tr('home.person')}: [b]{person.name(lang)}[/b]"
            if person
            else f"{self.tr('home.person')}: [reverse] {self.tr('home.nobody')} [/reverse]"
        )
        sync.show(data.sync, lang)
        self._label_tabs()
        self._fill_workshops(data)
        self._fill_drafts(data)
        self._fill_orders(data)
        self._fill_signed(data)

    def _columns(self, table_id: str) -> DataTable[str]:
        keys = {
            "workshops": ("home.col.unit", "home.col.workshop", "home.col.progress", "home.col.drafts"),
            # How far each got comes right after the place, so 80 columns show it before the checklist's name.
            "drafts": (
                "home.col.place",
                "home.col.answered",
                "home.col.at_item",
                "home.col.checklist",
                "home.col.started",
            ),
            "orders": ("home.col.team", "home.col.requirement", "home.col.deadline", "home.col.status"),
            "signed": ("home.col.place", "home.col.signed", "home.col.score", "home.col.grade"),
        }[table_id]
        from textual.widgets import DataTable

        table: DataTable[str] = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        for key in keys:
            table.add_column(self.tr(key), key=key)
        return table

    def _fill_workshops(self, data: HomeData) -> None:
        table = self._columns("workshops")
        for w in data.workshops:
            table.add_row(
                w.unit_code, w.name(self.lang), f"{w.inspected}/{w.checkpoints}", str(w.drafts), key=str(w.id)
            )

    def _drafts_rows(self, data: HomeData) -> list[tuple[str, list[str]]]:
        """Each draft's key and cells, names in full: place, progress, item reached, checklist, started."""
        rows = []
        for d in data.drafts:
            pct = round(d.answered / d.total * 100) if d.total else 0
            place = d.place(self.lang) + (self.tr("home.amendment") if d.is_amendment else "")
            cells = [
                place,
                f"{d.answered}/{d.total} {pct}%",
                d.current_item_code or "—",
                d.template(self.lang),
                self.inspector.format_time(d.started_at),
            ]
            rows.append((str(d.inspection_id), cells))
        return rows

    def _drafts_widths(self, table: FitTable, rows: list[tuple[str, list[str]]]) -> tuple[int, int]:
        """The place's and the checklist's widths that make the drafts' five columns fit the table's width: the
        other three keep theirs, the names share what is left (the place 3 : the checklist 2), each cut no more than
        it must."""
        from rich.cells import cell_len

        labels = [column.label.cell_len for column in table.columns.values()]
        natural = [max([labels[i]] + [cell_len(cells[i]) for _key, cells in rows]) for i in range(len(labels))]
        width = table.text_width(len(rows), fallback=self.size.width)
        budget = width - 2 * table.cell_padding * len(labels) - natural[1] - natural[2] - natural[4]
        place, checklist = share_cells((natural[0], natural[3]), budget, weights=(3, 2))
        return place, checklist

    def _fill_drafts(self, data: HomeData) -> None:
        from screens.widgets.fit_table import FitTable

        old = self.query_one("#drafts", FitTable)
        at = old.cursor_row
        at_key = old.coordinate_to_cell_key(old.cursor_coordinate).row_key.value if old.row_count else None
        table = self._columns("drafts")
        assert isinstance(table, FitTable)
        rows = self._drafts_rows(data)
        place_w, checklist_w = self._drafts_fit = self._drafts_widths(table, rows)
        for key, (place, progress, item, checklist, started) in rows:
            table.add_row(clip(place, place_w), progress, item, clip(checklist, checklist_w), started, key=key)
        # The same draft stays under the cursor when the table is refilled (a new width, a new language).
        keys = [key for key, _cells in rows]
        if at_key in keys:
            table.move_cursor(row=keys.index(at_key), animate=False)
        elif rows and at:
            table.move_cursor(row=min(at, len(rows) - 1), animate=False)

    def on_fit_table_resized(self, event: FitTable.Resized) -> None:
        """The drafts table changed size: fit the names to the new width (refilled only if a width changes)."""
        if self.data is None or event.table.id != "drafts":
            return
        if self._drafts_widths(event.table, self._drafts_rows(self.data)) != self._drafts_fit:
            self._fill_drafts(self.data)

    def _fill_orders(self, data: HomeData) -> None:
        table = self._columns("orders")
        for o in data.orders:
            table.add_row(
                o.team(self.lang),
                clip(o.requirement, 34),
                o.deadline.isoformat(),
                self.tr(f"order.{o.status}"),
                key=str(o.id),
            )

    def _fill_signed(self, data: HomeData) -> None:
        table = self._columns("signed")
        for s in data.signed:
            score = f"{s.percent:.1f}" if s.percent is not None else "—"
            grade = self.tr(f"grade.{s.grade}") if s.grade else "—"
            if s.superseded:
                grade += f" ({self.tr('home.superseded')})"
            table.add_row(
                s.place(self.lang), self.inspector.format_time(s.signed_at), score, grade, key=str(s.inspection_id)
            )

    # -- actions ----------------------------------------------------------------------------------------------

    def action_sign_in(self) -> None:
        from inspector.models.enums import Role
        from screens.dialogs.picker import PickerDialog, PickerOption

        def people(session: StoreSession) -> list[PersonView]:
            from inspector.walk_queries import people as roster

            # Team leaders too: signed in, they answer their team's orders on the team screen (F7).
            return roster(session, roles=(Role.INSPECTOR, Role.TEAM_LEADER, Role.SUPERVISOR))

        def chosen(person_id: str | None) -> None:
            if person_id is None:
                return
            from inspector.walk_queries import SETTING_PERSON

            self.inspector.remember(SETTING_PERSON, person_id)
            self.action_refresh()

        def show(roster: list[PersonView]) -> None:
            options = [
                PickerOption(
                    str(p.id),
                    f"{p.name(self.lang)}  [dim]{p.code} · {self.tr(f'role.{p.role}')}[/dim]",
                    f"{p.code} {p.name_zh} {p.name_en}".lower(),
                )
                for p in roster
            ]
            self.app.push_screen(PickerDialog("pick.person", options), chosen)

        self.run_db(people, show)

    def action_tab(self, pane: str) -> None:
        """Open a tab by number (1–4) with its list focused: one key, even with gloves on."""
        from textual.widgets import DataTable, TabbedContent

        if not self.query("#home-tabs"):
            return  # still loading
        self.query_one("#home-tabs", TabbedContent).active = pane
        self.query_one(self.TAB_TABLES[pane], DataTable).focus()

    def action_start(self) -> None:
        from screens.start_flow import pick_place

        pick_place(self.inspector)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: resume a draft, open a signed inspection, or start in a workshop."""
        from screens.start_flow import open_inspection, open_review, pick_place

        key = event.row_key.value
        table_id = event.data_table.id
        if key is None:
            return
        if table_id == "drafts":
            open_inspection(self.inspector, key)
        elif table_id == "signed":
            open_review(self.inspector, key)
        elif table_id == "workshops" and self.data is not None:
            workshop = next((w for w in self.data.workshops if str(w.id) == key), None)
            pick_place(self.inspector, initial_filter=workshop.code.lower() if workshop else "")
        elif table_id == "orders" and self.data is not None:
            order = next((o for o in self.data.orders if str(o.id) == key), None)
            if order is not None:
                self._verify_on_site(order)

    def _verify_on_site(self, order: OrderView) -> None:
        """验收: the inspector, on site, closes an answered order or sends it back with the reason."""
        from screens.dialogs.picker import PickerDialog, PickerOption
        from screens.dialogs.text_input import TextInputDialog

        person = self.inspector.person
        if person is None:
            self.notify(self.tr("scan.need_person"), severity="warning")
            return
        from screens.verification import record_verification

        def record(accepted: bool, reason: str = "") -> None:
            record_verification(
                self, order.id, actor_id=person.id, accepted=accepted, reason=reason, then=self.action_refresh
            )

        def chosen(choice: str | None) -> None:
            if choice == "verify":
                record(True)
            elif choice == "reject":
                self.app.push_screen(
                    TextInputDialog(self.tr("sup.reject.prompt"), allow_empty=False),
                    lambda reason: record(False, reason) if reason else None,
                )

        options = [
            PickerOption("verify", self.tr("home.order.verify"), "verify 验收 销号"),
            PickerOption("reject", self.tr("home.order.reject"), "reject 退回"),
        ]
        self.app.push_screen(PickerDialog("home.order.title", options), chosen)
