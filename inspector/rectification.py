"""The rectification closed loop (整改闭环) as a state machine with history.

open ──answer──▶ answered ──verify──▶ closed (销号, final)
  ▲                 │
  └──── reopened ◀──┘ reject (with a reason); a reopened order is answered again.

Every transition is written as a :class:`RectificationEvent` (who, when, from, to, note, evidence) in the caller's
transaction; verifications also go into the audit chain. A major hazard (重大隐患) cannot close before its plan
(measures, funds, deadline, owner, emergency plan) is recorded, and is due for verification within
:data:`MAJOR_VERIFICATION_DAYS` days of its deadline. Times and dates are always passed in: nothing here reads the
device clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

import inspector.messages.rectification  # noqa: F401  (registers the texts)
from inspector.audit import record_verification
from inspector.errors import NotFoundError, RuleViolation
from inspector.i18n import t
from inspector.models import (
    Finding,
    HazardGrade,
    OrderStatus,
    Person,
    RectificationEvent,
    RectificationOrder,
    Role,
)

#: A major hazard is verified on site within this many days of its rectification deadline.
MAJOR_VERIFICATION_DAYS = 10

#: Which statuses each action may start from.
ANSWER_FROM = (OrderStatus.OPEN, OrderStatus.REOPENED)
VERIFY_FROM = (OrderStatus.ANSWERED,)
REJECT_FROM = (OrderStatus.ANSWERED,)
PLAN_FROM = (OrderStatus.OPEN, OrderStatus.REOPENED, OrderStatus.ANSWERED)
#: status → the actions possible from it (for messages and screens).
NEXT_ACTIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.OPEN: ("answer", "plan"),
    OrderStatus.REOPENED: ("answer", "plan"),
    OrderStatus.ANSWERED: ("verify", "reject", "plan"),
    OrderStatus.CLOSED: (),
}


class OrderRefused(RuleViolation):
    """A refused rectification step; ``values`` fill the message in either language (``err.<code>``)."""

    def __init__(self, code: str, **values: object) -> None:
        self.values = values
        super().__init__(code, t(f"err.{code}", "en", **values))

    def localized(self, lang: str) -> str:
        """The message in ``lang``."""
        return t(f"err.{self.code}", lang, **self.values)


def _actions_text(status: str, lang: str) -> str:
    separator = "、" if lang == "zh" else ", "
    return separator.join(t(f"verb.{a}", lang) for a in NEXT_ACTIONS.get(status, ())) or t("rect.none", lang)


def _check_from(order: RectificationOrder, allowed: tuple[str, ...], action: str) -> None:
    if order.status not in allowed:
        raise _transition_refused(order.status, action)


def _transition_refused(status: str, action: str) -> OrderRefused:
    return OrderRefused(
        "E_ORDER_TRANSITION",
        status_zh=t(f"order.status.{status}", "zh"),
        status_en=t(f"order.status.{status}", "en").lower(),
        action_zh=t(f"action.{action}", "zh"),
        action_en=t(f"action.{action}", "en"),
        allowed_zh=_actions_text(status, "zh"),
        allowed_en=_actions_text(status, "en"),
    )


def refusal_from(status: str, action: str) -> OrderRefused | None:
    """The refusal ``action`` (answer, verify, reject, plan) would meet on an order in ``status``, or ``None``:
    a screen says it before asking for the answer, instead of after it was typed."""
    return None if action in NEXT_ACTIONS.get(status, ()) else _transition_refused(status, action)


def get_order(session: Session, order_id: uuid.UUID) -> RectificationOrder:
    order = session.get(RectificationOrder, order_id)
    if order is None:
        raise OrderRefused("E_ORDER_NOT_FOUND", order=str(order_id))
    return order


def order_grade(session: Session, order: RectificationOrder) -> str:
    """The hazard grade of the finding behind ``order``."""
    finding = session.get(Finding, order.finding_id)
    return finding.grade if finding is not None else HazardGrade.GENERAL.value


def _actor(session: Session, actor_id: uuid.UUID) -> Person:
    person = session.get(Person, actor_id)
    if person is None or not person.active:
        raise OrderRefused("E_ORDER_NO_ACTOR", person=str(actor_id))
    return person


def _refuse_actor(person: Person, action: str) -> OrderRefused:
    return OrderRefused(
        "E_ORDER_ACTOR",
        person=person.name_zh or person.code,
        action_zh=t(f"verb.{action}", "zh"),
        action_en=t(f"verb.{action}", "en"),
    )


def _check_team_side(person: Person, order: RectificationOrder, action: str) -> None:
    """The team answers (its leader), or a supervisor on its behalf."""
    if person.role == Role.SUPERVISOR:
        return
    if person.role == Role.TEAM_LEADER and person.team_id == order.team_id:
        return
    raise _refuse_actor(person, action)


def _check_verifier(person: Person, action: str) -> None:
    """Inspectors verify on site; a supervisor may too."""
    if person.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise _refuse_actor(person, action)


def _event(
    session: Session,
    order: RectificationOrder,
    *,
    actor_id: uuid.UUID,
    at: datetime,
    to_status: str,
    note: str = "",
    evidence: list[str] | None = None,
) -> RectificationEvent:
    event = RectificationEvent(
        order_id=order.id,
        at=at,
        actor_id=actor_id,
        from_status=order.status,
        to_status=to_status,
        note=note,
        evidence_paths=list(evidence or []),
    )
    session.add(event)
    return event


#: Days to put a finding right, by grade, when the finding names no deadline (general 7, significant 15, major 30).
#: The one place these numbers live: the walk's hazard dialog, sign-off and the demo all read them from here.
DEADLINE_DAYS = {HazardGrade.GENERAL.value: 7, HazardGrade.SIGNIFICANT.value: 15, HazardGrade.MAJOR.value: 30}


def default_deadline(grade: str, today: date) -> date:
    """The default rectification deadline of a finding of ``grade`` raised on ``today``."""
    days = DEADLINE_DAYS.get(str(grade))
    if days is None:
        raise RuleViolation(
            "E_GRADE_INVALID",
            f"Unknown hazard grade {grade!r} (general, significant, major).",
            f"无法识别的隐患等级 {grade!r}（一般、较大、重大）。",
        )
    return today + timedelta(days=days)


def team_leader_of(session: Session, team_id: uuid.UUID) -> uuid.UUID | None:
    """The active team leader of ``team_id`` (the default person responsible for its orders)."""
    leader = session.exec(
        select(Person)
        .where(Person.team_id == team_id, Person.role == Role.TEAM_LEADER, col(Person.active).is_(True))
        .order_by(col(Person.code))
    ).first()
    return leader.id if leader else None


def issue_order(
    session: Session,
    *,
    finding_id: uuid.UUID,
    actor_id: uuid.UUID,
    at: datetime,
    team_id: uuid.UUID | None = None,
    responsible_person_id: uuid.UUID | None = None,
    requirement: str = "",
    deadline: date | None = None,
) -> RectificationOrder:
    """整改通知 for a finding: the responsible team (the finding's unless given) and person (its leader unless
    given), the requirement (the finding's description unless given) and the deadline (the finding's, else by grade
    from ``at``). One order per finding; the issue is the first entry of its history."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFoundError("E_FINDING_NOT_FOUND", f"No finding {finding_id}.")
    existing = session.exec(select(RectificationOrder).where(RectificationOrder.finding_id == finding_id)).first()
    if existing is not None:
        return existing
    team = team_id or finding.team_id
    if team is None:
        raise NotFoundError("E_FINDING_NO_TEAM", f"Finding “{finding.description[:40]}” names no responsible team.")
    order = RectificationOrder(
        finding_id=finding_id,
        team_id=team,
        responsible_person_id=responsible_person_id or team_leader_of(session, team),
        requirement=(requirement or finding.description).strip(),
        deadline=deadline or finding.deadline or at.date() + timedelta(days=DEADLINE_DAYS.get(finding.grade, 7)),
        status=OrderStatus.OPEN,
    )
    session.add(order)
    session.add(
        RectificationEvent(order_id=order.id, at=at, actor_id=actor_id, from_status=None, to_status=OrderStatus.OPEN)
    )
    session.flush()
    return order


