"""Report tables as plain rows, written to XLSX (openpyxl) or CSV (UTF-8 with BOM, so Excel reads Chinese).

A report with several tables becomes one workbook with a sheet per table, or one CSV file with a section per
table (a title line, the header, the rows, a blank line) — a CSV of a single table is just that table.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Cell = str | int | float | date | datetime | None


@dataclass
class Table:
    """One table of a report: a stable key (sheet names, tests), a title, column headings and rows."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write_csv(tables: Sequence[Table], path: Path) -> None:
    """Write ``tables`` as UTF-8 CSV with a byte-order mark; several tables become titled sections."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for index, table in enumerate(tables):
            if len(tables) > 1:
                if index:
                    writer.writerow([])
                writer.writerow([table.title])
            writer.writerow(table.columns)
            writer.writerows([_csv_value(v) for v in row] for row in table.rows)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    """Write ``tables`` as a workbook, one sheet per table, header bold and frozen, columns sized to fit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    used: set[str] = set()
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
        sheet.freeze_panes = "A2"
        for col_index, heading in enumerate(table.columns, start=1):
            values = [heading, *(_csv_value(row[col_index - 1]) for row in table.rows if col_index - 1 < len(row))]
            width = max(_display_width(v) for v in values)
            sheet.column_dimensions[get_column_letter(col_index)].width = min(60, max(8, width + 2))
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; report times are UTC
    return value


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet (CJK characters are double width)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_tables(tables: Sequence[Table], path: Path) -> None:
    """Write ``tables`` as XLSX or CSV, chosen by the file's suffix."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(tables, path)
    elif path.suffix.lower() == ".csv":
        write_csv(tables, path)
    else:
        raise ValueError(f"{path.name}: tables are written as .xlsx or .csv")
