"""Read a checklist file of any supported format, never raising on bad input."""

from __future__ import annotations

from pathlib import Path

from inspector.checklists.csv_file import read_csv_checklist
from inspector.checklists.messages import problem
from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.spec import ReadResult
from inspector.checklists.spreadsheet import read_workbook_checklist
from inspector.checklists.text_format import read_text_checklist
from inspector.checklists.xlsform import read_xlsform_checklist

#: Larger files are refused before parsing: real checklists are a few hundred kilobytes at most.
MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".toml", ".yaml", ".yml"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def read_checklist(path: Path, meta: ChecklistMeta | None = None) -> ReadResult:
    """Read ``path`` (TOML/YAML, .xlsx/.csv sheet, or XLSForm .xlsx) into a checklist spec plus problems.

    ``meta`` (from the command line) overrides the code, name and category the file gives. Nothing raises: every
    failure, down to an unforeseen one inside a parser, comes back as a problem naming the file.
    """
    file = str(path)
    meta = meta or ChecklistMeta()
    result = ReadResult(source=file)
    try:
        if not path.exists():
            result.problems.append(problem(file, "file.missing"))
            return result
        if path.is_dir():
            result.problems.append(problem(file, "file.directory"))
            return result
        if not path.is_file():  # /dev/zero, a pipe: its size says 0 and reading never ends
            result.problems.append(problem(file, "file.not_regular"))
            return result
        size = path.stat().st_size
        if size == 0:
            result.problems.append(problem(file, "file.empty"))
            return result
        if size > MAX_FILE_BYTES:
            result.problems.append(problem(file, "file.too_big", size=_mib(size), limit=_mib(MAX_FILE_BYTES)))
            return result
        raw = path.read_bytes()
    except OSError as exc:
        result.problems.append(problem(file, "file.unreadable", reason=exc.strerror or str(exc)))
        return result
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            return read_text_checklist(path, raw, meta)
        if suffix in WORKBOOK_SUFFIXES:
            return read_workbook_checklist(path, raw, meta, read_xlsform_checklist)
        if suffix == ".csv":
            return read_csv_checklist(path, raw, meta)
        if suffix == ".xls":
            result.problems.append(problem(file, "file.old_xls"))
            return result
    except Exception as exc:  # the promise is "never a traceback"; the message asks for the file to fix the reader
        result.problems.append(problem(file, "file.internal", kind=type(exc).__name__, reason=str(exc)[:200]))
        return result
    result.problems.append(problem(file, "file.unknown_format", suffix=suffix or "(no extension)"))
    return result


def _mib(size: int) -> str:
    """``20971520`` → ``"20"``, ``1536`` → ``"0.00146"``: sizes in MiB without false precision."""
    return f"{size / 2**20:.3g}"
