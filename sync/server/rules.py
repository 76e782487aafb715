"""The domain's rules, rerun on every pushed change instead of trusting the device's JSON.

A laptop checks these rules before it writes (``inspector.inspections``, ``inspector.rectification``); a device
with an old, broken or hand-edited database could still send anything, so the server checks again with the same
domain code: an answer's value fits its item (yes/no/N-A, a score within 0..max, a finite measurement), a
rectification order moves only along the legal transitions of :mod:`inspector.rectification` (and a major hazard
closes only with its plan), a sign-off carries the team leader's acknowledgement, and an amendment names a signed
inspection. A change that breaks one is acknowledged as rejected with a :class:`Refusal` (code, English and
Chinese text), so it never blocks the changes behind it.

The checks read other records through :class:`Facts`: on the server the batch's rows and the ``record`` table
(:class:`sync.server.rule_facts.ServerFacts`, one per batch, which ``BatchApplier`` passes to :func:`check_change`);
on a supervisor's laptop importing a bundle, its own database.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import sync.messages  # noqa: F401  (the record kinds' names used in the texts)
from inspector.autosave import ItemFacts
from inspector.errors import RuleViolation
from inspector.i18n import register, t
from inspector.inspections import AnswerInput, _check_value
from inspector.models import HazardGrade, InspectionStatus, OrderStatus, RectificationOrder, Role
from inspector.rectification import ANSWER_FROM, REJECT_FROM, VERIFY_FROM, OrderRefused, _check_from, plan_gaps
from inspector.scoring import AnswerValue, ItemRule, score_inspection
from sync.protocol import DeviceRole
from sync.server.access import Actor, as_uuid

register(
    {
        "sync.rule.status_unknown": (
            "{what}的状态“{status}”无法识别（可为：{allowed}）。",
            "The {what_en} status {status!r} is unknown (one of: {allowed}).",
        ),
        "sync.rule.order_back_to_open": (
            "整改通知不能从“{status_zh}”退回到“待整改”；验收不通过请用“退回”。",
            "An order cannot go back from {status_en} to open; a failed verification reopens it.",
        ),
        "sync.rule.event_transition": (
            "整改记录从“{from_zh}”到“{to_zh}”不是合法的整改步骤。",
            "A rectification event from {from_en} to {to_en} is not a legal step of the loop.",
        ),
        "sync.rule.event_no_actor": (
            "整改记录没有注明由谁进行这一步。",
            "The rectification event does not name who took the step.",
        ),
        "sync.rule.event_unknown_actor": (
            "整改记录注明的人员 {person} 不存在。",
            "The rectification event names person {person}, who is not known.",
        ),
        "sync.rule.event_not_device": (
            "整改记录署名为 {named}，但它来自 {person} 的设备：一台设备只能记录本人的整改步骤。",
            "The rectification event is signed by {named}, but it comes from {person}'s device: "
            "a device records only its own person's steps.",
        ),
        "sync.rule.measurement": (
            "检查项 {code}：测量值必须是有限的数字。",
            "Item {code}: the measurement must be a finite number.",
        ),
        "sync.rule.item_elsewhere": (
            "检查项 {code} 不在本次检查所用的检查表版本中。",
            "Item {code} is not on the checklist version this inspection uses.",
        ),
        "sync.rule.ack_not_leader": (
            "确认本次检查的人员 {person} 不是班组长。",
            "The person who acknowledged the inspection ({person}) is not a team leader.",
        ),
        "sync.rule.leader_verifies": (
            "班组长的设备不能{action}整改通知：验收由检查员在现场进行。",
            "A team leader's device may not {action} an order: verification is done on site by an inspector.",
        ),
        "sync.rule.missing_required": (
            "签字时以下必答项尚未作答：{items}。",
            "Signed with required items unanswered: {items}.",
        ),
        "sync.rule.score_mismatch": (
            "签字记录的得分（{claimed}）与服务器上的答案算出的得分（{computed}）不符。",
            "The signed score ({claimed}) is not what the answers on the server give ({computed}).",
        ),
        "sync.rule.amend_unknown": (
            "补正记录所更正的检查 {target} 不存在。",
            "The amendment names inspection {target}, which does not exist.",
        ),
        "sync.rule.amend_not_inspection": (
            "补正记录所更正的 {target} 不是一次检查。",
            "The amendment names {target}, which is not an inspection.",
        ),
    }
)

#: The bands a version without its own is graded with (as ``inspector.walk_queries.load_walk`` does).
DEFAULT_BANDS = ((90.0, "excellent"), (80.0, "good"), (70.0, "pass"))
#: Scores are stored with one decimal: anything closer is the same score.
SCORE_TOLERANCE = 0.05

#: Target status of an order → (statuses it may come from, the action's name in inspector.rectification).
ORDER_STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    OrderStatus.ANSWERED: (ANSWER_FROM, "answer"),
    OrderStatus.CLOSED: (VERIFY_FROM, "verify"),
    OrderStatus.REOPENED: (REJECT_FROM, "reject"),
}
#: The steps that are a verification on site (by an inspector or a supervisor, never the team itself).
VERIFIER_STEPS = frozenset({OrderStatus.CLOSED.value, OrderStatus.REOPENED.value})
ORDER_STATUSES = tuple(s.value for s in OrderStatus)
INSPECTION_STATUSES = tuple(s.value for s in InspectionStatus)


@dataclass(frozen=True)
class Refusal:
    """Why a change breaks a domain rule: a stable code and the reason in both languages."""

    code: str
    en: str
    zh: str

    @property
    def message(self) -> str:
        """Both languages in one line (a change result carries one message; the code maps to the catalogue)."""
        return f"{self.en} / {self.zh}"

    @classmethod
    def of(cls, exc: RuleViolation) -> Refusal:
        if isinstance(exc, OrderRefused):
            return cls(exc.code, exc.localized("en"), exc.localized("zh"))
        return cls(exc.code, exc.message, exc.message_zh or exc.message)

    @classmethod
    def keyed(cls, code: str, key: str, /, **values: object) -> Refusal:
        return cls(code, t(key, "en", **values), t(key, "zh", **values))


class Facts(Protocol):
    """What the rules may look up: other records' current payloads (``None`` when unknown or deleted)."""

    def record(self, record_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        """The entity and payload of a record."""
        ...

    def item(self, version_id: uuid.UUID, item_id: uuid.UUID) -> dict[str, Any] | None:
        """A checklist item's payload, looked up among the items of ``version_id``."""
        ...

    def items_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every item of a checklist version."""
        ...

    def sections_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every section of a checklist version."""
        ...

    def answers_of(self, inspection_id: uuid.UUID, owner: uuid.UUID | None) -> list[dict[str, Any]]:
        """Every answer of an inspection (``owner``: its inspector, to narrow the search)."""
        ...


def check_change(
    facts: Facts, entity: str, payload: dict[str, Any], old: dict[str, Any] | None, *, actor: Actor
) -> Refusal | None:
    """The first domain rule the upsert of ``entity`` (from ``old`` to ``payload``) breaks, or ``None``.

    ``actor`` is the device the change comes from (for an imported bundle, the device that wrote it): a team
    leader's device answers orders, it does not verify them, and a device records only its own person's steps.
    """
    try:
        if entity == "answer":
            return _answer(facts, payload)
        if entity == "rectificationorder":
            return _order(facts, payload, old, actor.role.value)
        if entity == "rectificationevent":
            return _event(facts, payload, actor)
        if entity == "inspection":
            return _inspection(facts, payload, old)
    except RuleViolation as exc:
        return Refusal.of(exc)
    return None


def _answer(facts: Facts, payload: dict[str, Any]) -> Refusal | None:
    inspection_id = as_uuid(payload.get("inspection_id"))
    item_id = as_uuid(payload.get("item_id"))
    inspection = facts.record(inspection_id) if inspection_id else None
    if inspection is None or item_id is None or inspection[0] != "inspection":
        return None  # the parent is not known here: nothing to check against
    version_id = as_uuid(inspection[1].get("template_version_id"))
    if version_id is None:
        return None
    item = facts.item(version_id, item_id)
    if item is None:
        return None
    code = str(item.get("code", item_id))
    if str(item.get("version_id")) != str(version_id):
        return Refusal.keyed("E_ITEM_NOT_FOUND", "sync.rule.item_elsewhere", code=code)
    measurement = payload.get("measurement")
    if measurement is not None and not math.isfinite(float(measurement)):
        return Refusal.keyed("E_ANSWER_INVALID", "sync.rule.measurement", code=code)
    _check_value(
        ItemFacts(code=code, kind=str(item.get("kind")), max_score=item.get("max_score")),
        AnswerInput(
            choice=payload.get("choice"),
            score=payload.get("score"),
            measurement=measurement,
            occurrences=int(payload.get("occurrences", 1)),
        ),
    )
    return None


def _status_refusal(what: str, status: object, allowed: tuple[str, ...]) -> Refusal:
    return Refusal(
        "E_STATUS_UNKNOWN",
        t("sync.rule.status_unknown", "en", what=what, what_en=what, status=status, allowed=", ".join(allowed)),
        t(
            "sync.rule.status_unknown",
            "zh",
            what=t(f"sync.entity.{what.replace(' ', '')}", "zh"),
            what_en=what,
            status=status,
            allowed="、".join(allowed),
        ),
    )


def _order(facts: Facts, payload: dict[str, Any], old: dict[str, Any] | None, role: str | None) -> Refusal | None:
    status = payload.get("status")
    if status not in ORDER_STATUSES:
        return _status_refusal("rectification order", status, ORDER_STATUSES)
    before = old.get("status") if old is not None else None
    if role == Role.TEAM_LEADER and before != status and status in VERIFIER_STEPS:
        # Verification on site (closing, or sending back) is the inspector's; the team only answers.
        return _leader_verifies(status)
    if before is not None and before != status:
        if status == OrderStatus.OPEN:
            return Refusal.keyed(
                "E_ORDER_TRANSITION",
                "sync.rule.order_back_to_open",
                status_zh=t(f"order.status.{before}", "zh"),
                status_en=t(f"order.status.{before}", "en").lower(),
            )
        allowed, action = ORDER_STEPS[str(status)]
        _check_from(RectificationOrder.model_validate({**payload, "status": before}), allowed, action)
    if status == OrderStatus.CLOSED and before != OrderStatus.CLOSED:
        finding_id = as_uuid(payload.get("finding_id"))
        finding = facts.record(finding_id) if finding_id else None
        if finding is not None and finding[1].get("grade") == HazardGrade.MAJOR:
            gaps = plan_gaps(RectificationOrder.model_validate(payload))
            if gaps:
                raise OrderRefused(
                    "E_ORDER_PLAN_MISSING",
                    missing_zh="、".join(t(f"plan.{g}", "zh") for g in gaps),
                    missing_en=", ".join(t(f"plan.{g}", "en") for g in gaps),
                )
    return None


def _leader_verifies(status: object) -> Refusal:
    action = ORDER_STEPS[str(status)][1]
    return Refusal(
        "E_ORDER_ACTOR",
        t("sync.rule.leader_verifies", "en", action=t(f"verb.{action}", "en")),
        t("sync.rule.leader_verifies", "zh", action=t(f"verb.{action}", "zh")),
    )


def _event(facts: Facts, payload: dict[str, Any], device: Actor) -> Refusal | None:
    before, after = payload.get("from_status"), payload.get("to_status")
    if after not in ORDER_STATUSES:
        return _status_refusal("rectification event", after, ORDER_STATUSES)
    legal = (
        (before is None and after == OrderStatus.OPEN)
        or before == after  # a plan recorded or revised: the status stays
        or (after in ORDER_STEPS and before in ORDER_STEPS[str(after)][0])
    )
    if legal:
        return _event_actor(facts, payload, before, after, device)

    def name(status: object, lang: str) -> str:
        return t(f"order.status.{status}", lang) if status in ORDER_STATUSES else str(status)

    return Refusal.keyed(
        "E_ORDER_TRANSITION",
        "sync.rule.event_transition",
        from_zh=name(before, "zh"),
        from_en=name(before, "en").lower(),
        to_zh=name(after, "zh"),
        to_en=name(after, "en").lower(),
    )


def _event_actor(facts: Facts, payload: dict[str, Any], before: object, after: object, device: Actor) -> Refusal | None:
    """The event names who took the step, that person is the device's own (a supervisor's device may record
    anyone's), and they took it as the loop allows: the team (its leader) answers, an inspector verifies, a
    supervisor may do either (``_check_team_side`` / ``_check_verifier`` of inspector.rectification)."""
    actor_id = as_uuid(payload.get("actor_id"))
    if actor_id is None:
        return Refusal.keyed("E_ORDER_NO_ACTOR", "sync.rule.event_no_actor")
    found = facts.record(actor_id)
    if found is None or found[0] != "person":
        return Refusal.keyed("E_ORDER_NO_ACTOR", "sync.rule.event_unknown_actor", person=str(actor_id))
    person = found[1]
    if device.role != DeviceRole.SUPERVISOR and actor_id != device.person_id:
        own = facts.record(device.person_id) if device.person_id is not None else None
        own_name = _person_name(own[1]) if own is not None else (device.person_code or device.name)
        return Refusal.keyed(
            "E_ORDER_ACTOR_DEVICE", "sync.rule.event_not_device", named=_person_name(person), person=own_name
        )
    if before == after or after not in ORDER_STEPS:
        return None
    if device.role == DeviceRole.TEAM_LEADER and after in VERIFIER_STEPS:
        return _leader_verifies(after)
    role = person.get("role")
    if role == Role.SUPERVISOR:
        return None
    action = ORDER_STEPS[str(after)][1]
    if after in VERIFIER_STEPS:
        allowed = role == Role.INSPECTOR
    else:
        order_id = as_uuid(payload.get("order_id"))
        order = facts.record(order_id) if order_id else None
        team = order[1].get("team_id") if order is not None else person.get("team_id")
        allowed = role == Role.TEAM_LEADER and str(person.get("team_id")) == str(team)
    if allowed:
        return None
    raise OrderRefused(
        "E_ORDER_ACTOR",
        person=_person_name(person),
        action_zh=t(f"verb.{action}", "zh"),
        action_en=t(f"verb.{action}", "en"),
    )


def _person_name(person: dict[str, Any]) -> str:
    return str(person.get("name_zh") or person.get("code") or person.get("id"))


def _inspection(facts: Facts, payload: dict[str, Any], old: dict[str, Any] | None) -> Refusal | None:
    status = payload.get("status")
    if status not in INSPECTION_STATUSES:
        return _status_refusal("inspection", status, INSPECTION_STATUSES)
    amends = as_uuid(payload.get("amends_id"))
    if amends is not None and (old is None or as_uuid(old.get("amends_id")) != amends):
        refusal = _amendment_target(facts, amends, as_uuid(payload.get("id")))
        if refusal is not None:
            return refusal
    if status == InspectionStatus.SIGNED and (old is None or old.get("status") != InspectionStatus.SIGNED):
        leader_id = as_uuid(payload.get("acknowledged_by_id"))
        if leader_id is None:
            raise RuleViolation(
                "E_NOT_ACKNOWLEDGED",
                "The team leader has not acknowledged the inspection yet.",
                "班组长尚未确认本次检查。",
            )
        leader = facts.record(leader_id)
        if leader is not None and (leader[0] != "person" or leader[1].get("role") != "team_leader"):
            name = str(leader[1].get("name_zh") or leader[1].get("code") or leader_id)
            return Refusal.keyed("E_NOT_TEAM_LEADER", "sync.rule.ack_not_leader", person=name)
        return _score(facts, payload)
    return None


def _score(facts: Facts, payload: dict[str, Any]) -> Refusal | None:
    """A sign-off's stored score must be what the scoring engine makes of the answers (as ``sign_off`` stores it),
    and every required item must be answered."""
    version_id = as_uuid(payload.get("template_version_id"))
    inspection_id = as_uuid(payload.get("id"))
    version = facts.record(version_id) if version_id else None
    if version is None or version[0] != "templateversion" or inspection_id is None or version_id is None:
        return None  # the checklist is not known here: nothing to score against
    items = sorted(facts.items_of(version_id), key=lambda i: (i.get("position") or 0, str(i.get("code"))))
    if not items:
        return None
    sections = sorted(facts.sections_of(version_id), key=lambda s: s.get("position") or 0)
    section_code = {str(s.get("id")): str(s.get("code")) for s in sections}
    item_code = {str(i.get("id")): str(i.get("code")) for i in items}
    rules = [
        ItemRule(
            code=str(i.get("code")),
            section=section_code.get(str(i.get("section_id")), ""),
            kind=str(i.get("kind")),
            points=float(i.get("points") or 0.0),
            deduction_per_occurrence=i.get("deduction_per_occurrence"),
            max_score=i.get("max_score"),
            lower_limit=i.get("lower_limit"),
            upper_limit=i.get("upper_limit"),
            required=bool(i.get("required", True)),
            veto=bool(i.get("veto", False)),
        )
        for i in items
    ]
    answers = {
        item_code[str(a.get("item_id"))]: AnswerValue(
            choice=a.get("choice"),
            score=a.get("score"),
            measurement=a.get("measurement"),
            text=a.get("text") or "",
            photo_path=a.get("photo_path") or "",
            occurrences=int(a.get("occurrences") or 1),
        )
        for a in facts.answers_of(inspection_id, as_uuid(payload.get("inspector_id")))
        if str(a.get("item_id")) in item_code
    }
    bands = [(float(b[0]), str(b[1])) for b in version[1].get("grade_bands") or []] or list(DEFAULT_BANDS)
    result = score_inspection(
        rules,
        answers,
        section_weights={str(s.get("code")): s.get("weight") for s in sections},
        grade_bands=bands,
        template_rule_version=str(version[1].get("rule_version") or "1"),
    )
    if result.missing_required:
        shown = ", ".join(result.missing_required[:8])
        return Refusal.keyed("E_MISSING_REQUIRED", "sync.rule.missing_required", items=shown)
    claimed = payload.get("score_percent")
    same_percent = (claimed is None and result.percent is None) or (
        claimed is not None and result.percent is not None and abs(float(claimed) - result.percent) < SCORE_TOLERANCE
    )
    if not same_percent or bool(payload.get("vetoed")) != result.vetoed or payload.get("grade") != result.grade:
        return Refusal.keyed(
            "E_SCORE_MISMATCH",
            "sync.rule.score_mismatch",
            claimed=_shown(claimed, payload.get("grade"), bool(payload.get("vetoed"))),
            computed=_shown(result.percent, result.grade, result.vetoed),
        )
    return None


def _shown(percent: object, grade: object, vetoed: bool) -> str:
    text = "—" if percent is None else f"{percent}%"
    return f"{text} {grade or ''}{' veto' if vetoed else ''}".strip()


def _amendment_target(facts: Facts, target_id: uuid.UUID, own_id: uuid.UUID | None) -> Refusal | None:
    target = facts.record(target_id)
    if target is None:
        return Refusal.keyed("E_AMEND_UNKNOWN", "sync.rule.amend_unknown", target=str(target_id))
    entity, original = target
    if entity != "inspection":
        return Refusal.keyed("E_AMEND_UNKNOWN", "sync.rule.amend_not_inspection", target=str(target_id))
    if original.get("status") != InspectionStatus.SIGNED:
        raise RuleViolation(
            "E_AMEND_DRAFT",
            "Only a signed inspection can be amended; edit the draft instead.",
            "只有已签字的检查才能补正；草稿请直接修改。",
        )
    superseded = as_uuid(original.get("superseded_by_id"))
    if superseded is not None and superseded != own_id:
        raise RuleViolation(
            "E_AMEND_SUPERSEDED",
            "This inspection was already replaced by an amendment; amend that.",
            "该检查已被补正记录取代，请对补正记录进行补正。",
        )
    return None
