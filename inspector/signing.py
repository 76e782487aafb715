"""The signed content of an inspection and its hash (what a receipt and the audit chain vouch for).

Content formats (the hash does not say which one it was made with; :func:`check_content` tries them newest first):

* **2** (current): an evidence photo (``Answer.photo_path``, ``Finding.photo_paths``) is hashed by the SHA-256 of
  its bytes (``"sha256:<hex>"``), so the signature covers what the photo shows, and the same inspection hashes the
  same on every laptop, whatever path its copy of the photo has (a pull stores photos under ``attachments/``). A
  photo that cannot be read is hashed as ``"missing:<path>"``: the hash then differs, and the record is reported as
  changed (the evidence it was signed with is gone).
* **1** (legacy, signed before format 2): photos by the path written in the record. Still accepted where it
  matches, so no existing signature stops verifying; it never covered the photos' bytes.

An inspection without photos has the same content, hence the same hash, in both formats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inspector.audit import canonical_json
from inspector.models import Answer, Finding, Inspection, TemplateItem

#: The content format :func:`inspection_hash` makes.
CONTENT_FORMAT = 2
#: Formats a stored hash may have been made with, newest first.
CONTENT_FORMATS = (2, 1)
#: How a photo appears in format 2.
PHOTO_DIGEST_PREFIX = "sha256:"
PHOTO_MISSING_PREFIX = "missing:"
_READ = 1024 * 1024

#: What a photo field's path becomes in the hashed content.
PhotoValue = Callable[[str], str]


def photo_digest(path: str) -> str:
    """A photo as format 2 hashes it: ``sha256:<hex of its bytes>``, or ``missing:<path>`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with Path(path).expanduser().open("rb") as handle:
            while chunk := handle.read(_READ):
                digest.update(chunk)
    except OSError:
        return PHOTO_MISSING_PREFIX + path
    return PHOTO_DIGEST_PREFIX + digest.hexdigest()


def _as_written(path: str) -> str:
    return path


def _photo_value(content_format: int) -> PhotoValue:
    if content_format == 2:
        return photo_digest
    if content_format == 1:
        return _as_written
    raise ValueError(f"unknown inspection content format {content_format!r} (known: {CONTENT_FORMATS})")


def inspection_content(
    session: Session,
    inspection: Inspection,
    *,
    content_format: int = CONTENT_FORMAT,
    photo: PhotoValue | None = None,
) -> dict[str, Any]:
    """Everything a signature covers: who, what, every answer, every finding, the score and the rule versions.

    ``photo`` overrides how a photo path is turned into its hashed value (format 2 reads the file; a checker that
    knows a photo's SHA-256 otherwise, e.g. from an attachment reference, may supply it as ``sha256:<hex>``).
    """
    value = photo if photo is not None else _photo_value(content_format)

    def one(path: Any) -> Any:
        return value(path) if isinstance(path, str) and path else path

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
                    "photo_path": one(a.photo_path),
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
                    "photo_paths": [one(p) for p in f.photo_paths],
                }
                for f in findings
            ),
            key=lambda row: str(row["id"]),
        ),
    }


def content_hash_of(content: dict[str, Any]) -> str:
    """SHA-256 of an inspection's content (:func:`inspection_content`) in canonical JSON."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def inspection_hash(session: Session, inspection: Inspection, *, content_format: int = CONTENT_FORMAT) -> str:
    """SHA-256 of :func:`inspection_content` in ``content_format`` (the current one unless told)."""
    return content_hash_of(inspection_content(session, inspection, content_format=content_format))


@dataclass(frozen=True)
class ContentCheck:
    """Whether an inspection's rows still hash to an expected hash, and in which content format."""

    matches: bool
    #: The hash recomputed now: in the format that matched, else in the current format.
    current_hash: str
    #: The format that matched (``None``: none did).
    content_format: int | None


def check_content(
    session: Session, inspection: Inspection, expected: str | None, *, prefix: bool = False
) -> ContentCheck:
    """Recompute the inspection's hash in each known format, newest first, until one equals ``expected``
    (``prefix``: ``expected`` is a leading part of the hash, as a receipt carries). The legacy format is tried
    only when the current one does not match, and only on the rows as they are now, so it accepts exactly the
    signatures it accepted before."""
    wanted = (expected or "").lower()
    current = ""
    for content_format in CONTENT_FORMATS:
        found = inspection_hash(session, inspection, content_format=content_format)
        current = current or found
        if wanted and (found.startswith(wanted) if prefix else found == wanted):
            return ContentCheck(True, found, content_format)
    return ContentCheck(False, current, None)
