"""The readable text format for templates kept in version control (TOML; YAML too where PyYAML is installed).

Layout (every field is described in ``docs/checklist-files.md``)::

    code = "SAFETY-CAST"
    name_zh = "熔铸车间安全检查表"
    name_en = "Casthouse safety checklist"
    grade_bands = [[90, "excellent"], [80, "good"], [70, "pass"]]

    [[sections]]
    code = "A"
    title_zh = "熔铸"
    weight = 0.3            # optional; all sections or none

    [[sections.items]]
    code = "A1"
    kind = "yes_no"         # yes_no | score | measurement | text | photo
    text_zh = "…"
    points = 5
    deduction_per_occurrence = 1
    veto = false
    always_major = true
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from inspector.checklists.assembly import Origin, error_problem
from inspector.checklists.messages import problem
from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.spec import ChecklistSpec, ReadResult


def read_text_checklist(path: Path, raw: bytes, meta: ChecklistMeta | None = None) -> ReadResult:
    """Read a TOML (or YAML) checklist from ``raw`` bytes of ``path``; ``meta`` overrides code, name, category."""
    file = str(path)
    result = ReadResult(source=file)
    if b"\x00" in raw[:65536]:
        result.problems.append(problem(file, "file.binary"))
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1  # where to look in the editor, not only a byte offset
        result.problems.append(problem(file, "text.not_utf8", row=line, position=exc.start))
        return result
    data: Any
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            result.problems.append(problem(file, "text.no_yaml"))
            return result
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            row = mark.line + 1 if mark is not None else None
            result.problems.append(problem(file, "text.bad_yaml", row=row, reason=getattr(exc, "problem", None) or exc))
            return result
        if _expands_beyond(data, MAX_VALUES):  # nested aliases ("billion laughs"): minutes and gigabytes to check
            result.problems.append(problem(file, "text.too_many_values", limit=MAX_VALUES))
            return result
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"at line (\d+), column (\d+)", str(exc))
            row, column = (int(found.group(1)), found.group(2)) if found else (None, None)
            if row is None and "end of document" in str(exc):  # a file cut short: the problem is its last line
                row = text.count("\n") + 1
            result.problems.append(problem(file, "text.bad_toml", row=row, column=column, reason=str(exc)))
            return result
    if not isinstance(data, dict) or not data:
        result.problems.append(problem(file, "text.not_checklist"))
        return result
    if meta is not None:
        data = {**data, **meta.values()}
    spec_from_mapping(data, file, result)
    return result


#: More values than any checklist has (thousands of items × a dozen fields), few enough to count in a blink.
MAX_VALUES = 200_000


def _expands_beyond(data: Any, limit: int) -> bool:
    """Whether ``data``, with every shared (aliased) part counted each time it is used, has more than ``limit``
    values. Stops counting at ``limit``, so a document that would expand to billions is refused at once."""
    pending: list[Any] = [data]
    seen = 0
    while pending:
        node = pending.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def spec_from_mapping(data: dict[str, Any], source: str, result: ReadResult) -> None:
    """Validate a mapping into ``result.spec``, turning every validation error into a located problem."""
    try:
        result.spec = ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            location = _location(data, error["loc"])
            located = error_problem(source, {**error, "loc": ()}, Origin(), prefix=location)
            result.problems.append(located)


def _location(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """``sections[2] (B) → items[3] (B4) → points`` from a pydantic location."""
    parts: list[str] = []
    node: Any = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            label = f"[{key + 1}]"
            if isinstance(node, dict) and "code" in node:
                label += f" ({node['code']})"
            parts[-1] = parts[-1] + label if parts else label
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " → ".join(parts)
