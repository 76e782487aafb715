"""XLSForm (ODK, KoboToolbox) workbooks as checklists, parsed by pyxform.

pyxform validates the form and resolves types, choices and languages; this module maps its result onto sections and
items (see ``docs/checklist-files.md`` for the table) and lists, with their survey row, the constructs a checklist
cannot honour (repeats, calculations, skip logic, multiple choice, locations, …) as "skipped" problems.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

from inspector.checklists.assembly import DraftChecklist, DraftItem, DraftSection, Origin, build_spec
from inspector.checklists.cells import CellError, cell_text, has_cjk, parse_flag, parse_kind, parse_number
from inspector.checklists.deduction import parse_deduction
from inspector.checklists.messages import problem
from inspector.checklists.meta import ChecklistMeta, merge_meta
from inspector.checklists.spec import Problem, ReadResult
from inspector.checklists.xlsform_rules import (
    bilingual,
    constraint_limits,
    is_yes_no_list,
    language_of,
    score_scale,
    truthy,
)
from inspector.models.enums import ItemKind

SURVEY = "survey"
#: Our own survey columns (header → field); a ``::language`` suffix picks the language of text fields.
CUSTOM_COLUMNS: dict[str, str] = {
    "points": "points",
    "分值": "points",
    "veto": "veto",
    "一票否决": "veto",
    "always_major": "always_major",
    "重大隐患": "always_major",
    "major_hazard": "always_major",
    "basis": "basis",
    "检查依据": "basis",
    "method": "method",
    "检查方法": "method",
    "deduction": "deduction_rule",
    "deduction_rule": "deduction_rule",
    "扣分标准": "deduction_rule",
    "deduction_per_occurrence": "deduction_per_occurrence",
    "每处扣分": "deduction_per_occurrence",
    "unit": "unit",
    "单位": "unit",
    "weight": "weight",
    "权重": "weight",
    "kind": "kind",
}
_STANDARD = {"type", "name", "label", "hint", "required", "constraint", "relevant"}
#: Presentation-only columns: they change how a form looks, not what it asks, so ignoring them loses nothing.
_PRESENTATION = {"appearance", "constraint_message", "required_message", "guidance_hint", "autoplay", "media", "image"}


def _column_field(header: str) -> tuple[str, str | None] | None:
    """``"label::Chinese (zh)"`` → ``("label", "Chinese (zh)")``; custom columns map to spec fields."""
    base, _, language = header.partition("::")
    base = base.strip().lower()
    if base in ("bind", "instance") and language:
        base, _, language = language.partition("::")
        base = base.strip().lower()
    if base in _STANDARD:
        return base, language or None
    field = CUSTOM_COLUMNS.get(base)
    return (field, language or None) if field else None


class _Walk:
    """One pass over pyxform's JSON, collecting drafts and skipped constructs."""

    def __init__(self, file: str, rows: list[dict[str, Any]], result: ReadResult) -> None:
        self.file, self.result = file, result
        # pyxform keeps the survey's order, so the n-th element named X is the n-th survey row named X.
        self.rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for index, row in enumerate(rows):
            name = cell_text(row.get("name"))
            if name:
                self.rows.setdefault(name, []).append((index + 2, row))  # row 1 is the header
        self.draft = DraftChecklist()
        self.unused_languages: set[str] = set()
        self.loose: DraftSection | None = None

    def skipped(self, key: str, row: int | None, column: str | None = None, **values: object) -> None:
        self.result.problems.append(
            problem(self.file, key, sheet=SURVEY, row=row, column=column, severity="skipped", values=values)
        )

    def error(self, exc: CellError, row: int | None, column: str | None) -> None:
        self.result.problems.append(
            problem(self.file, exc.key, sheet=SURVEY, row=row, column=column, values=exc.values)
        )

    def row_of(self, name: str) -> tuple[int | None, dict[str, Any]]:
        found = self.rows.get(name)
        if not found:
            return None, {}
        return found.pop(0) if len(found) > 1 else found[0]

    def custom(self, raw: dict[str, Any]) -> dict[str, list[tuple[str, str | None, str]]]:
        """Our own columns in a survey row: field → [(value, language, header)]."""
        found: dict[str, list[tuple[str, str | None, str]]] = {}
        for header, value in raw.items():
            mapped = _column_field(str(header))
            if mapped and mapped[0] not in _STANDARD and cell_text(value):
                found.setdefault(mapped[0], []).append((cell_text(value), mapped[1], str(header)))
        return found

    def walk(
        self, children: list[dict[str, Any]], parents: list[tuple[str, str]], section: DraftSection | None
    ) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            row, raw = self.row_of(name)
            if kind == "group":
                if name == "meta" and child.get("control", {}).get("bodyless"):
                    continue  # pyxform adds the instanceID group itself
                self.group(child, row, raw, parents)
            elif kind == "repeat":
                self.skipped("xlsform.skipped_repeat", row, name=name, count=_count(child))
            else:
                item = self.question(child, kind, name, row, raw)
                if item is not None:
                    (section or self.loose_section(row)).items.append(item)

    def loose_section(self, row: int | None) -> DraftSection:
        if self.loose is None or (self.draft.sections and self.draft.sections[-1] is not self.loose):
            number = sum(1 for s in self.draft.sections if s.code.startswith("GENERAL")) + 1
            self.loose = DraftSection(
                code="GENERAL" if number == 1 else f"GENERAL-{number}",
                data={"title_zh": "通用", "title_en": "General"},
                origin=Origin(SURVEY, row),
            )
            self.draft.sections.append(self.loose)
        return self.loose

    def group(
        self, child: dict[str, Any], row: int | None, raw: dict[str, Any], parents: list[tuple[str, str]]
    ) -> None:
        name = str(child.get("name", ""))
        zh, en = bilingual(child.get("label"), self.unused_languages)
        zh, en = zh or en or name, en
        titles = [*parents, (zh, en)]
        data: dict[str, Any] = {
            "title_zh": " / ".join(t[0] for t in titles if t[0]),
            "title_en": " / ".join(t[1] for t in titles if t[1]),
        }
        relevant = child.get("bind", {}).get("relevant")
        if relevant:
            self.skipped("xlsform.skipped_group_relevant", row, "relevant", name=name, expression=relevant)
        for value, _, header in self.custom(raw).get("weight", []):
            try:
                data["weight"] = parse_number(value)
            except CellError as exc:
                self.error(exc, row, header)
        section = DraftSection(code=name, data=data, origin=Origin(SURVEY, row, {"title": "label"}))
        self.draft.sections.append(section)
        self.walk(list(child.get("children", [])), titles, section)
        if not section.items:
            self.draft.sections.remove(section)

    def question(
        self, child: dict[str, Any], kind: str, name: str, row: int | None, raw: dict[str, Any]
    ) -> DraftItem | None:
        bind: dict[str, Any] = child.get("bind", {})
        zh, en = bilingual(child.get("label"), self.unused_languages)
        if kind == "note":
            self.skipped("xlsform.skipped_note", row, name=name, label=zh or en)
            return None
        data: dict[str, Any] = {"code": name, "required": truthy(bind.get("required"))}
        columns = {"code": "name", "text": "label", "required": "required"}
        item_kind = self.kind_of(child, kind, name, row, bind, data)
        if item_kind is None:
            return None
        data["kind"] = item_kind.value
        if zh:
            data["text_zh"] = zh
        if en:
            data["text_en"] = en
        hint_zh, hint_en = bilingual(child.get("hint"), self.unused_languages)
        data.update({k: v for k, v in (("hint_zh", hint_zh), ("hint_en", hint_en)) if v})
        if not self.apply_custom(raw, data, columns, row):
            return None
        if bind.get("relevant"):
            self.skipped("xlsform.skipped_relevant", row, "relevant", name=name, expression=bind["relevant"])
        return DraftItem(data=data, origin=Origin(SURVEY, row, columns))

    def kind_of(
        self, child: dict[str, Any], kind: str, name: str, row: int | None, bind: dict[str, Any], data: dict[str, Any]
    ) -> ItemKind | None:
        if kind == "select one":
            choices = list(child.get("choices") or [])
            if is_yes_no_list(choices):
                return ItemKind.YES_NO
            scale = score_scale(choices)
            if scale is not None:
                data["max_score"] = scale
                return ItemKind.SCORE
            shown = ", ".join(str(c.get("name", "")) for c in choices[:6])
            self.skipped("xlsform.skipped_choices", row, name=name, list_name=child.get("list_name", ""), choices=shown)
            return None
        if kind in ("integer", "decimal"):
            expression = str(bind.get("constraint", "")).strip()
            if not expression:
                self.skipped("xlsform.skipped_number", row, name=name)
                return None
            limits = constraint_limits(expression, integer=kind == "integer")
            if limits is None:
                self.result.problems.append(
                    problem(
                        self.file,
                        "xlsform.bad_constraint",
                        sheet=SURVEY,
                        row=row,
                        column="constraint",
                        expression=expression,
                    )
                )
                return None
            if limits.loosened:
                shown = " – ".join("…" if v is None else f"{v:g}" for v in (limits.lower, limits.upper))
                self.skipped("xlsform.strict_limit", row, "constraint", name=name, expression=expression, limits=shown)
            data["lower_limit"], data["upper_limit"] = limits.lower, limits.upper
            return ItemKind.MEASUREMENT
        if kind == "range":
            parameters = child.get("parameters") or {}
            start, end = parameters.get("start", "1"), parameters.get("end", "10")
            if str(start).strip() in ("0", "1") and str(end).strip().isdigit() and int(end) >= 2:
                data["max_score"] = int(end)
                return ItemKind.SCORE
        if kind == "text":
            return ItemKind.TEXT
        if kind == "photo":
            return ItemKind.PHOTO
        if kind in _known_types():
            self.skipped("xlsform.skipped_type", row, "type", name=name, type=_type_name(kind))
        else:  # ODK would refuse the form too: a typo, not a construct to skip
            self.result.problems.append(
                problem(self.file, "xlsform.unknown_type", sheet=SURVEY, row=row, column="type", name=name, type=kind)
            )
        return None

    def apply_custom(self, raw: dict[str, Any], data: dict[str, Any], columns: dict[str, str], row: int | None) -> bool:
        ok = True
        for field, entries in self.custom(raw).items():
            for value, language, header in entries:
                try:
                    if field in ("points", "deduction_per_occurrence"):
                        data[field] = parse_number(value)
                    elif field in ("veto", "always_major"):
                        data[field] = parse_flag(value)
                    elif field == "kind":
                        kind, scale = parse_kind(value)
                        if kind is not None:
                            data["kind"] = kind.value
                        if scale is not None:
                            data["max_score"] = scale
                    elif field in ("basis", "method", "deduction_rule"):
                        if language:
                            found = language_of(language, value)
                            if found is None:
                                self.unused_languages.add(language)
                                continue
                            lang = found
                        else:  # no ::language suffix: a Chinese heading or Chinese text means Chinese
                            lang = "zh" if has_cjk(header) or has_cjk(value) else "en"
                        data[f"{field}_{lang}"] = value
                    elif field == "unit":
                        data["unit"] = value
                    else:
                        continue
                    columns[field if field not in ("basis", "method", "deduction_rule") else f"{field}_zh"] = header
                except CellError as exc:
                    self.error(exc, row, header)
                    ok = False
        rule = " ".join(str(data.get(f"deduction_rule_{lang}", "")) for lang in ("zh", "en"))
        if "deduction_per_occurrence" not in data and data.get("points"):
            per_occurrence = parse_deduction(rule)
            if per_occurrence is not None:
                data["deduction_per_occurrence"] = per_occurrence
        return ok


