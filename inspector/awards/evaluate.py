"""Award evaluation: every subject of every award, criterion by criterion, then ranking and quotas.

The figures come from :mod:`inspector.awards.figures` (SQL aggregates); this module only compares, ranks and
explains. The outcome is plain data: :class:`Evaluation` → :class:`AwardEntry` → :class:`CriterionResult`.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlmodel import Session

from inspector.awards.figures import Figure, LevelFigures, Subject, level_figures, project_figures
from inspector.awards.rules import FIGURES, LOWER, AwardRule, RuleFile
from inspector.models import Campaign

#: The JSON layout's name and version (bumped only when a field is renamed or removed).
JSON_FORMAT = "inspector.awards/1"


class CriterionResult(NamedTuple):
    """One criterion of one subject: the figure, the threshold and whether it is met (a tuple: 10,000 teams × a
    handful of criteria are made per evaluation)."""

    criterion: str
    figure: Figure
    op: str
    threshold: float
    met: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "figure": self.figure,
            "op": self.op,
            "threshold": self.threshold,
            "met": self.met,
        }


@dataclass
class AwardEntry:
    """The decision for one subject under one award."""

    award: str
    level: str
    subject: Subject
    criteria: list[CriterionResult]
    figures: dict[str, Figure]
    rank: int | None = None
    within_quota: bool = False
    #: Every criterion met (fixed when the entry is made).
    eligible: bool = field(init=False)

    def __post_init__(self) -> None:
        self.eligible = all(c.met for c in self.criteria)

    @property
    def unmet(self) -> list[CriterionResult]:
        return [c for c in self.criteria if not c.met]

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The stable JSON form (docs/awards.md)."""
        s = self.subject
        return {
            "award": self.award,
            "level": self.level,
            "subject_id": str(s.id),
            "code": s.code,
            "name": s.name(lang),
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "belongs_to": s.belongs(lang),
            "eligible": self.eligible,
            "rank": self.rank,
            "within_quota": self.within_quota,
            "criteria": [c.as_dict() for c in self.criteria],
        }


@dataclass
class Evaluation:
    """Every award of a campaign evaluated on one date under one version of the rules."""

    campaign_id: uuid.UUID
    campaign_code: str
    campaign_zh: str
    campaign_en: str
    as_of: date
    rules: RuleFile
    rules_hash: str
    rules_version: int | None
    rules_origin: str
    entries: list[AwardEntry] = field(default_factory=list)
    level_figures: dict[str, LevelFigures] = field(default_factory=dict)

    def for_award(self, code: str) -> list[AwardEntry]:
        return [e for e in self.entries if e.award == code]

    def entry(self, award: str, subject_id: uuid.UUID) -> AwardEntry | None:
        for e in self.entries:
            if e.award == award and e.subject.id == subject_id:
                return e
        return None

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "campaign": {"code": self.campaign_code, "name_zh": self.campaign_zh, "name_en": self.campaign_en},
            "as_of": self.as_of.isoformat(),
            "rules": {"version": self.rules_version, "hash": self.rules_hash, "origin": self.rules_origin},
            "awards": [
                {
                    "code": a.code,
                    "level": a.level,
                    "name_zh": a.name_zh,
                    "name_en": a.name_en,
                    "quota": a.quota,
                    "quota_scope": a.quota_scope,
                    "rank_by": a.ranking(),
                }
                for a in self.rules.awards
            ],
            "entries": [e.as_dict(lang) for e in self.entries],
        }


def judge(award: AwardRule, subject: Subject, figures: dict[str, Figure]) -> AwardEntry:
    """Compare every criterion of ``award`` with the subject's figures."""
    return _judge(award, [(c.figure, c.op, c.threshold) for c in award.criteria], subject, figures)


def _judge(
    award: AwardRule, tests: list[tuple[str, str, float]], subject: Subject, figures: dict[str, Figure]
) -> AwardEntry:
    results = []
    for name, op, threshold in tests:
        value = figures.get(name)
        met = value is not None and (value >= threshold if op == ">=" else value <= threshold)
        results.append(CriterionResult(name, value, op, threshold, met))
    return AwardEntry(award.code, award.level, subject, results, figures)


