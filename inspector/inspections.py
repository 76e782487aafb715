"""Inspections from start to sign-off: start (freezing the template version), answers, findings, acknowledgement,
sign-off with the stored score, and amendments of signed inspections.

Every function takes the caller's session and leaves the commit to it, so one answer is one transaction (the app
commits after each call: autosave). A signed inspection is immutable: every edit raises :class:`RuleViolation`.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import cast

from sqlmodel import Session, col, select

from inspector.audit import append_entry
from inspector.autosave import ItemFacts, SavedAnswer, durable_transaction, lookup_item, write_answer
from inspector.errors import NotFoundError, RuleViolation
from inspector.models import (
    Answer,
    CampaignChecklist,
    Checkpoint,
    Choice,
    Finding,
    HazardGrade,
    Inspection,
    InspectionStatus,
    ItemKind,
    Person,
    Role,
    TemplateItem,
    TemplateVersion,
    Workshop,
    utcnow,
)
from inspector.rectification import default_deadline, issue_order
from inspector.scoring import AnswerValue, ItemRule, ScoreResult, score_inspection
from inspector.signing import inspection_hash
from inspector.walk_views import AnswerView, WalkData


@dataclass(frozen=True)
class AnswerInput:
    """What the inspector entered for one item. ``note=None`` keeps the stored note."""

    choice: str | None = None
    score: int | None = None
    measurement: float | None = None
    text: str = ""
    photo_path: str = ""
    occurrences: int = 1
    note: str | None = None


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def get_inspection(session: Session, inspection_id: uuid.UUID) -> Inspection:
    """The inspection with ``inspection_id`` or :class:`NotFoundError`."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFoundError(
            "E_INSPECTION_NOT_FOUND",
            f"No inspection with id {inspection_id}.",
            f"没有编号为 {inspection_id} 的检查记录。",
        )
    return inspection


def ensure_editable(inspection: Inspection) -> None:
    """Refuse any change to a signed inspection."""
    if inspection.status == InspectionStatus.SIGNED:
        raise RuleViolation(
            "E_INSPECTION_SIGNED",
            f"Inspection {inspection.id} is signed and locked; correct it with an amendment.",
            "该检查已签字锁定，不能修改；如需更正，请做补正（amendment）。",
        )


def _version_of_campaign(session: Session, campaign_id: uuid.UUID, version_id: uuid.UUID) -> TemplateVersion:
    link = session.exec(
        select(CampaignChecklist).where(
            CampaignChecklist.campaign_id == campaign_id, CampaignChecklist.template_version_id == version_id
        )
    ).first()
    version = session.get(TemplateVersion, version_id)
    if link is None or version is None:
        raise RuleViolation(
            "E_VERSION_NOT_IN_CAMPAIGN",
            f"Checklist version {version_id} is not used by this campaign.",
            "本次活动不使用该版本的检查表。",
        )
    return version


def find_draft(
    session: Session,
    *,
    campaign_id: uuid.UUID,
    inspector_id: uuid.UUID,
    template_version_id: uuid.UUID,
    checkpoint_id: uuid.UUID | None,
    workshop_id: uuid.UUID,
) -> Inspection | None:
    """The inspector's unsigned inspection of this place with this checklist (not an amendment), if any."""
    query = select(Inspection).where(
        Inspection.campaign_id == campaign_id,
        Inspection.inspector_id == inspector_id,
        Inspection.template_version_id == template_version_id,
        Inspection.workshop_id == workshop_id,
        Inspection.status == InspectionStatus.DRAFT,
        col(Inspection.amends_id).is_(None),
    )
    if checkpoint_id is None:
        query = query.where(col(Inspection.checkpoint_id).is_(None))
    else:
        query = query.where(Inspection.checkpoint_id == checkpoint_id)
    return session.exec(query.order_by(col(Inspection.started_at).desc())).first()


