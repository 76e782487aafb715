"""The checklist walk: every item of the inspection's template version, answered from the keyboard, saved the
moment it changes, with the running score, deductions, veto and progress always in view.

Only the changed cell and the two summary lines are updated per keypress; the table renders visible rows only,
so 300+ items stay quick.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from inspector.inspections import AnswerInput, answer_value, rules_and_answers, score_values
from inspector.scoring import AnswerValue, ItemRule, ScoreResult, item_points
from inspector.walk_views import AnswerView, FindingView, ItemView, WalkData
from screens.base import InspectorScreen
from screens.widgets.checklist_table import ChecklistRow, ChecklistTable
from screens.widgets.footer import KeyFooter
from screens.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from inspector.store import StoreSession

#: Actions that change the inspection (refused once it is signed).
EDIT_ACTIONS = frozenset({"answer", "score", "hazard", "note", "occurrences", "clear"})


def _load(inspection_id: uuid.UUID) -> object:
    def job(session: StoreSession) -> WalkData:
        from inspector.walk_queries import load_walk

        return load_walk(session, inspection_id)

    return job


def limits_text(item: ItemView, none: str) -> str:
    lo, hi = item.lower_limit, item.upper_limit
    if lo is not None and hi is not None:
        return f"{lo:g}–{hi:g}{item.unit}"
    if lo is not None:
        return f"≥{lo:g}{item.unit}"
    if hi is not None:
        return f"≤{hi:g}{item.unit}"
    return none


class WalkScreen(InspectorScreen[None]):
    """Answer the checklist of one inspection."""

    CSS_PATH = "walk.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('yes')", "bind.walk.yes", id="walk.yes"),
        Binding("n", "answer('no')", "bind.walk.no", id="walk.no"),
        Binding("a", "answer('na')", "bind.walk.na", id="walk.na"),
        Binding("0", "score(0)", "bind.walk.score", key_display="0-9", id="walk.score"),
        *[Binding(str(d), f"score({d})", show=False) for d in range(1, 10)],
        Binding("h", "hazard", "bind.walk.hazard", id="walk.hazard"),
        Binding("u", "next_unanswered", "bind.walk.next", id="walk.next"),
        Binding("r", "review", "bind.walk.review", id="walk.review"),
        Binding("escape", "back", "bind.walk.back", id="walk.back"),
        Binding("e", "note", "bind.walk.note", id="walk.note", show=False),
        Binding("plus", "occurrences(1)", "bind.walk.more", id="walk.more", show=False),
        Binding("minus", "occurrences(-1)", "bind.walk.less", id="walk.less", show=False),
        Binding("backspace", "clear", "bind.walk.clear", id="walk.clear", show=False),
        Binding("s", "section", "bind.walk.section", id="walk.section", show=False),
        Binding("g", "goto", "bind.walk.goto", id="walk.goto", show=False),
        Binding("v", "value", "bind.walk.value", key_display="⏎/v", id="walk.value"),
    ]

    def __init__(self, inspection_id: uuid.UUID) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.data: WalkData | None = None
        self.items: dict[str, ItemView] = {}
        self.order: list[str] = []
        self.score: ScoreResult | None = None
        self._recorded_code: str | None = None
        self._rules: dict[str, ItemRule] = {}
        self._rule_list: list[ItemRule] = []
        self._values: dict[str, AnswerValue] = {}
        self._shown_kind: str | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(icon="⛑")
        yield Static(id="walk-summary")
        yield ChecklistTable(id="walk-items")
        yield Static(id="walk-detail")
        yield KeyFooter()

    # -- loading -----------------------------------------------------------------------------------------------

    def store_ready(self) -> None:
        self.query_one("#walk-summary", Static).update(self.tr("walk.loading"))
        self.run_db(_load(self.inspection_id), self._loaded)  # type: ignore[arg-type]

    def _loaded(self, data: WalkData) -> None:
        self.data = data
        self.items = {item.code: item for item in data.items}
        self.order = [item.code for item in data.items]
        self._recorded_code = data.current_item_code
        rule_list, self._values = rules_and_answers(data)
        self._rule_list = rule_list
        self._rules = {rule.code: rule for rule in rule_list}
        self.score = score_values(data, rule_list, self._values)
        self._build_table(data.current_item_code)
        self._show_summary()
        self.refresh_bindings()

    @property
    def locked(self) -> bool:
        return self.data is None or self.data.signed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edits are disabled once signed; the answer keys shown are those of the current item's kind."""
        if action in EDIT_ACTIONS and self.data is not None and self.data.signed:
            return None
        item = self._current_item() if self.data is not None and self.is_mounted else None
        if item is None:
            return True
        if action == "answer" and parameters and parameters[0] != "na":
            return item.kind == "yes_no"
        if action == "score":
            return item.kind == "score"
        if action == "value":
            return item.kind in ("measurement", "text", "photo")
        if action == "occurrences":
            return item.kind in ("yes_no", "measurement")
        return True

    # -- rendering -------------------------------------------------------------------------------------------

    def apply_language(self) -> None:
        super().apply_language()
        if self.data is not None:
            self._build_table(self._current_code())
            self._show_summary()

    def _row(self, item: ItemView) -> ChecklistRow:
        return ChecklistRow(
            Text(item.code),
            self._answer_cell(item),
            Text(f"{self._points(item):g}"),
            Text(item.text(self.lang)),
        )

    def _build_table(self, at_code: str | None) -> None:
        assert self.data is not None
        headers = ChecklistRow(
            Text(self.tr("walk.col.code")),
            Text(self.tr("walk.col.answer")),
            Text(self.tr("walk.col.points")),
            Text(self.tr("walk.col.item")),
        )
        index = self.order.index(at_code) if at_code in self.order else 0
        table = self.query_one("#walk-items", ChecklistTable)
        table.set_rows(headers, [self._row(item) for item in self.data.items], index)
        table.focus()
        self._show_detail(self.order[index] if self.order else None)

    def _points(self, item: ItemView) -> float:
        return item_points(self._rules[item.code]) if item.code in self._rules else item.points

    def _has_finding(self, code: str) -> bool:
        return self.data is not None and any(f.item_code == code for f in self.data.findings)

    def _answer_cell(self, item: ItemView) -> Text:
        assert self.data is not None
        answer = self.data.answers.get(item.code)
        marker = " ▲" if self._has_finding(item.code) else ""
        value = AnswerValue(
            choice=answer.choice if answer else None,
            score=answer.score if answer else None,
            measurement=answer.measurement if answer else None,
            text=answer.text if answer else "",
            photo_path=answer.photo_path if answer else "",
        )
        if answer is None or not value.is_answered(item.kind):
            if item.required:
                return Text(self.tr("walk.required"), style="dim italic")
            return Text("")
        if answer.choice == "na":
            return Text(self.tr("answer.na") + marker, style="dim")
        if answer.choice == "yes":
            return Text("✓ " + self.tr("answer.yes") + marker, style="green")
        if answer.choice == "no":
            times = f"×{answer.occurrences}" if answer.occurrences > 1 else ""
            return Text("✗ " + self.tr("answer.no") + times + marker, style="bold red")
        failed = self.score is not None and item.code in self.score.failed_items
        style = "bold red" if failed else "green"
        if answer.score is not None:
            return Text(f"{answer.score}/{item.max_score}{marker}", style=style)
        if answer.measurement is not None:
            return Text(f"{answer.measurement:g}{item.unit}{marker}", style=style)
        if answer.text:
            return Text("✎" + marker)
        return Text("▣" + marker)

    def _show_summary(self) -> None:
        data, score = self.data, self.score
        if data is None or score is None:
            return
        self.sub_title = f"{data.place(self.lang)} · {data.template(self.lang)} v{data.template_version}"
        answered = sum(1 for r in score.items if r.answered)
        parts = [
            self.tr("walk.progress", answered=answered, total=len(score.items)),
            self.tr("walk.missing", count=len(score.missing_required)),
            self.tr("walk.score", percent=f"{score.percent:.1f}%" if score.percent is not None else "—")
            + (f" ({self.tr(f'grade.{score.grade}')})" if score.grade else ""),
            self.tr("walk.deduction", points=f"{score.deduction:g}"),
            self.tr("walk.findings", count=len(data.findings)),
        ]
        line = Text(" · ".join(parts))  # narrow separators: the whole line fits 80 columns in English too
        # Veto, lock and amendment go on the second line: appended to the first, "VETO:" and its items were split
        # across the two lines at 80 columns in English.
        flags: list[Text] = []
        if score.vetoed:
            flags.append(Text(self.tr("walk.veto", items=", ".join(score.veto_items)), style="bold reverse red"))
        if data.signed:
            flags.append(Text(self.tr("walk.locked"), style="bold reverse"))
        elif data.amends_id is not None:
            flags.append(Text(self.tr("walk.amendment", reason=data.amendment_reason), style="italic"))
        if flags:
            line.append("\n")
            line.append_text(Text("  ").join(flags))
        self.query_one("#walk-summary", Static).update(line, layout=False)  # fixed height: no relayout per key

    def _show_detail(self, code: str | None) -> None:
        detail = self.query_one("#walk-detail", Static)
        if code is None or self.data is None:
            detail.update("", layout=False)
            return
        item = self.items[code]
        section = next((s for s in self.data.sections if s.code == item.section_code), None)
        head = Text()
        head.append(f"{section.title(self.lang) if section else item.section_code} › ", style="bold")
        head.append(f"{item.code} · {self._points(item):g}")
        for flag, key in (
            (item.required, "walk.required"),
            (item.veto, "walk.veto_item"),
            (item.always_major, "walk.always_major"),
        ):
            if flag:
                head.append(f" · {self.tr(key)}", style="bold yellow" if key != "walk.required" else "")
        lines = [head, Text(item.text(self.lang))]
        lines.append(Text(self._keys_hint(item), style="italic"))
        answer = self.data.answers.get(code)
        finding = self._finding_for(code)
        if finding is not None:
            lines.append(Text(self.tr("walk.has_hazard", grade=self.tr(f"hazard.{finding.grade}")), style="bold red"))
        elif self.score is not None and code in self.score.failed_items and not self.data.signed:
            lines.append(Text(self.tr("walk.raise_hazard"), style="bold red"))
        if answer is not None and answer.note:
            lines.append(Text(self.tr("walk.note", note=answer.note)))
        # Basis, deduction rule and method last: on a small terminal they are what gets cut.
        # Each label is joined to its text (依据：…, no space in Chinese), so a wrap never leaves "扣分:" alone at
        # the end of a line with its rule on the next.
        extra = [
            self.tr(f"walk.{key}_line", text=text)
            for key, text in (
                ("basis", item.basis(self.lang)),
                ("rule", item.deduction_rule(self.lang)),
                ("method", item.method(self.lang)),
            )
            if text
        ]
        if extra:
            lines.append(Text("  ".join(extra), style="dim"))
        detail.update(Text("\n").join(lines), layout=False)

    def _keys_hint(self, item: ItemView) -> str:
        if item.kind == "score":
            return self.tr("walk.keys.score", max=item.max_score or 0)
        if item.kind == "measurement":
            return self.tr("walk.keys.measurement", limits=limits_text(item, self.tr("walk.limits_none")))
        if item.kind in ("text", "photo"):
            return self.tr(f"walk.keys.{item.kind}")
        return self.tr("walk.keys.yes_no")

    def _finding_for(self, code: str) -> FindingView | None:
        if self.data is None:
            return None
        return next((f for f in self.data.findings if f.item_code == code), None)

    # -- cursor -----------------------------------------------------------------------------------------------

    def _current_code(self) -> str | None:
        table = self.query_one("#walk-items", ChecklistTable)
        if not self.order or table.row_count == 0:
            return None
        return self.order[min(table.cursor_row, len(self.order) - 1)]

    def _current_item(self) -> ItemView | None:
        code = self._current_code()
        return self.items.get(code) if code else None

    def move_to(self, code: str) -> None:
        self.query_one("#walk-items", ChecklistTable).move_cursor(self.order.index(code))

    @on(ChecklistTable.CursorMoved, "#walk-items")
    def _highlighted(self, event: ChecklistTable.CursorMoved) -> None:
        if self.data is None or not 0 <= event.index < len(self.order):
            return
        code = self.order[event.index]
        self._show_detail(code)
        kind = self.items[code].kind if code in self.items else None
        if kind != self._shown_kind:
            # The footer offers the keys of the item's kind; rebuild it only when the kind changes.
            self._shown_kind = kind
            self.refresh_bindings()
        if not self.data.signed and code != self._recorded_code:
            self._recorded_code = code
            inspection_id = self.inspection_id

            def record(session: StoreSession) -> None:
                from inspector.inspections import record_current_item

                record_current_item(session, inspection_id=inspection_id, item_code=code)

            self.inspector.write(record)

    # -- answering -----------------------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """An answer key that does not fit the current item (its binding is off) says which keys do."""
        item = self._current_item() if self.data is not None else None
        key = event.character
        if item is None or self.locked or not key or key not in "yn0123456789":
            return
        # The key events of a real terminal reach this handler even when a binding answered the item: hint only
        # when the key does not fit the item.
        fits_yes_no = key in "yn" and item.kind == "yes_no"
        fits_score = (
            key.isdigit() and item.kind == "score" and item.max_score is not None and int(key) <= item.max_score
        )
        if not (fits_yes_no or fits_score):
            self.notify(self._keys_hint(item), severity="warning", timeout=4)

    def _store_answer(self, item: ItemView, answer: AnswerView | None, *, advance: bool) -> None:
        """Show the new answer at once and queue its durable save."""
        assert self.data is not None
        if answer is None:
            self.data.answers.pop(item.code, None)
            self._values.pop(item.code, None)
        else:
            self.data.answers[item.code] = answer
            self._values[item.code] = answer_value(answer)
        self.score = score_values(self.data, self._rule_list, self._values)
        failed = item.code in self.score.failed_items
        index = self.order.index(item.code)
        # Answer and move on (a failed item keeps the cursor, for its hazard); the save records where the cursor
        # goes, in the same transaction, so the draft reopens there.
        next_code = self.order[index + 1] if advance and not failed and index + 1 < len(self.order) else item.code
        self._recorded_code = next_code
        self.query_one("#walk-items", ChecklistTable).update_row(self.order.index(item.code), self._row(item))
        self._show_summary()
        inspection_id, item_id = self.inspection_id, item.id
        if answer is None:

            def clear(session: StoreSession) -> None:
                from inspector.inspections import clear_answer

                clear_answer(session, inspection_id=inspection_id, item_id=item_id)

            self.inspector.write(clear)
        else:
            value = AnswerInput(
                choice=answer.choice,
                score=answer.score,
                measurement=answer.measurement,
                text=answer.text,
                photo_path=answer.photo_path,
                occurrences=answer.occurrences,
                note=answer.note,
            )
            now = self.inspector.clock()

            def save(session: StoreSession) -> None:
                from inspector.inspections import commit_answer

                commit_answer(
                    session,
                    inspection_id=inspection_id,
                    item_id=item_id,
                    value=value,
                    now=now,
                    current_item_code=next_code,
                )

            self.inspector.write(save)
        if next_code != item.code:
            self.move_to(next_code)
        else:
            self._show_detail(item.code)

    def _note_of(self, code: str) -> str:
        answer = self.data.answers.get(code) if self.data else None
        return answer.note if answer else ""

    def action_answer(self, choice: str) -> None:
        item = self._current_item()
        if item is None or self.locked:
            return
        if choice != "na" and item.kind != "yes_no":
            self.notify(self._keys_hint(item), severity="warning", timeout=4)
            return
        self._store_answer(item, AnswerView(choice=choice, note=self._note_of(item.code)), advance=True)

    def action_score(self, value: int) -> None:
        item = self._current_item()
        if item is None or self.locked:
            return
        if item.kind != "score" or item.max_score is None or value > item.max_score:
            self.notify(self._keys_hint(item), severity="warning", timeout=4)
            return
        self._store_answer(item, AnswerView(score=value, note=self._note_of(item.code)), advance=True)

    def action_occurrences(self, delta: int) -> None:
        item = self._current_item()
        if item is None or self.locked or self.data is None:
            return
        answer = self.data.answers.get(item.code)
        if answer is None or (answer.choice != "no" and answer.measurement is None):
            return
        count = max(1, answer.occurrences + delta)
        self._store_answer(
            item,
            AnswerView(
                answer.choice, answer.score, answer.measurement, answer.text, answer.photo_path, count, answer.note
            ),
            advance=False,
        )

    def action_clear(self) -> None:
        item = self._current_item()
        if item is None or self.locked:
            return
        self._store_answer(item, None, advance=False)

    @on(ChecklistTable.Chosen, "#walk-items")
    def action_value(self) -> None:
        """Enter: type the value of a measurement, text or photo item."""
        item = self._current_item()
        if item is None or self.locked or item.kind not in ("measurement", "text", "photo"):
            return
        from pathlib import Path

        from screens.dialogs.text_input import TextInputDialog

        answer = self.data.answers.get(item.code) if self.data else None
        label = f"{item.code} {item.text(self.lang)}"
        if item.kind == "measurement":
            prompt = self.tr(
                "input.measurement",
                item=label,
                unit=item.unit or "—",
                limits=limits_text(item, self.tr("walk.limits_none")),
            )
            current = f"{answer.measurement:g}" if answer and answer.measurement is not None else ""

            def number(text: str) -> str | None:
                try:
                    float(text.replace(",", "."))
                except ValueError:
                    return self.tr("walk.not_number", value=text)
                return None

            validate = number
        elif item.kind == "photo":
            prompt = self.tr("input.photo", item=label)
            current = answer.photo_path if answer else ""

            def exists(text: str) -> str | None:
                return None if Path(text).expanduser().is_file() else self.tr("input.photo_missing", path=text)

            validate = exists
        else:
            prompt = self.tr("input.text", item=label)
            current = answer.text if answer else ""
            validate = None

        def entered(text: str | None) -> None:
            if text is None:
                return
            if not text:
                self._store_answer(item, None, advance=False)
                return
            note = self._note_of(item.code)
            if item.kind == "measurement":
                new = AnswerView(measurement=float(text.replace(",", ".")), note=note)
            elif item.kind == "photo":
                new = AnswerView(photo_path=str(Path(text).expanduser()), note=note)
            else:
                new = AnswerView(text=text, note=note)
            self._store_answer(item, new, advance=True)

        self.app.push_screen(TextInputDialog(prompt, current, validate=validate), entered)

    def action_note(self) -> None:
        item = self._current_item()
        if item is None or self.locked or self.data is None:
            return
        from screens.dialogs.text_input import TextInputDialog

        def entered(text: str | None) -> None:
            if text is None or self.data is None:
                return
            old = self.data.answers.get(item.code) or AnswerView()
            new = AnswerView(old.choice, old.score, old.measurement, old.text, old.photo_path, old.occurrences, text)
            self._store_answer(item, new, advance=False)

        prompt = self.tr("input.note", item=f"{item.code} {item.text(self.lang)}")
        self.app.push_screen(TextInputDialog(prompt, self._note_of(item.code)), entered)

    # -- hazards -------------------------------------------------------------------------------------------------

    def action_hazard(self) -> None:
        item = self._current_item()
        data = self.data
        if item is None or data is None or self.locked:
            return
        from screens.dialogs.finding import FindingDialog, FindingInput

        existing = self._finding_for(item.code)
        prior = (
            FindingInput(
                existing.grade, existing.description, existing.team_id, existing.deadline, list(existing.photo_paths)
            )
            if existing
            else None
        )
        today = self.inspector.today()

        def done(result: FindingInput | None) -> None:
            if result is None:
                return
            self._save_finding(item, result, existing.id if existing else None, today)

        self.app.push_screen(
            FindingDialog(
                item_label=f"{item.code} {item.text(self.lang)}",
                always_major=item.always_major,
                teams=[(t.name(self.lang), t.id) for t in data.teams],
                default_team=data.team_id,
                today=today,
                existing=prior,
            ),
            done,
        )

    def _save_finding(self, item: ItemView, result: object, finding_id: uuid.UUID | None, today: object) -> None:
        from screens.dialogs.finding import FindingInput

        assert isinstance(result, FindingInput) and self.data is not None
        inspection_id, person_id = self.inspection_id, self.data.inspector_id

        def job(session: StoreSession) -> FindingView | None:
            from inspector.inspections import delete_finding, save_finding

            if result.withdraw and finding_id is not None:
                delete_finding(session, inspection_id=inspection_id, finding_id=finding_id)
                return None
            f = save_finding(
                session,
                inspection_id=inspection_id,
                item_id=item.id,
                grade=result.grade,
                description=result.description,
                team_id=result.team_id,
                deadline=result.deadline,
                photo_paths=result.photo_paths,
                raised_by_id=person_id,
                today=today,  # type: ignore[arg-type]
                finding_id=finding_id,
            )
            return FindingView(f.id, item.code, f.grade, f.description, f.team_id, f.deadline, tuple(f.photo_paths))

        def saved(view: FindingView | None) -> None:
            if self.data is None:
                return
            self.data.findings = [f for f in self.data.findings if f.id != finding_id]
            if view is not None:
                self.data.findings.append(view)
                self.notify(self.tr("hazard.saved"), timeout=3)
            if self.is_mounted:
                table = self.query_one("#walk-items", ChecklistTable)
                index = self.order.index(item.code)
                table.update_row(index, self._row(item))
                self._show_summary()
                if view is not None and self._current_code() == item.code and index + 1 < len(self.order):
                    self.move_to(self.order[index + 1])  # hazard recorded: on to the next item
                else:
                    self._show_detail(self._current_code())

        self.inspector.write(job, saved)

    # -- navigation ----------------------------------------------------------------------------------------------

    def action_next_unanswered(self) -> None:
        if self.score is None or not self.order:
            return
        answered = {r.code for r in self.score.items if r.answered}
        start = self.order.index(self._current_code() or self.order[0])
        for step in range(1, len(self.order) + 1):
            code = self.order[(start + step) % len(self.order)]
            if code not in answered:
                self.move_to(code)
                return
        self.notify(self.tr("walk.all_answered"), timeout=4)

    def action_section(self) -> None:
        if self.data is None:
            return
        from screens.dialogs.picker import PickerDialog, PickerOption

        options = [
            PickerOption(
                s.code, f"{s.title(self.lang)}  [dim]{s.code}[/dim]", f"{s.code} {s.title_zh} {s.title_en}".lower()
            )
            for s in self.data.sections
        ]

        def chosen(code: str | None) -> None:
            first = next((i.code for i in self.data.items if i.section_code == code), None) if self.data else None
            if first is not None:
                self.move_to(first)

        self.app.push_screen(PickerDialog("pick.section", options), chosen)

    def action_goto(self) -> None:
        from screens.dialogs.text_input import TextInputDialog

        def entered(text: str | None) -> None:
            if not text:
                return
            wanted = text.strip().upper()
            code = next((c for c in self.order if c.upper() == wanted), None)
            if code is None:
                self.notify(self.tr("walk.no_such_code", code=text), severity="warning")
            else:
                self.move_to(code)

        self.app.push_screen(TextInputDialog(self.tr("input.goto")), entered)

    def action_review(self) -> None:
        from screens.review import ReviewScreen

        if self.data is not None and self.data.signed:
            self.app.pop_screen()  # a signed inspection's items are opened from its review
            return
        self.app.push_screen(ReviewScreen(self.inspection_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Coming back from the review: the sign-off may have locked the inspection.
        if self.data is not None:
            self.run_db(_load(self.inspection_id), self._reloaded)  # type: ignore[arg-type]

    def _reloaded(self, data: WalkData) -> None:
        if self.data is not None and (data.status != self.data.status or data.findings != self.data.findings):
            self._loaded(data)