def _sort_key(award: AwardRule, entry: AwardEntry) -> tuple[Any, ...]:
    key: list[Any] = []
    for name in award.ranking():
        value = entry.figures.get(name)
        if value is None:
            key.append((1, 0.0))  # a missing figure ranks last
        else:
            key.append((0, float(value) if FIGURES[name].better == LOWER else -float(value)))
    return tuple(key)


def _scope(award: AwardRule, subject: Subject) -> uuid.UUID | None:
    if award.quota_scope == "unit":
        return subject.unit_id
    if award.quota_scope == "workshop":
        return subject.workshop_id
    return None


def rank(award: AwardRule, entries: list[AwardEntry]) -> None:
    """Rank the eligible entries within each quota scope (equal figures share a rank: 1, 2, 2, 4) and mark those
    within the quota; the not eligible get no rank."""
    by_scope: dict[uuid.UUID | None, list[tuple[tuple[Any, ...], AwardEntry]]] = defaultdict(list)
    for entry in entries:
        entry.rank, entry.within_quota = None, False
        if entry.eligible:
            by_scope[_scope(award, entry.subject)].append((_sort_key(award, entry), entry))
    for group in by_scope.values():
        group.sort(key=lambda keyed: (keyed[0], keyed[1].subject.code))
        previous: tuple[Any, ...] | None = None
        current = 0
        for position, (key, entry) in enumerate(group, start=1):
            if key != previous:
                current, previous = position, key
            entry.rank = current
            entry.within_quota = award.quota is None or current <= award.quota


def _entry_order(entry: AwardEntry) -> tuple[Any, ...]:
    return (not entry.eligible, entry.rank or 0, entry.subject.code)


def evaluate(
    session: Session,
    *,
    campaign: Campaign,
    rules: RuleFile,
    rules_hash: str,
    rules_version: int | None = None,
    rules_origin: str = "stored",
    as_of: date | None = None,
) -> Evaluation:
    """Evaluate every award of ``rules`` for ``campaign`` as of ``as_of`` (default: the rules' date, else the
    campaign's last day). Team awards come first so collectives and units can count their eligible teams."""
    day = as_of or rules.as_of or campaign.ends_on
    evaluation = Evaluation(
        campaign.id,
        campaign.code,
        campaign.name_zh,
        campaign.name_en,
        day,
        rules,
        rules_hash,
        rules_version,
        rules_origin,
    )
    needed = {a.level for a in rules.awards} | (
        {"team"} if any(a.level == "innovation" for a in rules.awards) else set()
    )
    for level in ("team", "workshop", "unit"):
        if level in needed:
            evaluation.level_figures[level] = level_figures(
                session, campaign_id=campaign.id, level=level, as_of=day, score_templates=rules.score_templates
            )
    if "innovation" in needed:
        evaluation.level_figures["innovation"] = project_figures(
            session, campaign_id=campaign.id, team_figures=evaluation.level_figures["team"].figures
        )
    order = {"team": 0, "innovation": 1, "workshop": 2, "unit": 3}
    #: eligible subjects of the first team / workshop award, counted per workshop and unit
    eligible_by_parent: dict[str, Counter[uuid.UUID | None]] = {}
    for award in sorted(rules.awards, key=lambda a: order[a.level]):
        computed = evaluation.level_figures[award.level]
        tests = [(c.figure, c.op, c.threshold) for c in award.criteria]
        entries = []
        for subject in computed.subjects:
            figures = dict(computed.figures[subject.id])
            if award.level in ("workshop", "unit") and "team" in eligible_by_parent:
                figures["eligible_teams"] = eligible_by_parent["team"][subject.id]
            if award.level == "unit" and "workshop" in eligible_by_parent:
                figures["eligible_workshops"] = eligible_by_parent["workshop"][subject.id]
            entries.append(_judge(award, tests, subject, figures))
        rank(award, entries)
        entries.sort(key=_entry_order)
        evaluation.entries.extend(entries)
        if award.level in ("team", "workshop") and award.level not in eligible_by_parent:
            counter: Counter[uuid.UUID | None] = Counter()
            for entry in entries:
                if entry.eligible:
                    counter[entry.subject.unit_id] += 1
                    if award.level == "team":
                        counter[entry.subject.workshop_id] += 1
            eligible_by_parent[award.level] = counter
    listed = {a.code: n for n, a in enumerate(rules.awards)}
    evaluation.entries.sort(key=lambda e: listed[e.award])  # stable: each award keeps its own order
    return evaluation
