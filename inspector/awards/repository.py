"""Stored award rules (one :class:`AwardRuleSet` row per version) and stored decisions (:class:`AwardDecision`).

A rule file imported with new content becomes the campaign's next version; earlier versions and the decisions made
under them are never edited. Recording an evaluation, nominating and finalising each leave an ``award_decision``
entry in the audit chain.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.audit import AWARD_DECISION, append_entry, canonical_json, record_award_decision
from inspector.awards.evaluate import Evaluation, evaluate
from inspector.awards.rules import ParsedRules, RuleFile, packaged_rules_path, parse_rules, read_rules_file
from inspector.errors import InspectorError, NotFoundError, RuleViolation
from inspector.i18n import t
from inspector.models import AwardDecision, AwardRuleSet, Campaign


class RulesInvalid(InspectorError):
    """A rule file that cannot be used; ``problems`` are (zh, en) pairs, each naming where."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        self.problems = problems
        super().__init__("E_AWARD_RULES", "\n".join(en for _zh, en in problems))

    def localized(self, lang: str) -> str:
        return "\n".join(zh if lang == "zh" else en for zh, en in self.problems)


def find_campaign(session: Session, code: str) -> Campaign:
    """The campaign with ``code``, or a clear error naming the known codes."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        known = ", ".join(session.exec(select(Campaign.code).order_by(col(Campaign.code))).all()) or "—"
        raise NotFoundError(
            "E_AWARD_CAMPAIGN",
            t("awards.no_campaign", "en", code=code, known=known),
            t("awards.no_campaign", "zh", code=code, known=known),
        )
    return campaign


def _checked(parsed: ParsedRules, campaign: Campaign) -> RuleFile:
    if not parsed.ok or parsed.rules is None:
        raise RulesInvalid(parsed.problems)
    if parsed.rules.campaign != campaign.code:
        message = (
            t("rules.wrong_campaign", "zh", file_campaign=parsed.rules.campaign, campaign=campaign.code),
            t("rules.wrong_campaign", "en", file_campaign=parsed.rules.campaign, campaign=campaign.code),
        )
        raise RulesInvalid((message,))
    return parsed.rules


def rule_versions(session: Session, campaign_id: uuid.UUID) -> list[AwardRuleSet]:
    """Every stored version of the campaign's rules, oldest first."""
    return list(
        session.exec(
            select(AwardRuleSet).where(AwardRuleSet.campaign_id == campaign_id).order_by(col(AwardRuleSet.version))
        ).all()
    )


def import_rules(
    session: Session, *, campaign: Campaign, text: str, source: str = "", at: datetime | None = None
) -> tuple[AwardRuleSet, bool]:
    """Store ``text`` as the campaign's next rule version; returns (version, created). Unchanged text stores nothing."""
    parsed = parse_rules(text, source)
    _checked(parsed, campaign)
    versions = rule_versions(session, campaign.id)
    if versions and versions[-1].content_hash == parsed.content_hash:
        return versions[-1], False
    ruleset = AwardRuleSet(
        campaign_id=campaign.id,
        version=(versions[-1].version + 1) if versions else 1,
        source_text=text,
        content_hash=parsed.content_hash,
    )
    if at is not None:
        ruleset.imported_at = at
    session.add(ruleset)
    session.flush()
    return ruleset, True


@dataclass(frozen=True)
class LoadedRules:
    """The rules an evaluation uses and where they came from (a stored version, the packaged file, a file)."""

    rules: RuleFile
    content_hash: str
    text: str
    origin: str
    ruleset: AwardRuleSet | None = None

    @property
    def version(self) -> int | None:
        return self.ruleset.version if self.ruleset else None


def load_rules(session: Session, *, campaign: Campaign, version: int | None = None) -> LoadedRules:
    """The campaign's newest stored rules (or ``version``); without any, the rule file shipped for the campaign."""
    versions = rule_versions(session, campaign.id)
    if version is not None:
        versions = [v for v in versions if v.version == version]
        if not versions:
            raise NotFoundError(
                "E_AWARD_RULE_VERSION", t("awards.no_version", "en", code=campaign.code, version=version)
            )
    if versions:
        chosen = versions[-1]
        parsed = parse_rules(chosen.source_text, f"{campaign.code} v{chosen.version}")
        return LoadedRules(_checked(parsed, campaign), chosen.content_hash, chosen.source_text, "stored", chosen)
    packaged = packaged_rules_path(campaign.code)
    if packaged is None:
        raise NotFoundError("E_AWARD_NO_RULES", t("awards.no_rules", "en", code=campaign.code))
    parsed = read_rules_file(packaged)
    return LoadedRules(_checked(parsed, campaign), parsed.content_hash, parsed.text, "packaged")


def load_rules_file(path_text: str, *, campaign: Campaign) -> LoadedRules:
    """Rules read from a file given on the command line (not stored)."""
    from pathlib import Path

    parsed = read_rules_file(Path(path_text))
    return LoadedRules(_checked(parsed, campaign), parsed.content_hash, parsed.text, "file")


def evaluate_campaign(
    session: Session, *, campaign_code: str, as_of: date | None = None, rules: LoadedRules | None = None
) -> Evaluation:
    """Evaluate a campaign's awards with its current rules (or ``rules``)."""
    campaign = find_campaign(session, campaign_code)
    loaded = rules or load_rules(session, campaign=campaign)
    return evaluate(
        session,
        campaign=campaign,
        rules=loaded.rules,
        rules_hash=loaded.content_hash,
        rules_version=loaded.version,
        rules_origin=loaded.origin,
        as_of=as_of,
    )