@cache
def _known_types() -> frozenset[str]:
    """Every type pyxform knows (loaded on first use: pyxform is imported only when an XLSForm is read)."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    dealiased = {str(entry.get("type", "")) for entry in QUESTION_TYPE_DICT.values() if isinstance(entry, dict)}
    return (
        frozenset(QUESTION_TYPE_DICT)
        | dealiased
        | {
            "select one",
            "select all that apply",
            "select one from file",
            "select all that apply from file",
            "rank",
            "range",
        }
    )


def _count(node: dict[str, Any]) -> int:
    return sum(
        1 + _count(child) if child.get("type") not in ("group", "repeat") else _count(child)
        for child in node.get("children", [])
    )


def _type_name(kind: str) -> str:
    return {"select all that apply": "select_multiple", "photo": "image"}.get(kind, kind)


def _pyxform_problem(file: str, exc: Exception) -> Problem:
    text = str(exc).strip()
    match = re.search(r"\[row\s*:\s*(\d+)\]", text)
    reason = re.sub(r"\[row\s*:\s*\d+\]\s*", "", text)
    reason = reason if len(reason) <= 300 else reason[:297] + "…"
    return problem(
        file,
        "xlsform.pyxform",
        sheet=SURVEY if match else None,
        row=int(match.group(1)) if match else None,
        reason=reason,
    )


def read_xlsform_checklist(path: Path, raw: bytes, meta: ChecklistMeta) -> ReadResult:
    """Read an XLSForm workbook (already known to have a ``survey`` sheet) into a checklist."""
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    file = str(path)
    result = ReadResult(source=file)
    try:
        workbook = get_xlsform(io.BytesIO(raw), file_type=".xlsx")
        form = workbook_to_json(workbook, form_name="data", fallback_form_name=path.stem, warnings=[])
    except Exception as exc:  # pyxform raises PyXFormError, and KeyError/ValueError on odd sheets
        result.problems.append(_pyxform_problem(file, exc))
        return result
    rows = list(workbook.survey or [])
    walk = _Walk(file, rows, result)
    walk.walk(list(form.get("children", [])), [], None)
    _report_columns(walk, rows)
    for language in sorted(walk.unused_languages):
        walk.skipped("xlsform.skipped_language", None, language=language)
    if not any(section.items for section in walk.draft.sections):
        if not result.errors:
            result.problems.append(problem(file, "xlsform.no_questions", sheet=SURVEY))
        return result
    walk.draft.meta = merge_meta(
        meta.values(), _settings_meta(workbook), fallback={"code": path.stem, "name_zh": path.stem}
    )
    if getattr(workbook, "settings", None):
        walk.draft.meta_origin = Origin(sheet="settings", row=2)
    build_spec(walk.draft, file, result)
    return result


def _report_columns(walk: _Walk, rows: list[dict[str, Any]]) -> None:
    first_row: dict[str, int] = {}
    for index, survey_row in enumerate(rows):
        for header, value in survey_row.items():
            if cell_text(value):
                first_row.setdefault(str(header), index + 2)
    for header, row_number in first_row.items():
        base = header.partition("::")[0].strip().lower()
        kobo_internal = base.startswith("$")  # KoboToolbox's own bookkeeping ($kuid, $autoname, …)
        if _column_field(header) is None and base not in _PRESENTATION and base != "calculation" and not kobo_internal:
            walk.skipped("xlsform.skipped_column", row_number, header, header=header)


def _settings_meta(workbook: Any) -> dict[str, Any]:
    settings = (list(getattr(workbook, "settings", None) or []) or [{}])[0]
    found: dict[str, Any] = {}
    for key, target in (
        ("code", "code"),
        ("form_id", "code"),
        ("name_zh", "name_zh"),
        ("name_en", "name_en"),
        ("category", "category"),
    ):
        value = cell_text(settings.get(key))
        if value:
            found.setdefault(target, value)
    title = cell_text(settings.get("form_title"))
    if title:
        found.setdefault("name_zh" if has_cjk(title) else "name_en", title)
    return found
