"""Plain rows of the stored award decisions (nominations and the final list) for screens and exports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from inspector.awards.evaluate import CriterionResult
from inspector.awards.export import criterion_text
from inspector.awards.repository import decisions
from inspector.awards.rules import parse_rules
from inspector.models import AwardRuleSet, InnovationProject, Team, Unit, Workshop


@dataclass(frozen=True)
class DecisionRow:
    """One stored decision with the names people read."""

    id: uuid.UUID
    award: str
    award_zh: str
    award_en: str
    level: str
    subject_id: uuid.UUID
    name_zh: str
    name_en: str
    belongs_zh: str
    belongs_en: str
    eligible: bool
    rank: int | None
    nominated: bool
    final: bool
    criteria: tuple[CriterionResult, ...]
    ruleset_version: int

    def as_export(self, lang: str) -> dict[str, Any]:
        zh = lang == "zh"
        return {
            "award_name": (self.award_zh or self.award_en) if zh else (self.award_en or self.award_zh),
            "level": self.level,
            "rank": self.rank,
            "name": (self.name_zh or self.name_en) if zh else (self.name_en or self.name_zh),
            "belongs": self.belongs_zh if zh else (self.belongs_en or self.belongs_zh),
            "eligible": self.eligible,
            "nominated": self.nominated,
            "final": self.final,
            "criteria_text": "; ".join(criterion_text(c, lang) for c in self.criteria),
        }


def _names(session: Session, level: str, subject_id: uuid.UUID) -> tuple[str, str, str, str]:
    """(name zh, name en, belongs zh, belongs en) of a decision's subject."""
    if level == "innovation":
        project = session.get(InnovationProject, subject_id)
        if project is None:
            return str(subject_id), str(subject_id), "", ""
        _zh, _en, b_zh, b_en = _names(session, "team", project.team_id)
        team = session.get(Team, project.team_id)
        return (
            project.title_zh,
            project.title_en,
            f"{b_zh} · {team.name('zh') if team else ''}",
            f"{b_en} · {team.name('en') if team else ''}",
        )
    if level == "team":
        team = session.get(Team, subject_id)
        workshop = session.get(Workshop, team.workshop_id) if team else None
        unit = session.get(Unit, workshop.unit_id) if workshop else None
        if team is None or workshop is None or unit is None:
            return str(subject_id), str(subject_id), "", ""
        return (
            team.name_zh,
            team.name_en,
            f"{unit.name('zh')} · {workshop.name('zh')}",
            f"{unit.name('en')} · {workshop.name('en')}",
        )
    if level == "workshop":
        workshop = session.get(Workshop, subject_id)
        unit = session.get(Unit, workshop.unit_id) if workshop else None
        if workshop is None or unit is None:
            return str(subject_id), str(subject_id), "", ""
        return workshop.name_zh, workshop.name_en, unit.name("zh"), unit.name("en")
    unit = session.get(Unit, subject_id)
    if unit is None:
        return str(subject_id), str(subject_id), "", ""
    return unit.name_zh, unit.name_en, "", ""


def decision_list(
    session: Session, *, campaign_id: uuid.UUID, only: str = "all", ruleset_id: uuid.UUID | None = None
) -> list[DecisionRow]:
    """The stored decisions of the newest recorded rule version: ``only`` = all | eligible | nominated | final."""
    stored = decisions(session, campaign_id=campaign_id, ruleset_id=ruleset_id)
    if not stored:
        return []
    ruleset = session.get(AwardRuleSet, stored[0].ruleset_id)
    assert ruleset is not None
    parsed = parse_rules(ruleset.source_text)
    award_names = {a.code: (a.name_zh, a.name_en) for a in parsed.rules.awards} if parsed.rules else {}
    order = {code: n for n, code in enumerate(award_names)}
    rows = []
    for d in stored:
        if only == "eligible" and not d.eligible:
            continue
        if only == "nominated" and not d.nominated:
            continue
        if only == "final" and not d.final:
            continue
        zh, en, b_zh, b_en = _names(session, d.level, d.subject_id)
        award_zh, award_en = award_names.get(d.award, (d.award, d.award))
        criteria = tuple(
            CriterionResult(c["criterion"], c["figure"], c.get("op", ">="), float(c["threshold"]), bool(c["met"]))
            for c in d.criteria
            if isinstance(c, dict)
        )
        rows.append(
            DecisionRow(
                d.id,
                d.award,
                award_zh,
                award_en,
                d.level,
                d.subject_id,
                zh,
                en,
                b_zh,
                b_en,
                d.eligible,
                d.rank,
                d.nominated,
                d.final,
                criteria,
                ruleset.version,
            )
        )
    rows.sort(key=lambda r: (order.get(r.award, 99), not r.eligible, r.rank or 10**6, r.name_zh))
    return rows


def newest_ruleset_id(session: Session, campaign_id: uuid.UUID) -> uuid.UUID | None:
    """The rule version the newest recorded decisions were made under."""
    stored = decisions(session, campaign_id=campaign_id)
    return stored[0].ruleset_id if stored else None


def versions_summary(session: Session, campaign_id: uuid.UUID) -> list[tuple[int, str]]:
    """(version, content hash prefix) of every stored rule version."""
    rows = session.exec(
        select(AwardRuleSet).where(AwardRuleSet.campaign_id == campaign_id).order_by(col(AwardRuleSet.version))
    ).all()
    return [(r.version, r.content_hash[:12]) for r in rows]
