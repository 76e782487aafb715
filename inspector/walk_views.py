"""Plain read-only views of what the inspector's screens show (home, walk, review).

They are filled by :mod:`inspector.walk_queries` inside a database session and handed to the UI, which never
touches the ORM. This module imports nothing heavy, so the app can show its first frame before the database stack
has loaded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

NO_ID = uuid.UUID(int=0)


def pick(zh: str, en: str, lang: str) -> str:
    """Text in ``lang``, falling back to the other language."""
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return first or second or ""


@dataclass(frozen=True)
class Named:
    """Something with a code and a bilingual name."""

    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return pick(self.name_zh, self.name_en, lang)


@dataclass(frozen=True)
class PersonView(Named):
    role: str = "inspector"
    team_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CampaignView(Named):
    number: int = 1
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class CheckpointView(Named):
    """A checkpoint (or a whole workshop when ``is_workshop``) that can be inspected."""

    workshop_id: uuid.UUID = NO_ID
    workshop_code: str = ""
    workshop_zh: str = ""
    workshop_en: str = ""
    unit_code: str = ""
    team_id: uuid.UUID | None = None
    is_workshop: bool = False
    inspected: bool = False

    def place(self, lang: str) -> str:
        """``Workshop · checkpoint`` in ``lang``."""
        if self.is_workshop:
            return self.name(lang)
        return f"{pick(self.workshop_zh, self.workshop_en, lang)} · {self.name(lang)}"

    def search_text(self) -> str:
        """Everything a filter may match: both languages and the codes, lower case."""
        return " ".join(
            (
                self.code,
                self.name_zh,
                self.name_en,
                self.workshop_code,
                self.workshop_zh,
                self.workshop_en,
                self.unit_code,
            )
        ).lower()


@dataclass(frozen=True)
class WorkshopProgress(Named):
    unit_code: str = ""
    checkpoints: int = 0
    inspected: int = 0
    drafts: int = 0


@dataclass(frozen=True)
class DraftView:
    inspection_id: uuid.UUID
    place_zh: str
    place_en: str
    template_zh: str
    template_en: str
    answered: int
    total: int
    started_at: datetime
    current_item_code: str | None
    is_amendment: bool = False

    def place(self, lang: str) -> str:
        return pick(self.place_zh, self.place_en, lang)

    def template(self, lang: str) -> str:
        return pick(self.template_zh, self.template_en, lang)


@dataclass(frozen=True)
class SignedView:
    inspection_id: uuid.UUID
    place_zh: str
    place_en: str
    signed_at: datetime | None
    percent: float | None
    grade: str | None
    superseded: bool = False

    def place(self, lang: str) -> str:
        return pick(self.place_zh, self.place_en, lang)


@dataclass(frozen=True)
class OrderView:
    id: uuid.UUID
    team_zh: str
    team_en: str
    requirement: str
    deadline: date
    status: str
    grade: str

    def team(self, lang: str) -> str:
        return pick(self.team_zh, self.team_en, lang)


@dataclass(frozen=True)
class SyncStatus:
    last_at: datetime | None
    pending: int


@dataclass(frozen=True)
class HomeData:
    """Everything the home screen shows for the signed-in person."""

    campaign: CampaignView | None
    person: PersonView | None
    workshops: list[WorkshopProgress]
    drafts: list[DraftView]
    signed: list[SignedView]
    orders: list[OrderView]
    sync: SyncStatus
    #: How many inspections the person has signed in all (``signed`` lists only the newest).
    signed_total: int = 0


@dataclass(frozen=True)
class ItemView:
    """A checklist item as the walk shows and scores it."""

    id: uuid.UUID
    code: str
    section_code: str
    position: int
    kind: str
    text_zh: str
    text_en: str
    basis_zh: str
    basis_en: str
    method_zh: str
    method_en: str
    hint_zh: str
    hint_en: str
    deduction_rule_zh: str
    deduction_rule_en: str
    points: float
    deduction_per_occurrence: float | None
    max_score: int | None
    lower_limit: float | None
    upper_limit: float | None
    unit: str
    required: bool
    veto: bool
    always_major: bool

    def text(self, lang: str) -> str:
        return pick(self.text_zh, self.text_en, lang)

    def basis(self, lang: str) -> str:
        return pick(self.basis_zh, self.basis_en, lang)

    def method(self, lang: str) -> str:
        return pick(self.method_zh, self.method_en, lang)

    def hint(self, lang: str) -> str:
        return pick(self.hint_zh, self.hint_en, lang)

    def deduction_rule(self, lang: str) -> str:
        return pick(self.deduction_rule_zh, self.deduction_rule_en, lang)


@dataclass(frozen=True)
class SectionView:
    code: str
    title_zh: str
    title_en: str
    weight: float | None

    def title(self, lang: str) -> str:
        return pick(self.title_zh, self.title_en, lang)


@dataclass(frozen=True)
class AnswerView:
    """An answer as entered (the same fields as the stored answer)."""

    choice: str | None = None
    score: int | None = None
    measurement: float | None = None
    text: str = ""
    photo_path: str = ""
    occurrences: int = 1
    note: str = ""


@dataclass(frozen=True)
class FindingView:
    id: uuid.UUID
    item_code: str | None
    grade: str
    description: str
    team_id: uuid.UUID | None
    deadline: date
    photo_paths: tuple[str, ...]


@dataclass
class WalkData:
    """One inspection with its checklist, answers and findings, as loaded for the walk and review screens."""

    inspection_id: uuid.UUID
    status: str
    campaign_id: uuid.UUID
    inspector_id: uuid.UUID
    place_zh: str
    place_en: str
    template_zh: str
    template_en: str
    template_version: int
    team_id: uuid.UUID | None
    current_item_code: str | None
    grade_bands: list[tuple[float, str]]
    rule_version: str
    sections: list[SectionView]
    items: list[ItemView]
    answers: dict[str, AnswerView]
    findings: list[FindingView]
    teams: list[Named]
    leaders: list[PersonView]
    acknowledged_by: PersonView | None = None
    acknowledged_at: datetime | None = None
    signed_at: datetime | None = None
    amends_id: uuid.UUID | None = None
    amendment_reason: str = ""
    superseded_by_id: uuid.UUID | None = None
    stored_score: dict[str, object] = field(default_factory=dict)

    def place(self, lang: str) -> str:
        return pick(self.place_zh, self.place_en, lang)

    def template(self, lang: str) -> str:
        return pick(self.template_zh, self.template_en, lang)

    @property
    def signed(self) -> bool:
        return self.status == "signed"
