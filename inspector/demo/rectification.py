"""The rectification loop behind every demo finding: an order per finding and its history of events, ending in
every state the screens must show — open, answered, closed on time, closed late, reopened, overdue — and the
major hazards with their plans. Dates never pass the campaign's last day."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from inspector.demo.history import History, Made, signed_day
from inspector.demo.people import Roster
from inspector.demo.profiles import MAJOR_CLOSED_ITEM, MAJOR_OPEN_ITEM
from inspector.demo.records import demo_id, local_time
from inspector.models import (
    Campaign,
    Finding,
    HazardGrade,
    OrderStatus,
    RectificationOrder,
    TemplateItem,
)

#: Outcome weights by how a team deals with orders, for deadlines that passed before the campaign ended.
PAST_DEADLINE = {
    "punctual": {"on_time": 1.0},
    "steady": {"on_time": 0.88, "late": 0.06, "reopened_closed": 0.06},
    "mixed": {"on_time": 0.6, "late": 0.15, "reopened_closed": 0.1, "overdue_open": 0.08, "overdue_answered": 0.07},
    "slow": {
        "on_time": 0.35,
        "late": 0.25,
        "reopened_closed": 0.1,
        "reopened_open": 0.1,
        "overdue_open": 0.12,
        "overdue_answered": 0.08,
    },
}
#: … and for deadlines still ahead at the campaign's end.
FUTURE_DEADLINE = {
    "punctual": {"on_time": 0.6, "answered": 0.25, "open": 0.15},
    "steady": {"on_time": 0.5, "answered": 0.3, "open": 0.2},
    "mixed": {"on_time": 0.4, "answered": 0.3, "open": 0.2, "reopened_open": 0.1},
    "slow": {"on_time": 0.2, "answered": 0.3, "open": 0.35, "reopened_open": 0.15},
}
ACTIONS = (
    "已按要求整改完毕，班前会通报并纳入日常点检。/ Put right as required, briefed at the pre-shift meeting and added to the daily check.",
    "已更换损坏部件并复测合格。/ Damaged parts replaced and re-tested within limits.",
    "已清理现场并重新定置划线。/ Area cleared and floor markings redone.",
    "已对责任人进行安全教育并考核。/ The people responsible were retrained and tested.",
)
REOPEN_NOTE = (
    "验收不合格：现场问题仍未消除，请重新整改。/ Verification failed: the problem is still there; rectify again."
)
CLOSE_NOTE = "现场验收合格，予以销号。/ Verified on site; closed."
PLANS = {
    MAJOR_OPEN_ITEM: (
        "加装结晶器冷却水进水压力、流量变送器，改造PLC联锁逻辑，使低压/低流量报警联动快速切断阀、紧急排放阀和流槽断开装置；"
        "改造完成前该铸造机停用。/ Fit inlet pressure and flow transmitters on the mould cooling water and rework the PLC "
        "so that low-pressure/low-flow alarms trip the quick shut-off valve, the emergency drain valve and the launder "
        "disconnect; the casting machine stays stopped until done.",
        186000.0,
        "编制铸造漏铝、冷却水中断专项应急预案，铸造井旁配备应急处置卡，每班演练紧急切断。/ Special response plan for "
        "metal run-outs and cooling-water loss; response cards at the pit; emergency shut-off drilled every shift.",
    ),
    MAJOR_CLOSED_ITEM: (
        "更换为钢芯钢丝绳，建立钢丝绳每周检查、按GB/T 5972报废更换台账。/ Replace with steel-core rope; weekly rope "
        "inspection and a discard register to GB/T 5972.",
        23500.0,
        "卷扬系统异常时立即停止铸造并启动铸造应急预案。/ Stop casting at once and start the casting response plan if the "
        "winch misbehaves.",
    ),
}
DEFAULT_PLAN = (
    "停用相关设备，委托有资质单位设计改造，完成后组织验收。/ Stop the equipment, have a qualified contractor design "
    "and carry out the retrofit, then verify.",
    50000.0,
    "执行熔铸车间综合应急预案。/ Follow the casthouse general emergency plan.",
)


@dataclass(frozen=True)
class Verification:
    """An on-site verification (closed or reopened), to be chained in the audit log at its time."""

    at: datetime
    order: RectificationOrder
    actor_id: uuid.UUID
    accepted: bool
    status: str
    action_taken: str
    note: str


@dataclass
class Rectification:
    orders: list[RectificationOrder] = field(default_factory=list)
    #: Rows of ``RectificationEvent``.
    event_rows: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)


def build_rectification(history: History, roster: Roster, campaign: Campaign, seed: int) -> Rectification:
    """An order, with its events, for every finding of the campaign's history."""
    made_out = Rectification()
    for made in history.signed:
        for finding, item in made.findings:
            _order(made_out, made, finding, item, roster, campaign, seed)
    return made_out


def _at(day: date, rng: random.Random) -> datetime:
    return local_time(day, rng.randint(9, 16), rng.choice(range(0, 60, 5)))


