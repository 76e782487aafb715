"""The committed example workbooks are what ``examples/checklists/make_examples.py`` writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from inspector.checklists.reader import read_checklist

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "checklists"


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "builder"), [("safety-casthouse.xlsx", "safety_sheet"), ("anodising-xlsform.xlsx", "xlsform")]
)
def test_committed_example_matches_its_generator(tmp_path: Path, name: str, builder: str) -> None:
    fresh = tmp_path / name
    getattr(_maker(), builder)(fresh)
    committed, generated = read_checklist(EXAMPLES / name), read_checklist(fresh)
    assert committed.spec is not None and generated.spec is not None
    assert committed.spec.content_hash() == generated.spec.content_hash()
    assert [p.message for p in committed.problems] == [p.message for p in generated.problems]


def test_every_example_is_a_valid_checklist() -> None:
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".toml", ".yaml", ".xlsx", ".csv"))
    assert len(files) >= 5
    for path in files:
        result = read_checklist(path)
        assert result.ok, (path, [str(p) for p in result.errors])
