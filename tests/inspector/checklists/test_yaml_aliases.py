"""A YAML checklist whose aliases nest ("billion laughs") is refused at once instead of taking minutes and gigabytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.checklists.reader import read_checklist

pytest.importorskip("yaml")


def laughs(levels: int) -> str:
    lines = ["code: LOL", "name_zh: 测试", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    lines.append(f"sections: [{{code: A, title_zh: 甲, items: *l{levels}}}]")
    return "\n".join(lines) + "\n"


def test_nested_aliases_are_refused_before_validation(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(12), encoding="utf-8")  # 9^13 strings once expanded: it never finished before
    result = read_checklist(path)
    (found,) = result.errors
    assert "expands to more than 200000 values" in found.text("en")
    assert "锚点" in found.text("zh")


def test_an_alias_that_refers_to_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("code: LOOP\nname_zh: 环\nsections: &s [*s]\n", encoding="utf-8")
    result = read_checklist(path)
    assert [p.text("en") for p in result.errors] != []
    assert "expands to more than" in result.errors[0].text("en")


def test_a_plain_yaml_checklist_with_a_few_aliases_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "six-s.yaml"
    path.write_text(
        "code: 6S\nname_zh: 六S\nsections:\n  - code: A\n    title_zh: 整理\n    items:\n"
        "      - &item {code: A1, kind: score, text_zh: 无杂物, points: 5, max_score: 5}\n"
        "      - {<<: *item, code: A2, text_zh: 标识清楚}\n",
        encoding="utf-8",
    )
    result = read_checklist(path)
    assert result.ok, [p.text("en") for p in result.problems]
    assert result.spec is not None and [i.code for i in result.spec.items] == ["A1", "A2"]
