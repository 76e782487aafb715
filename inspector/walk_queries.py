"""Read queries behind the inspector's screens: home, start picker, walk and review. They return the plain views of
:mod:`inspector.walk_views`, so the UI never holds a session or an ORM object."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from inspector.errors import NotFoundError
from inspector.local_settings import get_setting
from inspector.models import (
    Answer,
    Campaign,
    CampaignChecklist,
    ChecklistTemplate,
    Checkpoint,
    Finding,
    Inspection,
    InspectionStatus,
    InspectorAssignment,
    OrderStatus,
    OutboxEntry,
    OutboxStatus,
    Person,
    RectificationOrder,
    Role,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
)
from inspector.walk_views import (
    AnswerView,
    CampaignView,
    CheckpointView,
    DraftView,
    FindingView,
    HomeData,
    ItemView,
    Named,
    OrderView,
    PersonView,
    SectionView,
    SignedView,
    SyncStatus,
    WalkData,
    WorkshopProgress,
)

#: Local settings the screens remember on this laptop.
SETTING_PERSON = "walk.person_id"
SETTING_LANG = "ui.lang"
SETTING_THEME = "ui.theme"
SETTING_LAST_SYNC = "sync.last_at"


def _campaign_view(c: Campaign) -> CampaignView:
    return CampaignView(c.id, c.code, c.name_zh, c.name_en, c.number, c.starts_on, c.ends_on)


def _person_view(p: Person) -> PersonView:
    return PersonView(p.id, p.code, p.name_zh, p.name_en, p.role, p.team_id)


def active_campaign(session: Session) -> CampaignView | None:
    """The campaign marked active (the newest one when several or none are marked)."""
    campaign = session.exec(
        select(Campaign).order_by(col(Campaign.active).desc(), col(Campaign.starts_on).desc(), col(Campaign.code))
    ).first()
    return _campaign_view(campaign) if campaign else None


def people(session: Session, *, roles: tuple[str, ...] | None = None) -> list[PersonView]:
    """Active people on the roster (optionally only those with one of ``roles``), by code."""
    query = select(Person).where(col(Person.active).is_(True))
    if roles:
        query = query.where(col(Person.role).in_(roles))
    return [_person_view(p) for p in session.exec(query.order_by(col(Person.code)))]


def person(session: Session, person_id: uuid.UUID | None) -> PersonView | None:
    found = session.get(Person, person_id) if person_id else None
    return _person_view(found) if found is not None and found.active else None


def signed_in_person(session: Session) -> PersonView | None:
    """The person remembered as signed in on this laptop, if still on the roster."""
    raw = get_setting(session, SETTING_PERSON)
    try:
        return person(session, uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


def sync_status(session: Session) -> SyncStatus:
    """When this laptop last synced (``sync.last_at``) and how many changes wait in its outbox."""
    raw = get_setting(session, SETTING_LAST_SYNC)
    last: datetime | None = None
    if raw:
        try:
            last = datetime.fromisoformat(raw)
        except ValueError:
            last = None
    pending = session.exec(
        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == OutboxStatus.PENDING)
    ).one()
    return SyncStatus(last, int(pending))


def _answered_clause() -> sa.ColumnElement[bool]:
    return sa.or_(
        col(Answer.choice).is_not(None),
        col(Answer.score).is_not(None),
        col(Answer.measurement).is_not(None),
        col(Answer.text) != "",
        col(Answer.photo_path) != "",
    )


def _place_names(session: Session, inspection: Inspection) -> tuple[str, str]:
    workshop = session.get(Workshop, inspection.workshop_id)
    ws_zh, ws_en = (workshop.name_zh, workshop.name_en) if workshop else ("", "")
    if inspection.checkpoint_id is None:
        return ws_zh, ws_en or ws_zh
    cp = session.get(Checkpoint, inspection.checkpoint_id)
    if cp is None:
        return ws_zh, ws_en
    return f"{ws_zh} · {cp.name_zh}", f"{ws_en or ws_zh} · {cp.name_en or cp.name_zh}"


def _template_names(session: Session, version_id: uuid.UUID) -> tuple[str, str, int]:
    row = session.exec(
        select(ChecklistTemplate, TemplateVersion)
        .join(TemplateVersion, col(TemplateVersion.template_id) == col(ChecklistTemplate.id))
        .where(TemplateVersion.id == version_id)
    ).first()
    if row is None:
        return "", "", 0
    template, version = row
    return template.name_zh, template.name_en, version.version


def drafts(session: Session, *, inspector_id: uuid.UUID) -> list[DraftView]:
    """The person's unsigned inspections with how far each got, newest first."""
    rows = session.exec(
        select(Inspection)
        .where(Inspection.inspector_id == inspector_id, Inspection.status == InspectionStatus.DRAFT)
        .order_by(col(Inspection.started_at).desc())
    ).all()
    views = []
    for inspection in rows:
        answered = session.exec(
            select(func.count()).select_from(Answer).where(Answer.inspection_id == inspection.id, _answered_clause())
        ).one()
        total = session.exec(
            select(func.count())
            .select_from(TemplateItem)
            .where(TemplateItem.version_id == inspection.template_version_id)
        ).one()
        place_zh, place_en = _place_names(session, inspection)
        t_zh, t_en, _ = _template_names(session, inspection.template_version_id)
        views.append(
            DraftView(
                inspection.id,
                place_zh,
                place_en,
                t_zh,
                t_en,
                int(answered),
                int(total),
                inspection.started_at,
                inspection.current_item_code,
                inspection.amends_id is not None,
            )
        )
    return views


