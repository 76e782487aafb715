"""The commendation list for the summary conference, from the campaign's award decisions.

Where it comes from, first that exists: the final list a supervisor confirmed (stored
:class:`~inspector.models.AwardDecision` rows marked final), the recorded nominations, or — when nothing was
recorded yet — the awards engine's evaluation (:func:`inspector.awards.evaluate_campaign`) as of a day: the eligible
subjects within their award's quota, marked as provisional.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.awards import CriterionResult, RuleFile, evaluate_campaign, load_rules
from inspector.awards.export import criterion_text
from inspector.errors import InspectorError
from inspector.i18n import known_keys, t
from inspector.models import AwardDecision, Campaign, InnovationProject, Team, Unit, Workshop
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


#: Where a list came from.
FINAL = "final"
NOMINATED = "nominated"
EVALUATED = "evaluated"


@dataclass
class Commendation:
    lang: str
    campaign: str
    campaign_code: str
    source: str
    as_of: date | None = None
    rows: list[CommendationRow] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.source == FINAL

    def status(self) -> str:
        """What the list is, in the reader's language (final, nominations, or evaluated as of a day)."""
        return t(f"commend.{self.source}", self.lang, date=self.as_of.isoformat() if self.as_of else "")

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


def award_name(award: str, lang: str, rules: RuleFile | None = None) -> str:
    """The award's name in ``lang``: from the campaign's rule file, else the catalogue, else its code."""
    if rules is not None:
        try:
            return rules.award(award).name(lang)
        except KeyError:
            pass
    key = f"rpt.award.{award}"
    return t(key, lang) if key in known_keys() else award.replace("_", " ")


def _criterion_text(criterion: Any, lang: str) -> str:
    if isinstance(criterion, CriterionResult):
        return criterion_text(criterion, lang)
    if isinstance(criterion, dict) and {"criterion", "figure", "op", "threshold", "met"} <= criterion.keys():
        return criterion_text(
            CriterionResult(
                str(criterion["criterion"]),
                criterion["figure"],
                str(criterion["op"]),
                float(criterion["threshold"]),
                bool(criterion["met"]),
            ),
            lang,
        )
    if isinstance(criterion, dict):
        mark = "✔" if criterion.get("met") else "✘"
        return (
            f"{criterion.get('criterion', '')} {criterion.get('figure', '')} / {criterion.get('threshold', '')} {mark}"
        )
    return str(criterion)


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


def _rules(session: Session, campaign: Campaign) -> RuleFile | None:
    try:
        return load_rules(session, campaign=campaign).rules
    except InspectorError:
        return None


def _order(award: str, level: str, rank: int | None, rules: RuleFile | None) -> tuple[int, int, int, str]:
    codes = [a.code for a in rules.awards] if rules is not None else list(AWARD_ORDER)
    award_pos = codes.index(award) if award in codes else len(codes)
    level_pos = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)
    return award_pos, level_pos, rank if rank is not None else 10**6, award


def commendation_list(session: Session, code: str, *, lang: str = "zh", as_of: date | None = None) -> Commendation:
    """The commendation list of the campaign ``code``: final decisions, else nominations, else the evaluation as of
    ``as_of`` (default: the campaign's last day) — eligible subjects within their award's quota."""
    campaign = find_campaign(session, code)
    rules = _rules(session, campaign)
    decisions = session.exec(
        select(AwardDecision).where(AwardDecision.campaign_id == campaign.id, col(AwardDecision.eligible).is_(True))
    ).all()
    final = [d for d in decisions if d.final]
    chosen = final or [d for d in decisions if d.nominated]
    if chosen:
        rows = []
        for decision in sorted(chosen, key=lambda d: _order(d.award, d.level, d.rank, rules)):
            subject, belongs = _subject(session, decision.subject_id, lang)
            rows.append(
                CommendationRow(
                    award=award_name(decision.award, lang, rules),
                    rank=decision.rank,
                    subject=subject,
                    belongs=belongs,
                    basis="; ".join(_criterion_text(c, lang) for c in decision.criteria),
                )
            )
        return Commendation(lang, campaign.name(lang), campaign.code, FINAL if final else NOMINATED, rows=rows)
    day = as_of or campaign.ends_on
    try:
        evaluation = evaluate_campaign(session, campaign_code=campaign.code, as_of=day)
    except InspectorError:
        return Commendation(lang, campaign.name(lang), campaign.code, EVALUATED, as_of=day)
    winners = [e for e in evaluation.entries if e.eligible and e.within_quota]
    rows = [
        CommendationRow(
            award=award_name(entry.award, lang, evaluation.rules),
            rank=entry.rank,
            subject=entry.subject.name(lang),
            belongs=entry.subject.belongs(lang),
            basis="; ".join(_criterion_text(c, lang) for c in entry.criteria),
        )
        for entry in sorted(winners, key=lambda e: _order(e.award, e.level, e.rank, evaluation.rules))
    ]
    return Commendation(lang, campaign.name(lang), campaign.code, EVALUATED, as_of=day, rows=rows)
