"""The demo group: a realistic aluminium-extrusion group with both 2022 campaigns and a month of history each.

``create_demo(session, seed=…)`` is idempotent: every record has an id derived from what it is, anything already
stored is left exactly as it is, and a campaign that already holds inspections gets no generated history. Seed it
with ``store.session(skip_outbox=True)``: the demo is local seed data, not changes to push.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from inspector.audit import VERIFICATION, append_entry, record_sign_off
from inspector.bulk import insert_rows
from inspector.demo.campaigns import (
    CAMPAIGNS,
    DEMO_QUALITY_CAMPAIGN,
    DEMO_SAFETY_CAMPAIGN,
    QUALITY_CHECKLIST,
    SAFETY_CHECKLIST,
    SIX_S_CHECKLIST,
    build_campaigns,
    build_links,
)
from inspector.demo.checklist_view import ChecklistView, load_checklist
from inspector.demo.checklists import store_demo_checklists
from inspector.demo.history import DRAFT_INSPECTORS, History, HistoryContext, Made, build_history
from inspector.demo.org import GROUP_CODE, Organisation, add_organisation, build_organisation
from inspector.demo.people import (
    AUDITOR,
    INSPECTORS,
    QUALITY_SUPERVISOR,
    SAFETY_SUPERVISOR,
    Roster,
    add_roster,
    build_assignments,
    build_roster,
)
from inspector.demo.profiles import plan_teams
from inspector.demo.quality import build_projects, build_quality_figures, team_figures
from inspector.demo.records import add_missing, defer_foreign_keys, demo_id
from inspector.demo.rectification import Rectification, Verification, build_rectification
from inspector.demo.summary import CampaignFigures, ChecklistFigures, DemoSummary, campaign_figures
from inspector.local_settings import get_setting, set_setting
from inspector.models import Answer, Campaign, CampaignChecklist, Inspection, QualityFigure, RectificationEvent
from inspector.signing import inspection_hash

DEFAULT_SEED = 2022
#: Local setting remembering the seed the history on this laptop was generated with.
SEED_SETTING = "demo.seed"
#: The demo group's code, and the employee codes of people others may want to sign in as.
DEMO_GROUP_CODE = GROUP_CODE
DEMO_INSPECTOR_CODES: tuple[str, ...] = tuple(code for code, _name, _areas in INSPECTORS)
#: The inspectors who have a draft to resume in the active campaign.
DEMO_DRAFT_INSPECTORS = DRAFT_INSPECTORS
DEMO_SAFETY_SUPERVISOR = SAFETY_SUPERVISOR[0]
DEMO_QUALITY_SUPERVISOR = QUALITY_SUPERVISOR[0]
DEMO_AUDITOR = AUDITOR[0]


def demo_person_id(code: str) -> uuid.UUID:
    """The id of the demo person with employee ``code`` (the same on every laptop)."""
    return demo_id("person", code)


__all__ = [
    "DEFAULT_SEED",
    "DEMO_AUDITOR",
    "DEMO_DRAFT_INSPECTORS",
    "DEMO_GROUP_CODE",
    "DEMO_INSPECTOR_CODES",
    "DEMO_QUALITY_CAMPAIGN",
    "DEMO_QUALITY_SUPERVISOR",
    "DEMO_SAFETY_CAMPAIGN",
    "DEMO_SAFETY_SUPERVISOR",
    "GROUP_CODE",
    "QUALITY_CHECKLIST",
    "SAFETY_CHECKLIST",
    "SIX_S_CHECKLIST",
    "CampaignFigures",
    "DemoSummary",
    "create_demo",
    "demo_person_id",
]


def create_demo(session: Session, *, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Create whatever of the demo group is missing, in the caller's transaction (the caller commits)."""
    defer_foreign_keys(session)
    org = build_organisation()
    added = add_organisation(session, org)
    roster = build_roster(org)
    added += add_roster(session, roster)
    campaigns, new_campaigns = build_campaigns(session)
    session.add_all(new_campaigns)
    session.flush()
    versions, stored = store_demo_checklists(session)
    added += _add_links(session, build_links(campaigns, versions))
    added += add_missing(session, build_assignments(org, roster, campaigns))
    session.flush()
    checklists = {code: load_checklist(session, code, version) for code, version in versions.items()}
    kinds = {team.code: workshop.kind for workshop in org.workshops for team in org.teams_of(workshop)}
    profiles = plan_teams(org.teams, kinds, list(CAMPAIGNS), seed)
    context = HistoryContext(org, roster, profiles, checklists, team_figures(profiles, seed), seed)
    chain: list[tuple[datetime, int, str, Made | Verification]] = []
    created: dict[str, bool] = {}
    for campaign in sorted(campaigns, key=lambda c: c.starts_on):
        if _has_inspections(session, campaign):
            created[campaign.code] = False
            continue
        history = build_history(context, campaign)
        rectification = build_rectification(history, roster, campaign, seed)
        _store_history(session, context, campaign, history, rectification)
        chain.extend(
            (m.inspection.signed_at or m.inspection.started_at, 0, str(m.inspection.id), m) for m in history.signed
        )
        chain.extend((v.at, 1, str(v.order.id), v) for v in rectification.verifications)
        created[campaign.code] = True
    if any(created.values()):
        for view in checklists.values():
            view.version.frozen = True
            session.add(view.version)
        set_setting(session, SEED_SETTING, str(seed))
    _write_chain(session, chain)
    session.flush()
    history_seed = int(get_setting(session, SEED_SETTING) or seed)
    return _summary(session, history_seed, org, roster, added, checklists, campaigns, created, stored=stored)


