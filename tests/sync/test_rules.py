"""The server reruns the domain rules on pushed changes (sync/server/rules.py), against real PostgreSQL.

Each violating change is acknowledged as rejected with its code and a reason in both languages, and never blocks
the changes behind it in the same batch.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, select

from inspector.models import (
    Answer,
    Finding,
    Inspection,
    RectificationEvent,
    RectificationOrder,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    stable_id,
)
from sync.client.http import SyncClient
from sync.protocol import Change, ChangeResult, ChangeStatus, DeviceRole, Op
from sync.server.apply import BatchApplier
from sync.server.ingest import _actor_of
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import server_records
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

SCORE_ITEM = stable_id("item", "score")
MEASURE_ITEM = stable_id("item", "measure")
OTHER_VERSION = stable_id("version", 2)
OTHER_ITEM = stable_id("item", "v2")
AT = datetime(2022, 6, 8, 9, 30, tzinfo=UTC)


class Pusher:
    """A device pushing hand-made changes (as a broken or hand-edited laptop could), numbering them itself."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client
        self.seq = 1000
        self.versions: dict[uuid.UUID, int] = {}

    def change(self, record: SQLModel, **edits: Any) -> Change:
        payload = record.model_dump(mode="json")
        payload.update({k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in edits.items()})
        payload.pop("server_version", None)
        self.seq += 1
        record_id: uuid.UUID = record.id  # type: ignore[attr-defined]
        return Change(
            change_id=uuid.uuid4(),
            seq=self.seq,
            entity=str(record.__tablename__),
            entity_id=record_id,
            op=Op.UPSERT,
            payload=payload,
            base_version=self.versions.get(record_id),
            schema_version=1,
        )

    def push(self, *changes: Change) -> list[ChangeResult]:
        results = self.client.push(list(changes)).results
        for change, result in zip(changes, results, strict=True):
            if result.status == ChangeStatus.APPLIED and result.version is not None:
                self.versions[change.entity_id] = result.version
        return results


def assert_rejected(result: ChangeResult, code: str, *fragments: str) -> None:
    assert result.status == ChangeStatus.REJECTED, result
    assert result.code == code, result
    english, chinese = result.message.split(" / ", 1)
    assert english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese), result.message
    for fragment in fragments:
        assert fragment in result.message, (fragment, result.message)


