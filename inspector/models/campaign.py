"""Campaigns (活动): numbered, time-boxed drives with their checklists."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import Bilingual, SyncedRecord, code_field
from inspector.models.enums import CampaignKind


class Campaign(SyncedRecord, Bilingual, table=True):
    """E.g. the 21st Safety Production Month, code ``SPM-2022``."""

    code: str = code_field(unique=True)
    kind: str = Field(default=CampaignKind.SAFETY, max_length=32)
    #: The edition: 21 for 第二十一届.
    number: int = Field(default=1)
    starts_on: date
    ends_on: date
    #: The campaign the app opens on when several exist.
    active: bool = Field(default=False)


class CampaignChecklist(SyncedRecord, table=True):
    """A checklist version a campaign uses."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "template_version_id"),)

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    template_version_id: uuid.UUID = Field(foreign_key="templateversion.id", index=True)
