"""Checklist sheets as safety offices keep them, in .xlsx and .csv."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import ChecklistSpec, ReadResult
from inspector.models.enums import ItemKind
from tests.inspector.checklists.workbooks import SAFETY_ROWS, Rows, write_xlsx

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "checklists"


def _spec(result: ReadResult) -> ChecklistSpec:
    assert result.ok, "\n".join(str(p) for p in result.problems)
    assert result.spec is not None
    return result.spec


def _csv(path: Path, rows: Rows, encoding: str) -> Path:
    lines = [",".join("" if c is None else str(c) for c in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_example_safety_sheet(tmp_path: Path) -> None:
    spec = _spec(read_checklist(EXAMPLES / "safety-casthouse.xlsx"))
    assert (spec.code, spec.name_zh, spec.name_en, spec.category) == (
        "CAST-EXT-SAFETY",
        "熔铸挤压车间安全检查表",
        "Casthouse and extrusion safety checklist",
        "safety",
    )
    assert [(s.code, s.title_zh, len(s.items)) for s in spec.sections] == [
        ("A", "熔铸作业", 6),
        ("B", "挤压作业", 3),
        ("C", "电气与特种作业", 2),
    ]
    first = spec.sections[0].items[0]
    assert first.code == "1"
    assert first.text_zh.startswith("熔铸炉及铸造机应设置应急水源")
    assert first.basis_zh == "GB 30078-2013 第6.3条"
    assert first.method_zh.startswith("现场查看应急水池")
    assert first.points == 10
    assert first.always_major and not first.veto
    assert first.deduction_per_occurrence is None
    by_code = {item.code: item for item in spec.items}
    assert by_code["3"].deduction_per_occurrence == 2
    assert by_code["3"].deduction_rule_zh == "每处扣2分"
    assert by_code["9"].deduction_per_occurrence == 1
    assert by_code["10"].veto
    assert sum(1 for item in spec.items if item.always_major) == 5
    assert spec.points_total == 65
    assert all(item.kind == ItemKind.YES_NO for item in spec.items)


def test_title_rows_merged_categories_and_answer_columns(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "叉车.xlsx", {"检查表": SAFETY_ROWS}, {"检查表": ["A1:I1"]})
    result = read_checklist(path)
    spec = _spec(result)
    assert spec.name_zh == "叉车安全检查表"
    assert spec.code == "叉车"
    assert [(s.title_zh, [i.code for i in s.items]) for s in spec.sections] == [("叉车", ["1", "2"]), ("充电区", ["3"])]
    assert spec.items[0].veto, "一票否决 in the deduction rule marks a veto item"
    assert not result.skipped, "是/否/不适用 answer columns are recognised, not reported"


def test_merged_category_cells_become_sections(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查项目", "检查内容", "分值"],
        [1, "熔铸", "应急水源", 10],
        [2, None, "液位报警", 5],
        [3, None, "机械锁紧", 5],
        [4, "挤压", "安全光栅", 5],
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", {"表": rows}, {"表": ["B2:B4"]})
    spec = _spec(read_checklist(path, ChecklistMeta(code="M", name_zh="合并")))
    assert [(s.title_zh, len(s.items)) for s in spec.sections] == [("熔铸", 3), ("挤压", 1)]


def test_english_headers_bilingual_columns_and_deduction_rules(tmp_path: Path) -> None:
    rows: Rows = [
        ["Extrusion shop safety checklist"],
        ["No.", "Category", "Category (ZH)", "Item", "检查内容", "Basis", "Method", "Points", "Deduction rule", "Veto"],
        [
            "1",
            "Press",
            "挤压机",
            "Light curtain works",
            "安全光栅有效",
            "GB 5226.1",
            "Test it",
            5,
            "1 point per occurrence",
            "",
        ],
        [
            "2",
            "",
            "",
            "Emergency stop works",
            "急停有效",
            "GB 5226.1",
            "Press it",
            5,
            "deduct 2 points for each defect",
            "Y",
        ],
    ]
    spec = _spec(read_checklist(write_xlsx(tmp_path / "press.xlsx", {"Sheet1": rows})))
    assert spec.name_en == "Extrusion shop safety checklist"
    section = spec.sections[0]
    assert (section.title_zh, section.title_en) == ("挤压机", "Press")
    first, second = section.items
    assert (first.text_zh, first.text_en, first.basis_en, first.method_en) == (
        "安全光栅有效",
        "Light curtain works",
        "GB 5226.1",
        "Test it",
    )
    assert first.deduction_per_occurrence == 1 and second.deduction_per_occurrence == 2
    assert second.veto


@pytest.mark.parametrize(
    ("numbers", "codes"),
    [
        (["1", "2", "3"], ["1", "2", "3"]),
        (["1.1", "1.2", "2.1"], ["1.1", "1.2", "2.1"]),
        (["(1)", "（2）", "3、"], ["1", "2", "3"]),
        (["①", "②", "③"], ["1", "2", "3"]),
        ([None, None, None], ["A-1", "A-2", "B-1"]),
    ],
)
def test_inconsistent_numbering(tmp_path: Path, numbers: list[str | None], codes: list[str]) -> None:
    rows: Rows = [
        ["序号", "检查项目", "检查内容"],
        [numbers[0], "电气", "接地可靠"],
        [numbers[1], "电气", "漏电保护有效"],
        [numbers[2], "消防", "灭火器有效"],
    ]
    spec = _spec(read_checklist(write_xlsx(tmp_path / "n.xlsx", {"表": rows}), ChecklistMeta(code="N")))
    assert [item.code for item in spec.items] == codes


def test_numbers_restarting_per_section_are_prefixed(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "分值"],
        ["一、熔铸", None, None],
        ["(1)", "应急水源", 10],
        ["(2)", "液位报警", 5],
        ["二", "挤压", None],
        ["(1)", "安全光栅", 5],
    ]
    spec = _spec(read_checklist(write_xlsx(tmp_path / "r.xlsx", {"表": rows}), ChecklistMeta(code="R")))
    assert [s.title_zh for s in spec.sections] == ["熔铸", "挤压"]
    assert [item.code for item in spec.items] == ["A-1", "A-2", "B-1"]


def test_kinds_limits_scores_and_flags(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "类型", "限值", "下限", "上限", "单位", "分值", "重大隐患", "必填"],
        [1, "接地电阻", "", "≤4Ω", None, None, None, 3, "", ""],
        [2, "冷却水压力", "测量", None, 0.2, 0.4, "MPa", 4, "√", ""],
        [3, "现场整洁", "评分0-5", None, None, None, None, None, "", "否"],
        [4, "现场照片", "照片", None, None, None, None, None, "", "否"],
        [5, "其他问题", "文字", None, None, None, None, None, "", "否"],
    ]
    spec = _spec(read_checklist(write_xlsx(tmp_path / "k.xlsx", {"表": rows}), ChecklistMeta(code="K")))
    earth, water, tidy, photo, remarks = spec.items
    assert (earth.kind, earth.lower_limit, earth.upper_limit, earth.unit) == (ItemKind.MEASUREMENT, None, 4, "Ω")
    assert (water.kind, water.lower_limit, water.upper_limit, water.unit) == (ItemKind.MEASUREMENT, 0.2, 0.4, "MPa")
    assert water.always_major
    assert (tidy.kind, tidy.max_score, tidy.required) == (ItemKind.SCORE, 5, False)
    assert ChecklistSpec.item_points(tidy) == 5, "a 0–N item without points is worth N"
    assert (photo.kind, remarks.kind) == (ItemKind.PHOTO, ItemKind.TEXT)


def test_several_sheets_each_add_their_sections(tmp_path: Path) -> None:
    header = ["序号", "检查内容", "分值"]
    path = write_xlsx(
        tmp_path / "sheets.xlsx",
        {
            "说明": [["编号", "MULTI"], ["名称", "多表检查表"], ["填表人", "张三"]],
            "熔铸": [header, [1, "应急水源", 10]],
            "挤压": [header, [1, "安全光栅", 5], [2, "急停", 5]],
            "填表说明": [["本表由安全部制定"]],
        },
    )
    result = read_checklist(path)
    spec = _spec(result)
    assert (spec.code, spec.name_zh) == ("MULTI", "多表检查表")
    assert [(s.code, s.title_zh, len(s.items)) for s in spec.sections] == [("A", "熔铸", 1), ("B", "挤压", 2)]
    assert [i.code for i in spec.items] == ["A-1", "B-1", "B-2"], "numbers repeat across sheets, so they are prefixed"
    skipped = {(p.sheet, p.message) for p in result.skipped}
    assert ("填表说明", "this sheet has no recognised header row; it was skipped") in skipped
    assert any(p.sheet == "说明" and "填表人" in p.message for p in result.skipped)


def test_unknown_columns_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    rows: Rows = [["序号", "检查内容", "分值", "负责部门"], [1, "应急水源", 10, "安环部"]]
    result = read_checklist(write_xlsx(tmp_path / "u.xlsx", {"表": rows}), ChecklistMeta(code="U"))
    assert result.ok
    (skipped,) = result.skipped
    assert (skipped.row, skipped.column) == (1, "D")
    assert "负责部门" in skipped.message and "负责部门" in skipped.message_zh


def test_totals_row_is_ignored(tmp_path: Path) -> None:
    rows: Rows = [["序号", "检查内容", "分值"], [1, "应急水源", 10], ["合计", None, 10]]
    spec = _spec(read_checklist(write_xlsx(tmp_path / "t.xlsx", {"表": rows}), ChecklistMeta(code="T")))
    assert len(spec.items) == 1


def test_command_line_meta_overrides_the_sheet() -> None:
    meta = ChecklistMeta(code="OVERRIDE", name_en="Override", category="6s")
    spec = _spec(read_checklist(EXAMPLES / "safety-casthouse.xlsx", meta))
    assert (spec.code, spec.name_zh, spec.name_en, spec.category) == (
        "OVERRIDE",
        "熔铸挤压车间安全检查表",
        "Override",
        "6s",
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    rows: Rows = [
        ["消防安全检查表"],
        ["序号", "检查项目", "检查内容", "分值", "扣分标准"],
        [1, "消防", "灭火器在有效期内", 5, "每处扣1分"],
        [2, "", "消防通道畅通", 5, "每处扣2分"],
    ]
    spec = _spec(read_checklist(_csv(tmp_path / "消防.csv", rows, encoding)))
    assert spec.name_zh == "消防安全检查表"
    assert [(i.text_zh, i.deduction_per_occurrence) for i in spec.items] == [
        ("灭火器在有效期内", 1),
        ("消防通道畅通", 2),
    ]


def test_csv_semicolon_separated(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("No.;Item;Points\n1;Extinguishers in date;5\n2;Exits clear;5\n", encoding="utf-8")
    spec = _spec(read_checklist(path))
    assert [i.text_en for i in spec.items] == ["Extinguishers in date", "Exits clear"]


def test_example_csv_6s_sheet() -> None:
    spec = _spec(read_checklist(EXAMPLES / "6s-workshop.csv"))
    assert [(s.title_zh, s.weight) for s in spec.sections] == [
        ("整理", 0.2),
        ("整顿", 0.2),
        ("清扫", 0.15),
        ("清洁", 0.15),
        ("素养", 0.1),
        ("安全", 0.2),
    ]
    first = spec.items[0]
    assert (first.code, first.kind, first.max_score, first.text_en) == (
        "A-1",
        ItemKind.SCORE,
        5,
        "No unneeded items or scrap at the workplace",
    )
    noise = spec.items[-1]
    assert (noise.kind, noise.upper_limit, noise.unit) == (ItemKind.MEASUREMENT, 85, "dB(A)")
    assert spec.points_total == 39


def test_same_checklist_from_xlsx_and_csv_hashes_the_same(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查项目", "检查内容", "分值"],
        [1, "消防", "灭火器在有效期内", 5],
        [2, "消防", "通道畅通", 3],
    ]
    meta = ChecklistMeta(code="SAME", name_zh="同一张表")
    from_xlsx = _spec(read_checklist(write_xlsx(tmp_path / "same.xlsx", {"表": rows}), meta))
    from_csv = _spec(read_checklist(_csv(tmp_path / "same.csv", rows, "gbk"), meta))
    assert from_xlsx.content_hash() == from_csv.content_hash()


def test_heading_rows_with_subtotals_and_dotted_numbering(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "分值", "扣分标准"],
        ["一", "熔铸作业", 15, None],
        ["1", "应急水源", 10, "无应急水源不得分"],
        ["2", "液位报警", 5, "每处扣2分"],
        ["二、消防", None, 8, None],
        ["3", "灭火器", 8, "每处扣1分"],
    ]
    dotted: Rows = [
        ["No.", "Item", "Points"],
        ["1", "Casting", None],
        ["1.1", "Emergency water source", 10],
        ["1.2", "Launder level alarm", 5],
        ["2", "Fire", None],
        ["2.1", "Extinguishers in date", 5],
    ]
    meta = ChecklistMeta(code="H")
    spec = _spec(read_checklist(write_xlsx(tmp_path / "h.xlsx", {"表": rows}), meta))
    assert [(s.title_zh, [i.code for i in s.items]) for s in spec.sections] == [
        ("熔铸作业", ["1", "2"]),
        ("消防", ["3"]),
    ]
    assert spec.points_total == 23, "the subtotal on a heading row is not an item"
    english = _spec(read_checklist(write_xlsx(tmp_path / "d.xlsx", {"Sheet": dotted}), meta))
    assert [(s.title_en, [i.code for i in s.items]) for s in english.sections] == [
        ("Casting", ["1.1", "1.2"]),
        ("Fire", ["2.1"]),
    ]


def test_heading_merged_across_the_row(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "分值"],
        ["一、熔铸作业"],
        [1, "应急水源", 10],
        ["二、挤压作业"],
        [2, "安全光栅", 5],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", {"表": rows}, {"表": ["A2:C2", "A4:C4"]})
    spec = _spec(read_checklist(path, ChecklistMeta(code="M")))
    assert [(s.title_zh, len(s.items)) for s in spec.sections] == [("熔铸作业", 1), ("挤压作业", 1)]


def test_meta_sheet_as_a_header_row_with_grade_bands(tmp_path: Path) -> None:
    meta: Rows = [
        ["code", "name_zh", "name_en", "category", "grade_bands", "rule_version"],
        ["Q-1", "质量检查表", "Quality checklist", "质量", "90=优秀; 80=良好; 60=合格", "2"],
    ]
    path = write_xlsx(tmp_path / "q.xlsx", {"meta": meta, "表": [["序号", "检查内容"], [1, "首件检验"]]})
    spec = _spec(read_checklist(path))
    assert (spec.code, spec.name_zh, spec.name_en, spec.category, spec.rule_version) == (
        "Q-1",
        "质量检查表",
        "Quality checklist",
        "quality",
        "2",
    )
    assert spec.grade_bands == [(90, "excellent"), (80, "good"), (60, "pass")]


def test_hidden_sheets_are_skipped_and_reported(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "hidden.xlsx",
        {"表": [["序号", "检查内容"], [1, "首件检验"]], "旧版": [["序号", "检查内容"], [1, "旧的检查项"]]},
    )
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["旧版"].sheet_state = "hidden"
    workbook.save(path)
    result = read_checklist(path, ChecklistMeta(code="HID"))
    assert [i.text_zh for i in _spec(result).items] == ["首件检验"]
    assert [(p.sheet, p.message) for p in result.skipped] == [("旧版", "hidden sheet; skipped")]


def test_csv_saved_as_excel_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt.csv"
    path.write_bytes("序号\t检查内容\t分值\r\n1\t灭火器在有效期内\t5\r\n".encode("utf-16"))
    spec = _spec(read_checklist(path))
    assert [(i.text_zh, i.points) for i in spec.items] == [("灭火器在有效期内", 5)]


def test_two_row_header_with_merged_result_heading(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "分值", "检查结果", None, None],
        [None, None, None, "是", "否", "不适用"],
        [1, "应急水源", 10],
        [2, "液位报警", 5],
    ]
    path = write_xlsx(tmp_path / "two.xlsx", {"表": rows}, {"表": ["D1:F1", "A1:A2", "B1:B2", "C1:C2"]})
    result = read_checklist(path, ChecklistMeta(code="TWO"))
    assert [i.text_zh for i in _spec(result).items] == ["应急水源", "液位报警"]


def test_formula_without_a_saved_result_is_reported_where_it_matters(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查内容", "分值"],
        [1, "应急水源", "=5*2"],
        [2, "液位报警", 5],
        ["合计", None, "=SUM(C2:C3)"],
    ]
    result = read_checklist(write_xlsx(tmp_path / "f.xlsx", {"表": rows}), ChecklistMeta(code="F"))
    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("表", 2, "C")
    assert "the formula =5*2 has no saved result" in error.message


def test_formulas_with_saved_results_are_read(tmp_path: Path) -> None:
    """Excel saves each formula's result beside it; that result is what the sheet shows and what is read."""
    path = write_xlsx(tmp_path / "saved.xlsx", {"表": [["序号", "检查内容", "分值"], [1, "应急水源", "=5*2"]]})
    sheet_xml = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members[sheet_xml] = members[sheet_xml].replace(b"<f>5*2</f><v />", b"<f>5*2</f><v>10</v>")
    assert b"<v>10</v>" in members[sheet_xml]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    spec = _spec(read_checklist(path, ChecklistMeta(code="S")))
    assert spec.items[0].points == 10


def test_content_beside_standard_columns(tmp_path: Path) -> None:
    rows: Rows = [
        ["序号", "检查项目", "检查内容", "检查标准", "分值"],
        [1, "消防", "灭火器", "在有效期内，压力表指针在绿区", 5],
    ]
    result = read_checklist(write_xlsx(tmp_path / "std.xlsx", {"表": rows}), ChecklistMeta(code="STD"))
    item = _spec(result).items[0]
    assert (item.text_zh, item.basis_zh) == ("灭火器", "在有效期内，压力表指针在绿区")
    assert not result.skipped
