"""What an inspector answered for each item: N/A where the item does not apply to the workshop, otherwise a pass
or a failure drawn from the team's profile, with realistic measured values."""

from __future__ import annotations

import random
from dataclasses import dataclass

from inspector.demo.profiles import TeamProfile
from inspector.models import Choice, ItemKind, TemplateItem, WorkshopKind
from inspector.scoring import AnswerValue

ALL_KINDS = frozenset(WorkshopKind)
#: Sections of the safety sheet that apply to a kind of workshop (others are answered N/A).
SECTION_KINDS: dict[str, frozenset[str]] = {
    "CAST": frozenset({WorkshopKind.CASTING}),
    "EXTR": frozenset({WorkshopKind.EXTRUSION}),
    "ANOD": frozenset({WorkshopKind.ANODISING}),
    "FORK": frozenset(
        {
            WorkshopKind.CASTING,
            WorkshopKind.EXTRUSION,
            WorkshopKind.POWDER_COATING,
            WorkshopKind.DEEP_PROCESSING,
            WorkshopKind.PACKAGING,
            WorkshopKind.WAREHOUSE,
        }
    ),
}
#: Items that only apply in some workshops.
ITEM_KINDS: dict[str, frozenset[str]] = {
    "FIRE-04": frozenset({WorkshopKind.CASTING}),
    "FIRE-07": frozenset({WorkshopKind.POWDER_COATING}),
    "FIRE-08": frozenset({WorkshopKind.POWER}),
    "FIRE-10": frozenset({WorkshopKind.WAREHOUSE, WorkshopKind.PACKAGING}),
    "ELEC-07": frozenset({WorkshopKind.POWER}),
    "ELEC-08": frozenset({WorkshopKind.POWER}),
    "ELEC-09": frozenset({WorkshopKind.POWER}),
    "PPE-02": frozenset(
        {
            WorkshopKind.CASTING,
            WorkshopKind.EXTRUSION,
            WorkshopKind.MOULD,
            WorkshopKind.DEEP_PROCESSING,
            WorkshopKind.POWER,
        }
    ),
    "PPE-03": frozenset(
        {WorkshopKind.EXTRUSION, WorkshopKind.MOULD, WorkshopKind.DEEP_PROCESSING, WorkshopKind.PACKAGING}
    ),
    "PPE-06": frozenset(
        {WorkshopKind.CASTING, WorkshopKind.POWDER_COATING, WorkshopKind.MOULD, WorkshopKind.DEEP_PROCESSING}
    ),
    "Q-09": frozenset({WorkshopKind.CASTING}),
    "Q-10": frozenset({WorkshopKind.EXTRUSION, WorkshopKind.DEEP_PROCESSING}),
    "Q-11": frozenset({WorkshopKind.ANODISING}),
    "Q-12": frozenset({WorkshopKind.POWDER_COATING}),
}
#: Measured values: (pass low, pass high, fail low, fail high, decimals).
MEASURED: dict[str, tuple[float, float, float, float, int]] = {
    "CAST-07": (0.10, 0.22, 0.04, 0.07, 2),
    "EXTR-06": (78.0, 84.5, 86.0, 91.0, 1),
    "ANOD-03": (18.5, 21.5, 22.5, 25.0, 1),
    "ANOD-04": (0.15, 0.8, 1.1, 1.8, 2),
    "ELEC-02": (0.6, 3.6, 4.3, 7.5, 2),
    "ELEC-03": (20.0, 500.0, 0.5, 1.8, 1),
    "ELEC-08": (26.0, 38.0, 41.0, 45.0, 1),
    "FIRE-05": (0.15, 0.35, 0.05, 0.09, 2),
    "Q-11": (15.2, 18.5, 11.0, 14.5, 1),
    "Q-12": (55.0, 95.0, 28.0, 38.0, 0),
}
#: How many times a failure is seen, by level (deductions are per occurrence).
OCCURRENCES = {"excellent": (1, 1, 1, 2), "good": (1, 1, 2, 2, 3), "fair": (1, 2, 2, 3, 3), "poor": (2, 3, 3, 4, 4)}
REMARKS = (
    "无其他问题。/ Nothing else found.",
    "现场整体良好，班组长已陪同检查。/ Site in good order; the team leader walked along.",
    "建议加强班前安全讲评。/ Suggest more safety talk at pre-shift meetings.",
)


