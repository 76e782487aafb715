"""Read a checklist file of any supported format, never raising on bad input."""

from __future__ import annotations

from pathlib import Path

from inspector.checklists.spec import Problem, ReadResult
from inspector.checklists.text_format import read_text_checklist

#: Larger files are refused before parsing: real checklists are a few hundred kilobytes at most.
MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".toml", ".yaml", ".yml"}


def read_checklist(path: Path) -> ReadResult:
    """Read ``path`` (TOML/YAML, .xlsx/.csv sheet, or XLSForm .xlsx) into a checklist spec plus problems."""
    result = ReadResult(source=str(path))
    try:
        if not path.exists():
            result.problems.append(Problem(str(path), "no such file"))
            return result
        if path.is_dir():
            result.problems.append(Problem(str(path), "this is a folder, not a checklist file"))
            return result
        size = path.stat().st_size
        if size == 0:
            result.problems.append(Problem(str(path), "the file is empty"))
            return result
        if size > MAX_FILE_BYTES:
            result.problems.append(
                Problem(
                    str(path),
                    f"the file is {size // (1024 * 1024)} MiB; checklists larger than "
                    f"{MAX_FILE_BYTES // (1024 * 1024)} MiB are refused",
                )
            )
            return result
        raw = path.read_bytes()
    except OSError as exc:
        result.problems.append(Problem(str(path), f"cannot read the file: {exc.strerror or exc}"))
        return result
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text_checklist(path, raw)
    result.problems.append(
        Problem(
            str(path),
            f"unknown checklist format {suffix or '(no extension)'}; use .toml, .yaml, .xlsx or .csv",
        )
    )
    return result
