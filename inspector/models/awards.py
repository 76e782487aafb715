"""Award rules (versioned rule files per campaign) and the decisions they produced."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import SyncedRecord, timestamp_field


class AwardRuleSet(SyncedRecord, table=True):
    """One version of a campaign's award rules, kept as the rule file's text."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "version"),)

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    version: int
    source_text: str = Field(sa_type=sa.Text)
    content_hash: str = Field(max_length=64)
    imported_at: datetime = timestamp_field()


class AwardDecision(SyncedRecord, table=True):
    """The outcome for one subject (team, workshop, unit or project) under one rule set version."""

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    ruleset_id: uuid.UUID = Field(foreign_key="awardruleset.id", index=True)
    award: str = Field(max_length=64)
    level: str = Field(max_length=16)
    subject_id: uuid.UUID = Field(index=True)
    eligible: bool
    rank: int | None = None
    #: ``[{"criterion", "figure", "threshold", "met"}, …]``
    criteria: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    #: Nominated for the conference list / confirmed in the final list.
    nominated: bool = Field(default=False)
    final: bool = Field(default=False)
    decided_at: datetime = timestamp_field()
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
