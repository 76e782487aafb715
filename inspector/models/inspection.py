"""Inspections, their answers and the hazard findings they raise."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import SyncedRecord, UTCDateTime, timestamp_field
from inspector.models.enums import HazardGrade, InspectionStatus


class Inspection(SyncedRecord, table=True):
    """One inspection of a checkpoint (or a whole workshop) with one template version.

    A signed inspection is immutable; a correction is a new inspection that ``amends`` it, with a reason.
    """

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    template_version_id: uuid.UUID = Field(foreign_key="templateversion.id", index=True)
    workshop_id: uuid.UUID = Field(foreign_key="workshop.id", index=True)
    checkpoint_id: uuid.UUID | None = Field(default=None, foreign_key="checkpoint.id", index=True)
    #: The team whose area was inspected (scores count towards it).
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id", index=True)
    inspector_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    status: str = Field(default=InspectionStatus.DRAFT, max_length=16, index=True)
    started_at: datetime = timestamp_field()
    #: The item the inspector was on, so a draft reopens where it was left.
    current_item_code: str | None = Field(default=None, max_length=64)
    acknowledged_by_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Score at sign-off, with the rule version that produced it.
    score_earned: float | None = None
    score_possible: float | None = None
    score_percent: float | None = None
    grade: str | None = Field(default=None, max_length=16)
    vetoed: bool = Field(default=False)
    rule_version: str | None = Field(default=None, max_length=32)
    #: SHA-256 of the signed content (answers, findings, score, signatures).
    content_hash: str | None = Field(default=None, max_length=64)
    amends_id: uuid.UUID | None = Field(default=None, foreign_key="inspection.id", index=True)
    amendment_reason: str = Field(default="", max_length=2000)
    #: Set on an original when a signed amendment replaces it in the figures.
    superseded_by_id: uuid.UUID | None = Field(default=None, foreign_key="inspection.id")
    note: str = Field(default="", max_length=4000)


class Answer(SyncedRecord, table=True):
    """The answer to one item of one inspection."""

    __table_args__ = (sa.UniqueConstraint("inspection_id", "item_id"),)

    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", index=True)
    item_id: uuid.UUID = Field(foreign_key="templateitem.id", index=True)
    #: "yes" / "no" / "na" for yes/no items; "na" marks any item not applicable.
    choice: str | None = Field(default=None, max_length=8)
    #: The 0–N score of a score item.
    score: int | None = None
    #: The measured value of a measurement item.
    measurement: float | None = None
    text: str = Field(default="", max_length=4000)
    photo_path: str = Field(default="", max_length=1000)
    #: How many occurrences of the failure were seen (deductions per occurrence).
    occurrences: int = Field(default=1)
    note: str = Field(default="", max_length=4000)
    answered_at: datetime = timestamp_field()


class Finding(SyncedRecord, table=True):
    """A hazard (隐患) raised from a failed item, or on its own."""

    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", index=True)
    item_id: uuid.UUID | None = Field(default=None, foreign_key="templateitem.id")
    grade: str = Field(default=HazardGrade.GENERAL, max_length=16)
    description: str = Field(max_length=4000)
    #: The team responsible for putting it right.
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id", index=True)
    deadline: date
    #: Evidence photo paths (checked to exist when recorded).
    photo_paths: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    raised_by_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