def start_inspection(
    session: Session,
    *,
    campaign_id: uuid.UUID,
    template_version_id: uuid.UUID,
    inspector_id: uuid.UUID,
    checkpoint_id: uuid.UUID | None = None,
    workshop_id: uuid.UUID | None = None,
    now: datetime | None = None,
    inspection_id: uuid.UUID | None = None,
) -> tuple[Inspection, bool]:
    """Start an inspection of a checkpoint (or a whole workshop), or resume the draft already open for it.

    Returns ``(inspection, created)``. Starting freezes the template version: from now on it is never edited.
    ``inspection_id`` gives the new record a chosen (client-made) id instead of a random one.
    """
    inspector = session.get(Person, inspector_id)
    if inspector is None or not inspector.active:
        raise NotFoundError(
            "E_PERSON_NOT_FOUND",
            f"No active person with id {inspector_id} to inspect.",
            "找不到该检查人员（或已停用）。",
        )
    version = _version_of_campaign(session, campaign_id, template_version_id)
    team_id: uuid.UUID | None = None
    if checkpoint_id is not None:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None:
            raise NotFoundError("E_CHECKPOINT_NOT_FOUND", f"No checkpoint with id {checkpoint_id}.", "找不到该检查点。")
        workshop_id, team_id = checkpoint.workshop_id, checkpoint.team_id
    if workshop_id is None or session.get(Workshop, workshop_id) is None:
        raise NotFoundError(
            "E_WORKSHOP_NOT_FOUND", "Name a checkpoint or a workshop to inspect.", "请选择要检查的检查点或车间。"
        )
    draft = find_draft(
        session,
        campaign_id=campaign_id,
        inspector_id=inspector_id,
        template_version_id=template_version_id,
        checkpoint_id=checkpoint_id,
        workshop_id=workshop_id,
    )
    if draft is not None:
        return draft, False
    if not version.frozen:
        version.frozen = True
        session.add(version)
    inspection = Inspection(
        id=inspection_id or uuid.uuid4(),
        campaign_id=campaign_id,
        template_version_id=template_version_id,
        workshop_id=workshop_id,
        checkpoint_id=checkpoint_id,
        team_id=team_id,
        inspector_id=inspector_id,
        started_at=_now(now),
    )
    session.add(inspection)
    session.flush()
    return inspection, True


def _item(session: Session, inspection: Inspection, item_id: uuid.UUID) -> TemplateItem:
    item = session.get(TemplateItem, item_id)
    if item is None or item.version_id != inspection.template_version_id:
        raise NotFoundError(
            "E_ITEM_NOT_FOUND",
            f"Item {item_id} is not on this inspection's checklist.",
            "该检查项不在本次检查的检查表中。",
        )
    return item


def _check_value(item: ItemFacts, value: AnswerInput) -> None:
    where = f"item {item.code}"
    if value.choice not in (None, Choice.YES, Choice.NO, Choice.NA):
        raise RuleViolation(
            "E_ANSWER_INVALID",
            f"{where}: unknown answer {value.choice!r} (yes, no or na).",
            f"检查项 {item.code}：无法识别的答案 {value.choice!r}（是、否或不适用）。",
        )
    if value.choice in (Choice.YES, Choice.NO) and item.kind != ItemKind.YES_NO:
        raise RuleViolation(
            "E_ANSWER_INVALID",
            f"{where} is a {item.kind} item, not yes/no.",
            f"检查项 {item.code} 不是“是/否”题。",
        )
    if value.score is not None:
        if item.kind != ItemKind.SCORE or item.max_score is None:
            raise RuleViolation(
                "E_ANSWER_INVALID",
                f"{where} is not a 0–N score item.",
                f"检查项 {item.code} 不是 0–N 评分题。",
            )
        if not 0 <= value.score <= item.max_score:
            raise RuleViolation(
                "E_ANSWER_INVALID",
                f"{where}: score {value.score} is outside 0–{item.max_score}.",
                f"检查项 {item.code}：得分 {value.score} 超出 0–{item.max_score}。",
            )
    if value.measurement is not None and item.kind != ItemKind.MEASUREMENT:
        raise RuleViolation(
            "E_ANSWER_INVALID",
            f"{where} is not a measurement item.",
            f"检查项 {item.code} 不是测量题。",
        )
    if value.occurrences < 1:
        raise RuleViolation(
            "E_ANSWER_INVALID",
            f"{where}: occurrences must be at least 1.",
            f"检查项 {item.code}：次数至少为 1。",
        )


