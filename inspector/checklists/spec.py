"""The checklist as read from a file, before it is stored: one shape for every file format.

Every reader (TOML/YAML, spreadsheet, XLSForm) produces a :class:`ChecklistSpec` plus a list of
:class:`Problem` entries; nothing is stored unless the spec is valid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from inspector.models.enums import ItemKind

DEFAULT_GRADE_BANDS: list[tuple[float, str]] = [(90.0, "excellent"), (80.0, "good"), (70.0, "pass")]


@dataclass(frozen=True)
class Problem:
    """Something wrong (or skipped) in a checklist file, located as precisely as the format allows."""

    file: str
    #: The message in English; ``message_zh`` holds the same in Chinese (readers build both through ``i18n``).
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    #: "error" stops the import; "skipped" reports a construct the checklist model cannot honour.
    severity: str = "error"
    message_zh: str = ""

    def where(self, lang: str = "en") -> str:
        """``file, sheet S, row 3, column D`` (or the same in Chinese)."""
        zh = lang == "zh"
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表 {self.sheet}" if zh else f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if zh else f"row {self.row}")
        if self.column:
            parts.append(f"{self.column} 列" if zh else f"column {self.column}")
        return ("，" if zh else ", ").join(parts)

    def text(self, lang: str = "en") -> str:
        """Where and what, in ``lang``."""
        message = self.message_zh if lang == "zh" and self.message_zh else self.message
        return f"{self.where(lang)}{'：' if lang == 'zh' else ': '}{message}"

    def __str__(self) -> str:
        return self.text("en")


def _invalid(key: str, message: str, **context: object) -> PydanticCustomError:
    """A validation error whose type is the message key of ``inspector.checklists.messages``."""
    return PydanticCustomError(key, message, dict(context))


class ItemSpec(BaseModel):
    """One checklist item."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    kind: ItemKind = ItemKind.YES_NO
    text_zh: str = Field(default="", max_length=2000)
    text_en: str = Field(default="", max_length=2000)
    basis_zh: str = Field(default="", max_length=1000)
    basis_en: str = Field(default="", max_length=1000)
    method_zh: str = Field(default="", max_length=1000)
    method_en: str = Field(default="", max_length=1000)
    hint_zh: str = Field(default="", max_length=1000)
    hint_en: str = Field(default="", max_length=1000)
    points: float = Field(default=0.0, ge=0, le=1000)
    deduction_per_occurrence: float | None = Field(default=None, gt=0)
    deduction_rule_zh: str = Field(default="", max_length=1000)
    deduction_rule_en: str = Field(default="", max_length=1000)
    max_score: int | None = Field(default=None, ge=1, le=100)
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = Field(default="", max_length=32)
    required: bool = True
    veto: bool = False
    always_major: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ItemSpec:
        if not (self.text_zh or self.text_en):
            raise _invalid(
                "spec.item_no_text", "item {code} has no text (text_zh or text_en)", code=self.code, field="text"
            )
        if self.kind == ItemKind.SCORE and self.max_score is None:
            raise _invalid(
                "spec.score_without_max",
                "item {code} is a 0–N score item without max_score",
                code=self.code,
                field="kind",
            )
        if self.kind == ItemKind.MEASUREMENT and self.lower_limit is None and self.upper_limit is None:
            raise _invalid(
                "spec.measurement_without_limits",
                "item {code} is a measurement without lower_limit or upper_limit",
                code=self.code,
                field="kind",
            )
        if self.lower_limit is not None and self.upper_limit is not None and self.lower_limit > self.upper_limit:
            raise _invalid(
                "spec.lower_above_upper",
                "item {code}: lower_limit {lower} is above upper_limit {upper}",
                code=self.code,
                lower=f"{self.lower_limit:g}",
                upper=f"{self.upper_limit:g}",
                field="lower_limit",
            )
        if self.kind in (ItemKind.TEXT, ItemKind.PHOTO) and self.points:
            raise _invalid(
                "spec.points_on_unscored",
                "item {code}: {kind} items carry no points",
                code=self.code,
                kind=self.kind.value,
                field="points",
            )
        return self


class SectionSpec(BaseModel):
    """A section and its items, in order."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    title_zh: str = Field(default="", max_length=300)
    title_en: str = Field(default="", max_length=300)
    weight: float | None = Field(default=None, ge=0, le=1)
    items: list[ItemSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _titled(self) -> SectionSpec:
        if not (self.title_zh or self.title_en):
            raise _invalid(
                "spec.section_no_title",
                "section {code} has no title (title_zh or title_en)",
                code=self.code,
                field="title",
            )
        return self


class ChecklistSpec(BaseModel):
    """A whole checklist template as read from a file."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    name_zh: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)
    category: str = Field(default="safety", max_length=32)
    #: ``[[90, "excellent"], [80, "good"], [70, "pass"]]``: lowest percentage for each grade, best first.
    grade_bands: list[tuple[float, str]] = Field(default_factory=lambda: list(DEFAULT_GRADE_BANDS))
    rule_version: str = "1"
    sections: list[SectionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _whole(self) -> ChecklistSpec:
        if not (self.name_zh or self.name_en):
            raise _invalid("spec.no_name", "the checklist has no name (name_zh or name_en)", field="name")
        if not self.sections or not any(s.items for s in self.sections):
            raise _invalid("spec.no_items", "the checklist has no items")
        seen: set[str] = set()
        for section in self.sections:
            for item in section.items:
                if item.code in seen:
                    raise _invalid("spec.duplicate_item", "item code {code} is used twice", code=item.code)
                seen.add(item.code)
        section_codes = [s.code for s in self.sections]
        if len(set(section_codes)) != len(section_codes):
            raise _invalid("spec.duplicate_section", "two sections share a code")
        weights = [s.weight for s in self.sections]
        if any(w is not None for w in weights):
            if any(w is None for w in weights):
                raise _invalid("spec.weights_partial", "either every section has a weight or none has")
            total = sum(w or 0 for w in weights)
            if abs(total - 1.0) > 1e-6:
                raise _invalid("spec.weights_sum", "section weights sum to {total}, not 1", total=f"{total:g}")
        bands = [b[0] for b in self.grade_bands]
        if bands != sorted(bands, reverse=True):
            raise _invalid("spec.bands_order", "grade_bands must go from the highest threshold down")
        return self

    @property
    def items(self) -> list[ItemSpec]:
        return [item for section in self.sections for item in section.items]

    @staticmethod
    def item_points(item: ItemSpec) -> float:
        """What an item is worth, as the scoring engine counts it (a 0–N item without points is worth N)."""
        if item.kind == ItemKind.SCORE and not item.points:
            return float(item.max_score or 0)
        return item.points

    @property
    def points_total(self) -> float:
        return sum(self.item_points(item) for item in self.items)

    def content_hash(self) -> str:
        """SHA-256 of the normalised content: the same checklist from any format hashes the same."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class ReadResult:
    """What a reader found: the spec when it is valid, and every problem (errors and skipped constructs)."""

    source: str
    spec: ChecklistSpec | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "skipped"]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors
