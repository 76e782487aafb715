"""Team quality figures and innovation projects, entered or imported by supervisors."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import SyncedRecord


class QualityFigure(SyncedRecord, table=True):
    """A team's quality figures for a campaign (percentages as 0–100)."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "team_id"),)

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
    first_pass_yield: float | None = None  # 一次合格率 %
    defect_rate: float | None = None  # 不良率 %
    rework_rate: float | None = None  # 返工率 %
    complaints: int | None = None  # 客诉
    six_s_score: float | None = None  # 6S result %
    entered_by_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")


class InnovationProject(SyncedRecord, table=True):
    """An innovation or QC-circle project (QC小组) put forward by a team, scored by a panel."""

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
    code: str = Field(max_length=64)
    title_zh: str = Field(max_length=300)
    title_en: str = Field(default="", max_length=300)
    kind: str = Field(default="innovation", max_length=32)  # innovation | qc_circle
    summary: str = Field(default="", max_length=4000)
    #: The panel's score (0–100); ``None`` until scored.
    panel_score: float | None = None