def _check_and_write(
    cursor: sqlite3.Cursor,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    value: AnswerInput,
    now: datetime | None,
    current_item_code: str | None,
) -> SavedAnswer:
    item = lookup_item(cursor, inspection_id, item_id)
    _check_value(item, value)
    return write_answer(
        cursor,
        item,
        inspection_id=inspection_id,
        item_id=item_id,
        choice=value.choice,
        score=value.score,
        measurement=value.measurement,
        text=value.text,
        photo_path=value.photo_path,
        occurrences=value.occurrences,
        note=value.note,
        current_item_code=current_item_code,
        now=_now(now),
    )


def save_answer(
    session: Session,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    value: AnswerInput,
    now: datetime | None = None,
    current_item_code: str | None = None,
) -> SavedAnswer:
    """Store the answer to one item (replacing the previous one) and remember where the inspector is: the item
    itself, or ``current_item_code`` (the item the cursor moved on to), in the session's transaction.

    The rows are written through :mod:`inspector.autosave` on the session's own connection (one look-up, the
    upsert, the outbox entry); the caller commits. The walk's keypress uses :func:`commit_answer`.
    """
    session.flush()  # anything the caller changed first is written before the answer
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    cursor = cast(sqlite3.Cursor, dbapi.cursor())
    try:
        saved = _check_and_write(
            cursor,
            inspection_id=inspection_id,
            item_id=item_id,
            value=value,
            now=now,
            current_item_code=current_item_code,
        )
    finally:
        cursor.close()
    # Objects this session already holds would not see the rows written beside the ORM.
    session.expire_all()
    return saved


def commit_answer(
    session: Session,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    value: AnswerInput,
    now: datetime | None = None,
    current_item_code: str | None = None,
) -> SavedAnswer:
    """Store one answer in a durable transaction of its own: the walk's keypress path.

    The same checks and rows as :func:`save_answer`, on the store's own connection for this thread (the app's writer
    thread) outside any session transaction: a session transaction around it would double the cost of a keypress
    (``bench/bench_store.py``). A session that already
    has a transaction open (it may hold SQLite's write lock) gets the answer in that transaction instead.
    """
    if session.in_transaction():
        return save_answer(
            session,
            inspection_id=inspection_id,
            item_id=item_id,
            value=value,
            now=now,
            current_item_code=current_item_code,
        )
    # The store's connection for this thread (no pool checkout and reset per keypress); a bare session's pool.
    store = session.info.get("store")
    bind = session.get_bind()
    connection = store.thread_connection() if store is not None else bind.raw_connection()  # type: ignore[union-attr]
    try:
        with durable_transaction(connection) as cursor:
            return _check_and_write(
                cursor,
                inspection_id=inspection_id,
                item_id=item_id,
                value=value,
                now=now,
                current_item_code=current_item_code,
            )
    finally:
        if store is None:
            connection.close()  # back to the pool