def _add_links(session: Session, links: list[CampaignChecklist]) -> int:
    """Link campaigns to checklist versions unless that pair is linked already (under any id)."""
    existing = {(row.campaign_id, row.template_version_id) for row in session.exec(select(CampaignChecklist)).all()}
    return add_missing(
        session, [link for link in links if (link.campaign_id, link.template_version_id) not in existing]
    )


def _has_inspections(session: Session, campaign: Campaign) -> bool:
    return session.exec(select(Inspection.id).where(Inspection.campaign_id == campaign.id).limit(1)).first() is not None


def _store_history(
    session: Session, context: HistoryContext, campaign: Campaign, history: History, rectification: Rectification
) -> None:
    """Store a campaign's history: inspections and findings through the ORM, answers in bulk, then each signed
    inspection's content hash (computed from the stored rows, as a sign-off does), orders, figures, projects."""
    session.add_all([made.inspection for made in history.signed])
    session.add_all(history.drafts)
    session.add_all(history.findings)
    session.flush()
    insert_rows(session, Answer, history.answer_rows)
    for made in history.signed:
        made.inspection.content_hash = inspection_hash(session, made.inspection)
    session.add_all(rectification.orders)
    session.flush()
    insert_rows(session, RectificationEvent, rectification.event_rows)
    with_figures = set(session.exec(select(QualityFigure.team_id).where(QualityFigure.campaign_id == campaign.id)))
    figures = build_quality_figures(campaign, context.org.teams, context.figures, history.six_s, context.roster)
    session.add_all([figure for figure in figures if figure.team_id not in with_figures])
    add_missing(session, build_projects(campaign, context.org, context.profiles, context.seed))
    session.flush()


def _write_chain(session: Session, chain: list[tuple[datetime, int, str, Made | Verification]]) -> None:
    """Chain every sign-off and verification in the audit log, in the order they happened."""
    for at, _rank, _id, event in sorted(chain, key=lambda entry: entry[:3]):
        if isinstance(event, Made):
            record_sign_off(session, inspection=event.inspection, actor_id=event.inspection.inspector_id, at=at)
            continue
        payload: dict[str, Any] = {
            "order_id": str(event.order.id),
            "finding_id": str(event.order.finding_id),
            "team_id": str(event.order.team_id),
            "accepted": event.accepted,
            "status": event.status,
            "action_taken": event.action_taken,
            "evidence_paths": [],
            "note": event.note,
            "at": event.at.isoformat(),
        }
        append_entry(
            session, kind=VERIFICATION, subject_id=event.order.id, actor_id=event.actor_id, payload=payload, at=at
        )


def _summary(
    session: Session,
    seed: int,
    org: Organisation,
    roster: Roster,
    added: int,
    checklists: dict[str, ChecklistView],
    campaigns: list[Campaign],
    created: dict[str, bool],
    *,
    stored: set[str],
) -> DemoSummary:
    people: dict[str, int] = {}
    for person in roster.everyone:
        people[person.role] = people.get(person.role, 0) + 1
    return DemoSummary(
        seed=seed,
        group_zh=org.group.name_zh,
        group_en=org.group.name_en,
        units=len(org.units),
        workshops=len(org.workshops),
        teams=len(org.teams),
        checkpoints=len(org.checkpoints),
        people=people,
        organisation_added=added,
        checklists=[
            ChecklistFigures(code, view.name_zh, view.name_en, len(view.items), code in stored)
            for code, view in checklists.items()
        ],
        campaigns=[campaign_figures(session, c, created=created[c.code]) for c in campaigns],
    )
