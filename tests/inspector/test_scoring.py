"""Worked examples from real scoring sheets, computed by hand the way a safety office does on paper."""

from __future__ import annotations

import pytest

from inspector.models.enums import Choice, ItemKind
from inspector.scoring import (
    ENGINE_VERSION,
    FAIL_GRADE,
    VETO_GRADE,
    AnswerValue,
    ItemRule,
    grade_for,
    round1,
    score_inspection,
)

YES = AnswerValue(choice=Choice.YES)
NA = AnswerValue(choice=Choice.NA)


def no(occurrences: int = 1) -> AnswerValue:
    return AnswerValue(choice=Choice.NO, occurrences=occurrences)


def casthouse_sheet() -> list[ItemRule]:
    """熔铸车间安全检查表 (100 分): the items and 扣分标准 as printed on the sheet."""
    return [
        # 应急水源 (10 分, 一票否决): no emergency water source loses everything and vetoes.
        ItemRule("1.1", "casting", points=10, veto=True),
        # 结晶器冷却水压力、流量报警并联锁 (15 分)
        ItemRule("1.2", "casting", points=15),
        # 流槽液位报警 (10 分)
        ItemRule("1.3", "casting", points=10),
        # 劳动防护用品穿戴 (10 分, 每人次扣 2 分)
        ItemRule("2.1", "ppe", points=10, deduction_per_occurrence=2),
        # 安全通道畅通 (15 分, 每处扣 3 分)
        ItemRule("3.1", "site", points=15, deduction_per_occurrence=3),
        # 叉车充电区 (10 分)
        ItemRule("3.2", "site", points=10),
        # 接地电阻 ≤ 4 Ω (10 分)
        ItemRule("4.1", "electrical", kind=ItemKind.MEASUREMENT, points=10, upper_limit=4.0),
        # 灭火器压力、有效期 (20 分, 每具扣 5 分)
        ItemRule("5.1", "fire", points=20, deduction_per_occurrence=5),
    ]


def test_casthouse_sheet_with_deductions_and_a_not_applicable_item() -> None:
    answers = {
        "1.1": YES,
        "1.2": YES,
        "1.3": NA,  # this casting line has no launder: 10 points leave the denominator
        "2.1": no(3),  # three workers without goggles: 3 × 2 = 6 off
        "3.1": no(7),  # seven blocked spots: 7 × 3 = 21 off, capped at the item's 15
        "3.2": YES,
        "4.1": AnswerValue(measurement=3.2),  # within the limit
        "5.1": no(1),  # one extinguisher out of date: 5 off
    }
    result = score_inspection(casthouse_sheet(), answers)
    # earned = 10 + 15 + 4 + 0 + 10 + 10 + 15 = 64 of 100 − 10 = 90 → 71.1 %
    assert result.earned == 64
    assert result.possible == 90
    assert result.percent == 71.1
    assert result.grade == "pass"
    assert result.deduction == 26
    assert set(result.failed_items) == {"2.1", "3.1", "5.1"}
    assert not result.vetoed
    assert result.rule_version == f"{ENGINE_VERSION}/1"


def test_the_veto_item_overrides_an_excellent_score() -> None:
    answers = {code: YES for code in ("1.2", "1.3", "2.1", "3.1", "3.2", "5.1")}
    answers["1.1"] = no()
    answers["4.1"] = AnswerValue(measurement=2.0)
    result = score_inspection(casthouse_sheet(), answers)
    assert result.percent == 90.0  # 90 of 100: excellent on points alone
    assert result.vetoed
    assert result.veto_items == ("1.1",)
    assert result.grade == VETO_GRADE


def test_a_measurement_out_of_limits_loses_the_item() -> None:
    answers = {code: YES for code in ("1.1", "1.2", "1.3", "2.1", "3.1", "3.2", "5.1")}
    answers["4.1"] = AnswerValue(measurement=6.5)  # 6.5 Ω > 4 Ω
    result = score_inspection(casthouse_sheet(), answers)
    assert result.percent == 90.0
    assert result.failed_items == ("4.1",)


