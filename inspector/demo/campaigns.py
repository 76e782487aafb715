"""The demo group's two campaigns of 2022 and the checklists each one uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from inspector.demo.records import demo_id, local_time, stamp
from inspector.models import Campaign, CampaignChecklist, CampaignKind, TemplateVersion

#: The campaign the app opens on: the 21st Safety Production Month (June 2022).
DEMO_SAFETY_CAMPAIGN = "SPM-2022"
#: The 15th Quality Management Month (May 2022).
DEMO_QUALITY_CAMPAIGN = "QMM-2022"

#: Checklist template codes (``inspector/demo/checklists/*.toml``).
SAFETY_CHECKLIST = "DEMO-SAFETY"
SIX_S_CHECKLIST = "DEMO-6S"
QUALITY_CHECKLIST = "DEMO-QUALITY"

#: When both campaigns were announced with their checklists.
ANNOUNCED_ON = date(2022, 4, 26)


@dataclass(frozen=True)
class CampaignPlan:
    code: str
    kind: CampaignKind
    number: int
    name_zh: str
    name_en: str
    starts_on: date
    ends_on: date
    active: bool
    #: The campaign's main checklist, then the others it uses.
    checklists: tuple[str, ...]


CAMPAIGNS: tuple[CampaignPlan, ...] = (
    CampaignPlan(
        DEMO_QUALITY_CAMPAIGN,
        CampaignKind.QUALITY,
        15,
        "第十五届质量管理月",
        "15th Quality Management Month",
        date(2022, 5, 1),
        date(2022, 5, 31),
        False,
        (QUALITY_CHECKLIST, SIX_S_CHECKLIST),
    ),
    CampaignPlan(
        DEMO_SAFETY_CAMPAIGN,
        CampaignKind.SAFETY,
        21,
        "第二十一届安全生产月",
        "21st Safety Production Month",
        date(2022, 6, 1),
        date(2022, 6, 30),
        True,
        (SAFETY_CHECKLIST, SIX_S_CHECKLIST),
    ),
)


def plan_of(code: str) -> CampaignPlan:
    return next(plan for plan in CAMPAIGNS if plan.code == code)


def build_campaigns(session: Session) -> tuple[list[Campaign], list[Campaign]]:
    """(every demo campaign, the ones to add). A campaign already stored under the same code is used as it is."""
    campaigns: list[Campaign] = []
    new: list[Campaign] = []
    for plan in CAMPAIGNS:
        existing = session.exec(select(Campaign).where(Campaign.code == plan.code)).first()
        if existing is not None:
            campaigns.append(existing)
            continue
        campaign = Campaign(
            id=demo_id("campaign", plan.code),
            code=plan.code,
            kind=plan.kind,
            number=plan.number,
            name_zh=plan.name_zh,
            name_en=plan.name_en,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            active=plan.active and not _another_active(session),
        )
        stamp(campaign, local_time(ANNOUNCED_ON, 9))
        campaigns.append(campaign)
        new.append(campaign)
    return campaigns, new


def _another_active(session: Session) -> bool:
    return session.exec(select(Campaign).where(Campaign.active == True)).first() is not None  # noqa: E712


def build_links(campaigns: list[Campaign], versions: dict[str, TemplateVersion]) -> list[CampaignChecklist]:
    """The campaign → checklist version links."""
    links = []
    for campaign in campaigns:
        plan = plan_of(campaign.code)
        for template_code in plan.checklists:
            version = versions[template_code]
            link = CampaignChecklist(
                id=demo_id("campaign-checklist", campaign.code, template_code, version.id),
                campaign_id=campaign.id,
                template_version_id=version.id,
            )
            stamp(link, local_time(ANNOUNCED_ON, 10))
            links.append(link)
    return links