def answer_order(
    session: Session,
    *,
    order_id: uuid.UUID,
    actor_id: uuid.UUID,
    action_taken: str,
    evidence_paths: list[str],
    at: datetime,
) -> RectificationOrder:
    """The team records what it did, with evidence files (which must exist): open/reopened → answered."""
    order = get_order(session, order_id)
    _check_from(order, ANSWER_FROM, "answer")
    _check_team_side(_actor(session, actor_id), order, "answer")
    action_taken = action_taken.strip()
    if not action_taken:
        raise OrderRefused("E_ORDER_ACTION_EMPTY")
    paths = [str(Path(p.strip()).expanduser()) for p in evidence_paths if p.strip()]
    for path in paths:
        if not Path(path).is_file():
            raise OrderRefused("E_ORDER_EVIDENCE_MISSING", path=path)
    _event(session, order, actor_id=actor_id, at=at, to_status=OrderStatus.ANSWERED, note=action_taken, evidence=paths)
    order.status = OrderStatus.ANSWERED
    order.action_taken = action_taken
    order.evidence_paths = paths
    order.answered_at = at
    session.add(order)
    session.flush()
    return order


@dataclass(frozen=True)
class MajorHazardPlan:
    """治理方案 of a major hazard: measures, funds, deadline, owner and emergency plan."""

    measures: str
    funds: float | None
    deadline: date | None
    owner_id: uuid.UUID | None
    emergency: str


def plan_gaps(order: RectificationOrder) -> list[str]:
    """Which parts of a major-hazard plan are still missing (``plan.<part>`` keys), in the plan's order."""
    gaps: list[str] = []
    if not order.plan_measures.strip():
        gaps.append("measures")
    if order.plan_funds is None:
        gaps.append("funds")
    if order.plan_deadline is None:
        gaps.append("deadline")
    if order.plan_owner_id is None:
        gaps.append("owner")
    if not order.plan_emergency.strip():
        gaps.append("emergency")
    return gaps


