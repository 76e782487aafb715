"""The inspection receipt: a short text (shown as a QR code after sign-off) that vouches for what was signed.

Format (version 1)::

    INSR1:<inspection id>:<content hash>:<signer code>:<check>

``<inspection id>`` is the inspection's UUID and ``<content hash>`` the first 128 bits of its SHA-256 content hash
(:func:`inspector.signing.inspection_hash`; a hash made in a legacy content format is accepted where it still matches,
:func:`inspector.signing.check_content`), both in RFC 4648 base32 without padding (26 characters each), so the
whole text stays in the QR code's compact alphanumeric mode. ``<signer code>`` is the inspector's roster code and
``<check>`` the first 4 hex digits of the CRC-32 of everything before it, so a mistyped receipt is refused rather
than reported as tampered. About 75 characters: a version-3 QR code (29×29 modules) at error correction L fits a
80×24 terminal in half-block characters.
"""

from __future__ import annotations

import base64
import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime

import qrcode
import qrcode.constants
from sqlmodel import Session

from inspector.models import Inspection, InspectionStatus, Person
from inspector.reports.errors import ReportError
from inspector.signing import check_content

PREFIX = "INSR"
VERSION = 1
#: Bytes of the SHA-256 content hash a receipt carries (128 bits: forging a match is out of reach).
HASH_BYTES = 16
_PATTERN = re.compile(
    r"^INSR(?P<version>\d+):(?P<id>[A-Z2-7]{26}):(?P<hash>[A-Z2-7]{26}):(?P<signer>[^:\s]{1,64}):(?P<check>[0-9A-F]{4})$"
)

# What verification found.
MATCH = "match"
CONTENT_CHANGED = "content_changed"
STORED_HASH_CHANGED = "stored_hash_changed"
SIGNER_DIFFERS = "signer_differs"
NOT_FOUND = "not_found"
NOT_SIGNED = "not_signed"


class ReceiptError(ReportError):
    """A text that is not a valid receipt; the message says what is wrong."""


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _check(body: str) -> str:
    return f"{zlib.crc32(body.encode('utf-8')):08X}"[:4]


@dataclass(frozen=True)
class Receipt:
    """What a receipt says."""

    inspection_id: uuid.UUID
    #: The receipt's share of the content hash, as lower-case hex (32 digits).
    hash_prefix: str
    signer_code: str

    def text(self) -> str:
        """The receipt text (what the QR code encodes)."""
        body = ":".join(
            (
                f"{PREFIX}{VERSION}",
                _b32(self.inspection_id.bytes),
                _b32(bytes.fromhex(self.hash_prefix)),
                self.signer_code,
            )
        )
        return f"{body}:{_check(body)}"


def make_receipt(inspection_id: uuid.UUID, content_hash: str, signer_code: str) -> Receipt:
    """The receipt of a signed inspection (``content_hash``: the 64-hex-digit SHA-256)."""
    if len(content_hash) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in content_hash):
        raise ValueError(f"content hash {content_hash!r} is not a SHA-256 hex digest")
    if not signer_code or ":" in signer_code or any(ch.isspace() for ch in signer_code):
        raise ValueError(f"signer code {signer_code!r} cannot go on a receipt (empty, or contains ':' or spaces)")
    return Receipt(inspection_id, content_hash[: HASH_BYTES * 2].lower(), signer_code)


def receipt_for(session: Session, inspection: Inspection) -> Receipt:
    """The receipt of a signed inspection, from its stored hash and its inspector's code."""
    if inspection.status != InspectionStatus.SIGNED or not inspection.content_hash:
        raise ReceiptError("E_RECEIPT_UNSIGNED", "receipt.not_signed", id=inspection.id)
    signer = session.get(Person, inspection.inspector_id)
    code = signer.code if signer is not None else str(inspection.inspector_id)
    return make_receipt(inspection.id, inspection.content_hash, code)


def parse_receipt(text: str) -> Receipt:
    """Read a receipt text; raises :class:`ReceiptError` naming what is wrong."""
    cleaned = text.strip()
    match = _PATTERN.match(cleaned)
    if match is None:
        version = re.match(r"^INSR(\d+):", cleaned)
        if version is not None and int(version[1]) > VERSION:
            raise ReceiptError("E_RECEIPT_VERSION", "receipt.error.E_RECEIPT_VERSION", version=version[1])
        raise ReceiptError("E_RECEIPT_FORMAT", "receipt.error.E_RECEIPT_FORMAT", text=repr(cleaned[:80]))
    if int(match["version"]) != VERSION:
        raise ReceiptError("E_RECEIPT_VERSION", "receipt.error.E_RECEIPT_VERSION", version=match["version"])
    if _check(cleaned[: cleaned.rfind(":")]) != match["check"]:
        raise ReceiptError("E_RECEIPT_CHECK", "receipt.error.E_RECEIPT_CHECK")
    try:
        inspection_id = uuid.UUID(bytes=_unb32(match["id"]))
        digest = _unb32(match["hash"])
    except ValueError as exc:
        raise ReceiptError("E_RECEIPT_FORMAT", "receipt.error.E_RECEIPT_FORMAT", text=repr(cleaned[:80])) from exc
    if len(digest) != HASH_BYTES:
        raise ReceiptError("E_RECEIPT_FORMAT", "receipt.error.E_RECEIPT_FORMAT", text=repr(cleaned[:80]))
    return Receipt(inspection_id, digest.hex(), match["signer"])


