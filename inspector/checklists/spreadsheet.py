"""Checklist sheets in Excel workbooks (.xlsx/.xlsm), and the step shared with CSV: tables → checklist.

Every visible sheet with a recognised header row adds its sections, in workbook order; a ``meta``/``说明`` sheet
gives the code and name. A workbook with a ``survey`` sheet is an XLSForm and goes to :mod:`.xlsform`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.checklists.assembly import DraftChecklist, Origin, build_spec
from inspector.checklists.cells import UncalculatedFormula
from inspector.checklists.columns import HEADER_SEARCH_ROWS
from inspector.checklists.messages import problem
from inspector.checklists.meta import META_SHEETS, ChecklistMeta, default_meta, merge_meta, read_meta_sheet
from inspector.checklists.spec import ReadResult
from inspector.checklists.table import Table, TableOutcome, assign_codes, read_table

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Refuse workbooks that unpack to more than this (a 20 MiB zip of repeated XML can unpack to gigabytes).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: A checklist sheet longer than this is a data dump, not a checklist.
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 100


def old_or_encrypted(raw: bytes, file: str) -> ReadResult | None:
    """An OLE2 compound file is an old .xls or an encrypted workbook: either way, a clear refusal."""
    if not raw.startswith(OLE2_MAGIC):
        return None
    result = ReadResult(source=file)
    encrypted = "EncryptedPackage".encode("utf-16-le") in raw or b"EncryptionInfo" in raw
    result.problems.append(problem(file, "file.encrypted" if encrypted else "file.old_xls"))
    return result


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def load_workbook(raw: bytes, file: str, result: ReadResult) -> tuple[Any, Any] | None:
    """The openpyxl workbook in ``raw`` with its values, and (only when it has formulas) with its formulas.

    ``None`` with a problem saying why when it cannot be opened.
    """
    from openpyxl import load_workbook as openpyxl_load

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                result.problems.append(
                    problem(
                        file, "file.zip_bomb", size=f"{unpacked / 2**20:.3g}", limit=f"{MAX_UNPACKED_BYTES / 2**20:.3g}"
                    )
                )
                return None
            bad = archive.testzip()
            if bad is not None:
                raise zipfile.BadZipFile(f"member {bad} is damaged")
            has_formulas = any(
                _FORMULA.search(archive.read(info))
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            )
        values = openpyxl_load(io.BytesIO(raw), read_only=False, data_only=True)
        formulas = openpyxl_load(io.BytesIO(raw), read_only=False, data_only=False) if has_formulas else None
        return values, formulas
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError… on damaged workbooks
        result.problems.append(problem(file, "file.not_xlsx", reason=_reason(exc)))
        return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def sheet_rows(worksheet: Any, formulas: Any, file: str, result: ReadResult) -> list[list[object]] | None:
    """The sheet's values as rows (row 1 first), merged ranges filled with their top-left value.

    ``formulas`` is the same sheet loaded with its formulas (or ``None``): a formula saved without its result
    becomes an :class:`UncalculatedFormula`, so a points cell holding one is reported rather than read as empty.
    """
    # The cell dictionary holds only cells that exist; iter_rows would create every blank cell up to max_row,
    # which for a sheet formatted down to row 1,048,576 takes minutes.
    cells: dict[tuple[int, int], Any] = dict(getattr(worksheet, "_cells", {}))
    if formulas is not None:
        for key, cell in getattr(formulas, "_cells", {}).items():
            text = cell.value
            if isinstance(text, str) and text.startswith("=") and getattr(cells.get(key), "value", None) is None:
                cells[key] = _Value(UncalculatedFormula(text))
    filled = [(r, c) for (r, c), cell in cells.items() if cell.value is not None and cell.value != ""]
    if not filled:
        return []
    last_row = max(r for r, _ in filled)
    last_column = min(max(c for _, c in filled), MAX_SHEET_COLUMNS)
    if last_row > MAX_SHEET_ROWS:
        result.problems.append(
            problem(file, "sheet.too_many_rows", sheet=worksheet.title, rows=last_row, limit=MAX_SHEET_ROWS)
        )
        return None
    grid: list[list[object]] = [[None] * last_column for _ in range(last_row)]
    for r, c in filled:
        if c <= last_column:
            grid[r - 1][c - 1] = cells[(r, c)].value
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row > last_row or merged.min_col > last_column:
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, min(merged.max_row, last_row) + 1):
            for c in range(merged.min_col, min(merged.max_col, last_column) + 1):
                grid[r - 1][c - 1] = value
    return grid


class _Value:
    """Stands in for an openpyxl cell in :func:`sheet_rows`."""

    def __init__(self, value: object) -> None:
        self.value = value


def checklist_from_tables(
    path: Path,
    tables: list[Table],
    meta: ChecklistMeta,
    result: ReadResult,
    sheet_meta: tuple[dict[str, Any], Origin] | None = None,
) -> ReadResult:
    """Read every table, then code, name and validate the checklist they make together."""
    file = str(path)
    outcomes: list[tuple[Table, TableOutcome]] = []
    sections_so_far = 0
    for table in tables:
        outcome = read_table(table, file, result, sections_so_far)
        if outcome is None:
            if any(any(v is not None and v != "" for v in row) for row in table.rows) and len(tables) > 1:
                result.problems.append(problem(file, "sheet.skipped_no_header", sheet=table.name, severity="skipped"))
            continue
        outcomes.append((table, outcome))
        sections_so_far += len(outcome.sections)
    if not outcomes:
        result.problems.append(
            problem(file, "sheet.no_header", sheet=tables[0].name if tables else None, rows=HEADER_SEARCH_ROWS)
        )
        return result
    if not any(section.items for _, outcome in outcomes for section in outcome.sections):
        if not result.errors:
            for table, outcome in outcomes:
                result.problems.append(
                    problem(
                        file, "sheet.no_items", sheet=table.name, row=outcome.header.row, header_row=outcome.header.row
                    )
                )
        return result
    draft = DraftChecklist(sections=[s for _, outcome in outcomes for s in outcome.sections])
    assign_codes(draft.sections)
    found, origin = sheet_meta if sheet_meta else ({}, Origin())
    title = next((outcome.title for _, outcome in outcomes if outcome.title), "")
    draft.meta = merge_meta(meta.values(), found, fallback=default_meta(path, title))
    draft.meta_origin = origin
    build_spec(draft, file, result)
    _check_totals(outcomes, file, result)
    return result


def _check_totals(outcomes: list[tuple[Table, TableOutcome]], file: str, result: ReadResult) -> None:
    """A sheet whose 合计 row disagrees with its items' points has an item missing or a points cell mistyped:
    importing it would score every inspection out of a different total than the paper sheet."""
    spec = result.spec
    if spec is None or result.errors:
        return
    points = {section.code: sum(spec.item_points(item) for item in section.items) for section in spec.sections}
    for table, outcome in outcomes:
        if outcome.stated_total is None:
            continue
        stated, row = outcome.stated_total
        counted = sum(points.get(section.code, 0.0) for section in outcome.sections)
        if abs(stated - counted) > 1e-6:
            result.problems.append(
                problem(
                    file,
                    "sheet.total_mismatch",
                    sheet=table.name,
                    row=row,
                    stated=f"{stated:g}",
                    counted=f"{counted:g}",
                )
            )
            result.spec = None


def read_workbook_checklist(
    path: Path,
    raw: bytes,
    meta: ChecklistMeta,
    xlsform_reader: Callable[[Path, bytes, ChecklistMeta], ReadResult],
) -> ReadResult:
    """Read an .xlsx checklist sheet (or hand an XLSForm to ``xlsform_reader``)."""
    file = str(path)
    refused = old_or_encrypted(raw, file)
    if refused is not None:
        return refused
    result = ReadResult(source=file)
    loaded = load_workbook(raw, file, result)
    if loaded is None:
        return result
    workbook, formulas = loaded
    try:
        if any(name.strip().lower() == "survey" for name in workbook.sheetnames):
            return xlsform_reader(path, raw, meta)
        tables: list[Table] = []
        sheet_meta: tuple[dict[str, Any], Origin] | None = None
        for worksheet in workbook.worksheets:
            rows = sheet_rows(worksheet, formulas[worksheet.title] if formulas else None, file, result)
            if rows is None:
                return result
            if worksheet.sheet_state != "visible":
                if rows:
                    result.problems.append(
                        problem(file, "sheet.hidden_sheet", sheet=worksheet.title, severity="skipped")
                    )
                continue
            if worksheet.title.strip().lower() in META_SHEETS:
                sheet_meta = read_meta_sheet(rows, worksheet.title, file, result) or sheet_meta
                if sheet_meta is not None:
                    continue
            tables.append(Table(worksheet.title, rows))
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    return checklist_from_tables(path, tables, meta, result, sheet_meta)