@dataclass(frozen=True)
class TeamFigures:
    """A team's month figures, which the quality sheet's first items measure."""

    first_pass_yield: float
    defect_rate: float
    rework_rate: float
    complaints: int


@dataclass(frozen=True)
class Answered:
    value: AnswerValue
    note: str = ""


def applies(item_code: str, section_code: str, workshop_kind: str) -> bool:
    """Whether an item is asked in a workshop of ``workshop_kind``."""
    return workshop_kind in SECTION_KINDS.get(section_code, ALL_KINDS) and workshop_kind in ITEM_KINDS.get(
        item_code, ALL_KINDS
    )


def _measure(item: TemplateItem, fail: bool, rng: random.Random) -> float:
    if item.code in MEASURED:
        pass_low, pass_high, fail_low, fail_high, decimals = MEASURED[item.code]
        low, high = (fail_low, fail_high) if fail else (pass_low, pass_high)
        return round(rng.uniform(low, high), decimals)
    low = item.lower_limit if item.lower_limit is not None else 0.0
    high = item.upper_limit if item.upper_limit is not None else low * 2 + 10
    return round(high * 1.2 if fail else rng.uniform(low, high), 2)


def _figure(item_code: str, figures: TeamFigures, rng: random.Random) -> AnswerValue | None:
    jitter = rng.uniform(-0.25, 0.25)
    if item_code == "Q-01":
        return AnswerValue(measurement=round(min(100.0, figures.first_pass_yield + jitter), 2))
    if item_code == "Q-02":
        return AnswerValue(measurement=round(max(0.0, figures.defect_rate + jitter / 2), 2))
    if item_code == "Q-03":
        return AnswerValue(measurement=round(max(0.0, figures.rework_rate + jitter / 2), 2))
    if item_code == "Q-04":
        if figures.complaints:
            return AnswerValue(choice=Choice.NO, occurrences=figures.complaints)
        return AnswerValue(choice=Choice.YES)
    return None


def answer_item(
    item: TemplateItem,
    section_code: str,
    profile: TeamProfile,
    rng: random.Random,
    *,
    forced_fail: bool = False,
    figures: TeamFigures | None = None,
    fail_scale: float = 1.0,
) -> Answered:
    """The answer to one item in an inspection of ``profile``'s team."""
    if not applies(item.code, section_code, profile.workshop_kind):
        return Answered(AnswerValue(choice=Choice.NA))
    if figures is not None:
        from_figures = _figure(item.code, figures, rng)
        if from_figures is not None:
            return Answered(from_figures)
    if item.kind == ItemKind.PHOTO:
        return Answered(AnswerValue(choice=Choice.NA), "本次未拍照。/ No photo this time.")
    if item.kind == ItemKind.TEXT:
        return Answered(AnswerValue(text=rng.choice(REMARKS)))
    if item.kind == ItemKind.SCORE:
        return Answered(AnswerValue(score=_six_s_score(profile.level, rng)))
    planned_only = item.always_major or item.veto
    fail = forced_fail or (not planned_only and rng.random() < profile.fail_rate * fail_scale)
    if item.kind == ItemKind.MEASUREMENT:
        return Answered(AnswerValue(measurement=_measure(item, fail, rng)))
    if not fail:
        return Answered(AnswerValue(choice=Choice.YES))
    occurrences = rng.choice(OCCURRENCES[profile.level]) if item.deduction_per_occurrence else 1
    return Answered(AnswerValue(choice=Choice.NO, occurrences=occurrences))


def _six_s_score(level: str, rng: random.Random) -> int:
    weights = {
        "excellent": (0, 0, 0, 1, 6, 18),
        "good": (0, 0, 1, 4, 12, 9),
        "fair": (0, 1, 3, 9, 8, 3),
        "poor": (0, 2, 6, 9, 4, 1),
    }[level]
    return rng.choices(range(6), weights=weights)[0]
