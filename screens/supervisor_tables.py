"""How the supervisor's tables show a :class:`GroupOverview` (kept apart so the screen module stays about
behaviour)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable, Static

from inspector.awards.export import criterion_text

if TYPE_CHECKING:
    from inspector.awards.standing import GroupOverview
    from inspector.team_records import OrderRow
    from screens.base import LocalizedMixin


def _columns(screen: LocalizedMixin, table: DataTable[str], keys: tuple[str, ...]) -> None:
    table.clear(columns=True)
    for key in keys:
        table.add_column(screen.tr(key), key=key)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def fill_board(screen: LocalizedMixin, table: DataTable[str], data: GroupOverview) -> None:
    """The leaderboard of the chosen level, unit and search."""
    _columns(screen, table, ("sup.col.rank", "sup.col.name", "sup.col.inspections", "sup.col.average",
                             "sup.col.lowest", "sup.col.vetoes", "sup.col.overdue", "sup.col.on_time",
                             "sup.col.belongs"))  # fmt: skip
    lang = screen.lang
    for row in data.board:
        table.add_row(
            str(row.rank) if row.rank is not None else "—",
            row.subject.name(lang),
            str(row.inspections),
            _number(row.average),
            _number(row.lowest),
            f"[red]{row.vetoes}[/]" if row.vetoes else "0",
            f"[red]{row.overdue}[/]" if row.overdue else "0",
            f"{row.on_time_rate:.1f}",
            row.subject.belongs(lang),
            key=str(row.subject.id),
        )


def fill_overdue(screen: LocalizedMixin, table: DataTable[str], orders: list[OrderRow]) -> None:
    """Orders of the campaign (in the chosen unit), most overdue first."""
    _columns(screen, table, ("sup.col.days", "team.col.deadline", "sup.col.team", "sup.col.belongs",
                             "team.col.hazard", "team.col.status", "team.col.requirement"))  # fmt: skip
    lang = screen.lang
    for o in sorted(orders, key=lambda o: (-o.days_overdue, o.deadline, o.team.code)):
        table.add_row(
            f"[red]{o.days_overdue}[/]" if o.overdue else "0",
            o.deadline.isoformat(),
            o.team.name(lang),
            o.team.belongs(lang),
            screen.tr(f"rect.hazard.{o.grade}"),
            screen.tr(f"order.status.{o.status}"),
            o.description,
            key=str(o.id),
        )


def fill_awards(
    screen: LocalizedMixin, table: DataTable[str], state: Static, data: GroupOverview, award: str | None
) -> None:
    """The chosen award's entries: eligibility, rank, nomination and final marks, and what is not met."""
    _columns(screen, table, ("sup.col.rank", "sup.col.name", "sup.col.eligible", "sup.col.nominated",
                             "sup.col.final", "sup.col.unmet", "sup.col.belongs"))  # fmt: skip
    evaluation = data.evaluation
    if evaluation is None:
        state.update(screen.tr("team.no_rules", problem=data.problem))
        return
    version = data.ruleset_version or evaluation.rules_version
    state.update(screen.tr("sup.recorded", version=version) if data.ruleset_id else screen.tr("sup.not_recorded"))
    lang = screen.lang
    for entry in evaluation.for_award(award or ""):
        recorded = data.recorded.get((entry.award, entry.subject.id))
        nominated = bool(recorded and recorded[1])
        final = bool(recorded and recorded[2])
        quota = " ★" if entry.within_quota else ""
        table.add_row(
            f"{entry.rank}{quota}" if entry.rank is not None else "—",
            entry.subject.name(lang),
            "[green]✔[/]" if entry.eligible else "[red]✘[/]",
            "✔" if nominated else "",
            "[b]✔[/b]" if final else "",
            "; ".join(criterion_text(c, lang) for c in entry.unmet),
            entry.subject.belongs(lang),
            key=str(entry.subject.id),
        )


def fill_consistency(
    screen: LocalizedMixin,
    teams_title: Static,
    teams: DataTable[str],
    inspectors_title: Static,
    inspectors: DataTable[str],
    data: GroupOverview,
) -> None:
    """Per team the spread of inspectors' means; per inspector the mean deviation from the team means."""
    lang = screen.lang
    consistency = data.consistency
    _columns(screen, teams, ("sup.col.team", "sup.col.belongs", "sup.col.team_mean", "sup.col.spread",
                             "sup.col.by_inspector"))  # fmt: skip
    _columns(screen, inspectors, ("sup.col.inspector", "sup.col.inspections", "sup.col.teams", "sup.col.deviation",
                                  "sup.col.abs_deviation"))  # fmt: skip
    if not consistency.teams:
        teams_title.update(screen.tr("sup.consistency.none"))
        inspectors_title.update("")
        return
    teams_title.update(screen.tr("sup.consistency.teams", count=len(consistency.teams)))
    inspectors_title.update(screen.tr("sup.consistency.inspectors"))
    for spread in consistency.teams:
        by = ", ".join(
            f"{(m.name_zh if lang == 'zh' else m.name_en or m.name_zh)} {m.mean:.1f}×{m.inspections}"
            for m in spread.inspectors
        )
        teams.add_row(
            spread.subject.name(lang),
            spread.subject.belongs(lang),
            f"{spread.team_mean:.1f}",
            f"[b]{spread.spread:.1f}[/b]",
            by,
            key=str(spread.subject.id),
        )
    for bias in consistency.inspectors:
        sign = "+" if bias.mean_deviation > 0 else ""
        inspectors.add_row(
            bias.name(lang),
            str(bias.inspections),
            str(bias.teams),
            f"{sign}{bias.mean_deviation:.1f}",
            f"{bias.mean_abs_deviation:.1f}",
            key=str(bias.inspector_id),
        )
