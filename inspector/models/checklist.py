"""Checklist templates (检查表) with immutable versions, sections and items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import Bilingual, SyncedRecord, code_field, pick, timestamp_field
from inspector.models.enums import ItemKind


class ChecklistTemplate(SyncedRecord, Bilingual, table=True):
    """A checklist, identified by its code; its content lives in numbered versions."""

    code: str = code_field(unique=True)
    #: "safety", "6s", "quality", … — free text for grouping in lists.
    category: str = Field(default="safety", max_length=32)


class TemplateVersion(SyncedRecord, table=True):
    """One immutable version of a template. Once used by an inspection it is frozen; editing makes a new one."""

    __table_args__ = (sa.UniqueConstraint("template_id", "version"),)

    template_id: uuid.UUID = Field(foreign_key="checklisttemplate.id", index=True)
    version: int
    #: Set when the first inspection uses this version; a frozen version is never edited.
    frozen: bool = Field(default=False)
    #: Where it was imported from (file name) and the SHA-256 of its normalised content.
    source: str = Field(default="", max_length=500)
    content_hash: str = Field(default="", max_length=64, index=True)
    #: Grade bands as ``[[90, "excellent"], [80, "good"], [70, "pass"]]``; below the last: "fail".
    grade_bands: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    #: Version of the scoring rules (bands, weights, deduction semantics) this version is scored with.
    rule_version: str = Field(default="1", max_length=32)
    imported_at: datetime = timestamp_field()


class TemplateSection(SyncedRecord, table=True):
    """A section of a template version, optionally weighted."""

    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    version_id: uuid.UUID = Field(foreign_key="templateversion.id", index=True)
    code: str = Field(max_length=64)
    position: int
    title_zh: str = Field(max_length=300)
    title_en: str = Field(default="", max_length=300)
    #: Section weight in [0, 1]; when a version weights its sections the weights sum to 1.
    weight: float | None = None

    def title(self, lang: str = "zh") -> str:
        return pick(self.title_zh, self.title_en, lang)


class TemplateItem(SyncedRecord, table=True):
    """A checklist item: what to check, how it is answered, and what it is worth."""

    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    version_id: uuid.UUID = Field(foreign_key="templateversion.id", index=True)
    section_id: uuid.UUID = Field(foreign_key="templatesection.id", index=True)
    code: str = Field(max_length=64)
    position: int
    kind: str = Field(default=ItemKind.YES_NO, max_length=32)
    text_zh: str = Field(max_length=2000)
    text_en: str = Field(default="", max_length=2000)
    #: 检查依据 — the regulation or standard the item rests on.
    basis_zh: str = Field(default="", max_length=1000)
    basis_en: str = Field(default="", max_length=1000)
    #: 检查方法 — how to check.
    method_zh: str = Field(default="", max_length=1000)
    method_en: str = Field(default="", max_length=1000)
    hint_zh: str = Field(default="", max_length=1000)
    hint_en: str = Field(default="", max_length=1000)
    #: 分值 — what the item is worth.
    points: float = Field(default=0.0)
    #: Deduction per occurrence of a failure; ``None`` means a failure loses all the item's points.
    deduction_per_occurrence: float | None = None
    #: 扣分标准 as written on the sheet.
    deduction_rule_zh: str = Field(default="", max_length=1000)
    deduction_rule_en: str = Field(default="", max_length=1000)
    #: Highest score of a 0–N item.
    max_score: int | None = None
    #: Limits of a measurement (inclusive) and its unit.
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = Field(default="", max_length=32)
    required: bool = Field(default=True)
    #: 一票否决: failing it disqualifies the team from awards for the campaign.
    veto: bool = Field(default=False)
    #: Failing it always raises a major hazard (national major-hazard criteria).
    always_major: bool = Field(default=False)

    def text(self, lang: str = "zh") -> str:
        return pick(self.text_zh, self.text_en, lang)

    def basis(self, lang: str = "zh") -> str:
        return pick(self.basis_zh, self.basis_en, lang)

    def method(self, lang: str = "zh") -> str:
        return pick(self.method_zh, self.method_en, lang)

    def hint(self, lang: str = "zh") -> str:
        return pick(self.hint_zh, self.hint_en, lang)

    def deduction_rule(self, lang: str = "zh") -> str:
        return pick(self.deduction_rule_zh, self.deduction_rule_en, lang)