def clear_answer(session: Session, *, inspection_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Take back the answer to one item (the item is unanswered again)."""
    inspection = get_inspection(session, inspection_id)
    ensure_editable(inspection)
    _item(session, inspection, item_id)
    answer = session.exec(
        select(Answer).where(Answer.inspection_id == inspection_id, Answer.item_id == item_id)
    ).first()
    if answer is not None:
        session.delete(answer)
        session.flush()


def record_current_item(session: Session, *, inspection_id: uuid.UUID, item_code: str) -> None:
    """Remember which item the inspector is on, so a draft reopens there."""
    inspection = get_inspection(session, inspection_id)
    if inspection.status == InspectionStatus.SIGNED or inspection.current_item_code == item_code:
        return
    inspection.current_item_code = item_code
    session.add(inspection)
    session.flush()


def effective_grade(grade: str, *, always_major: bool) -> str:
    """The grade a finding gets: an "always major" item forces a major hazard."""
    return HazardGrade.MAJOR.value if always_major else HazardGrade(grade).value


def save_finding(
    session: Session,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID | None,
    grade: str,
    description: str,
    team_id: uuid.UUID | None,
    deadline: date | None,
    photo_paths: list[str],
    raised_by_id: uuid.UUID | None,
    today: date,
    finding_id: uuid.UUID | None = None,
    new_id: uuid.UUID | None = None,
) -> Finding:
    """Raise a hazard finding (or update ``finding_id``; ``new_id`` names a new one). Photos must exist; "always
    major" items force major."""
    inspection = get_inspection(session, inspection_id)
    ensure_editable(inspection)
    always_major = False
    if item_id is not None:
        always_major = _item(session, inspection, item_id).always_major
    if grade not in {g.value for g in HazardGrade}:
        raise RuleViolation(
            "E_GRADE_INVALID",
            f"Unknown hazard grade {grade!r} (general, significant, major).",
            f"无法识别的隐患等级 {grade!r}（一般、较大、重大）。",
        )
    grade = effective_grade(grade, always_major=always_major)
    description = description.strip()
    if not description:
        raise RuleViolation(
            "E_FINDING_DESCRIPTION", "Describe the hazard: the description is empty.", "请填写隐患描述。"
        )
    missing = [p for p in photo_paths if not Path(p).expanduser().is_file()]
    if missing:
        raise RuleViolation(
            "E_PHOTO_MISSING", f"Evidence photo not found: {missing[0]}", f"找不到证据照片：{missing[0]}"
        )
    if deadline is None:
        deadline = default_deadline(grade, today)
    if deadline < today:
        raise RuleViolation(
            "E_DEADLINE_PAST",
            f"The deadline {deadline.isoformat()} is already past.",
            f"整改期限 {deadline.isoformat()} 已经过去。",
        )
    finding = session.get(Finding, finding_id) if finding_id else None
    if finding_id is not None and (finding is None or finding.inspection_id != inspection_id):
        raise NotFoundError(
            "E_FINDING_NOT_FOUND", f"No finding {finding_id} on this inspection.", "本次检查中没有这条隐患。"
        )
    if finding is None:
        finding = Finding(
            id=new_id or uuid.uuid4(),
            inspection_id=inspection_id,
            item_id=item_id,
            description=description,
            deadline=deadline,
        )
    finding.grade = grade
    finding.description = description
    finding.team_id = team_id if team_id is not None else inspection.team_id
    finding.deadline = deadline
    finding.photo_paths = [str(Path(p).expanduser()) for p in photo_paths]
    finding.raised_by_id = raised_by_id
    session.add(finding)
    session.flush()
    return finding


def delete_finding(session: Session, *, inspection_id: uuid.UUID, finding_id: uuid.UUID) -> None:
    """Withdraw a finding of a draft inspection."""
    inspection = get_inspection(session, inspection_id)
    ensure_editable(inspection)
    finding = session.get(Finding, finding_id)
    if finding is None or finding.inspection_id != inspection_id:
        raise NotFoundError(
            "E_FINDING_NOT_FOUND", f"No finding {finding_id} on this inspection.", "本次检查中没有这条隐患。"
        )
    session.delete(finding)
    session.flush()


def acknowledge(
    session: Session, *, inspection_id: uuid.UUID, leader_id: uuid.UUID, now: datetime | None = None
) -> None:
    """The team leader who walked with the inspector acknowledges the inspection and its findings."""
    inspection = get_inspection(session, inspection_id)
    ensure_editable(inspection)
    leader = session.get(Person, leader_id)
    if leader is None or not leader.active or leader.role != Role.TEAM_LEADER:
        raise RuleViolation(
            "E_NOT_TEAM_LEADER",
            "Only an active team leader can acknowledge an inspection.",
            "只有在岗的班组长才能确认检查结果。",
        )
    inspection.acknowledged_by_id = leader_id
    inspection.acknowledged_at = _now(now)
    session.add(inspection)
    session.flush()


def rules_and_answers(data: WalkData) -> tuple[list[ItemRule], dict[str, AnswerValue]]:
    """The scoring engine's view of a loaded inspection (the same for the live score and the stored one)."""
    rules = [
        ItemRule(
            code=item.code,
            section=item.section_code,
            kind=item.kind,
            points=item.points,
            deduction_per_occurrence=item.deduction_per_occurrence,
            max_score=item.max_score,
            lower_limit=item.lower_limit,
            upper_limit=item.upper_limit,
            required=item.required,
            veto=item.veto,
        )
        for item in data.items
    ]
    return rules, {code: answer_value(a) for code, a in data.answers.items()}


def answer_value(answer: AnswerView) -> AnswerValue:
    return AnswerValue(
        choice=answer.choice,
        score=answer.score,
        measurement=answer.measurement,
        text=answer.text,
        photo_path=answer.photo_path,
        occurrences=answer.occurrences,
    )


def score_walk(data: WalkData) -> ScoreResult:
    """Score a loaded inspection with its template version's weights, bands and rule version."""
    rules, answers = rules_and_answers(data)
    return score_values(data, rules, answers)


def score_values(data: WalkData, rules: list[ItemRule], answers: dict[str, AnswerValue]) -> ScoreResult:
    """:func:`score_walk` with the rules and answer values already built (the walk keeps them between keys)."""
    return score_inspection(
        rules,
        answers,
        section_weights={s.code: s.weight for s in data.sections},
        grade_bands=data.grade_bands,
        template_rule_version=data.rule_version,
    )


@dataclass(frozen=True)
class SignOffResult:
    inspection_id: uuid.UUID
    score: ScoreResult
    content_hash: str
    order_ids: list[uuid.UUID]


def _create_orders(session: Session, inspection: Inspection, signer_id: uuid.UUID, at: datetime) -> list[uuid.UUID]:
    """One rectification order per finding, issued through the rectification loop (team leader responsible)."""
    findings = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).all()
    order_ids: list[uuid.UUID] = []
    for finding in findings:
        team_id = finding.team_id or inspection.team_id
        if team_id is None:
            raise RuleViolation(
                "E_FINDING_NO_TEAM",
                f"Finding “{finding.description[:40]}” names no responsible team; choose one.",
                f"隐患“{finding.description[:40]}”未指定责任班组，请选择。",
            )
        order = issue_order(session, finding_id=finding.id, actor_id=signer_id, at=at, team_id=team_id)
        order_ids.append(order.id)
    return order_ids