def signed_recent(session: Session, *, inspector_id: uuid.UUID, limit: int = 50) -> list[SignedView]:
    """The person's signed inspections, newest first (to review, print or amend)."""
    rows = session.exec(
        select(Inspection)
        .where(Inspection.inspector_id == inspector_id, Inspection.status == InspectionStatus.SIGNED)
        .order_by(col(Inspection.signed_at).desc())
        .limit(limit)
    ).all()
    views = []
    for inspection in rows:
        place_zh, place_en = _place_names(session, inspection)
        views.append(
            SignedView(
                inspection.id,
                place_zh,
                place_en,
                inspection.signed_at,
                inspection.score_percent,
                inspection.grade,
                inspection.superseded_by_id is not None,
            )
        )
    return views


def _inspected_checkpoints(session: Session, campaign_id: uuid.UUID) -> set[uuid.UUID]:
    rows = session.exec(
        select(Inspection.checkpoint_id).where(
            Inspection.campaign_id == campaign_id,
            Inspection.status == InspectionStatus.SIGNED,
            col(Inspection.checkpoint_id).is_not(None),
        )
    ).all()
    return {r for r in rows if r is not None}


def workshop_progress(
    session: Session, *, campaign_id: uuid.UUID, inspector_id: uuid.UUID | None
) -> list[WorkshopProgress]:
    """The inspector's assigned workshops in the campaign (every workshop when none is assigned), each with how
    many of its checkpoints have a signed inspection and how many drafts are open."""
    query = select(Workshop, Unit).join(Unit, col(Unit.id) == col(Workshop.unit_id))
    if inspector_id is not None:
        assigned = session.exec(
            select(InspectorAssignment.workshop_id).where(
                InspectorAssignment.person_id == inspector_id, InspectorAssignment.campaign_id == campaign_id
            )
        ).all()
        if assigned:
            query = query.where(col(Workshop.id).in_(assigned))
    inspected = _inspected_checkpoints(session, campaign_id)
    views = []
    for workshop, unit in session.exec(query.order_by(col(Unit.code), col(Workshop.code))).all():
        checkpoint_ids = session.exec(select(Checkpoint.id).where(Checkpoint.workshop_id == workshop.id)).all()
        open_drafts = session.exec(
            select(func.count())
            .select_from(Inspection)
            .where(
                Inspection.workshop_id == workshop.id,
                Inspection.campaign_id == campaign_id,
                Inspection.status == InspectionStatus.DRAFT,
            )
        ).one()
        views.append(
            WorkshopProgress(
                workshop.id,
                workshop.code,
                workshop.name_zh,
                workshop.name_en,
                unit.code,
                len(checkpoint_ids),
                sum(1 for c in checkpoint_ids if c in inspected),
                int(open_drafts),
            )
        )
    return views


def open_orders(session: Session, *, inspector_id: uuid.UUID, limit: int = 100) -> list[OrderView]:
    """Rectification orders from the person's inspections that are not closed: those answered by the team (waiting
    for the inspector's verification) first, then by deadline."""
    rows = session.exec(
        select(RectificationOrder, Finding, Team)
        .join(Finding, col(Finding.id) == col(RectificationOrder.finding_id))
        .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
        .join(Team, col(Team.id) == col(RectificationOrder.team_id))
        .where(Inspection.inspector_id == inspector_id, RectificationOrder.status != OrderStatus.CLOSED)
        .order_by(
            sa.case((col(RectificationOrder.status) == OrderStatus.ANSWERED, 0), else_=1),
            col(RectificationOrder.deadline),
        )
        .limit(limit)
    ).all()
    return [
        OrderView(order.id, team.name_zh, team.name_en, order.requirement, order.deadline, order.status, finding.grade)
        for order, finding, team in rows
    ]


