"""Review and sign-off: the score, grade, deductions by section, veto, findings and missing required items; the team
leader acknowledges, the inspector signs, and the inspection is locked. A signed inspection can be amended."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from inspector.inspections import score_walk
from inspector.scoring import ScoreResult
from inspector.walk_views import PersonView, WalkData
from screens.base import InspectorScreen
from screens.widgets.footer import KeyFooter
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from inspector.inspections import SignOffResult
    from inspector.store import StoreSession


def _load(inspection_id: uuid.UUID) -> Callable[[StoreSession], WalkData]:
    def job(session: StoreSession) -> WalkData:
        from inspector.walk_queries import load_walk

        return load_walk(session, inspection_id)

    return job


class ReviewScreen(InspectorScreen[None]):
    """The summary an inspection is signed on."""

    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "acknowledge", "bind.review.ack", id="review.ack"),
        Binding("s", "sign", "bind.review.sign", id="review.sign"),
        Binding("m", "amend", "bind.review.amend", id="review.amend"),
        Binding("w", "items", "bind.review.items", id="review.items"),
        Binding("q", "receipt", "bind.review.receipt", id="review.receipt"),
        Binding("escape", "back", "bind.review.walk", id="review.walk"),
    ]

    def __init__(self, inspection_id: uuid.UUID) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.data: WalkData | None = None
        self.score: ScoreResult | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        with VerticalScroll(id="review-body"):
            yield Static(id="review-summary")
            yield Label(id="review-sections-title")
            yield DataTable(id="review-sections", cursor_type="none", zebra_stripes=True, show_cursor=False)
            yield Static(id="review-findings")
            yield Static(id="review-missing")
        yield KeyFooter()

    def store_ready(self) -> None:
        self.run_db(_load(self.inspection_id), self._loaded)

    def _loaded(self, data: WalkData) -> None:
        self.data = data
        self.score = score_walk(data)
        self._show()
        self.refresh_bindings()

    def apply_language(self) -> None:
        super().apply_language()
        self._show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        data = self.data
        if data is None:
            return True
        if action in ("acknowledge", "sign"):
            return not data.signed
        if action == "amend":
            return data.signed and data.superseded_by_id is None
        if action in ("items", "receipt"):
            return data.signed
        return True

    # -- rendering -----------------------------------------------------------------------------------------------

    def _show(self) -> None:
        data, score = self.data, self.score
        self.query_one("#review-sections-title", Label).update(self.tr("review.sections"))
        if data is None or score is None:
            return
        self.sub_title = f"{self.tr('review.title')} · {data.place(self.lang)}"
        lang = self.lang
        percent = f"{score.percent:.1f}%" if score.percent is not None else "—"
        grade = self.tr(f"grade.{score.grade}") if score.grade else "—"
        summary = Text()
        summary.append(f"{data.place(lang)} · {data.template(lang)} v{data.template_version}\n", style="bold")
        summary.append(f"{self.tr('review.score')}: ")
        summary.append(percent, style="bold")
        summary.append(f"  {self.tr('review.grade')}: ")
        summary.append(grade, style="bold red" if score.vetoed or score.grade == "fail" else "bold green")
        summary.append(f"  {self.tr('review.deduction')}: {score.deduction:g}/{score.possible:g}")
        summary.append(f"  {self.tr('review.veto')}: ")
        if score.vetoed:
            summary.append(", ".join(score.veto_items), style="bold reverse red")
        else:
            summary.append(self.tr("review.veto_none"))
        summary.append(f"\n{self.tr('review.ack')}: ")
        if data.acknowledged_by is not None:
            summary.append(
                self.tr(
                    "review.ack_done",
                    name=data.acknowledged_by.name(lang),
                    when=self.inspector.format_time(data.acknowledged_at),
                ),
                style="green",
            )
        else:
            summary.append(self.tr("review.ack_none"), style="yellow")
        if data.amends_id is not None:
            summary.append("\n" + self.tr("review.amends", reason=data.amendment_reason), style="italic")
        if data.signed:
            content_hash = str(data.stored_score.get("content_hash") or "")[:16]
            summary.append(
                "\n" + self.tr("review.signed", when=self.inspector.format_time(data.signed_at), hash=content_hash),
                style="bold reverse",
            )
        if data.superseded_by_id is not None:
            summary.append("\n" + self.tr("review.superseded"), style="bold yellow")
        self.query_one("#review-summary", Static).update(summary)
        self._show_sections(data, score)
        self._show_findings(data)
        missing = self.query_one("#review-missing", Static)
        if score.missing_required:
            missing.update(Text(self.tr("review.missing", items=", ".join(score.missing_required)), style="bold red"))
        else:
            missing.update(Text(self.tr("review.missing_none"), style="green"))

    def _show_sections(self, data: WalkData, score: ScoreResult) -> None:
        table: DataTable[Text] = self.query_one("#review-sections", DataTable)
        table.clear(columns=True)
        for key in (
            "review.col.section",
            "review.col.possible",
            "review.col.earned",
            "review.col.deduction",
            "review.col.percent",
        ):
            table.add_column(self.tr(key), key=key)
        titles = {s.code: s.title(self.lang) for s in data.sections}
        for section in score.sections:
            table.add_row(
                Text(titles.get(section.code, section.code)),
                Text(f"{section.possible:g}", justify="right"),
                Text(f"{section.earned:g}", justify="right"),
                Text(f"{section.deduction:g}", justify="right", style="red" if section.deduction else ""),
                Text(f"{section.percent:.1f}" if section.percent is not None else "—", justify="right"),
            )

    def _show_findings(self, data: WalkData) -> None:
        lines = [Text(self.tr("review.findings", count=len(data.findings)), style="bold")]
        for finding in data.findings:
            lines.append(
                Text(
                    "• "
                    + self.tr(
                        "review.finding_line",
                        grade=self.tr(f"hazard.{finding.grade}"),
                        item=finding.item_code or "—",
                        description=finding.description,
                        deadline=finding.deadline.isoformat(),
                    ),
                    style="red" if finding.grade == "major" else "",
                )
            )
        self.query_one("#review-findings", Static).update(Text("\n").join(lines))

    # -- acknowledgement and sign-off ---------------------------------------------------------------------------

    def action_acknowledge(self) -> None:
        data = self.data
        if data is None or data.signed:
            return
        from screens.dialogs.confirm import ConfirmDialog
        from screens.dialogs.picker import PickerDialog, PickerOption

        # The leader of the inspected place's team first; each named with the team they lead.
        teams = {team.id: team for team in data.teams}
        ordered = sorted(data.leaders, key=lambda p: p.team_id != data.team_id)
        leaders = {str(p.id): p for p in ordered}

        def option(key: str, p: PersonView) -> PickerOption:
            team = teams.get(p.team_id) if p.team_id else None
            team_name = f" · {team.name(self.lang)}" if team else ""
            search = f"{p.code} {p.name_zh} {p.name_en}" + (f" {team.name_zh} {team.name_en}" if team else "")
            return PickerOption(key, f"{p.name(self.lang)}  [dim]{p.code}{team_name}[/dim]", search.lower())

        options = [option(key, p) for key, p in leaders.items()]

        def confirmed(leader: PersonView, ok: bool | None) -> None:
            if not ok:
                return
            inspection_id, now = self.inspection_id, self.inspector.clock()

            def job(session: StoreSession) -> None:
                from inspector.inspections import acknowledge

                acknowledge(session, inspection_id=inspection_id, leader_id=leader.id, now=now)

            self.inspector.write(job)
            self.store_ready()

        def chosen(key: str | None) -> None:
            if key is None or key not in leaders:
                return
            leader = leaders[key]
            question = self.tr("review.confirm_ack", name=leader.name(self.lang), count=len(data.findings))
            self.app.push_screen(ConfirmDialog(question), lambda ok: confirmed(leader, ok))

        self.app.push_screen(PickerDialog("review.pick_leader", options), chosen)

    def action_sign(self) -> None:
        data, score = self.data, self.score
        if data is None or score is None or data.signed:
            return
        if score.missing_required:
            reason = self.tr("review.need_answers", count=len(score.missing_required))
            self.notify(self.tr("review.cannot_sign", reason=reason), severity="error", timeout=6)
            return
        if data.acknowledged_by is None:
            self.notify(self.tr("review.cannot_sign", reason=self.tr("review.need_ack")), severity="error", timeout=6)
            return
        from screens.dialogs.confirm import ConfirmDialog

        inspection_id, signer_id, now = self.inspection_id, data.inspector_id, self.inspector.clock()

        def job(session: StoreSession) -> SignOffResult:
            from inspector.inspections import sign_off

            return sign_off(session, inspection_id=inspection_id, signer_id=signer_id, now=now)

        def signed(result: SignOffResult) -> None:
            percent = f"{result.score.percent:.1f}%" if result.score.percent is not None else "—"
            grade = self.tr(f"grade.{result.score.grade}") if result.score.grade else "—"
            self.notify(self.tr("review.signed_ok", percent=percent, grade=grade), timeout=6)
            self.app.post_message(self.inspector.InspectionSigned(result.inspection_id, result.content_hash))
            self.store_ready()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.inspector.write(job, signed)

        self.app.push_screen(ConfirmDialog(self.tr("review.confirm_sign")), confirmed)

    def action_amend(self) -> None:
        data = self.data
        person = self.inspector.person
        if data is None or not data.signed or person is None:
            return
        from screens.dialogs.text_input import TextInputDialog

        original_id, person_id, now = self.inspection_id, person.id, self.inspector.clock()

        def entered(reason: str | None) -> None:
            if not reason:
                return

            def job(session: StoreSession) -> uuid.UUID:
                from inspector.inspections import start_amendment

                return start_amendment(
                    session, original_id=original_id, inspector_id=person_id, reason=reason, now=now
                ).id

            from screens.start_flow import open_inspection

            self.inspector.write(job, lambda new_id: open_inspection(self.inspector, str(new_id)))

        self.app.push_screen(TextInputDialog(self.tr("input.amend_reason"), allow_empty=False), entered)

    def action_receipt(self) -> None:
        """The receipt QR code again: it was shown once, at sign-off, and a team leader who missed photographing it
        had no way to see it again."""
        from screens.dialogs.receipt import ReceiptDialog

        if self.data is not None and self.data.signed:
            self.app.push_screen(ReceiptDialog(self.inspection_id))

    def action_items(self) -> None:
        """Every answer of a signed inspection, read-only."""
        from screens.walk import WalkScreen

        self.app.push_screen(WalkScreen(self.inspection_id))

    def action_back(self) -> None:
        """Back to the walk; once signed, straight home (the walk is locked)."""
        if self.data is not None and self.data.signed:
            while len(self.app.screen_stack) > 1:
                self.app.pop_screen()
        else:
            self.app.pop_screen()
