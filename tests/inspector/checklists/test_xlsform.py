"""XLSForm workbooks (ODK, KoboToolbox) read through pyxform."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import ChecklistSpec, Problem, ReadResult
from inspector.checklists.xlsform_rules import constraint_limits, is_yes_no_list, score_scale
from inspector.models.enums import ItemKind
from tests.inspector.checklists.workbooks import YES_NO_CHOICES, write_xlsform

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "checklists" / "anodising-xlsform.xlsx"


def _spec(result: ReadResult) -> ChecklistSpec:
    assert result.ok, "\n".join(str(p) for p in result.problems)
    assert result.spec is not None
    return result.spec


def _skipped(result: ReadResult) -> dict[int | None, Problem]:
    return {p.row: p for p in result.skipped}


def test_example_form_sections_and_items() -> None:
    result = read_checklist(EXAMPLE)
    spec = _spec(result)
    assert (spec.code, spec.name_zh, spec.name_en, spec.category) == (
        "ANODISING-SAFETY",
        "氧化线安全检查",
        "Anodising line safety check",
        "safety",
    )
    assert [(s.code, s.title_zh, s.title_en) for s in spec.sections] == [
        ("tank_line", "氧化槽线", "Anodising tank line"),
        ("electrical", "整流电源与电气", "Rectifiers and electrical"),
    ]
    items = {item.code: item for item in spec.items}
    ventilation = items["tank_ventilation"]
    assert (ventilation.kind, ventilation.points, ventilation.required) == (ItemKind.YES_NO, 5, True)
    assert (ventilation.hint_zh, ventilation.hint_en, ventilation.basis_zh) == (
        "看风压表",
        "Check the gauge",
        "GBZ 2.1",
    )
    assert ventilation.deduction_per_occurrence == 1
    temperature = items["acid_temp"]
    assert (temperature.kind, temperature.lower_limit, temperature.upper_limit, temperature.unit) == (
        ItemKind.MEASUREMENT,
        18,
        22,
        "°C",
    )
    earth = items["earth_resistance"]
    assert (earth.lower_limit, earth.upper_limit, earth.unit) == (None, 4, "Ω")
    assert (items["cable_6s"].kind, items["cable_6s"].max_score) == (ItemKind.SCORE, 5)
    assert items["tank_photo"].kind == ItemKind.PHOTO and not items["tank_photo"].required
    assert items["remarks"].kind == ItemKind.TEXT
    assert items["rectifier_interlock"].veto
    assert spec.points_total == 30


def test_example_form_lists_every_skipped_construct_with_its_row() -> None:
    skipped = _skipped(read_checklist(EXAMPLE))
    assert "start" in skipped[2].message
    assert "select_multiple" in skipped[14].message and "hazards_seen" in skipped[14].message
    assert "relevant" in skipped[15].message and skipped[15].column == "relevant"
    assert "calculate" in skipped[17].message
    assert "geopoint" in skipped[18].message
    assert "note" in skipped[19].message and "检查完毕请班组长签字" in skipped[19].message
    assert all(p.sheet == "survey" for p in skipped.values())
    assert all(p.message_zh for p in skipped.values())


def test_repeat_is_skipped_with_the_questions_inside(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label"],
        ["select_one yn", "water", "应急水源"],
        ["begin repeat", "people", "人员"],
        ["text", "who", "姓名"],
        ["select_one yn", "licensed", "持证"],
        ["end repeat"],
    ]
    result = read_checklist(write_xlsform(tmp_path / "r.xlsx", survey, YES_NO_CHOICES))
    assert [i.code for i in _spec(result).items] == ["water"]
    repeat = _skipped(result)[3]
    assert "repeat 'people'" in repeat.message and "2 question(s)" in repeat.message


def test_languages_labels_and_unused_language(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label::中文", "label::English (en)", "label::French (fr)", "required", "hint::中文"],
        ["select_one yn", "water", "应急水源", "Emergency water", "Eau de secours", "yes", "看水池"],
    ]
    result = read_checklist(write_xlsform(tmp_path / "l.xlsx", survey, YES_NO_CHOICES))
    item = _spec(result).items[0]
    assert (item.text_zh, item.text_en, item.hint_zh, item.required) == ("应急水源", "Emergency water", "看水池", True)
    assert any("French (fr)" in p.message for p in result.skipped)


def test_top_level_questions_form_a_general_section(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "points"],
        ["select_one yn", "water", "应急水源", "5"],
        ["text", "note2", "备注"],
    ]
    settings = [["form_title", "form_id"], ["Fire check", "FIRE"]]
    spec = _spec(read_checklist(write_xlsform(tmp_path / "g.xlsx", survey, YES_NO_CHOICES, settings)))
    assert (spec.code, spec.name_en) == ("FIRE", "Fire check")
    assert [(s.code, s.title_zh, s.title_en, len(s.items)) for s in spec.sections] == [
        ("GENERAL", "通用", "General", 2)
    ]


def test_choice_lists_that_are_neither_yes_no_nor_scores_are_skipped(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one yn", "water", "应急水源"], ["select_one shift", "shift", "班次"]]
    choices = [*YES_NO_CHOICES, ["shift", "day", "白班", "Day"], ["shift", "night", "夜班", "Night"]]
    result = read_checklist(write_xlsform(tmp_path / "c.xlsx", survey, choices))
    assert [i.code for i in _spec(result).items] == ["water"]
    assert "list shift (day, night)" in _skipped(result)[3].message


def test_number_without_constraint_is_skipped_and_strict_bounds_are_noted(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "constraint"],
        ["integer", "workers", "在岗人数", ""],
        ["integer", "pressure", "压力", ". > 10 and . < 50"],
        ["decimal", "temp", "温度", ". > 18.5"],
    ]
    result = read_checklist(write_xlsform(tmp_path / "n.xlsx", survey))
    items = {i.code: i for i in _spec(result).items}
    assert (items["pressure"].lower_limit, items["pressure"].upper_limit) == (11, 49)
    assert items["temp"].lower_limit == 18.5
    skipped = _skipped(result)
    assert "no constraint" in skipped[2].message
    assert "strict" in skipped[4].message and skipped[4].column == "constraint"


def test_range_question_is_a_score(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "parameters"], ["range", "tidy", "整洁", "start=0 end=5 step=1"]]
    item = _spec(read_checklist(write_xlsform(tmp_path / "range.xlsx", survey))).items[0]
    assert (item.kind, item.max_score) == (ItemKind.SCORE, 5)


def test_group_weights_and_chinese_custom_columns(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "权重", "分值", "一票否决", "重大隐患", "检查依据", "扣分标准"],
        ["begin group", "a", "熔铸", "0.7"],
        ["select_one yn", "water", "应急水源", "", "10", "", "是", "GB 30078", ""],
        ["end group"],
        ["begin group", "b", "特种作业", "0.3"],
        ["select_one yn", "licence", "持证上岗", "", "10", "是", "", "", "每人次扣2分"],
        ["end group"],
    ]
    spec = _spec(read_checklist(write_xlsform(tmp_path / "w.xlsx", survey, YES_NO_CHOICES)))
    assert [(s.code, s.weight) for s in spec.sections] == [("a", 0.7), ("b", 0.3)]
    water, licence = spec.items
    assert water.always_major and water.basis_zh == "GB 30078" and water.points == 10
    assert licence.veto and licence.deduction_per_occurrence == 2


def test_nested_groups_are_sections_with_joined_titles(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label"],
        ["begin group", "cast", "熔铸"],
        ["begin group", "furnace", "熔炼炉"],
        ["select_one yn", "water", "应急水源"],
        ["end group"],
        ["end group"],
    ]
    spec = _spec(read_checklist(write_xlsform(tmp_path / "nest.xlsx", survey, YES_NO_CHOICES)))
    assert [(s.code, s.title_zh) for s in spec.sections] == [("furnace", "熔铸 / 熔炼炉")]


@pytest.mark.parametrize(
    ("expression", "integer", "expected"),
    [
        (". >= 10 and . <= 50", True, (10, 50, False)),
        (".<=4", False, (None, 4, False)),
        ("0.2 <= . and . <= 0.4", False, (0.2, 0.4, False)),
        ("(. >= 1) and (. <= 5)", True, (1, 5, False)),
        (". > 10", True, (11, None, False)),
        (". > 10", False, (10, None, True)),
        (". >= 10 or . <= 2", True, None),
        ("regex(., '^[0-9]+$')", True, None),
        (". <= ${max}", True, None),
    ],
)
def test_constraint_limits(
    expression: str, integer: bool, expected: tuple[float | None, float | None, bool] | None
) -> None:
    limits = constraint_limits(expression, integer=integer)
    assert (None if limits is None else (limits.lower, limits.upper, limits.loosened)) == expected


def test_choice_list_classification() -> None:
    assert is_yes_no_list([{"name": "1", "label": {"zh": "符合"}}, {"name": "2", "label": {"zh": "不符合"}}])
    assert is_yes_no_list([{"name": "y"}, {"name": "n"}, {"name": "na"}])
    assert not is_yes_no_list([{"name": "yes"}, {"name": "maybe"}])
    assert not is_yes_no_list([{"name": "yes"}, {"name": "yes"}, {"name": "no"}])
    assert score_scale([{"name": str(n)} for n in range(6)]) == 5
    assert score_scale([{"name": "1"}, {"name": "3"}]) is None
    assert score_scale([{"name": "0"}, {"name": "1"}]) is None


def test_unknown_columns_are_reported_once_and_presentation_columns_quietly_ignored(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "appearance", "choice_filter", "$kuid", "default"],
        ["select_one yn", "water", "应急水源", "minimal", "", "ab12", "yes"],
        ["select_one yn", "alarm", "液位报警", "minimal", "", "cd34", "no"],
    ]
    result = read_checklist(write_xlsform(tmp_path / "cols.xlsx", survey, YES_NO_CHOICES))
    assert result.ok
    assert [(p.row, p.column) for p in result.skipped] == [(2, "default")]
