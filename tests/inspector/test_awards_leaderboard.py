"""The supervisor's leaderboard, inspector consistency, and the order lists of the team leader and supervisor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from inspector.awards.leaderboard import inspector_consistency, leaderboard
from inspector.store import Store
from inspector.team_records import count_overdue, order_history, orders, team_inspections
from tests.inspector.award_world import END, AwardWorld, build_award_world


@pytest.fixture
def world(store: Store) -> Iterator[AwardWorld]:
    with store.session() as session:
        w = build_award_world(session)
        # U1/W1/T1 scored by inspector 0 (90, 92) and inspector 1 (80): spread 11.0
        w.inspect("U1/W1/T1", 90.0, inspector=0, day=3)
        w.inspect("U1/W1/T1", 92.0, inspector=0, day=4)
        w.inspect("U1/W1/T1", 80.0, inspector=1, day=5)
        # U1/W1/T2 scored by inspector 0 (95) and inspector 1 (93): spread 2.0
        w.inspect("U1/W1/T2", 95.0, inspector=0, day=3)
        w.inspect("U1/W1/T2", 93.0, inspector=1, day=4)
        # U2/W1/T1 scored only by inspector 2: not comparable
        first = w.inspect("U2/W1/T1", 99.0, inspector=2, day=3)
        w.inspect("U2/W1/T1", 97.0, inspector=2, day=4)
        w.order(first, "U2/W1/T1", deadline_day=5)  # overdue
        w.order(first, "U2/W1/T1", deadline_day=29, grade="major")  # open, not yet due on the 28th
        yield w


def test_leaderboard_ranks_by_average_and_filters(world: AwardWorld) -> None:
    rows = leaderboard(world.session, campaign_id=world.campaign_id, level="team", as_of=END)
    ranked = [(r.rank, r.subject.code, r.average, r.inspections) for r in rows if r.rank is not None]
    assert ranked == [(1, "U2/W1/T1", 98.0, 2), (2, "U1/W1/T2", 94.0, 2), (3, "U1/W1/T1", 87.3, 3)]
    assert all(r.rank is None and r.inspections == 0 for r in rows[3:])
    assert len(rows) == 8
    top = rows[0]
    assert (top.hazards, top.overdue, top.open_major) == (2, 2, 1)
    only_u1 = leaderboard(
        world.session, campaign_id=world.campaign_id, level="team", as_of=END, unit_id=world.units["U1"]
    )
    assert {r.subject.code.split("/")[0] for r in only_u1} == {"U1"}
    assert only_u1[0].rank == 2  # the group-wide place stays
    searched = leaderboard(world.session, campaign_id=world.campaign_id, level="team", as_of=END, search="u1w1t2")
    assert [r.subject.code for r in searched] == ["U1/W1/T2"]
    units = leaderboard(world.session, campaign_id=world.campaign_id, level="unit", as_of=END)
    assert [(r.subject.code, r.average) for r in units] == [("U2", 98.0), ("U1", 90.0)]


def test_inspector_consistency(world: AwardWorld) -> None:
    result = inspector_consistency(world.session, campaign_id=world.campaign_id)
    assert [(t.subject.code, t.spread, t.team_mean) for t in result.teams] == [
        ("U1/W1/T1", 11.0, 87.3),
        ("U1/W1/T2", 2.0, 94.0),
    ]
    assert [(m.name_en, m.mean, m.inspections) for m in result.teams[0].inspectors] == [
        ("Inspector 0", 91.0, 2),
        ("Inspector 1", 80.0, 1),
    ]
    biases = {b.name_en: b for b in result.inspectors}
    assert set(biases) == {"Inspector 0", "Inspector 1"}  # inspector 2 never shared a team
    # inspector 1: (80 − 87.33) on T1 and (93 − 94) on T2 → mean of −7.33 and −1 = −4.2
    assert biases["Inspector 1"].mean_deviation == -4.2
    assert biases["Inspector 1"].mean_abs_deviation == 4.2
    assert biases["Inspector 0"].mean_deviation > 0
    assert result.inspectors[0].name_en == "Inspector 1"  # the largest deviation first
    only_u2 = inspector_consistency(world.session, campaign_id=world.campaign_id, unit_id=world.units["U2"])
    assert only_u2.teams == [] and only_u2.inspectors == []


def test_orders_team_inspections_and_history(world: AwardWorld) -> None:
    s = world.session
    as_of = date(2022, 6, 28)
    team = world.teams["U2/W1/T1"]
    rows = orders(s, as_of=as_of, team_id=team, campaign_id=world.campaign_id)
    assert [(r.deadline.day, r.overdue, r.days_overdue, r.grade) for r in rows] == [
        (5, True, 23, "general"),
        (29, False, 0, "major"),
    ]
    assert rows[1].plan_missing == ("measures", "funds", "deadline", "owner", "emergency")
    assert rows[1].verification_due == date(2022, 7, 9)
    assert rows[0].next_actions == ("answer", "plan")
    assert [r.deadline.day for r in orders(s, as_of=as_of, overdue_only=True)] == [5]
    assert orders(s, as_of=as_of, unit_id=world.units["U1"]) == []
    assert count_overdue(s, as_of=as_of) == 1
    inspections = team_inspections(s, team_id=team, campaign_id=world.campaign_id)
    assert [i.percent for i in inspections] == [99.0, 97.0]
    events = order_history(s, rows[0].id)
    assert [(e.to_status, e.actor_en) for e in events] == [("open", "Inspector 0")]