def record_plan(
    session: Session, *, order_id: uuid.UUID, actor_id: uuid.UUID, plan: MajorHazardPlan, at: datetime
) -> RectificationOrder:
    """Record (or revise) the plan of an order that is not closed; kept in the history with who and when."""
    order = get_order(session, order_id)
    _check_from(order, PLAN_FROM, "plan")
    _check_team_side(_actor(session, actor_id), order, "plan")
    if plan.funds is not None and plan.funds < 0:
        raise OrderRefused(
            "E_ORDER_PLAN_INVALID", problem_zh=t("plan.funds_negative", "zh"), problem_en=t("plan.funds_negative", "en")
        )
    if plan.owner_id is not None:
        _actor(session, plan.owner_id)
    order.plan_measures = plan.measures.strip()
    order.plan_funds = plan.funds
    order.plan_deadline = plan.deadline
    order.plan_owner_id = plan.owner_id
    order.plan_emergency = plan.emergency.strip()
    _event(session, order, actor_id=actor_id, at=at, to_status=order.status, note=t("order.note.plan", "zh"))
    session.add(order)
    session.flush()
    return order


def verification_due(order: RectificationOrder, grade: str) -> date | None:
    """The last day a major hazard's on-site verification is due (``None`` for other grades)."""
    if grade != HazardGrade.MAJOR:
        return None
    return order.deadline + timedelta(days=MAJOR_VERIFICATION_DAYS)


def verify_order(
    session: Session, *, order_id: uuid.UUID, actor_id: uuid.UUID, at: datetime, note: str = ""
) -> RectificationOrder:
    """The inspector verifies on site and closes the order (销号): answered → closed.

    A major hazard needs its complete plan first. A verification later than its due date is still recorded (the
    hazard is fixed) and the lateness is written into the history.
    """
    order = get_order(session, order_id)
    _check_from(order, VERIFY_FROM, "verify")
    _check_verifier(_actor(session, actor_id), "verify")
    grade = order_grade(session, order)
    if grade == HazardGrade.MAJOR:
        gaps = plan_gaps(order)
        if gaps:
            raise OrderRefused(
                "E_ORDER_PLAN_MISSING",
                missing_zh="、".join(t(f"plan.{g}", "zh") for g in gaps),
                missing_en=", ".join(t(f"plan.{g}", "en") for g in gaps),
            )
    due = verification_due(order, grade)
    history_note = note.strip()
    if due is not None and at.date() > due:
        late = t("order.note.late_verification", "zh", days=MAJOR_VERIFICATION_DAYS)
        history_note = f"{history_note} ({late})" if history_note else late
    _event(session, order, actor_id=actor_id, at=at, to_status=OrderStatus.CLOSED, note=history_note)
    order.status = OrderStatus.CLOSED
    order.closed_at = at
    order.verified_by_id = actor_id
    session.add(order)
    session.flush()
    record_verification(session, order=order, actor_id=actor_id, accepted=True, note=history_note)
    return order


def reject_order(
    session: Session, *, order_id: uuid.UUID, actor_id: uuid.UUID, reason: str, at: datetime
) -> RectificationOrder:
    """The inspector rejects the team's action on site, saying why: answered → reopened."""
    order = get_order(session, order_id)
    _check_from(order, REJECT_FROM, "reject")
    _check_verifier(_actor(session, actor_id), "reject")
    reason = reason.strip()
    if not reason:
        raise OrderRefused("E_ORDER_REASON_EMPTY")
    _event(session, order, actor_id=actor_id, at=at, to_status=OrderStatus.REOPENED, note=reason)
    order.status = OrderStatus.REOPENED
    order.verified_by_id = actor_id
    session.add(order)
    session.flush()
    record_verification(session, order=order, actor_id=actor_id, accepted=False, note=reason)
    return order


def history(session: Session, order_id: uuid.UUID) -> list[RectificationEvent]:
    """Every transition of an order, oldest first."""
    if session.get(RectificationOrder, order_id) is None:
        raise NotFoundError("E_ORDER_NOT_FOUND", f"No rectification order {order_id}.")
    return list(
        session.exec(
            select(RectificationEvent)
            .where(RectificationEvent.order_id == order_id)
            .order_by(col(RectificationEvent.at), col(RectificationEvent.created_at))
        ).all()
    )


def is_overdue(order: RectificationOrder, as_of: date) -> bool:
    """Not closed and past its deadline on ``as_of``."""
    return order.status != OrderStatus.CLOSED and order.deadline < as_of


def closed_on_time(order: RectificationOrder) -> bool | None:
    """Whether a closed order closed by its deadline (``None`` while it is not closed)."""
    if order.status != OrderStatus.CLOSED or order.closed_at is None:
        return None
    return order.closed_at.date() <= order.deadline
