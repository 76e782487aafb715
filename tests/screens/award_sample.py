"""A fixed group for the team leader's and supervisor's screens: 2 units × 2 workshops × 2 teams with a month of
scores, orders (one overdue, one major without a plan), a superseded inspection, two inspectors scoring the same
teams, stored award rules, and the leader of U1/W1/T1 signed in on this laptop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from inspector.awards.repository import find_campaign, import_rules
from inspector.local_settings import set_setting
from inspector.store import Store
from tests.inspector.award_world import AwardWorld, build_award_world
from tests.inspector.test_awards import rules_text

LEADER_TEAM = "U1/W1/T1"


@dataclass(frozen=True)
class AwardSample:
    world: AwardWorld


def build_award_sample(store: Store, *, signed_in: str = "leader") -> AwardSample:
    """Create the group (committed); ``signed_in``: "leader" (of U1/W1/T1) or "supervisor"."""
    with store.session(skip_outbox=True) as session:
        w = build_award_world(session)
        first = w.inspect(LEADER_TEAM, 90.0, day=2, inspector=0)
        w.inspect(LEADER_TEAM, 94.0, day=4, inspector=1)
        original = w.inspect(LEADER_TEAM, 70.0, day=5, inspector=0)
        w.inspect(LEADER_TEAM, 92.0, day=6, inspector=0, amends=original)
        w.order(first, LEADER_TEAM, deadline_day=4, description="消防通道堆放型材 / profiles stacked in the fire exit")
        w.order(first, LEADER_TEAM, deadline_day=20, grade="major", description="铸造机无应急水源 / no emergency water")
        w.order(
            first, LEADER_TEAM, deadline_day=3, status="closed", closed_day=3, description="护栏缺失 / guard missing"
        )
        for day, score, inspector in ((2, 96.0, 1), (3, 97.0, 0), (5, 95.0, 1)):
            w.inspect("U1/W1/T2", score, day=day, inspector=inspector)
        w21 = [w.inspect("U1/W2/T1", score, day=day, inspector=2) for day, score in ((2, 86.0), (4, 88.0), (6, 84.0))]
        w.order(
            w21[0], "U1/W2/T1", deadline_day=10, status="answered", description="叉车充电区无灭火器 / no extinguisher"
        )
        w.order(
            w21[1],
            "U1/W2/T1",
            deadline_day=12,
            status="answered",
            grade="major",
            description="流槽无液位报警 / no launder level alarm",
        )
        for day, score in ((3, 99.0), (5, 98.0), (7, 97.0)):
            w.inspect("U2/W1/T1", score, day=day, inspector=2, vetoed=day == 5)
        o = w.inspect("U2/W2/T2", 91.0, day=2, inspector=1)
        w.order(o, "U2/W2/T2", deadline_day=5, description="配电柜门未锁 / cabinet door unlocked")
        import_rules(
            session,
            campaign=find_campaign(session, "SPM-2022"),
            text=rules_text(90),
            source="award_sample",
            at=datetime(2022, 6, 1, tzinfo=UTC),
        )
        person = w.leaders[LEADER_TEAM] if signed_in == "leader" else w.supervisor_id
        set_setting(session, "walk.person_id", str(person))
        session.commit()
    return AwardSample(w)