def _outcome(made: Made, finding: Finding, item: TemplateItem, end: date, rng: random.Random) -> str:
    if item.code == MAJOR_OPEN_ITEM and made.profile.forced_item == MAJOR_OPEN_ITEM:
        return "open"
    if item.code == MAJOR_CLOSED_ITEM and made.profile.major_closed_on is not None:
        return "on_time"
    weights = (PAST_DEADLINE if finding.deadline < end else FUTURE_DEADLINE)[made.profile.closing]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _order(
    out: Rectification,
    made: Made,
    finding: Finding,
    item: TemplateItem,
    roster: Roster,
    campaign: Campaign,
    seed: int,
) -> None:
    rng = random.Random(f"{seed}/order/{finding.id}")
    inspection = made.inspection
    assert inspection.signed_at is not None
    leader = roster.leader_of(made.team)
    end = campaign.ends_on
    start = signed_day(inspection)
    deadline = finding.deadline
    order = RectificationOrder(
        id=demo_id("order", finding.id),
        finding_id=finding.id,
        team_id=made.team.id,
        responsible_person_id=leader.id,
        requirement=f"请于{deadline.isoformat()}前完成整改：{item.text_zh}\nRectify by {deadline.isoformat()}: {item.text_en}",
        deadline=deadline,
        status=OrderStatus.OPEN,
    )
    if finding.grade == HazardGrade.MAJOR:
        measures, funds, emergency = PLANS.get(item.code, DEFAULT_PLAN)
        order.plan_measures, order.plan_funds, order.plan_emergency = measures, funds, emergency
        order.plan_deadline, order.plan_owner_id = deadline, roster.safety_supervisor.id
    steps: list[tuple[datetime, str, uuid.UUID, str]] = []  # (at, to status, actor, note)
    outcome = _outcome(made, finding, item, end, rng)
    answer_day = min(end, start + timedelta(days=rng.randint(1, 3)))
    if outcome in ("on_time", "late", "reopened_closed", "reopened_open", "answered", "overdue_answered"):
        if outcome == "overdue_answered":
            answer_day = min(end, deadline + timedelta(days=rng.randint(1, 3)))
        if outcome == "on_time" and made.profile.major_closed_on and item.code == MAJOR_CLOSED_ITEM:
            answer_day = made.profile.major_closed_on - timedelta(days=2)
        steps.append((_at(answer_day, rng), OrderStatus.ANSWERED, leader.id, rng.choice(ACTIONS)))
    verifier = inspection.inspector_id
    if outcome == "on_time":
        close_day = min(deadline, end, answer_day + timedelta(days=rng.randint(1, 2)))
        steps.append(
            (_at(max(close_day, answer_day), rng) + timedelta(hours=1), OrderStatus.CLOSED, verifier, CLOSE_NOTE)
        )
    elif outcome == "late":
        close_day = min(end, deadline + timedelta(days=rng.randint(1, 4)))
        steps.append((_at(close_day, rng), OrderStatus.CLOSED, verifier, CLOSE_NOTE))
    elif outcome in ("reopened_closed", "reopened_open"):
        reopen_day = min(end, answer_day + timedelta(days=1))
        steps.append((_at(reopen_day, rng) + timedelta(hours=1), OrderStatus.REOPENED, verifier, REOPEN_NOTE))
        if outcome == "reopened_closed" and reopen_day + timedelta(days=3) <= end:
            steps.append(
                (_at(reopen_day + timedelta(days=2), rng), OrderStatus.ANSWERED, leader.id, rng.choice(ACTIONS))
            )
            steps.append((_at(reopen_day + timedelta(days=3), rng), OrderStatus.CLOSED, verifier, CLOSE_NOTE))
    _apply(out, order, inspection.signed_at, inspection.inspector_id, steps)


def _event(
    order: RectificationOrder, number: int, at: datetime, actor: uuid.UUID, to_status: str, note: str = ""
) -> dict[str, Any]:
    """One event row (events are many: they go in with one bulk insert)."""
    return {
        "id": demo_id("order-event", order.id, number),
        "order_id": order.id,
        "at": at,
        "actor_id": actor,
        "from_status": order.status if number else None,
        "to_status": to_status,
        "note": note,
        "evidence_paths": [],
        "created_at": at,
        "updated_at": at,
    }


def _apply(
    out: Rectification,
    order: RectificationOrder,
    issued_at: datetime,
    issuer_id: uuid.UUID,
    steps: list[tuple[datetime, str, uuid.UUID, str]],
) -> None:
    """Walk the order through ``steps`` (kept in time order), recording an event for each transition."""
    order.created_at = issued_at
    out.event_rows.append(_event(order, 0, issued_at, issuer_id, OrderStatus.OPEN))
    previous_at = issued_at
    for number, (at, status, actor, note) in enumerate(steps, start=1):
        at = max(at, previous_at + timedelta(minutes=30))
        previous_at = at
        out.event_rows.append(_event(order, number, at, actor, status, note))
        order.status = status
        if status == OrderStatus.ANSWERED:
            order.action_taken, order.answered_at = note, at
        elif status == OrderStatus.CLOSED:
            order.closed_at, order.verified_by_id = at, actor
        if status in (OrderStatus.CLOSED, OrderStatus.REOPENED):
            out.verifications.append(
                Verification(at, order, actor, status == OrderStatus.CLOSED, status, order.action_taken, note)
            )
    order.updated_at = previous_at
    out.orders.append(order)
