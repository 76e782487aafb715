"""Property-based tests of the scoring engine's invariants (hypothesis).

Whatever the sheet and the answers: no score is negative or above the maximum, marking an item not applicable
changes nothing about the percentage of the rest, and a failed veto item always decides the grade.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.models.enums import Choice, ItemKind
from inspector.scoring import VETO_GRADE, AnswerValue, ItemRule, score_inspection, score_item

SECTIONS = ("A", "B", "C")


@st.composite
def item_rules(draw: st.DrawFn, code: str) -> ItemRule:
    kind = draw(st.sampled_from([ItemKind.YES_NO, ItemKind.SCORE, ItemKind.MEASUREMENT, ItemKind.TEXT]))
    points = draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 2.5, 15.0]))
    deduction = draw(st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.0, 5.0])))
    lower = draw(st.one_of(st.none(), st.floats(-10, 10, allow_nan=False)))
    upper = None if lower is None else lower + draw(st.floats(0, 50, allow_nan=False))
    return ItemRule(
        code=code,
        section=draw(st.sampled_from(SECTIONS)),
        kind=kind,
        points=points,
        deduction_per_occurrence=deduction,
        max_score=draw(st.sampled_from([3, 5, 10])) if kind == ItemKind.SCORE else None,
        lower_limit=lower,
        upper_limit=upper,
        veto=draw(st.booleans()) if kind == ItemKind.YES_NO else False,
    )


@st.composite
def answer_for(draw: st.DrawFn, rule: ItemRule) -> AnswerValue | None:
    if draw(st.integers(0, 9)) == 0:
        return None  # not answered yet
    if draw(st.integers(0, 6)) == 0:
        return AnswerValue(choice=Choice.NA)
    occurrences = draw(st.integers(-2, 20))
    if rule.kind == ItemKind.YES_NO:
        return AnswerValue(choice=draw(st.sampled_from([Choice.YES, Choice.NO])), occurrences=occurrences)
    if rule.kind == ItemKind.SCORE:
        return AnswerValue(score=draw(st.integers(-3, 15)))
    if rule.kind == ItemKind.MEASUREMENT:
        return AnswerValue(measurement=draw(st.floats(-100, 100, allow_nan=False)), occurrences=occurrences)
    return AnswerValue(text=draw(st.sampled_from(["", "ok"])))


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[ItemRule], dict[str, AnswerValue]]:
    count = draw(st.integers(1, 12))
    rules = [draw(item_rules(f"I{n}")) for n in range(count)]
    answers: dict[str, AnswerValue] = {}
    for rule in rules:
        answer = draw(answer_for(rule))
        if answer is not None:
            answers[rule.code] = answer
    return rules, answers


weights_strategy = st.one_of(
    st.none(),
    st.sampled_from(
        [
            {"A": 0.3, "B": 0.2, "C": 0.5},
            {"A": 0.5, "B": 0.5, "C": 0.0},
            {"A": 0.25, "B": 0.25, "C": 0.5},
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(sheets(), weights_strategy)
def test_scores_are_never_negative_nor_above_the_maximum(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]], weights: dict[str, float] | None
) -> None:
    rules, answers = sheet
    result = score_inspection(rules, answers, section_weights=weights)
    for item in result.items:
        assert 0.0 <= item.earned <= item.possible
    for section in result.sections:
        assert 0.0 <= section.earned <= section.possible + 1e-9
        if section.percent is not None:
            assert 0.0 <= section.percent <= 100.0
    assert 0.0 <= result.earned <= result.possible + 1e-9
    if result.percent is not None:
        assert 0.0 <= result.percent <= 100.0


@settings(max_examples=300, deadline=None)
@given(sheets(), st.data())
def test_not_applicable_never_changes_the_percentage_of_the_rest(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]], data: st.DataObject
) -> None:
    """Marking an item N/A scores the sheet exactly as if the item were not on it."""
    rules, answers = sheet
    target = data.draw(st.sampled_from(rules))
    with_na = score_inspection(rules, {**answers, target.code: AnswerValue(choice=Choice.NA)})
    without = score_inspection(
        [r for r in rules if r.code != target.code], {k: v for k, v in answers.items() if k != target.code}
    )
    assert with_na.percent == without.percent
    assert with_na.earned == without.earned
    assert with_na.possible == without.possible


@settings(max_examples=200, deadline=None)
@given(sheets(), st.data())
def test_not_applicable_leaves_weighted_percentages_alone_too(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]], data: st.DataObject
) -> None:
    rules, answers = sheet
    weights = {"A": 0.3, "B": 0.2, "C": 0.5}
    target = data.draw(st.sampled_from(rules))
    remaining = [r for r in rules if r.code != target.code]
    with_na = score_inspection(rules, {**answers, target.code: AnswerValue(choice=Choice.NA)}, section_weights=weights)
    without = score_inspection(
        remaining, {k: v for k, v in answers.items() if k != target.code}, section_weights=weights
    )
    assert with_na.percent == without.percent


@settings(max_examples=300, deadline=None)
@given(sheets(), st.data())
def test_a_failed_veto_item_always_wins(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]], data: st.DataObject
) -> None:
    rules, answers = sheet
    veto = ItemRule(code="VETO", section=data.draw(st.sampled_from(SECTIONS)), points=1.0, veto=True)
    failed = {**answers, "VETO": AnswerValue(choice=Choice.NO)}
    result = score_inspection([*rules, veto], failed, grade_bands=((0, "excellent"),))
    assert result.vetoed
    assert result.grade == VETO_GRADE
    assert "VETO" in result.veto_items


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_a_veto_item_passed_or_not_applicable_never_vetoes(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]],
) -> None:
    rules, answers = sheet
    rules = [replace(r, veto=False) for r in rules]
    veto = ItemRule(code="VETO", section="A", points=1.0, veto=True)
    for choice in (Choice.YES, Choice.NA):
        result = score_inspection([*rules, veto], {**answers, "VETO": AnswerValue(choice=choice)})
        assert not result.vetoed
        assert result.grade != VETO_GRADE


@settings(max_examples=200, deadline=None)
@given(item_rules("X"), st.integers(1, 50), st.integers(1, 50))
def test_more_occurrences_never_earn_more(rule: ItemRule, fewer: int, more: int) -> None:
    fewer, more = sorted((fewer, more))
    low = score_item(rule, AnswerValue(choice=Choice.NO, measurement=1e9, occurrences=more))
    high = score_item(rule, AnswerValue(choice=Choice.NO, measurement=1e9, occurrences=fewer))
    assert low.earned <= high.earned


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_scoring_is_deterministic_and_order_independent_of_answers(
    sheet: tuple[list[ItemRule], dict[str, AnswerValue]],
) -> None:
    rules, answers = sheet
    reordered = dict(reversed(list(answers.items())))
    assert score_inspection(rules, answers) == score_inspection(rules, reordered)
