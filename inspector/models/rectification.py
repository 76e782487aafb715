"""The rectification loop (整改): order → action → verification → closed or reopened, with history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import SyncedRecord, UTCDateTime, timestamp_field
from inspector.models.enums import OrderStatus


class RectificationOrder(SyncedRecord, table=True):
    """整改通知: what a team must put right, by when, and where it stands."""

    finding_id: uuid.UUID = Field(foreign_key="finding.id", unique=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
    responsible_person_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    requirement: str = Field(max_length=4000)
    deadline: date = Field(index=True)
    status: str = Field(default=OrderStatus.OPEN, max_length=16, index=True)
    #: What the team did, and its evidence (photo paths).
    action_taken: str = Field(default="", max_length=4000)
    evidence_paths: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    #: A major hazard's plan (measures, funds, deadline, owner, emergency plan) — required before closing.
    plan_measures: str = Field(default="", max_length=4000)
    plan_funds: float | None = None
    plan_deadline: date | None = None
    plan_owner_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    plan_emergency: str = Field(default="", max_length=4000)


class RectificationEvent(SyncedRecord, table=True):
    """One transition of an order, kept forever: who, when, from what to what, and why."""

    order_id: uuid.UUID = Field(foreign_key="rectificationorder.id", index=True)
    at: datetime = timestamp_field()
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str = Field(default="", max_length=4000)
    evidence_paths: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