def _ensure_stored(session: Session, evaluation: Evaluation, text: str) -> AwardRuleSet:
    stored = session.exec(
        select(AwardRuleSet).where(
            AwardRuleSet.campaign_id == evaluation.campaign_id, AwardRuleSet.content_hash == evaluation.rules_hash
        )
    ).first()
    if stored is not None:
        return stored
    campaign = session.get(Campaign, evaluation.campaign_id)
    assert campaign is not None
    ruleset, _ = import_rules(session, campaign=campaign, text=text, source="evaluation")
    return ruleset


def record_evaluation(
    session: Session, *, evaluation: Evaluation, rules_text: str, actor_id: uuid.UUID | None, at: datetime
) -> AwardRuleSet:
    """Store one :class:`AwardDecision` per evaluated entry under the rules' stored version (storing the rules
    first when they came from a file), and chain one ``award_decision`` entry that fixes the whole outcome.

    Decisions already made final are never changed; re-recording under the same version updates the others and
    keeps their nominations."""
    ruleset = _ensure_stored(session, evaluation, rules_text)
    existing = {
        (d.award, d.subject_id): d
        for d in session.exec(select(AwardDecision).where(AwardDecision.ruleset_id == ruleset.id)).all()
    }
    outcome = []
    for entry in evaluation.entries:
        criteria = [c.as_dict() for c in entry.criteria]
        decision = existing.get((entry.award, entry.subject.id))
        if decision is None:
            decision = AwardDecision(
                campaign_id=evaluation.campaign_id,
                ruleset_id=ruleset.id,
                award=entry.award,
                level=entry.level,
                subject_id=entry.subject.id,
                eligible=entry.eligible,
                nominated=entry.eligible and entry.within_quota,
            )
        elif decision.final:
            outcome.append([entry.award, str(entry.subject.id), decision.eligible, decision.rank])
            continue
        decision.eligible = entry.eligible
        decision.rank = entry.rank
        decision.criteria = criteria
        decision.decided_at = at
        decision.decided_by_id = actor_id
        if not entry.eligible:
            decision.nominated = False
        session.add(decision)
        outcome.append([entry.award, str(entry.subject.id), entry.eligible, entry.rank])
    session.flush()
    append_entry(
        session,
        kind=AWARD_DECISION,
        subject_id=ruleset.id,
        actor_id=actor_id,
        payload={
            "action": "evaluation",
            "campaign": evaluation.campaign_code,
            "ruleset_version": ruleset.version,
            "rules_hash": evaluation.rules_hash,
            "as_of": evaluation.as_of.isoformat(),
            "entries": len(outcome),
            "eligible": sum(1 for o in outcome if o[2]),
            "outcome_hash": hashlib.sha256(canonical_json(outcome).encode("utf-8")).hexdigest(),
        },
    )
    return ruleset


def decisions(session: Session, *, campaign_id: uuid.UUID, ruleset_id: uuid.UUID | None = None) -> list[AwardDecision]:
    """The stored decisions of the campaign's newest recorded rule version (or ``ruleset_id``)."""
    if ruleset_id is None:
        newest = session.exec(
            select(AwardRuleSet.id)
            .join(AwardDecision, col(AwardDecision.ruleset_id) == col(AwardRuleSet.id))
            .where(AwardRuleSet.campaign_id == campaign_id)
            .order_by(col(AwardRuleSet.version).desc())
            .limit(1)
        ).first()
        if newest is None:
            return []
        ruleset_id = newest
    return list(
        session.exec(
            select(AwardDecision)
            .where(AwardDecision.ruleset_id == ruleset_id)
            .order_by(col(AwardDecision.award), sa.func.coalesce(col(AwardDecision.rank), 1_000_000))
        ).all()
    )


def set_nominated(
    session: Session, *, decision_id: uuid.UUID, nominated: bool, actor_id: uuid.UUID | None, at: datetime
) -> AwardDecision:
    """Put a decision on (or take it off) the nomination list; only eligible, not yet final decisions."""
    decision = session.get(AwardDecision, decision_id)
    if decision is None:
        raise NotFoundError("E_AWARD_DECISION", t("awards.no_decision", "en", id=str(decision_id)))
    if decision.final:
        raise RuleViolation("E_AWARD_FINAL", t("awards.already_final", "en"))
    if nominated and not decision.eligible:
        raise RuleViolation("E_AWARD_NOT_ELIGIBLE", t("awards.not_eligible", "en"))
    decision.nominated = nominated
    decision.decided_at = at
    decision.decided_by_id = actor_id
    session.add(decision)
    session.flush()
    record_award_decision(session, decision=decision, actor_id=actor_id)
    return decision


def finalise(
    session: Session, *, ruleset_id: uuid.UUID, actor_id: uuid.UUID | None, at: datetime
) -> list[AwardDecision]:
    """Make the nominations of a rule version the final list (each chained); refused when nothing is nominated."""
    nominated = [
        d
        for d in session.exec(select(AwardDecision).where(AwardDecision.ruleset_id == ruleset_id)).all()
        if d.nominated and not d.final
    ]
    if not nominated:
        raise RuleViolation("E_AWARD_NOTHING_NOMINATED", t("awards.nothing_nominated", "en"))
    for decision in nominated:
        decision.final = True
        decision.decided_at = at
        decision.decided_by_id = actor_id
        session.add(decision)
        session.flush()
        record_award_decision(session, decision=decision, actor_id=actor_id)
    return nominated
