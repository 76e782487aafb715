"""The rectification loop: legal transitions with history, refused ones with clear messages, major-hazard plans."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.audit import verify_chain
from inspector.models import AuditEntry, OrderStatus, RectificationOrder
from inspector.rectification import (
    MajorHazardPlan,
    OrderRefused,
    answer_order,
    closed_on_time,
    history,
    is_overdue,
    plan_gaps,
    record_plan,
    reject_order,
    verification_due,
    verify_order,
)
from inspector.store import Store
from tests.inspector.award_world import AwardWorld, at, build_award_world

TEAM = "U1/W1/T1"


@pytest.fixture
def world(store: Store) -> Iterator[AwardWorld]:
    with store.session() as session:
        yield build_award_world(session)


@pytest.fixture
def photo(tmp_path: Path) -> str:
    path = tmp_path / "fixed.jpg"
    path.write_bytes(b"\xff\xd8 evidence")
    return str(path)


def _order(world: AwardWorld, grade: str = "general", deadline_day: int = 15) -> uuid.UUID:
    inspection = world.inspect(TEAM, 85.0)
    return world.order(inspection, TEAM, grade=grade, deadline_day=deadline_day)


def test_the_full_loop_keeps_who_and_when(world: AwardWorld, photo: str) -> None:
    order_id = _order(world)
    leader, inspector = world.leaders[TEAM], world.inspectors[0]
    s = world.session
    answer_order(s, order_id=order_id, actor_id=leader, action_taken="清理通道", evidence_paths=[photo], at=at(5))
    reject_order(s, order_id=order_id, actor_id=inspector, reason="仍有型材堆放", at=at(6))
    order = answer_order(s, order_id=order_id, actor_id=leader, action_taken="全部清走", evidence_paths=[], at=at(7))
    assert order.status == OrderStatus.ANSWERED
    order = verify_order(s, order_id=order_id, actor_id=inspector, at=at(8), note="现场确认")
    assert order.status == OrderStatus.CLOSED
    assert order.closed_at == at(8)
    assert order.verified_by_id == inspector
    steps = [(e.from_status, e.to_status, e.actor_id, e.at) for e in history(s, order_id)]
    assert steps == [
        (None, "open", inspector, at(1)),
        ("open", "answered", leader, at(5)),
        ("answered", "reopened", inspector, at(6)),
        ("reopened", "answered", leader, at(7)),
        ("answered", "closed", inspector, at(8)),
    ]
    events = history(s, order_id)
    assert events[1].evidence_paths == [photo]
    assert events[2].note == "仍有型材堆放"
    # the verifications went into the audit chain, which still holds
    kinds = [e.kind for e in s.exec(select(AuditEntry)).all()]
    assert kinds.count("verification") == 2
    assert verify_chain(s).ok
    assert closed_on_time(order) is True


@pytest.mark.parametrize(
    ("setup", "action", "expected"),
    [
        ([], "verify", "The order is open: it cannot be verified (possible now: answer, record a plan)"),
        ([], "reject", "The order is open: it cannot be rejected"),
        (["answer"], "answer", "The order is answered: it cannot be answered (possible now: verify, reject"),
        (["answer", "verify"], "answer", "The order is closed: it cannot be answered (possible now: none)"),
        (["answer", "verify"], "reject", "The order is closed: it cannot be rejected"),
        (["answer", "verify"], "plan", "The order is closed: it cannot be given a plan"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    world: AwardWorld, setup: list[str], action: str, expected: str
) -> None:
    order_id = _order(world)
    s, leader, inspector = world.session, world.leaders[TEAM], world.inspectors[0]

    def run(step: str) -> None:
        if step == "answer":
            answer_order(s, order_id=order_id, actor_id=leader, action_taken="done", evidence_paths=[], at=at(3))
        elif step == "verify":
            verify_order(s, order_id=order_id, actor_id=inspector, at=at(4))
        elif step == "reject":
            reject_order(s, order_id=order_id, actor_id=inspector, reason="no", at=at(4))
        else:
            plan = MajorHazardPlan("m", 1.0, date(2022, 6, 20), leader, "e")
            record_plan(s, order_id=order_id, actor_id=leader, plan=plan, at=at(4))

    for step in setup:
        run(step)
    before = len(history(s, order_id))
    with pytest.raises(OrderRefused) as refused:
        run(action)
    assert expected in str(refused.value)
    assert refused.value.code == "E_ORDER_TRANSITION"
    assert "不能" in refused.value.localized("zh")
    assert len(history(s, order_id)) == before  # nothing was recorded


def test_only_the_teams_leader_answers_and_only_inspectors_verify(world: AwardWorld) -> None:
    order_id = _order(world)
    s = world.session
    other_leader = world.leaders["U2/W1/T1"]
    with pytest.raises(OrderRefused, match="may not answer"):
        answer_order(s, order_id=order_id, actor_id=other_leader, action_taken="x", evidence_paths=[], at=at(3))
    answer_order(s, order_id=order_id, actor_id=world.supervisor_id, action_taken="x", evidence_paths=[], at=at(3))
    with pytest.raises(OrderRefused, match="may not verify"):
        verify_order(s, order_id=order_id, actor_id=world.leaders[TEAM], at=at(4))


def test_empty_action_missing_evidence_and_empty_reason_are_refused(world: AwardWorld, tmp_path: Path) -> None:
    order_id = _order(world)
    s, leader = world.session, world.leaders[TEAM]
    with pytest.raises(OrderRefused, match="Describe the action taken"):
        answer_order(s, order_id=order_id, actor_id=leader, action_taken="  ", evidence_paths=[], at=at(3))
    missing = str(tmp_path / "nowhere.jpg")
    with pytest.raises(OrderRefused, match=r"Evidence file not found: .*nowhere\.jpg"):
        answer_order(s, order_id=order_id, actor_id=leader, action_taken="ok", evidence_paths=[missing], at=at(3))
    answer_order(s, order_id=order_id, actor_id=leader, action_taken="ok", evidence_paths=[], at=at(3))
    with pytest.raises(OrderRefused, match="Say why"):
        reject_order(s, order_id=order_id, actor_id=world.inspectors[0], reason="", at=at(4))


def test_a_major_hazard_needs_its_complete_plan_before_closing(world: AwardWorld) -> None:
    order_id = _order(world, grade="major", deadline_day=20)
    s, leader, inspector = world.session, world.leaders[TEAM], world.inspectors[0]
    answer_order(s, order_id=order_id, actor_id=leader, action_taken="加装报警联锁", evidence_paths=[], at=at(10))
    with pytest.raises(OrderRefused) as refused:
        verify_order(s, order_id=order_id, actor_id=inspector, at=at(12))
    assert refused.value.code == "E_ORDER_PLAN_MISSING"
    assert "measures, funds, deadline, owner, emergency plan" in str(refused.value)
    partial = MajorHazardPlan("加装压力流量报警并与快切阀联锁", 85000.0, None, leader, "")
    order = record_plan(s, order_id=order_id, actor_id=leader, plan=partial, at=at(11))
    assert plan_gaps(order) == ["deadline", "emergency"]
    with pytest.raises(OrderRefused, match="missing: deadline, emergency plan"):
        verify_order(s, order_id=order_id, actor_id=inspector, at=at(12))
    full = MajorHazardPlan(partial.measures, 85000.0, date(2022, 6, 20), leader, "停炉、启用应急水源")
    record_plan(s, order_id=order_id, actor_id=leader, plan=full, at=at(11))
    order = verify_order(s, order_id=order_id, actor_id=inspector, at=at(12))
    assert order.status == OrderStatus.CLOSED
    with pytest.raises(OrderRefused, match="funds cannot be negative"):
        other = _order(world, grade="major")
        record_plan(s, order_id=other, actor_id=leader, plan=MajorHazardPlan("m", -1, None, None, ""), at=at(3))


def test_major_verification_is_due_within_ten_days_of_the_deadline(world: AwardWorld) -> None:
    order_id = _order(world, grade="major", deadline_day=10)
    s, leader = world.session, world.leaders[TEAM]
    plan = MajorHazardPlan("m", 0.0, date(2022, 6, 10), leader, "e")
    record_plan(s, order_id=order_id, actor_id=leader, plan=plan, at=at(2))
    order = answer_order(s, order_id=order_id, actor_id=leader, action_taken="done", evidence_paths=[], at=at(9))
    assert verification_due(order, "major") == date(2022, 6, 20)
    assert verification_due(order, "general") is None
    order = verify_order(s, order_id=order_id, actor_id=world.inspectors[0], at=at(25))
    assert "10" in history(s, order_id)[-1].note  # the late verification is on record
    assert closed_on_time(order) is False


def test_issue_order_defaults_to_the_teams_leader_and_the_findings_deadline(world: AwardWorld) -> None:
    from inspector.models import Finding
    from inspector.rectification import issue_order

    s = world.session
    inspection = world.inspect(TEAM, 80.0)
    finding = Finding(
        inspection_id=inspection,
        grade="major",
        description="结晶器冷却水无压力报警 / no pressure alarm",
        team_id=world.teams[TEAM],
        deadline=date(2022, 7, 1),
    )
    s.add(finding)
    s.flush()
    order = issue_order(s, finding_id=finding.id, actor_id=world.inspectors[0], at=at(2))
    assert order.responsible_person_id == world.leaders[TEAM]
    assert (order.deadline, order.status, order.requirement) == (date(2022, 7, 1), "open", finding.description)
    assert issue_order(s, finding_id=finding.id, actor_id=world.inspectors[0], at=at(3)).id == order.id
    assert [(e.to_status, e.actor_id) for e in history(s, order.id)] == [("open", world.inspectors[0])]


def test_overdue_uses_the_date_it_is_given(world: AwardWorld) -> None:
    order_id = _order(world, deadline_day=15)
    order = world.session.get(RectificationOrder, order_id)
    assert order is not None
    assert not is_overdue(order, date(2022, 6, 15))  # the deadline day itself is still in time
    assert is_overdue(order, date(2022, 6, 16))
    order.status = OrderStatus.CLOSED
    assert not is_overdue(order, date(2022, 7, 30))