@dataclass(frozen=True)
class ReceiptCheck:
    """What :func:`verify_receipt` found, with the hashes it compared."""

    status: str
    receipt: Receipt
    #: The stored hash and the one recomputed from the rows now (``None`` when there is no signed inspection).
    stored_hash: str | None = None
    current_hash: str | None = None
    signer_code: str | None = None
    signed_at: datetime | None = None
    score_percent: float | None = None
    grade: str | None = None
    superseded_by_id: uuid.UUID | None = None

    @property
    def matches(self) -> bool:
        return self.status == MATCH


def verify_receipt(session: Session, text: str) -> ReceiptCheck:
    """Whether the stored inspection still is what the receipt vouches for.

    Recomputes the content hash from the inspection's rows now and compares it, and the stored ``content_hash``,
    with the receipt's; also checks who signed. Raises :class:`ReceiptError` for a text that is not a receipt.
    """
    receipt = parse_receipt(text)
    inspection = session.get(Inspection, receipt.inspection_id)
    if inspection is None:
        return ReceiptCheck(NOT_FOUND, receipt)
    signer = session.get(Person, inspection.inspector_id)
    signer_code = signer.code if signer is not None else str(inspection.inspector_id)
    if inspection.status != InspectionStatus.SIGNED or not inspection.content_hash:
        return ReceiptCheck(NOT_SIGNED, receipt, signer_code=signer_code)
    wanted = receipt.hash_prefix
    content = check_content(session, inspection, wanted, prefix=True)
    current = content.current_hash
    stored = inspection.content_hash
    if not content.matches:
        status = CONTENT_CHANGED
    elif not stored.lower().startswith(wanted):
        status = STORED_HASH_CHANGED
    elif signer_code != receipt.signer_code:
        status = SIGNER_DIFFERS
    else:
        status = MATCH
    return ReceiptCheck(
        status,
        receipt,
        stored_hash=stored,
        current_hash=current,
        signer_code=signer_code,
        signed_at=inspection.signed_at,
        score_percent=inspection.score_percent,
        grade=inspection.grade,
        superseded_by_id=inspection.superseded_by_id,
    )


def qr_matrix(
    text: str, *, border: int = 2, error_correction: int = qrcode.constants.ERROR_CORRECT_L
) -> list[list[bool]]:
    """The QR code of ``text`` as rows of modules (``True`` = dark), with a quiet zone of ``border`` modules.

    Receipts use error correction L and a 2-module quiet zone so they fit a terminal; printed labels use more.
    """
    code = qrcode.QRCode(error_correction=error_correction, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


@dataclass(frozen=True)
class ReceiptView:
    """What the receipt dialog shows after sign-off: the receipt text and who/what/when, in both languages."""

    text: str
    inspection_id: uuid.UUID
    place_zh: str
    place_en: str
    signer_zh: str
    signer_en: str
    signer_code: str
    signed_at: datetime | None
    score_percent: float | None
    grade: str | None
    hash_prefix: str


def receipt_view(session: Session, inspection_id: uuid.UUID) -> ReceiptView:
    """The receipt of a signed inspection with the names the dialog shows; :class:`ReceiptError` if unsigned."""
    from inspector.models import Checkpoint, Workshop

    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ReceiptError("E_RECEIPT_UNKNOWN", "receipt.not_found", id=inspection_id)
    receipt = receipt_for(session, inspection)
    place: Checkpoint | Workshop | None = (
        session.get(Checkpoint, inspection.checkpoint_id) if inspection.checkpoint_id else None
    ) or session.get(Workshop, inspection.workshop_id)
    signer = session.get(Person, inspection.inspector_id)
    code = f" {place.code}" if isinstance(place, Checkpoint) else ""
    return ReceiptView(
        text=receipt.text(),
        inspection_id=inspection.id,
        place_zh=(place.name_zh if place else "") + code,
        place_en=((place.name_en or place.name_zh) if place else "") + code,
        signer_zh=signer.name_zh if signer else receipt.signer_code,
        signer_en=(signer.name_en or signer.name_zh) if signer else receipt.signer_code,
        signer_code=receipt.signer_code,
        signed_at=inspection.signed_at,
        score_percent=inspection.score_percent,
        grade=inspection.grade,
        hash_prefix=receipt.hash_prefix,
    )
