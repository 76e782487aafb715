"""Turning what a reader collected (drafts that remember where each value came from) into a validated spec.

Items are validated one by one so every problem names its sheet, row and column; duplicate codes are reported
with both places; only then is the whole :class:`ChecklistSpec` validated (weights, name, grade bands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from inspector.checklists.messages import has_message, problem
from inspector.checklists.spec import ChecklistSpec, ItemSpec, Problem, ReadResult, SectionSpec


@dataclass
class Origin:
    """Where a draft came from: sheet, row, and the column (letter or name) of each spec field."""

    sheet: str | None = None
    row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.columns:
            return self.columns[name]
        for suffix in ("_zh", "_en"):
            if f"{name}{suffix}" in self.columns:
                return self.columns[f"{name}{suffix}"]
        return None


@dataclass
class DraftItem:
    data: dict[str, Any]
    origin: Origin


@dataclass
class DraftSection:
    code: str
    data: dict[str, Any]
    origin: Origin
    items: list[DraftItem] = field(default_factory=list)


@dataclass
class DraftChecklist:
    meta: dict[str, Any] = field(default_factory=dict)
    meta_origin: Origin = field(default_factory=Origin)
    sections: list[DraftSection] = field(default_factory=list)


def error_problem(file: str, error: ErrorDetails, origin: Origin, *, prefix: str = "") -> Problem:
    """One pydantic error as a located, bilingual problem."""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    loc = error["loc"]
    field_name = str(loc[0]) if loc else ctx.get("field")
    values: dict[str, object] = {"input": _shown(error.get("input")), **ctx}
    kind = error["type"]
    if not has_message(kind):
        kind, values = "validation.other", {"reason": error["msg"].removeprefix("Value error, ")}
    found = problem(file, kind, sheet=origin.sheet, row=origin.row, column=origin.column(field_name), values=values)
    label = " → ".join(part for part in (prefix, ".".join(str(p) for p in loc)) if part)
    if not label:
        return found
    return Problem(
        found.file,
        f"{label}: {found.message}",
        sheet=found.sheet,
        row=found.row,
        column=found.column,
        severity=found.severity,
        message_zh=f"{label}：{found.message_zh}",
    )


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "…"


def _validate(model: type[BaseModel], data: dict[str, Any], file: str, origin: Origin, result: ReadResult) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        result.problems.extend(error_problem(file, error, origin) for error in exc.errors())
        return None


def _place(origin: Origin) -> str:
    parts = [f"sheet {origin.sheet}"] if origin.sheet else []
    if origin.row is not None:
        parts.append(f"row {origin.row}")
    return ", ".join(parts) or "elsewhere"


def build_spec(draft: DraftChecklist, file: str, result: ReadResult) -> None:
    """Validate ``draft`` into ``result.spec``, adding a located problem for everything wrong."""
    sections: list[SectionSpec] = []
    seen: dict[str, Origin] = {}
    failed = False
    for draft_section in draft.sections:
        items: list[ItemSpec] = []
        for draft_item in draft_section.items:
            code = str(draft_item.data.get("code", ""))
            if code and code in seen:
                first = seen[code]
                same_sheet = first.sheet == draft_item.origin.sheet and first.row is not None
                result.problems.append(
                    problem(
                        file,
                        "sheet.duplicate_code" if same_sheet else "sheet.duplicate_code_elsewhere",
                        sheet=draft_item.origin.sheet,
                        row=draft_item.origin.row,
                        column=draft_item.origin.column("code"),
                        code=code,
                        first_row=first.row,
                        first=_place(first),
                    )
                )
                failed = True
                continue
            seen.setdefault(code, draft_item.origin)
            item = _validate(ItemSpec, draft_item.data, file, draft_item.origin, result)
            if item is None:
                failed = True
            else:
                items.append(item)
        section = _validate(
            SectionSpec,
            {"code": draft_section.code, **draft_section.data, "items": items},
            file,
            draft_section.origin,
            result,
        )
        if section is None:
            failed = True
        else:
            sections.append(section)
    if failed:
        return
    try:
        result.spec = ChecklistSpec.model_validate({**draft.meta, "sections": sections})
    except ValidationError as exc:
        for error in exc.errors():
            # Errors about the checklist's own fields point at where those came from (a meta sheet, settings);
            # whole-checklist errors (weights, sections) have no single place.
            about_meta = bool(error["loc"]) or (error.get("ctx") or {}).get("field") == "name"
            result.problems.append(error_problem(file, error, draft.meta_origin if about_meta else Origin()))
