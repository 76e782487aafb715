"""The scoring engine: deduction scoring capped per item, N/A out of the denominator, weighted sections,
grade bands and veto items.

Pure functions over plain values, so the walk's live score, the stored score at sign-off and the award figures all
come from the same code. ``ENGINE_VERSION`` changes whenever these semantics change; every stored score keeps it
(with the template's own rule version) so a later change never silently alters a past result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from inspector.models.enums import Choice, ItemKind

ENGINE_VERSION = "deduct-1"
#: A 0–N item scored below this share of its maximum counts as failed (it can raise a hazard or a veto).
SCORE_FAIL_RATIO = 0.6
VETO_GRADE = "veto"
FAIL_GRADE = "fail"


@dataclass(frozen=True)
class ItemRule:
    """What the engine needs to know about a checklist item."""

    code: str
    section: str
    kind: str = ItemKind.YES_NO
    points: float = 0.0
    deduction_per_occurrence: float | None = None
    max_score: int | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    required: bool = True
    veto: bool = False


@dataclass(frozen=True)
class AnswerValue:
    """An item's answer as the engine sees it."""

    choice: str | None = None
    score: int | None = None
    measurement: float | None = None
    text: str = ""
    photo_path: str = ""
    occurrences: int = 1

    @property
    def not_applicable(self) -> bool:
        return self.choice == Choice.NA

    def is_answered(self, kind: str) -> bool:
        if self.not_applicable:
            return True
        if kind == ItemKind.YES_NO:
            return self.choice in (Choice.YES, Choice.NO)
        if kind == ItemKind.SCORE:
            return self.score is not None
        if kind == ItemKind.MEASUREMENT:
            return self.measurement is not None
        if kind == ItemKind.TEXT:
            return bool(self.text.strip())
        return bool(self.photo_path.strip())


@dataclass(frozen=True)
class ItemResult:
    code: str
    section: str
    answered: bool
    not_applicable: bool
    possible: float
    earned: float
    failed: bool

    @property
    def deduction(self) -> float:
        return self.possible - self.earned


@dataclass(frozen=True)
class SectionResult:
    code: str
    possible: float
    earned: float
    percent: float | None
    weight: float | None

    @property
    def deduction(self) -> float:
        return self.possible - self.earned


@dataclass(frozen=True)
class ScoreResult:
    """The score of one inspection (or of what is answered so far)."""

    earned: float
    possible: float
    percent: float | None
    grade: str | None
    vetoed: bool
    veto_items: tuple[str, ...]
    failed_items: tuple[str, ...]
    missing_required: tuple[str, ...]
    sections: tuple[SectionResult, ...]
    items: tuple[ItemResult, ...] = field(repr=False)
    rule_version: str

    @property
    def deduction(self) -> float:
        return round(self.possible - self.earned, 4)

    @property
    def complete(self) -> bool:
        return not self.missing_required


