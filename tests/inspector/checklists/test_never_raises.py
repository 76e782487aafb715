"""Property: whatever a checklist file holds, reading it returns a result and never raises."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.checklists.reader import read_checklist
from tests.inspector.checklists.workbooks import write_xlsx

HEADINGS = [
    "序号",
    "检查项目",
    "检查内容",
    "Item (EN)",
    "分值",
    "扣分标准",
    "类型",
    "限值",
    "一票否决",
    "权重",
    "备注",
    "是",
]
CELLS = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=200),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        ["一、熔铸", "(1)", "1.1", "每处扣1分", "评分0-5", "≤4Ω", "√", "合计", "测量", "=SUM(A1:A2)", "0.3"]
    ),
    # Control characters cannot be written into a worksheet at all, so they never reach a reader from Excel.
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)
GRIDS = st.lists(st.lists(CELLS, min_size=1, max_size=len(HEADINGS)), min_size=0, max_size=8)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(path: Path) -> None:
    result = read_checklist(path)
    assert result.ok or result.errors
    for found in result.problems:
        assert found.message and found.message_zh and str(path) in str(found)
        assert "unexpected error" not in found.message, found  # the safety net is for bugs; none may be left


@SETTINGS
@given(body=GRIDS, header_at=st.integers(min_value=0, max_value=3))
def test_any_sheet_contents(body: list[list[object]], header_at: int) -> None:
    title: list[object] = ["标题"]
    headings: list[object] = list(HEADINGS)
    rows: list[list[object]] = [title] * header_at + [headings, *body]
    with tempfile.TemporaryDirectory() as folder:
        _check(write_xlsx(Path(folder) / "fuzz.xlsx", {"表": rows}))
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["" if c is None else str(c) for c in row] for row in rows])
        path = Path(folder) / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        _check(path)


@SETTINGS
@given(raw=st.binary(min_size=1, max_size=2048), suffix=st.sampled_from([".xlsx", ".csv", ".toml", ".yaml"]))
def test_any_bytes(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(raw)
        _check(path)


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_toml_or_yaml_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".toml", ".yaml"):
            path = Path(folder) / f"fuzz{suffix}"
            path.write_text(text, encoding="utf-8")
            if path.stat().st_size:
                _check(path)


TYPES = st.sampled_from(
    [
        "select_one yn",
        "select_one nope",
        "select_multiple yn",
        "integer",
        "decimal",
        "text",
        "image",
        "note",
        "calculate",
        "begin group",
        "end group",
        "begin repeat",
        "end repeat",
        "geopoint",
        "range",
        "thermometer",
        "",
    ]
)
NAMES = st.sampled_from(["a", "b", "water", "g1", "1bad", "", "x y"])
CONSTRAINTS = st.sampled_from(
    ["", ". <= 4", ". >= 10 and . <= 50", ". > 1", ". <= four", "regex(., 'x')", ". >= 5 and . <= 1"]
)
SURVEY_ROWS = st.lists(
    st.tuples(
        TYPES, NAMES, st.sampled_from(["", "应急水源", "Water"]), CONSTRAINTS, st.sampled_from(["", "5", "x", "-1"])
    ),
    max_size=10,
)


@SETTINGS
@given(survey=SURVEY_ROWS)
def test_any_xlsform_survey(survey: list[tuple[str, str, str, str, str]]) -> None:
    header: list[object] = ["type", "name", "label", "constraint", "points"]
    choices: list[list[object]] = [["list_name", "name", "label"], ["yn", "yes", "是"], ["yn", "no", "否"]]
    with tempfile.TemporaryDirectory() as folder:
        rows: list[list[object]] = [header]
        rows.extend([*row] for row in survey)
        _check(write_xlsx(Path(folder) / "form.xlsx", {"survey": rows, "choices": choices}))
