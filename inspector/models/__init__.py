"""The domain model: every table of the inspector, in SQLModel.

Importing this package registers every table on ``SQLModel.metadata`` (Alembic's target).
"""

from inspector.models.awards import AwardDecision, AwardRuleSet
from inspector.models.base import SyncedRecord, stable_id, utcnow
from inspector.models.campaign import Campaign, CampaignChecklist
from inspector.models.checklist import ChecklistTemplate, TemplateItem, TemplateSection, TemplateVersion
from inspector.models.enums import (
    AwardLevel,
    CampaignKind,
    Choice,
    HazardGrade,
    InspectionStatus,
    ItemKind,
    OrderStatus,
    OutboxStatus,
    Role,
    UnitKind,
    WorkshopKind,
)
from inspector.models.imports import ImportedBundle, ImportedChange, LocalConflict
from inspector.models.inspection import Answer, Finding, Inspection
from inspector.models.local import SCHEMA_VERSION, AuditEntry, LocalSetting, OutboxEntry, OutboxReceipt
from inspector.models.org import Checkpoint, Group, InspectorAssignment, Person, Team, Unit, Workshop
from inspector.models.quality import InnovationProject, QualityFigure
from inspector.models.rectification import RectificationEvent, RectificationOrder

__all__ = [
    "SCHEMA_VERSION",
    "Answer",
    "AuditEntry",
    "AwardDecision",
    "AwardLevel",
    "AwardRuleSet",
    "Campaign",
    "CampaignChecklist",
    "CampaignKind",
    "ChecklistTemplate",
    "Checkpoint",
    "Choice",
    "Finding",
    "Group",
    "HazardGrade",
    "ImportedBundle",
    "ImportedChange",
    "InnovationProject",
    "Inspection",
    "InspectionStatus",
    "InspectorAssignment",
    "ItemKind",
    "LocalConflict",
    "LocalSetting",
    "OrderStatus",
    "OutboxEntry",
    "OutboxReceipt",
    "OutboxStatus",
    "Person",
    "QualityFigure",
    "RectificationEvent",
    "RectificationOrder",
    "Role",
    "SyncedRecord",
    "Team",
    "TemplateItem",
    "TemplateSection",
    "TemplateVersion",
    "Unit",
    "UnitKind",
    "Workshop",
    "WorkshopKind",
    "stable_id",
    "utcnow",
]

#: Every table that is pushed and pulled, by its entity name (the table name).
SYNCED_MODELS: dict[str, type[SyncedRecord]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (
        Group,
        Unit,
        Workshop,
        Team,
        Checkpoint,
        Person,
        InspectorAssignment,
        Campaign,
        CampaignChecklist,
        ChecklistTemplate,
        TemplateVersion,
        TemplateSection,
        TemplateItem,
        Inspection,
        Answer,
        Finding,
        RectificationOrder,
        RectificationEvent,
        QualityFigure,
        InnovationProject,
        AwardRuleSet,
        AwardDecision,
    )
}