def home_data(session: Session) -> HomeData:
    """Everything the home screen shows, for the person signed in on this laptop."""
    campaign = active_campaign(session)
    who = signed_in_person(session)
    workshops: list[WorkshopProgress] = []
    if campaign is not None:
        workshops = workshop_progress(session, campaign_id=campaign.id, inspector_id=who.id if who else None)
    return HomeData(
        campaign=campaign,
        person=who,
        workshops=workshops,
        drafts=drafts(session, inspector_id=who.id) if who else [],
        signed=signed_recent(session, inspector_id=who.id) if who else [],
        orders=open_orders(session, inspector_id=who.id) if who else [],
        sync=sync_status(session),
        signed_total=signed_count(session, inspector_id=who.id) if who else 0,
    )


def signed_count(session: Session, *, inspector_id: uuid.UUID) -> int:
    """How many inspections the person has signed."""
    query = (
        select(func.count())
        .select_from(Inspection)
        .where(Inspection.inspector_id == inspector_id, Inspection.status == InspectionStatus.SIGNED)
    )
    return int(session.exec(query).one())


def start_places(session: Session, *, campaign_id: uuid.UUID | None) -> list[CheckpointView]:
    """Every checkpoint, then every workshop as a whole, for the start picker (inspected: signed in the campaign)."""
    inspected = _inspected_checkpoints(session, campaign_id) if campaign_id else set()
    rows = session.exec(
        select(Checkpoint, Workshop, Unit)
        .join(Workshop, col(Workshop.id) == col(Checkpoint.workshop_id))
        .join(Unit, col(Unit.id) == col(Workshop.unit_id))
        .order_by(col(Unit.code), col(Workshop.code), col(Checkpoint.code))
    ).all()
    places = [
        CheckpointView(
            cp.id,
            cp.code,
            cp.name_zh,
            cp.name_en,
            ws.id,
            ws.code,
            ws.name_zh,
            ws.name_en,
            unit.code,
            cp.team_id,
            False,
            cp.id in inspected,
        )
        for cp, ws, unit in rows
    ]
    for ws, unit in session.exec(
        select(Workshop, Unit)
        .join(Unit, col(Unit.id) == col(Workshop.unit_id))
        .order_by(col(Unit.code), col(Workshop.code))
    ).all():
        places.append(
            CheckpointView(
                ws.id,
                f"{unit.code}/{ws.code}",
                ws.name_zh,
                ws.name_en,
                ws.id,
                ws.code,
                ws.name_zh,
                ws.name_en,
                unit.code,
                None,
                True,
                False,
            )
        )
    return places


def place_for_label(session: Session, *, kind: str, code: str) -> CheckpointView:
    """The checkpoint (or workshop, coded ``UNIT/WORKSHOP``) a scanned label names, or :class:`NotFoundError`."""
    if kind == "checkpoint":
        row = session.exec(
            select(Checkpoint, Workshop, Unit)
            .join(Workshop, col(Workshop.id) == col(Checkpoint.workshop_id))
            .join(Unit, col(Unit.id) == col(Workshop.unit_id))
            .where(Checkpoint.code == code)
        ).first()
        if row is None:
            raise NotFoundError("E_LABEL_UNKNOWN", f"No checkpoint has the code {code}.")
        cp, ws, unit = row
        return CheckpointView(
            cp.id, cp.code, cp.name_zh, cp.name_en, ws.id, ws.code, ws.name_zh, ws.name_en, unit.code, cp.team_id
        )
    unit_code, _, ws_code = code.partition("/")
    found = session.exec(
        select(Workshop, Unit)
        .join(Unit, col(Unit.id) == col(Workshop.unit_id))
        .where(Unit.code == unit_code, Workshop.code == ws_code)
    ).first()
    if found is None:
        raise NotFoundError("E_LABEL_UNKNOWN", f"No workshop has the code {code}.")
    ws, unit = found
    return CheckpointView(
        ws.id, code, ws.name_zh, ws.name_en, ws.id, ws.code, ws.name_zh, ws.name_en, unit.code, None, True
    )