def round1(value: float) -> float:
    """One decimal, rounding halves up as scoring sheets do (89.95 → 90.0)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def item_points(rule: ItemRule) -> float:
    """What an item is worth (a 0–N item without points is worth N)."""
    if rule.kind in (ItemKind.TEXT, ItemKind.PHOTO):
        return 0.0
    if rule.kind == ItemKind.SCORE and not rule.points:
        return float(rule.max_score or 0)
    return float(rule.points)


def _failure_deduction(rule: ItemRule, points: float, occurrences: int) -> float:
    if rule.deduction_per_occurrence is None:
        return points
    # A deduction is never negative (it would add points) and never more than the item is worth.
    return min(points, max(1, occurrences) * max(0.0, rule.deduction_per_occurrence))


def score_item(rule: ItemRule, answer: AnswerValue | None) -> ItemResult:
    """Score one item. Unanswered items count neither way; N/A items leave the denominator."""
    points = max(0.0, item_points(rule))
    if answer is None or not answer.is_answered(rule.kind):
        return ItemResult(rule.code, rule.section, False, False, 0.0, 0.0, False)
    if answer.not_applicable:
        return ItemResult(rule.code, rule.section, True, True, 0.0, 0.0, False)
    earned, failed = points, False
    if rule.kind == ItemKind.YES_NO and answer.choice == Choice.NO:
        failed = True
        earned = points - _failure_deduction(rule, points, answer.occurrences)
    elif rule.kind == ItemKind.SCORE and answer.score is not None and rule.max_score:
        clamped = min(max(answer.score, 0), rule.max_score)
        earned = points * clamped / rule.max_score
        failed = clamped < rule.max_score * SCORE_FAIL_RATIO
    elif rule.kind == ItemKind.MEASUREMENT and answer.measurement is not None:
        value = answer.measurement
        below = rule.lower_limit is not None and value < rule.lower_limit
        above = rule.upper_limit is not None and value > rule.upper_limit
        if below or above:
            failed = True
            earned = points - _failure_deduction(rule, points, answer.occurrences)
    return ItemResult(rule.code, rule.section, True, False, points, max(0.0, earned), failed)


def grade_for(percent: float | None, bands: Sequence[Sequence[object]], vetoed: bool) -> str | None:
    """The grade band of ``percent``; a veto overrides the band."""
    if vetoed:
        return VETO_GRADE
    if percent is None:
        return None
    # Highest threshold first, whatever order the sheet lists its bands in.
    ordered = sorted(bands, key=lambda band: float(band[0]), reverse=True)  # type: ignore[arg-type]
    for threshold, grade in ordered:
        if percent >= float(threshold):  # type: ignore[arg-type]
            return str(grade)
    return FAIL_GRADE


def score_inspection(
    rules: Iterable[ItemRule],
    answers: Mapping[str, AnswerValue],
    *,
    section_weights: Mapping[str, float | None] | None = None,
    grade_bands: Sequence[Sequence[object]] = ((90, "excellent"), (80, "good"), (70, "pass")),
    template_rule_version: str = "1",
) -> ScoreResult:
    """Score a set of answers against the checklist's rules.

    ``percent`` = earned ÷ (possible − N/A points) × 100, one decimal; with weighted sections, the weighted mean of
    section percentages over the sections that have anything applicable (their weights renormalised).
    """
    rule_list = list(rules)
    item_results = tuple(score_item(rule, answers.get(rule.code)) for rule in rule_list)
    section_order: list[str] = []
    for rule in rule_list:
        if rule.section not in section_order:
            section_order.append(rule.section)
    weights = dict(section_weights or {})
    sections: list[SectionResult] = []
    for code in section_order:
        in_section = [r for r in item_results if r.section == code]
        possible = sum(r.possible for r in in_section)
        earned = sum(r.earned for r in in_section)
        section_percent = round1(earned / possible * 100) if possible > 0 else None
        sections.append(SectionResult(code, possible, earned, section_percent, weights.get(code)))
    earned = sum(r.earned for r in item_results)
    possible = sum(r.possible for r in item_results)
    weighted = [s for s in sections if s.weight is not None]
    percent: float | None
    if weighted and len(weighted) == len(sections):
        live = [s for s in sections if s.possible > 0 and s.weight]
        total_weight = sum(s.weight or 0.0 for s in live)
        if total_weight > 0:
            exact = sum((s.earned / s.possible * 100) * (s.weight or 0.0) for s in live) / total_weight
            percent = round1(exact)
        else:
            percent = None
    else:
        percent = round1(earned / possible * 100) if possible > 0 else None
    by_code = {rule.code: rule for rule in rule_list}
    veto_items = tuple(r.code for r in item_results if r.failed and by_code[r.code].veto)
    missing = tuple(
        rule.code for rule, r in zip(rule_list, item_results, strict=True) if rule.required and not r.answered
    )
    return ScoreResult(
        earned=round(earned, 4),
        possible=round(possible, 4),
        percent=percent,
        grade=grade_for(percent, grade_bands, bool(veto_items)),
        vetoed=bool(veto_items),
        veto_items=veto_items,
        failed_items=tuple(r.code for r in item_results if r.failed),
        missing_required=missing,
        sections=tuple(sections),
        items=item_results,
        rule_version=f"{ENGINE_VERSION}/{template_rule_version}",
    )
