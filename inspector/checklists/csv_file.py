"""Checklist sheets saved as CSV: UTF-8 (with or without BOM), GB18030/GBK as Chinese Excel and WPS save them, or
UTF-16 with a BOM (Excel's "Unicode text", tab-separated).

The encoding is decided line by line, so a file whose lines were pasted together from differently saved files is
refused with the numbers of a line in each encoding instead of being read as mojibake.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from inspector.checklists.messages import problem
from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.spec import ReadResult
from inspector.checklists.spreadsheet import checklist_from_tables
from inspector.checklists.table import Table

_BINARY_CONTROL = set(range(0, 32)) - {9, 10, 13}


def decode_csv(raw: bytes, file: str, result: ReadResult) -> str | None:
    """The text of ``raw``: UTF-8 (BOM or not) or GB18030; ``None`` with a located problem otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            result.problems.append(problem(file, "csv.bad_utf16", position=exc.start))
            return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    sample = raw[:65536]
    if b"\x00" in sample or sum(1 for b in sample if b in _BINARY_CONTROL) > len(sample) // 100 + 1:
        result.problems.append(problem(file, "file.binary"))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf8_line: int | None = None
    gbk_line: int | None = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
            continue
        except UnicodeDecodeError:
            pass
        try:
            line.decode("gb18030")
            gbk_line = gbk_line or number
        except UnicodeDecodeError:
            result.problems.append(problem(file, "csv.bad_encoding", row=number, line=number))
            return None
    if utf8_line is not None and gbk_line is not None:
        result.problems.append(
            problem(file, "csv.mixed_encoding", row=max(utf8_line, gbk_line), gbk_row=gbk_line, utf8_row=utf8_line)
        )
        return None
    return raw.decode("gb18030")


def read_csv_checklist(path: Path, raw: bytes, meta: ChecklistMeta) -> ReadResult:
    """Read a checklist sheet saved as CSV (comma, semicolon or tab separated)."""
    file = str(path)
    result = ReadResult(source=file)
    text = decode_csv(raw, file, result)
    if text is None:
        return result
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows: list[list[object]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        result.problems.append(problem(file, "csv.bad_csv", reason=str(exc)))
        return result
    if not any(any(cell.strip() for cell in row if isinstance(cell, str)) for row in rows):
        result.problems.append(problem(file, "file.empty"))
        return result
    return checklist_from_tables(path, [Table(None, rows)], meta, result)