def test_six_s_sheet_scored_zero_to_five_with_weighted_sections() -> None:
    """6S 检查评分表: each item 0–5; sections weighted 整理整顿 0.3 / 清扫清洁 0.2 / 素养 0.3 / 安全 0.2."""
    rules = [
        ItemRule("S1", "sort", kind=ItemKind.SCORE, max_score=5),
        ItemRule("S2", "sort", kind=ItemKind.SCORE, max_score=5),
        ItemRule("C1", "clean", kind=ItemKind.SCORE, max_score=5),
        ItemRule("D1", "discipline", kind=ItemKind.SCORE, max_score=5),
        ItemRule("D2", "discipline", kind=ItemKind.SCORE, max_score=5),
        ItemRule("F1", "safety", kind=ItemKind.SCORE, max_score=5),
    ]
    answers = {
        "S1": AnswerValue(score=4),
        "S2": AnswerValue(score=5),  # sort: 9/10 = 90 %
        "C1": AnswerValue(score=3),  # clean: 3/5 = 60 %
        "D1": AnswerValue(score=5),
        "D2": AnswerValue(score=5),  # discipline: 100 %
        "F1": AnswerValue(score=2),  # safety: 40 % (below 60 %: a failed item)
    }
    weights = {"sort": 0.3, "clean": 0.2, "discipline": 0.3, "safety": 0.2}
    result = score_inspection(rules, answers, section_weights=weights)
    # 0.3 × 90 + 0.2 × 60 + 0.3 × 100 + 0.2 × 40 = 27 + 12 + 30 + 8 = 77.0
    assert result.percent == 77.0
    assert result.grade == "pass"
    assert [s.percent for s in result.sections] == [90.0, 60.0, 100.0, 40.0]
    assert result.failed_items == ("F1",)
    unweighted = score_inspection(rules, answers)
    assert unweighted.percent == 80.0  # 24 of 30


def test_a_whole_section_not_applicable_renormalises_the_weights() -> None:
    rules = [
        ItemRule("A1", "a", points=10),
        ItemRule("B1", "b", points=10),
        ItemRule("C1", "c", points=10),
    ]
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    result = score_inspection(rules, {"A1": YES, "B1": no(), "C1": NA}, section_weights=weights)
    # c is not applicable: a and b share the weight 0.5 : 0.3 → (0.5 × 100 + 0.3 × 0) / 0.8 = 62.5
    assert result.percent == 62.5


def test_unanswered_items_are_missing_and_count_neither_way() -> None:
    result = score_inspection(casthouse_sheet(), {"1.1": YES, "1.2": no()})
    assert result.earned == 10 and result.possible == 25
    assert result.percent == 40.0
    assert not result.complete
    assert "1.3" in result.missing_required and "1.1" not in result.missing_required


def test_everything_not_applicable_has_no_percentage() -> None:
    rules = casthouse_sheet()
    result = score_inspection(rules, {r.code: NA for r in rules})
    assert result.percent is None
    assert result.grade is None
    assert result.complete


@pytest.mark.parametrize(
    ("percent", "grade"),
    [(100.0, "excellent"), (90.0, "excellent"), (89.9, "good"), (80.0, "good"), (70.0, "pass"), (69.9, FAIL_GRADE)],
)
def test_grade_bands_at_their_edges(percent: float, grade: str) -> None:
    bands = ((90, "excellent"), (80, "good"), (70, "pass"))
    assert grade_for(percent, bands, vetoed=False) == grade
    assert grade_for(percent, list(reversed(bands)), vetoed=False) == grade  # the order on the sheet does not matter
    assert grade_for(percent, bands, vetoed=True) == VETO_GRADE


def test_round1_rounds_halves_up_like_the_sheets() -> None:
    assert round1(89.95) == 90.0
    assert round1(71.05) == 71.1
    assert round1(2 / 3 * 100) == 66.7


def test_a_negative_deduction_on_a_sheet_never_adds_points() -> None:
    rule = ItemRule("X", "s", points=5, deduction_per_occurrence=-2)
    result = score_inspection([rule], {"X": no(3)})
    assert result.earned == 5
    assert result.percent == 100.0


def test_template_rule_version_is_carried_into_the_result() -> None:
    result = score_inspection(casthouse_sheet()[:1], {"1.1": YES}, template_rule_version="2022.6")
    assert result.rule_version == f"{ENGINE_VERSION}/2022.6"