def sign_off(
    session: Session, *, inspection_id: uuid.UUID, signer_id: uuid.UUID, now: datetime | None = None
) -> SignOffResult:
    """Sign an inspection: refuse while required items are unanswered or nobody acknowledged it; store the score
    with its rule version and the content hash; write the audit entry; issue a rectification order per finding.
    Signing an amendment marks the original as superseded."""
    from inspector.walk_queries import load_walk  # the loader builds the same view the screens score

    inspection = get_inspection(session, inspection_id)
    ensure_editable(inspection)
    if signer_id != inspection.inspector_id:
        raise RuleViolation(
            "E_NOT_INSPECTOR",
            "Only the inspector who made the inspection can sign it off.",
            "只有本次检查的检查员才能签字。",
        )
    if inspection.acknowledged_by_id is None:
        raise RuleViolation(
            "E_NOT_ACKNOWLEDGED", "The team leader has not acknowledged the inspection yet.", "班组长尚未确认本次检查。"
        )
    data = load_walk(session, inspection_id)
    result = score_walk(data)
    if result.missing_required:
        shown = ", ".join(result.missing_required[:8])
        more = f" and {len(result.missing_required) - 8} more" if len(result.missing_required) > 8 else ""
        raise RuleViolation(
            "E_MISSING_REQUIRED",
            f"Required items not answered: {shown}{more}.",
            f"以下必答项尚未作答：{shown}{more}。",
        )
    at = _now(now)
    inspection.status = InspectionStatus.SIGNED
    inspection.signed_at = at
    inspection.score_earned = result.earned
    inspection.score_possible = result.possible
    inspection.score_percent = result.percent
    inspection.grade = result.grade
    inspection.vetoed = result.vetoed
    inspection.rule_version = result.rule_version
    session.add(inspection)
    session.flush()
    content_hash = inspection_hash(session, inspection)
    inspection.content_hash = content_hash
    order_ids = _create_orders(session, inspection, signer_id, at)
    payload: dict[str, object] = {
        "content_hash": content_hash,
        "percent": result.percent,
        "grade": result.grade,
        "vetoed": result.vetoed,
        "rule_version": result.rule_version,
    }
    kind = "sign_off"
    if inspection.amends_id is not None:
        original = get_inspection(session, inspection.amends_id)
        original.superseded_by_id = inspection.id
        session.add(original)
        payload.update(amends_id=str(original.id), reason=inspection.amendment_reason)
        kind = "amendment"
    append_entry(session, kind=kind, subject_id=inspection.id, actor_id=signer_id, payload=payload)
    session.flush()
    return SignOffResult(inspection.id, result, content_hash, order_ids)