def campaign_checklists(session: Session, *, campaign_id: uuid.UUID) -> list[Named]:
    """The checklist versions the campaign uses (id = version id, code = ``TEMPLATE v<N>``)."""
    rows = session.exec(
        select(TemplateVersion, ChecklistTemplate)
        .join(CampaignChecklist, col(CampaignChecklist.template_version_id) == col(TemplateVersion.id))
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(CampaignChecklist.campaign_id == campaign_id)
        .order_by(col(ChecklistTemplate.code), col(TemplateVersion.version))
    ).all()
    return [Named(v.id, f"{t.code} v{v.version}", t.name_zh, t.name_en) for v, t in rows]


def load_walk(session: Session, inspection_id: uuid.UUID) -> WalkData:
    """An inspection with its checklist version, answers, findings, the workshop's teams and team leaders."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFoundError("E_INSPECTION_NOT_FOUND", f"No inspection with id {inspection_id}.")
    version = session.get(TemplateVersion, inspection.template_version_id)
    if version is None:
        raise NotFoundError("E_VERSION_NOT_FOUND", f"The checklist version of inspection {inspection_id} is missing.")
    sections = session.exec(
        select(TemplateSection).where(TemplateSection.version_id == version.id).order_by(col(TemplateSection.position))
    ).all()
    section_code = {s.id: s.code for s in sections}
    items = session.exec(
        select(TemplateItem).where(TemplateItem.version_id == version.id).order_by(col(TemplateItem.position))
    ).all()
    code_of = {i.id: i.code for i in items}
    answers = {
        code_of[a.item_id]: AnswerView(a.choice, a.score, a.measurement, a.text, a.photo_path, a.occurrences, a.note)
        for a in session.exec(select(Answer).where(Answer.inspection_id == inspection_id))
        if a.item_id in code_of
    }
    findings = [
        FindingView(
            f.id,
            code_of.get(f.item_id) if f.item_id else None,
            f.grade,
            f.description,
            f.team_id,
            f.deadline,
            tuple(str(p) for p in f.photo_paths),
        )
        for f in session.exec(
            select(Finding).where(Finding.inspection_id == inspection_id).order_by(col(Finding.created_at))
        )
    ]
    teams = session.exec(select(Team).where(Team.workshop_id == inspection.workshop_id).order_by(col(Team.code))).all()
    team_ids = [t.id for t in teams]
    leaders = [
        p for p in people(session, roles=(Role.TEAM_LEADER,)) if p.team_id in team_ids or not team_ids
    ] or people(session, roles=(Role.TEAM_LEADER,))
    place_zh, place_en = _place_names(session, inspection)
    t_zh, t_en, number = _template_names(session, version.id)
    return WalkData(
        inspection_id=inspection.id,
        status=inspection.status,
        campaign_id=inspection.campaign_id,
        inspector_id=inspection.inspector_id,
        place_zh=place_zh,
        place_en=place_en,
        template_zh=t_zh,
        template_en=t_en,
        template_version=number,
        team_id=inspection.team_id,
        current_item_code=inspection.current_item_code,
        grade_bands=[(float(b[0]), str(b[1])) for b in version.grade_bands]
        or [(90, "excellent"), (80, "good"), (70, "pass")],
        rule_version=version.rule_version,
        sections=[SectionView(s.code, s.title_zh, s.title_en, s.weight) for s in sections],
        items=[
            ItemView(
                i.id,
                i.code,
                section_code.get(i.section_id, ""),
                i.position,
                i.kind,
                i.text_zh,
                i.text_en,
                i.basis_zh,
                i.basis_en,
                i.method_zh,
                i.method_en,
                i.hint_zh,
                i.hint_en,
                i.deduction_rule_zh,
                i.deduction_rule_en,
                i.points,
                i.deduction_per_occurrence,
                i.max_score,
                i.lower_limit,
                i.upper_limit,
                i.unit,
                i.required,
                i.veto,
                i.always_major,
            )
            for i in items
        ],
        answers=answers,
        findings=findings,
        teams=[Named(t.id, t.code, t.name_zh, t.name_en) for t in teams],
        leaders=leaders,
        acknowledged_by=person(session, inspection.acknowledged_by_id),
        acknowledged_at=inspection.acknowledged_at,
        signed_at=inspection.signed_at,
        amends_id=inspection.amends_id,
        amendment_reason=inspection.amendment_reason,
        superseded_by_id=inspection.superseded_by_id,
        stored_score={
            "percent": inspection.score_percent,
            "grade": inspection.grade,
            "vetoed": inspection.vetoed,
            "rule_version": inspection.rule_version,
            "content_hash": inspection.content_hash,
        },
    )
