"""The signed content of an inspection and its hash (what a receipt and the audit chain vouch for)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import Session, col, select

from inspector.audit import canonical_json
from inspector.models import Answer, Finding, Inspection, TemplateItem


def inspection_content(session: Session, inspection: Inspection) -> dict[str, Any]:
    """Everything a signature covers: who, what, every answer, every finding, the score and the rule versions."""
    answers = session.exec(
        select(Answer, TemplateItem.code)
        .join(TemplateItem, col(TemplateItem.id) == col(Answer.item_id))
        .where(Answer.inspection_id == inspection.id)
    ).all()
    findings = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).all()
    return {
        "id": str(inspection.id),
        "campaign_id": str(inspection.campaign_id),
        "template_version_id": str(inspection.template_version_id),
        "workshop_id": str(inspection.workshop_id),
        "checkpoint_id": str(inspection.checkpoint_id) if inspection.checkpoint_id else None,
        "team_id": str(inspection.team_id) if inspection.team_id else None,
        "inspector_id": str(inspection.inspector_id),
        "acknowledged_by_id": str(inspection.acknowledged_by_id) if inspection.acknowledged_by_id else None,
        "amends_id": str(inspection.amends_id) if inspection.amends_id else None,
        "amendment_reason": inspection.amendment_reason,
        "score": {
            "earned": inspection.score_earned,
            "possible": inspection.score_possible,
            "percent": inspection.score_percent,
            "grade": inspection.grade,
            "vetoed": inspection.vetoed,
            "rule_version": inspection.rule_version,
        },
        "answers": sorted(
            (
                {
                    "item": code,
                    "choice": a.choice,
                    "score": a.score,
                    "measurement": a.measurement,
                    "text": a.text,
                    "photo_path": a.photo_path,
                    "occurrences": a.occurrences,
                    "note": a.note,
                }
                for a, code in answers
            ),
            key=lambda row: str(row["item"]),
        ),
        "findings": sorted(
            (
                {
                    "id": str(f.id),
                    "grade": f.grade,
                    "description": f.description,
                    "team_id": str(f.team_id) if f.team_id else None,
                    "deadline": f.deadline.isoformat(),
                    "photo_paths": list(f.photo_paths),
                }
                for f in findings
            ),
            key=lambda row: str(row["id"]),
        ),
    }


def inspection_hash(session: Session, inspection: Inspection) -> str:
    """SHA-256 of :func:`inspection_content`."""
    return hashlib.sha256(canonical_json(inspection_content(session, inspection)).encode("utf-8")).hexdigest()
