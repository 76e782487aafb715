"""What the demo holds, read back from the database, and its bilingual description for the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

import inspector.messages.demo  # noqa: F401  (registers the texts)
from inspector.demo.records import CHINA_TIME
from inspector.i18n import locale_lang, normalise_lang, t
from inspector.models import (
    Campaign,
    Finding,
    HazardGrade,
    InnovationProject,
    Inspection,
    InspectionStatus,
    OrderStatus,
    QualityFigure,
    RectificationOrder,
)


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign's history in numbers (orders counted as they stood at the campaign's end)."""

    code: str
    name_zh: str
    name_en: str
    active: bool
    created: bool
    signed: int
    drafts: int
    vetoed: int
    findings: int
    major: int
    major_open: int
    orders: dict[str, int]
    overdue: int
    closed_late: int
    quality_figures: int
    projects: int


def campaign_figures(session: Session, campaign: Campaign, *, created: bool) -> CampaignFigures:
    """Count a campaign's inspections, findings, orders (by state, overdue, closed late), figures and projects."""

    def count(query: Any) -> int:
        return int(session.exec(query).one())

    in_campaign = col(Inspection.campaign_id) == campaign.id
    signed = count(select(func.count()).where(in_campaign, Inspection.status == InspectionStatus.SIGNED))
    drafts = count(select(func.count()).where(in_campaign, Inspection.status == InspectionStatus.DRAFT))
    vetoed = count(select(func.count()).where(in_campaign, col(Inspection.vetoed)))
    finding_rows = session.exec(
        select(Finding, RectificationOrder)
        .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
        .join(RectificationOrder, col(RectificationOrder.finding_id) == col(Finding.id), isouter=True)
        .where(in_campaign)
    ).all()
    orders = {status.value: 0 for status in OrderStatus}
    overdue = closed_late = major = major_open = 0
    for finding, order in finding_rows:
        is_major = finding.grade == HazardGrade.MAJOR
        major += is_major
        if order is None:
            major_open += is_major
            continue
        orders[order.status] = orders.get(order.status, 0) + 1
        closed = order.status == OrderStatus.CLOSED
        major_open += is_major and not closed
        if not closed and order.deadline < campaign.ends_on:
            overdue += 1
        if closed and order.closed_at is not None and order.closed_at.astimezone(CHINA_TIME).date() > order.deadline:
            closed_late += 1
    return CampaignFigures(
        code=campaign.code,
        name_zh=campaign.name_zh,
        name_en=campaign.name_en,
        active=campaign.active,
        created=created,
        signed=signed,
        drafts=drafts,
        vetoed=vetoed,
        findings=len(finding_rows),
        major=major,
        major_open=major_open,
        orders=orders,
        overdue=overdue,
        closed_late=closed_late,
        quality_figures=count(select(func.count()).where(col(QualityFigure.campaign_id) == campaign.id)),
        projects=count(select(func.count()).where(col(InnovationProject.campaign_id) == campaign.id)),
    )


@dataclass(frozen=True)
class ChecklistFigures:
    code: str
    name_zh: str
    name_en: str
    items: int
    created: bool


@dataclass
class DemoSummary:
    """What ``create_demo`` found or made."""

    seed: int
    group_zh: str
    group_en: str
    units: int
    workshops: int
    teams: int
    checkpoints: int
    people: dict[str, int]
    organisation_added: int
    checklists: list[ChecklistFigures] = field(default_factory=list)
    campaigns: list[CampaignFigures] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return bool(
            self.organisation_added or any(c.created for c in self.checklists) or any(c.created for c in self.campaigns)
        )

    def describe(self, lang: str | None = None) -> str:
        """A few lines saying what the demo group holds, in ``lang`` (default: the system's language)."""
        lang = normalise_lang(lang) or locale_lang()

        def state(created: bool) -> str:
            return t("demo.created" if created else "demo.present", lang)

        zh = lang == "zh"
        lines = [
            t("demo.title", lang, group=self.group_zh if zh else self.group_en),
            t(
                "demo.org",
                lang,
                units=self.units,
                workshops=self.workshops,
                teams=self.teams,
                checkpoints=self.checkpoints,
                state=state(self.organisation_added > 0),
            ),
            t(
                "demo.people",
                lang,
                people=sum(self.people.values()),
                inspectors=self.people.get("inspector", 0),
                leaders=self.people.get("team_leader", 0),
                supervisors=self.people.get("supervisor", 0),
                auditors=self.people.get("auditor", 0),
            ),
        ]
        for checklist in self.checklists:
            name = checklist.name_zh if zh else checklist.name_en
            lines.append(
                t(
                    "demo.checklist",
                    lang,
                    code=checklist.code,
                    name=name,
                    items=checklist.items,
                    state=state(checklist.created),
                )
            )
        for c in self.campaigns:
            active = t("demo.active", lang) if c.active else ""
            lines.append(
                t(
                    "demo.campaign",
                    lang,
                    code=c.code,
                    name=c.name_zh if zh else c.name_en,
                    active=active,
                    state=state(c.created),
                )
            )
            lines.append(
                t(
                    "demo.inspections",
                    lang,
                    signed=c.signed,
                    drafts=c.drafts,
                    findings=c.findings,
                    major=c.major,
                    major_open=c.major_open,
                )
            )
            lines.append(
                t(
                    "demo.orders",
                    lang,
                    open=c.orders.get("open", 0),
                    answered=c.orders.get("answered", 0),
                    closed=c.orders.get("closed", 0),
                    late=c.closed_late,
                    reopened=c.orders.get("reopened", 0),
                    overdue=c.overdue,
                )
            )
            lines.append(t("demo.quality", lang, figures=c.quality_figures, projects=c.projects, vetoed=c.vetoed))
        lines.append(t("demo.seed", lang, seed=self.seed))
        return "\n".join(lines)


__all__ = ["CampaignFigures", "ChecklistFigures", "DemoSummary", "campaign_figures"]