@pytest.fixture
def sup(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> Pusher:
    """The group's reference data on the server, plus a 0–5 item, a measurement item and a second version."""
    seeded(server, tmp_path, laptops)
    pusher = Pusher(server.client(server.enroll("rules-sup", DeviceRole.SUPERVISOR, "SUP")))
    section2 = stable_id("section", 2)
    results = pusher.push(
        pusher.change(
            TemplateItem(
                id=SCORE_ITEM,
                version_id=WORLD.version,
                section_id=WORLD.section,
                code="S5",
                position=10,
                kind="score",
                max_score=5,
                text_zh="6S 整理",
                points=5,
            )
        ),
        pusher.change(
            TemplateItem(
                id=MEASURE_ITEM,
                version_id=WORLD.version,
                section_id=WORLD.section,
                code="EARTH",
                position=11,
                kind="measurement",
                lower_limit=0,
                upper_limit=4,
                unit="Ω",
                text_zh="接地电阻",
                points=5,
            )
        ),
        pusher.change(TemplateVersion(id=OTHER_VERSION, template_id=WORLD.template, version=2)),
        pusher.change(TemplateSection(id=section2, version_id=OTHER_VERSION, code="S1", position=1, title_zh="熔铸")),
        pusher.change(
            TemplateItem(
                id=OTHER_ITEM,
                version_id=OTHER_VERSION,
                section_id=section2,
                code="N1",
                position=1,
                text_zh="新项",
                required=False,
            )
        ),
    )
    assert {r.status for r in results} == {ChangeStatus.APPLIED}
    return pusher


def draft(**fields: Any) -> Inspection:
    values: dict[str, Any] = {
        "campaign_id": WORLD.campaign,
        "template_version_id": WORLD.version,
        "workshop_id": WORLD.workshop,
        "team_id": WORLD.team_a,
        "inspector_id": WORLD.inspector_1,
    }
    values.update(fields)
    return Inspection(**values)


def plain(**fields: Any) -> Inspection:
    """An inspection on the second version, whose only item is optional: it can be signed with no answers."""
    return draft(template_version_id=OTHER_VERSION, **fields)


def test_an_answer_must_fit_its_items_kind_and_range(sup: Pusher, server: RunningServer) -> None:
    inspection = draft()
    ok_score = Answer(inspection_id=inspection.id, item_id=SCORE_ITEM, score=4)
    results = sup.push(
        sup.change(inspection),
        sup.change(Answer(inspection_id=inspection.id, item_id=SCORE_ITEM, score=7)),
        sup.change(Answer(inspection_id=inspection.id, item_id=WORLD.item(0), score=3)),
        sup.change(Answer(inspection_id=inspection.id, item_id=WORLD.item(1), choice="maybe")),
        sup.change(Answer(inspection_id=inspection.id, item_id=MEASURE_ITEM, choice="yes")),
        sup.change(Answer(inspection_id=inspection.id, item_id=WORLD.item(2), measurement=3.5)),
        sup.change(Answer(inspection_id=inspection.id, item_id=OTHER_ITEM, choice="yes")),
        sup.change(Answer(inspection_id=inspection.id, item_id=WORLD.item(3), choice="no", occurrences=0)),
        # Behind the poison ones, valid answers of every kind go through in the same batch:
        sup.change(ok_score),
        sup.change(Answer(inspection_id=inspection.id, item_id=MEASURE_ITEM, measurement=5.2)),
        sup.change(Answer(inspection_id=inspection.id, item_id=WORLD.item(4), choice="na")),
    )
    assert results[0].status == ChangeStatus.APPLIED
    assert_rejected(results[1], "E_ANSWER_INVALID", "item S5: score 7 is outside 0–5", "得分 7 超出 0–5")
    assert_rejected(results[2], "E_ANSWER_INVALID", "item I0 is not a 0–N score item")
    assert_rejected(results[3], "E_ANSWER_INVALID", "unknown answer 'maybe'")
    assert_rejected(results[4], "E_ANSWER_INVALID", "item EARTH is a measurement item, not yes/no")
    assert_rejected(results[5], "E_ANSWER_INVALID", "item I2 is not a measurement item")
    assert_rejected(results[6], "E_ITEM_NOT_FOUND", "Item N1 is not on the checklist version", "检查项 N1")
    assert_rejected(results[7], "E_ANSWER_INVALID", "occurrences must be at least 1")
    assert [r.status for r in results[8:]] == [ChangeStatus.APPLIED] * 3
    stored = server_records(server.engine, "answer")
    assert len(stored) == 3 and str(ok_score.id) in stored
    # A later edit of a stored answer is checked the same way.
    [again] = sup.push(sup.change(ok_score, score=6))
    assert_rejected(again, "E_ANSWER_INVALID", "score 6 is outside 0–5")
    assert server_records(server.engine, "answer")[str(ok_score.id)]["payload"]["score"] == 4  # type: ignore[index]


def order_world(sup: Pusher, grade: str) -> tuple[Finding, RectificationOrder]:
    inspection = plain(acknowledged_by_id=WORLD.leader_a)
    finding = Finding(
        inspection_id=inspection.id,
        description="冷却水无压力报警",
        grade=grade,
        team_id=WORLD.team_a,
        deadline=date(2022, 6, 10),
    )
    order = RectificationOrder(
        finding_id=finding.id, team_id=WORLD.team_a, requirement="加装报警", deadline=date(2022, 6, 10)
    )
    results = sup.push(sup.change(inspection), sup.change(finding), sup.change(order))
    results += sup.push(sup.change(inspection, status="signed", signed_at=AT.isoformat()))
    assert {r.status for r in results} == {ChangeStatus.APPLIED}, results
    return finding, order


def test_an_order_moves_only_along_the_rectification_loop(sup: Pusher, server: RunningServer) -> None:
    _finding, order = order_world(sup, "general")
    [skip] = sup.push(sup.change(order, status="closed", closed_at=AT.isoformat()))
    assert_rejected(skip, "E_ORDER_TRANSITION", "The order is open: it cannot be verified", "待整改")
    [unknown] = sup.push(sup.change(order, status="done"))
    assert_rejected(unknown, "E_STATUS_UNKNOWN", "'done'", "open, answered, closed, reopened")
    answered, rejected_back, answered_again, closed = (
        sup.push(sup.change(order, status="answered", action_taken="已加装"))[0],
        sup.push(sup.change(order, status="reopened", action_taken="已加装"))[0],
        sup.push(sup.change(order, status="answered", action_taken="已加装并测试"))[0],
        sup.push(sup.change(order, status="closed", action_taken="已加装并测试"))[0],
    )
    assert [answered.status, rejected_back.status, answered_again.status, closed.status] == [ChangeStatus.APPLIED] * 4
    [reopen_closed] = sup.push(sup.change(order, status="open", action_taken="已加装并测试"))
    assert_rejected(reopen_closed, "E_ORDER_TRANSITION", "cannot go back from closed to open")
    assert server_records(server.engine, "rectificationorder")[str(order.id)]["payload"]["status"] == "closed"  # type: ignore[index]
    # The order's history must tell the same story: an event jumping from open to closed is refused.
    by = WORLD.supervisor
    results = sup.push(
        sup.change(RectificationEvent(order_id=order.id, at=AT, actor_id=by, from_status="open", to_status="closed")),
        sup.change(
            RectificationEvent(order_id=order.id, at=AT, actor_id=by, from_status="answered", to_status="closed")
        ),
        sup.change(RectificationEvent(order_id=order.id, at=AT, actor_id=by, from_status=None, to_status="open")),
    )
    assert_rejected(results[0], "E_ORDER_TRANSITION", "from open to closed", "待整改")
    assert [r.status for r in results[1:]] == [ChangeStatus.APPLIED] * 2


def test_a_major_hazard_closes_only_with_its_plan(sup: Pusher, server: RunningServer) -> None:
    _finding, order = order_world(sup, "major")
    [answered] = sup.push(sup.change(order, status="answered", action_taken="已加装报警"))
    assert answered.status == ChangeStatus.APPLIED
    [refused] = sup.push(sup.change(order, status="answered", action_taken="已加装报警", plan_measures="加装联锁"))
    assert refused.status == ChangeStatus.APPLIED  # recording part of the plan is fine
    [closing] = sup.push(sup.change(order, status="closed", plan_measures="加装联锁"))
    assert_rejected(closing, "E_ORDER_PLAN_MISSING", "missing: funds, deadline, owner, emergency plan", "资金")
    plan = {
        "plan_measures": "加装联锁",
        "plan_funds": 12000.0,
        "plan_deadline": "2022-06-20",
        "plan_owner_id": str(WORLD.supervisor),
        "plan_emergency": "停炉，启用应急水源",
    }
    [closed] = sup.push(sup.change(order, status="closed", action_taken="已加装报警", **plan))
    assert closed.status == ChangeStatus.APPLIED, closed


def test_a_sign_off_needs_the_team_leaders_acknowledgement(sup: Pusher, server: RunningServer) -> None:
    nobody = plain(status="signed", signed_at=AT)
    by_inspector = plain(status="signed", signed_at=AT, acknowledged_by_id=WORLD.inspector_2)
    by_leader = plain(status="signed", signed_at=AT, acknowledged_by_id=WORLD.leader_a)
    odd = plain(status="approved")
    results = sup.push(sup.change(nobody), sup.change(by_inspector), sup.change(by_leader), sup.change(odd))
    assert_rejected(results[0], "E_NOT_ACKNOWLEDGED", "has not acknowledged", "班组长尚未确认本次检查")
    assert_rejected(results[1], "E_NOT_TEAM_LEADER", "检查员二", "is not a team leader")
    assert results[2].status == ChangeStatus.APPLIED
    assert_rejected(results[3], "E_STATUS_UNKNOWN", "'approved'")
    # A draft stays editable without an acknowledgement; signing it later without one is refused.
    later = plain()
    [made] = sup.push(sup.change(later))
    [signing] = sup.push(sup.change(later, status="signed", signed_at=AT.isoformat()))
    assert made.status == ChangeStatus.APPLIED
    assert_rejected(signing, "E_NOT_ACKNOWLEDGED")
    assert set(server_records(server.engine, "inspection")) == {str(by_leader.id), str(later.id)}


def test_an_amendment_must_name_a_signed_inspection(sup: Pusher) -> None:
    signed = plain(status="signed", signed_at=AT, acknowledged_by_id=WORLD.leader_a)
    still_draft = plain()
    assert {r.status for r in sup.push(sup.change(signed), sup.change(still_draft))} == {ChangeStatus.APPLIED}
    ghost = uuid.uuid4()
    results = sup.push(
        sup.change(plain(amends_id=ghost, amendment_reason="写错了")),
        sup.change(plain(amends_id=still_draft.id, amendment_reason="写错了")),
        sup.change(plain(amends_id=WORLD.item(0), amendment_reason="写错了")),
        sup.change(plain(amends_id=signed.id, amendment_reason="得分录错")),
    )
    assert_rejected(results[0], "E_AMEND_UNKNOWN", str(ghost))
    assert_rejected(results[1], "E_AMEND_DRAFT", "Only a signed inspection can be amended", "只有已签字的检查才能补正")
    assert_rejected(results[2], "E_AMEND_UNKNOWN", "is not an inspection")
    assert results[3].status == ChangeStatus.APPLIED


def test_an_inspectors_laptop_sees_the_reason_and_its_later_changes_go_through(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    first = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    with ins.store.session() as s:  # a hand-edited database: a yes/no item given a score of 9
        row = s.exec(select(Answer).where(Answer.inspection_id == first, Answer.item_id == WORLD.item(0))).one()
        row.score = 9
        s.add(row)
        s.commit()
    second = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    report = ins.sync()
    assert report.rejected == 1 and report.pushed == 6  # type: ignore[attr-defined]
    assert any("is not a 0–N score item" in line for line in report.rejections)  # type: ignore[attr-defined]
    inspections = server_records(server.engine, "inspection")
    assert {str(first), str(second)} <= set(inspections)


def test_a_sign_off_stores_the_score_its_answers_give(sup: Pusher, server: RunningServer) -> None:
    """The scoring engine reruns on the server: 5 yes/no items worth 5, a 0–5 item worth 5, a measurement item."""
    inspection = draft(acknowledged_by_id=WORLD.leader_a)
    answers = [Answer(inspection_id=inspection.id, item_id=WORLD.item(n), choice="yes") for n in range(4)]
    answers.append(Answer(inspection_id=inspection.id, item_id=WORLD.item(4), choice="no"))
    answers.append(Answer(inspection_id=inspection.id, item_id=SCORE_ITEM, score=4))
    results = sup.push(sup.change(inspection), *(sup.change(a) for a in answers))
    assert {r.status for r in results} == {ChangeStatus.APPLIED}
    # EARTH (required) is still unanswered: signing is refused, as sign_off refuses it on a laptop.
    [early] = sup.push(sup.change(inspection, status="signed", score_percent=80.0, grade="good"))
    assert_rejected(early, "E_MISSING_REQUIRED", "EARTH", "必答项")
    # 4 + 0 of the yes/no items (20 of 25), 4 of 5 on the score item, the measurement out of limits (0 of 5):
    # 20 + 4 + 0 = 24 of 35 = 68.6 %, "fail". In the same batch as the answer that completes it:
    earth = Answer(inspection_id=inspection.id, item_id=MEASURE_ITEM, measurement=7.5)
    claimed = {"status": "signed", "signed_at": AT.isoformat(), "vetoed": False}
    results = sup.push(
        sup.change(earth),
        sup.change(inspection, **claimed, score_percent=90.0, grade="excellent"),
        sup.change(inspection, **claimed, score_percent=68.6, grade="fail"),
    )
    assert results[0].status == ChangeStatus.APPLIED
    assert_rejected(results[1], "E_SCORE_MISMATCH", "90.0% excellent", "68.6% fail", "得分")
    assert results[2].status == ChangeStatus.APPLIED, results[2]
    stored = server_records(server.engine, "inspection")[str(inspection.id)]["payload"]
    assert isinstance(stored, dict) and stored["score_percent"] == 68.6 and stored["status"] == "signed"


def test_the_team_answers_an_order_and_an_inspector_verifies_it(sup: Pusher, server: RunningServer) -> None:
    _finding, order = order_world(sup, "general")
    leader = Pusher(server.client(server.enroll("rules-tl", DeviceRole.TEAM_LEADER, "TL-A")))
    leader.versions = dict(sup.versions)
    [answered] = leader.push(leader.change(order, status="answered", action_taken="已加装报警"))
    assert answered.status == ChangeStatus.APPLIED, answered
    # The team leader's device cannot verify its own team's order: that is done on site by an inspector.
    [closing] = leader.push(leader.change(order, status="closed", action_taken="已加装报警"))
    assert_rejected(closing, "E_ORDER_ACTOR", "may not verify an order", "验收由检查员在现场进行")
    stored = server_records(server.engine, "rectificationorder")[str(order.id)]["payload"]
    assert isinstance(stored, dict) and stored["status"] == "answered"

    def step(to: str, actor: uuid.UUID, before: str = "answered") -> RectificationEvent:
        return RectificationEvent(order_id=order.id, at=AT, actor_id=actor, from_status=before, to_status=to)

    results = leader.push(
        leader.change(step("answered", WORLD.leader_a, before="open")),
        leader.change(step("closed", WORLD.leader_a)),
    )
    assert results[0].status == ChangeStatus.APPLIED
    assert_rejected(results[1], "E_ORDER_ACTOR", "may not verify an order", "验收由检查员在现场进行")
    results = sup.push(
        sup.change(step("answered", WORLD.inspector_1, before="open")),
        sup.change(step("closed", WORLD.inspector_1)),
        sup.change(step("reopened", WORLD.supervisor)),
    )
    assert_rejected(results[0], "E_ORDER_ACTOR", "检查员一 may not answer this order", "无权回复")
    assert [r.status for r in results[1:]] == [ChangeStatus.APPLIED] * 2


def test_an_event_is_recorded_only_as_the_pushing_devices_person(sup: Pusher, server: RunningServer) -> None:
    """A team leader's device cannot close its order by naming an inspector (or nobody) on the event."""
    _finding, order = order_world(sup, "general")
    leader = Pusher(server.client(server.enroll("rules-tl", DeviceRole.TEAM_LEADER, "TL-A")))
    leader.versions = dict(sup.versions)
    ins = Pusher(server.client(server.enroll("rules-ins", DeviceRole.INSPECTOR, "INS-1")))

    def step(to: str, actor: uuid.UUID | None, before: str = "answered") -> RectificationEvent:
        return RectificationEvent(order_id=order.id, at=AT, actor_id=actor, from_status=before, to_status=to)

    results = leader.push(
        leader.change(step("closed", WORLD.inspector_1)),
        leader.change(step("closed", WORLD.supervisor)),
        leader.change(step("closed", None)),
        leader.change(step("closed", stable_id("person", "nobody"))),
        leader.change(step("reopened", WORLD.leader_a)),
        leader.change(step("answered", WORLD.leader_a, before="open")),
    )
    assert_rejected(results[0], "E_ORDER_ACTOR_DEVICE", "signed by 检查员一", "甲班长 的设备")
    assert_rejected(results[1], "E_ORDER_ACTOR_DEVICE", "signed by 主管")
    assert_rejected(results[2], "E_ORDER_NO_ACTOR", "does not name who", "没有注明")
    assert_rejected(results[3], "E_ORDER_NO_ACTOR", str(stable_id("person", "nobody")), "不存在")
    assert_rejected(results[4], "E_ORDER_ACTOR", "may not reject an order", "验收由检查员在现场进行")
    assert results[5].status == ChangeStatus.APPLIED, results[5]
    results = ins.push(
        ins.change(step("closed", WORLD.supervisor)),
        ins.change(step("closed", WORLD.inspector_1)),
    )
    assert_rejected(results[0], "E_ORDER_ACTOR_DEVICE", "signed by 主管", "检查员一 的设备")
    assert results[1].status == ChangeStatus.APPLIED, results[1]
    events = server_records(server.engine, "rectificationevent")
    assert sorted(str(e["payload"]["to_status"]) for e in events.values() if isinstance(e["payload"], dict)) == [
        "answered",
        "closed",
    ]


def test_a_later_chunk_of_one_transaction_sees_the_items_an_earlier_chunk_added(
    sup: Pusher, server: RunningServer
) -> None:
    """A logged batch is applied as several chunks in one transaction: a sign-off in a later chunk is checked
    against the checklist items an earlier chunk added, not a copy read before them."""
    first, second = plain(acknowledged_by_id=WORLD.leader_a), plain(acknowledged_by_id=WORLD.leader_a)
    assert {r.status for r in sup.push(sup.change(first), sup.change(second))} == {ChangeStatus.APPLIED}
    added = TemplateItem(
        version_id=OTHER_VERSION, section_id=stable_id("section", 2), code="N2", position=2, text_zh="新增必答项"
    )
    signed = {"status": "signed", "signed_at": AT.isoformat()}
    with Session(server.engine) as session, session.begin():
        actor = _actor_of(session, sup.client.me().device_id)
        assert actor is not None
        chunks = [[sup.change(first, **signed)], [sup.change(added)], [sup.change(second, **signed)]]
        results = [BatchApplier(session, actor).apply(chunk)[0] for chunk in chunks]
    assert [r.status for r in results[:2]] == [ChangeStatus.APPLIED] * 2, results
    assert_rejected(results[2], "E_MISSING_REQUIRED", "N2", "必答项")
