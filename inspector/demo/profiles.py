"""How each demo team fares in each campaign, drawn from the seed: its level, how often it was inspected, and the
few planned events (veto items failed, major hazards found) that give rankings and award rules something to show."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector.demo.campaigns import DEMO_SAFETY_CAMPAIGN, CampaignPlan
from inspector.models import Team, WorkshopKind

#: Share of ordinary items failed per inspection, by level.
FAIL_RATES = {"excellent": 0.01, "good": 0.03, "fair": 0.14, "poor": 0.24}
#: How a level's team deals with rectification orders.
CLOSING = {"excellent": "punctual", "good": "steady", "fair": "mixed", "poor": "slow"}
#: How many teams get each level (the rest are "good").
LEVEL_COUNTS = (("excellent", 14), ("fair", 15), ("poor", 6))
FORKLIFT_KINDS = {WorkshopKind.EXTRUSION, WorkshopKind.PACKAGING, WorkshopKind.WAREHOUSE, WorkshopKind.DEEP_PROCESSING}
#: The planned safety events: veto items and the always-major items found.
VETO_FORKLIFT = "FORK-01"
VETO_HOT_WORK = "FIRE-06"
MAJOR_OPEN_ITEM = "CAST-03"
MAJOR_CLOSED_ITEM = "CAST-06"


@dataclass
class TeamProfile:
    team_code: str
    workshop_kind: str
    level: str
    #: Campaign code → days of the month the team's area was inspected with the campaign's main checklist.
    days: dict[str, list[date]] = field(default_factory=dict)
    #: Item failed on purpose in the safety campaign (veto or always-major), and in which inspection (index).
    forced_item: str | None = None
    forced_index: int = 0
    #: For a major hazard found and put right: the day it was closed (later inspections find it fixed).
    major_closed_on: date | None = None

    @property
    def fail_rate(self) -> float:
        return FAIL_RATES[self.level]

    @property
    def closing(self) -> str:
        return CLOSING[self.level]


def _days(rng: random.Random, plan: CampaignPlan, count: int) -> list[date]:
    span = (plan.ends_on - plan.starts_on).days - 2  # nothing in the last two days: the summary conference
    chosen = sorted(rng.sample(range(span), count))
    return [plan.starts_on + timedelta(days=offset) for offset in chosen]


def plan_teams(
    teams: list[Team], kinds: dict[str, str], campaigns: list[CampaignPlan], seed: int
) -> dict[str, TeamProfile]:
    """A profile per team code. ``kinds`` maps team code → workshop kind."""
    rng = random.Random(seed)
    order = sorted(team.code for team in teams)
    rng.shuffle(order)
    levels: dict[str, str] = {}
    start = 0
    for level, count in LEVEL_COUNTS:
        for code in order[start : start + count]:
            levels[code] = level
        start += count
    profiles = {code: TeamProfile(code, kinds[code], levels.get(code, "good")) for code in sorted(order)}
    # A few teams are seldom inspected, so they miss the "at least 3 inspections" award threshold.
    excellent = [code for code in order if levels.get(code) == "excellent"]
    seldom = {excellent[0]: 2, excellent[1]: 1, order[-1]: 2, order[-2]: 1}
    for code, profile in profiles.items():
        for plan in campaigns:
            base = {"excellent": (3, 6), "good": (3, 5), "fair": (3, 4), "poor": (3, 4)}[profile.level]
            count = seldom.get(code) or rng.randint(*base)
            profile.days[plan.code] = _days(rng, plan, count)
    _plan_events(profiles, seldom, rng)
    return profiles


def _plan_events(profiles: dict[str, TeamProfile], seldom: dict[str, int], rng: random.Random) -> None:
    """Two veto events (one in an otherwise excellent team) and two major hazards in casting teams."""
    regular = [p for code, p in profiles.items() if code not in seldom]
    forklift = [p for p in regular if p.workshop_kind in FORKLIFT_KINDS]
    excellent_forklift = [p for p in forklift if p.level == "excellent"] or forklift
    vetoed = rng.choice(excellent_forklift)
    vetoed.forced_item, vetoed.forced_index = VETO_FORKLIFT, 1
    hot_work = [
        p
        for p in regular
        if p.level == "good"
        and p.forced_item is None
        and p.workshop_kind in (WorkshopKind.EXTRUSION, WorkshopKind.POWDER_COATING)
    ]
    rng.choice(hot_work).forced_item = VETO_HOT_WORK
    casting = [p for p in regular if p.workshop_kind == WorkshopKind.CASTING and p.forced_item is None]
    rng.shuffle(casting)
    open_major = next((p for p in casting if p.level != "excellent"), casting[0])
    open_major.forced_item, open_major.forced_index = MAJOR_OPEN_ITEM, 0
    closed_major = next(p for p in casting if p is not open_major)
    closed_major.forced_item, closed_major.forced_index = MAJOR_CLOSED_ITEM, 0
    first_day = closed_major.days[DEMO_SAFETY_CAMPAIGN][0]
    closed_major.major_closed_on = first_day + timedelta(days=10)
