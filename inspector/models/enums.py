"""The domain's closed vocabularies. Stored as plain strings so PostgreSQL needs no enum types."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    BRANCH_FACTORY = "branch_factory"  # 分厂
    INDUSTRIAL_PARK = "industrial_park"  # 园区
    MEMBER_ENTERPRISE = "member_enterprise"  # 成员企业


class WorkshopKind(StrEnum):
    CASTING = "casting"  # 熔铸
    EXTRUSION = "extrusion"  # 挤压
    ANODISING = "anodising"  # 氧化
    POWDER_COATING = "powder_coating"  # 喷涂
    MOULD = "mould"  # 模具
    DEEP_PROCESSING = "deep_processing"  # 深加工
    PACKAGING = "packaging"  # 包装
    WAREHOUSE = "warehouse"  # 仓库
    POWER = "power"  # 配电


class Role(StrEnum):
    INSPECTOR = "inspector"
    TEAM_LEADER = "team_leader"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


class CampaignKind(StrEnum):
    SAFETY = "safety"  # 安全生产月
    QUALITY = "quality"  # 质量管理月


class ItemKind(StrEnum):
    YES_NO = "yes_no"  # 是/否/不适用
    SCORE = "score"  # 0–N
    MEASUREMENT = "measurement"  # number with limits
    TEXT = "text"
    PHOTO = "photo"  # evidence photo path


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    NA = "na"


class InspectionStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class HazardGrade(StrEnum):
    GENERAL = "general"  # 一般隐患
    SIGNIFICANT = "significant"  # 较大/重点隐患
    MAJOR = "major"  # 重大隐患


class OrderStatus(StrEnum):
    OPEN = "open"  # issued, waiting for the team
    ANSWERED = "answered"  # the team recorded its action
    CLOSED = "closed"  # verified on site (销号)
    REOPENED = "reopened"  # verification rejected


class AwardLevel(StrEnum):
    TEAM = "team"
    WORKSHOP = "workshop"
    UNIT = "unit"
    INNOVATION = "innovation"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    ACKED = "acked"
    REJECTED = "rejected"
