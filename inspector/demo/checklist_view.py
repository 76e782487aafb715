"""A stored checklist version as the demo generator and the scoring engine see it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from inspector.checklists.repository import version_items, version_sections
from inspector.models import ChecklistTemplate, TemplateItem, TemplateVersion
from inspector.scoring import AnswerValue, ItemRule, ScoreResult, score_inspection


@dataclass
class ChecklistView:
    code: str
    name_zh: str
    name_en: str
    version: TemplateVersion
    items: list[TemplateItem]
    #: Item id → its section's code.
    section_of: dict[uuid.UUID, str]
    weights: dict[str, float | None]
    _rules: list[ItemRule] | None = field(default=None, repr=False)

    def rules(self) -> list[ItemRule]:
        """The scoring engine's rules for the items (built once: the version is immutable)."""
        if self._rules is None:
            self._rules = self._build_rules()
        return self._rules

    def _build_rules(self) -> list[ItemRule]:
        return [
            ItemRule(
                code=item.code,
                section=self.section_of[item.id],
                kind=item.kind,
                points=item.points,
                deduction_per_occurrence=item.deduction_per_occurrence,
                max_score=item.max_score,
                lower_limit=item.lower_limit,
                upper_limit=item.upper_limit,
                required=item.required,
                veto=item.veto,
            )
            for item in self.items
        ]

    def score(self, answers: Mapping[str, AnswerValue]) -> ScoreResult:
        """Score answers (by item code) with the version's weights, grade bands and rule version."""
        return score_inspection(
            self.rules(),
            answers,
            section_weights=self.weights,
            grade_bands=self.version.grade_bands,
            template_rule_version=self.version.rule_version,
        )


def load_checklist(session: Session, code: str, version: TemplateVersion) -> ChecklistView:
    """The items and sections of ``version``, in checklist order."""
    template = session.get(ChecklistTemplate, version.template_id)
    sections = version_sections(session, version.id)
    codes = {section.id: section.code for section in sections}
    items = version_items(session, version.id)
    return ChecklistView(
        code=code,
        name_zh=template.name_zh if template else code,
        name_en=template.name_en if template else code,
        version=version,
        items=items,
        section_of={item.id: codes[item.section_id] for item in items},
        weights={section.code: section.weight for section in sections},
    )
