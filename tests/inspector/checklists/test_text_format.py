"""The readable text formats kept in version control: TOML, and YAML through PyYAML."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import ChecklistSpec, ReadResult
from inspector.models.enums import ItemKind

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "checklists"


def _spec(result: ReadResult) -> ChecklistSpec:
    assert result.ok, "\n".join(str(p) for p in result.problems)
    assert result.spec is not None
    return result.spec


def test_example_toml_every_field() -> None:
    spec = _spec(read_checklist(EXAMPLES / "electrical-forklift.toml"))
    assert (spec.code, spec.category, spec.rule_version) == ("ELEC-FORKLIFT", "safety", "1")
    assert spec.grade_bands == [(90, "excellent"), (80, "good"), (70, "pass")]
    assert [(s.code, s.weight) for s in spec.sections] == [("E", 0.6), ("F", 0.4)]
    items = {item.code: item for item in spec.items}
    assert (items["E1"].kind, items["E1"].upper_limit, items["E1"].unit) == (ItemKind.MEASUREMENT, 4, "Ω")
    assert items["E2"].deduction_per_occurrence == 1 and items["E2"].deduction_rule_en == "1 point per occurrence"
    assert items["E3"].veto and items["E4"].always_major
    assert (items["F1"].kind, items["F1"].max_score) == (ItemKind.SCORE, 5)
    assert not items["F3"].required and items["F3"].kind == ItemKind.PHOTO


def test_example_yaml() -> None:
    spec = _spec(read_checklist(EXAMPLES / "team-quality.yaml"))
    assert (spec.code, spec.name_en, spec.category) == ("TEAM-QUALITY", "Extrusion team quality checklist", "quality")
    wall = spec.items[2]
    assert (wall.lower_limit, wall.upper_limit, wall.unit) == (1.33, 1.47, "mm")
    assert spec.points_total == 24


def test_yaml_and_toml_of_the_same_checklist_hash_the_same(tmp_path: Path) -> None:
    data = tomllib.loads((EXAMPLES / "electrical-forklift.toml").read_text(encoding="utf-8"))
    as_yaml = tmp_path / "same.yml"
    as_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from_toml = _spec(read_checklist(EXAMPLES / "electrical-forklift.toml"))
    from_yaml = _spec(read_checklist(as_yaml))
    assert from_yaml.content_hash() == from_toml.content_hash()


def test_yaml_wrong_type_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "code: X\nname_zh: 测试\nsections:\n  - code: A\n    title_zh: 一\n    items:\n"
        "      - code: A1\n        text_zh: 灭火器\n        veto: perhaps\n",
        encoding="utf-8",
    )
    result = read_checklist(path)
    (error,) = result.errors
    assert "sections[1] (A) → items[1] (A1) → veto: should be true or false, not 'perhaps'" in error.message
    assert "应为 true 或 false" in error.message_zh


def test_toml_with_bom_and_meta_override(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "electrical-forklift.toml").read_bytes())
    spec = _spec(read_checklist(path, ChecklistMeta(code="ELEC-2", category="electrical")))
    assert (spec.code, spec.category) == ("ELEC-2", "electrical")


def test_toml_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text(
        'code = "M"\nname_zh = "多处错误"\n[[sections]]\ncode = "A"\ntitle_zh = "一"\n'
        '[[sections.items]]\ncode = "A1"\ntext_zh = "x"\npoints = -1\n'
        '[[sections.items]]\ncode = "A2"\ntext_zh = "y"\nkind = "dial"\n',
        encoding="utf-8",
    )
    messages = [p.message for p in read_checklist(path).errors]
    assert any("items[1] (A1) → points: must be at least 0" in m for m in messages)
    assert any("items[2] (A2) → kind: should be one of" in m and "dial" in m for m in messages)
