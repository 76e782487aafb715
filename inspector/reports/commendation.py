"""The commendation list for the summary conference, from the campaign's award decisions.

Reads the stored :class:`~inspector.models.AwardDecision` rows (what the awards evaluation decided and the
supervisor confirmed): the final list when one exists, otherwise the nominations, marked as not final.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.i18n import known_keys, t
from inspector.models import AwardDecision, InnovationProject, Team, Unit, Workshop
from inspector.models.base import pick
from inspector.reports.campaign import find_campaign
from inspector.reports.tables import Table

#: The conference commends units first, then collectives, teams and innovation projects.
AWARD_ORDER = ("advanced_unit", "advanced_collective", "advanced_team", "innovation")
LEVEL_ORDER = ("unit", "workshop", "team", "innovation")


@dataclass(frozen=True)
class CommendationRow:
    award: str
    rank: int | None
    subject: str
    belongs: str
    basis: str


@dataclass
class Commendation:
    lang: str
    campaign: str
    campaign_code: str
    final: bool
    rows: list[CommendationRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        lang = self.lang
        return [
            Table(
                "commendation",
                t("report.commendation.title", lang),
                [
                    t("commend.award", lang),
                    t("commend.rank", lang),
                    t("commend.subject", lang),
                    t("commend.belongs", lang),
                    t("commend.figures", lang),
                ],
                [[r.award, r.rank, r.subject, r.belongs, r.basis] for r in self.rows],
            )
        ]


def award_name(award: str, lang: str) -> str:
    """The award's name in ``lang`` (its key when the catalogue does not know it)."""
    key = f"rpt.award.{award}"
    return t(key, lang) if key in known_keys() else award.replace("_", " ")


def _criterion_text(criterion: Any) -> str:
    if not isinstance(criterion, dict):
        return str(criterion)
    mark = "✔" if criterion.get("met") else "✘"
    return f"{criterion.get('criterion', '')} {criterion.get('figure', '')} / {criterion.get('threshold', '')} {mark}"


def _subject(session: Session, subject_id: uuid.UUID, lang: str) -> tuple[str, str]:
    """The commended subject's name and what it belongs to (workshop · unit)."""
    team = session.get(Team, subject_id)
    if team is not None:
        workshop = session.get(Workshop, team.workshop_id)
        unit = session.get(Unit, workshop.unit_id) if workshop else None
        return team.name(lang), " · ".join(x.name(lang) for x in (unit, workshop) if x is not None)
    workshop = session.get(Workshop, subject_id)
    if workshop is not None:
        unit = session.get(Unit, workshop.unit_id)
        return workshop.name(lang), unit.name(lang) if unit else ""
    unit = session.get(Unit, subject_id)
    if unit is not None:
        return unit.name(lang), ""
    project = session.get(InnovationProject, subject_id)
    if project is not None:
        owner = session.get(Team, project.team_id)
        return pick(project.title_zh, project.title_en, lang), owner.name(lang) if owner else ""
    return str(subject_id), ""


def commendation_list(session: Session, code: str, *, lang: str = "zh") -> Commendation:
    """The commendation list of the campaign ``code`` (final decisions, else eligible nominations)."""
    campaign = find_campaign(session, code)
    decisions = session.exec(
        select(AwardDecision).where(AwardDecision.campaign_id == campaign.id, col(AwardDecision.eligible).is_(True))
    ).all()
    final = [d for d in decisions if d.final]
    chosen = final or [d for d in decisions if d.nominated]

    def order(d: AwardDecision) -> tuple[int, int, int, str]:
        award_pos = AWARD_ORDER.index(d.award) if d.award in AWARD_ORDER else len(AWARD_ORDER)
        level_pos = LEVEL_ORDER.index(d.level) if d.level in LEVEL_ORDER else len(LEVEL_ORDER)
        return award_pos, level_pos, d.rank if d.rank is not None else 10**6, d.award

    rows = []
    for decision in sorted(chosen, key=order):
        subject, belongs = _subject(session, decision.subject_id, lang)
        rows.append(
            CommendationRow(
                award=award_name(decision.award, lang),
                rank=decision.rank,
                subject=subject,
                belongs=belongs,
                basis="; ".join(_criterion_text(c) for c in decision.criteria),
            )
        )
    return Commendation(lang, campaign.name(lang), campaign.code, bool(final), rows)