def start_amendment(
    session: Session, *, original_id: uuid.UUID, inspector_id: uuid.UUID, reason: str, now: datetime | None = None
) -> Inspection:
    """Open a correction of a signed inspection: a new draft naming what it amends and why, with the original's
    answers copied. The original stays as it was until the amendment is signed. Findings are not copied: the
    original's orders stand; new findings go on the amendment."""
    original = get_inspection(session, original_id)
    if original.status != InspectionStatus.SIGNED:
        raise RuleViolation(
            "E_AMEND_DRAFT",
            "Only a signed inspection can be amended; edit the draft instead.",
            "只有已签字的检查才能补正；草稿请直接修改。",
        )
    if original.superseded_by_id is not None:
        raise RuleViolation(
            "E_AMEND_SUPERSEDED",
            "This inspection was already replaced by an amendment; amend that.",
            "该检查已被补正记录取代，请对补正记录进行补正。",
        )
    reason = reason.strip()
    if not reason:
        raise RuleViolation(
            "E_AMEND_REASON", "Say why the inspection is amended: the reason is empty.", "请填写补正原因。"
        )
    existing = session.exec(
        select(Inspection).where(Inspection.amends_id == original_id, Inspection.status == InspectionStatus.DRAFT)
    ).first()
    if existing is not None:
        return existing
    amendment = Inspection(
        campaign_id=original.campaign_id,
        template_version_id=original.template_version_id,
        workshop_id=original.workshop_id,
        checkpoint_id=original.checkpoint_id,
        team_id=original.team_id,
        inspector_id=inspector_id,
        started_at=_now(now),
        current_item_code=original.current_item_code,
        amends_id=original.id,
        amendment_reason=reason,
        note=original.note,
    )
    session.add(amendment)
    for answer in session.exec(select(Answer).where(Answer.inspection_id == original_id)).all():
        session.add(
            Answer(
                inspection_id=amendment.id,
                item_id=answer.item_id,
                choice=answer.choice,
                score=answer.score,
                measurement=answer.measurement,
                text=answer.text,
                photo_path=answer.photo_path,
                occurrences=answer.occurrences,
                note=answer.note,
                answered_at=answer.answered_at,
            )
        )
    session.flush()
    return amendment
