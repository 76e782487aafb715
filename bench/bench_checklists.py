"""Reading checklist files: a 2,000-item safety-office sheet (.xlsx and GBK .csv) and a 500-question XLSForm.

Baselines, in the same run on the same files, are the bare libraries doing the reading alone: openpyxl loading the
workbook and visiting every cell (and merged range), ``csv.reader`` over the GB18030-decoded text, and pyxform's
``parse_file_to_json``. Ours adds header recognition, sections, codes, deduction parsing and validation.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bench.common import Result, best_of
from inspector.checklists.reader import read_checklist

SECTIONS, ITEMS_PER_SECTION = 20, 100
QUESTIONS = 500
HEADER = [
    "序号",
    "检查项目",
    "检查内容",
    "检查依据",
    "检查方法",
    "分值",
    "扣分标准",
    "一票否决",
    "重大隐患",
    "是",
    "否",
    "不适用",
]


def _rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for s in range(SECTIONS):
        for i in range(ITEMS_PER_SECTION):
            number = s * ITEMS_PER_SECTION + i + 1
            category = f"第{s + 1}类检查项目" if i == 0 else None
            rows.append(
                [
                    number,
                    category,
                    f"检查内容第{number}条：设备防护装置完好有效",
                    "GB 30078",
                    "现场查看",
                    5,
                    "每处扣1分",
                    "",
                    "",
                ]
            )
    return rows


def _xlsx(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "检查表"
    sheet.append(["熔铸车间安全检查表（基准）"])
    sheet.append(HEADER)
    for row in _rows():
        sheet.append(row)
    for s in range(SECTIONS):
        first = 3 + s * ITEMS_PER_SECTION
        sheet.merge_cells(start_row=first, start_column=2, end_row=first + ITEMS_PER_SECTION - 1, end_column=2)
    workbook.save(path)


def _csv(path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["熔铸车间安全检查表（基准）"])
    writer.writerow(HEADER)
    writer.writerows(_rows())
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def _xlsform(path: Path) -> None:
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "required", "constraint", "points"])
    for g in range(QUESTIONS // 25):
        survey.append(["begin group", f"g{g}", f"第{g + 1}组", f"Group {g + 1}"])
        for q in range(25):
            name = f"q{g}_{q}"
            if q % 5 == 4:
                survey.append(["decimal", name, "接地电阻", "Earth resistance", "yes", ". <= 4", "3"])
            else:
                survey.append(["select_one yn", name, "防护装置完好", "Guards in place", "yes", "", "5"])
        survey.append(["end group"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for name, zh, en in (("yes", "是", "Yes"), ("no", "否", "No"), ("na", "不适用", "N/A")):
        choices.append(["yn", name, zh, en])
    workbook.save(path)


def _openpyxl_baseline(path: Path) -> None:
    workbook = load_workbook(path, read_only=False, data_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for _ in row:
                pass
        list(sheet.merged_cells.ranges)
    workbook.close()


def _csv_baseline(path: Path) -> None:
    text = path.read_bytes().decode("gb18030")
    for _ in csv.reader(io.StringIO(text)):
        pass


def _pyxform_baseline(path: Path) -> None:
    from pyxform.xls2json import parse_file_to_json

    parse_file_to_json(str(path), warnings=[])


def _ours(path: Path) -> None:
    result = read_checklist(path)
    assert result.ok, [str(p) for p in result.errors[:3]]


def run() -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        cases = [
            (
                "checklist_read_xlsx_2000_items",
                base / "sheet.xlsx",
                _xlsx,
                _openpyxl_baseline,
                "openpyxl load + every cell",
            ),
            (
                "checklist_read_csv_gbk_2000_items",
                base / "sheet.csv",
                _csv,
                _csv_baseline,
                "gb18030 decode + csv.reader",
            ),
            (
                "checklist_read_xlsform_500_questions",
                base / "form.xlsx",
                _xlsform,
                _pyxform_baseline,
                "pyxform parse_file_to_json",
            ),
        ]
        for name, path, make, baseline, note in cases:
            make(path)
            ours = best_of(lambda p=path: _ours(p), 3)  # type: ignore[misc]
            bare = best_of(lambda p=path, b=baseline: b(p), 3)  # type: ignore[misc]
            results.append(Result(name, ours, "s", bare, note=f"baseline: {note}"))
    return results
