"""Small builders for the workbooks the checklist tests read (written with openpyxl, as Excel would save them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]


def write_xlsx(path: Path, sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per entry (in order); ``merges`` lists ranges such as ``"B4:B9"`` per sheet."""
    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
    workbook.save(path)
    return path


def write_xlsform(
    path: Path,
    survey: Rows,
    choices: Rows | None = None,
    settings: Rows | None = None,
) -> Path:
    """An XLSForm: ``survey`` (header row first), optional ``choices`` and ``settings`` sheets."""
    sheets: dict[str, Rows] = {"survey": survey}
    if choices is not None:
        sheets["choices"] = choices
    if settings is not None:
        sheets["settings"] = settings
    return write_xlsx(path, sheets)


YES_NO_CHOICES: Rows = [
    ["list_name", "name", "label::Chinese (zh)", "label::English (en)"],
    ["yn", "yes", "是", "Yes"],
    ["yn", "no", "否", "No"],
    ["yn", "na", "不适用", "N/A"],
]

#: A small, valid safety-office sheet: title row, header on row 3, merged category, answer columns.
SAFETY_ROWS: Rows = [
    ["叉车安全检查表"],
    ["检查日期：", None, "检查人："],
    ["序号", "检查项目", "检查内容", "检查依据", "分值", "扣分标准", "是", "否", "不适用"],
    [1, "叉车", "叉车司机持证上岗", "特种设备安全法", 10, "无证一票否决"],
    [2, None, "制动、喇叭、灯光完好", "TSG N0001", 5, "每处扣1分"],
    [3, "充电区", "充电区通风良好，无烟火", "GB 50016", 4, "每处扣2分"],
]
