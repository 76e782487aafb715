"""The sync protocol: every payload exchanged between a laptop and the server, defined once for both sides.

A device pushes ordered batches of :class:`Change` (client-made ids, per-device ``seq``, the ``base_version`` the
change was made from, the ``schema_version`` of its payload) and receives one :class:`ChangeResult` per change.
It pulls :class:`PulledRecord` pages after an opaque cursor. See ``docs/sync.md``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from inspector.audit import canonical_json

#: :func:`inspector.audit.canonical_json` (sorted keys, no spaces, UTF-8 kept) as one reusable encoder, for hashing
#: on the server's hot path: ``json.dumps`` with options builds a new encoder on every call, which costs more than
#: the hashing itself. The same text, so the same hashes.
CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

#: Newest payload schema the server understands (older ones are upgraded, newer ones refused with a clear error).
PROTOCOL_SCHEMA_VERSION = 1
#: What ``/health`` answers in ``service``: anything else (a captive portal, a wrong URL) means "offline".
SERVICE_NAME = "inspector-sync"
#: Changes per push request the server accepts.
MAX_BATCH = 2000
#: Changes per logged batch (``POST /push/log``) the server accepts; it applies them MAX_BATCH at a time.
MAX_LOG_BATCH = 10000
#: Records per pull page the server returns at most.
MAX_PAGE = 5000
#: Header of ``GET /conflicts``: how many received changes the server is still applying (they may add conflicts).
CHANGES_WAITING_HEADER = "Inspector-Changes-Waiting"
#: Size of one attachment upload chunk the server accepts at most.
MAX_CHUNK = 4 * 1024 * 1024
#: The bundle file format this code writes and reads; a higher number is a newer format it cannot read.
#: Format 2 is signed with the laptop's own Ed25519 key; format 1 (HMAC keyed from the token) only the server checks.
BUNDLE_FORMAT_NAME = "inspector-bundle"
BUNDLE_FORMAT_VERSION = 2
BUNDLE_FORMAT = f"{BUNDLE_FORMAT_NAME}/{BUNDLE_FORMAT_VERSION}"
LEGACY_BUNDLE_FORMAT = f"{BUNDLE_FORMAT_NAME}/1"
#: In place of a file's content in a bundle sent to the server: the file was uploaded ahead (``PUT /attachments``),
#: so a bundle with many photos fits a request; the server puts the content back to check the signature.
DETACHED = ""


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class ChangeStatus(StrEnum):
    """What became of one pushed change."""

    APPLIED = "applied"  # stored, new server version in ``version``
    DUPLICATE = "duplicate"  # already applied earlier (a retry): the original result is repeated
    CONFLICT = "conflict"  # kept for a supervisor to settle; the server value stands for now
    REJECTED = "rejected"  # can never succeed (forbidden, invalid, signed-off); acknowledged so nothing blocks


class DeviceRole(StrEnum):
    INSPECTOR = "inspector"
    TEAM_LEADER = "team_leader"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentRef(Wire):
    """A file a record refers to, by content."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    #: The path as written in the record on the device that made it.
    path: str = Field(max_length=1000)


class Change(Wire):
    """One local change from a device's outbox."""

    change_id: uuid.UUID
    seq: int = Field(ge=1, description="The device's own change number: 1, 2, 3…")
    entity: str = Field(max_length=64)
    entity_id: uuid.UUID
    op: Op
    payload: dict[str, Any] = Field(default_factory=dict)
    base_version: int | None = Field(default=None, ge=0)
    schema_version: int = Field(ge=1)
    made_at: datetime | None = Field(default=None, description="Device clock: shown to people, never decides.")
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=100)

    def body_hash(self) -> str:
        """What identifies this change's content: a re-sent change must hash the same."""
        body = {
            "entity": self.entity,
            "entity_id": str(self.entity_id),
            "op": self.op.value,
            "payload": self.payload,
            "base_version": self.base_version,
        }
        return hashlib.sha256(CANONICAL_ENCODER.encode(body).encode("utf-8")).hexdigest()


class PushRequest(Wire):
    changes: list[Change] = Field(max_length=MAX_BATCH)


class ChangeResult(Wire):
    change_id: uuid.UUID
    seq: int
    status: ChangeStatus
    version: int | None = None
    code: str | None = None
    message: str = ""
    conflict_id: uuid.UUID | None = None


class PushResponse(Wire):
    results: list[ChangeResult]
    last_seq: int = Field(description="The highest change number of this device the server has applied.")


class LoggedBatch(Wire):
    """The body of ``POST /push/log``: the same changes as a push, up to :data:`MAX_LOG_BATCH` of them."""

    changes: list[Change] = Field(max_length=MAX_LOG_BATCH)


class PushReceipt(Wire):
    """``POST /push/log``: the batch is stored durably as received; its changes are applied afterwards, in order."""

    status: str = Field(default="received", description="Always 'received': stored, to be applied in order.")
    first_seq: int
    last_seq: int
    duplicate: bool = Field(description="The same batch had been received before (a retry): stored once.")
    received_seq: int = Field(description="The highest change number of this device the server has received.")


class PushFailure(Wire):
    """Logged changes the server could not judge one by one: an unreadable batch, or a change the server failed on."""

    first_seq: int
    last_seq: int
    code: str
    message: str


class PushOutcomes(Wire):
    """``GET /push/outcomes``: what became of this device's changes numbered after ``after``, in order."""

    results: list[ChangeResult]
    failures: list[PushFailure] = Field(default_factory=list)
    more: bool = Field(description="More results follow: ask again after the last one's seq.")
    pending: bool = Field(description="Batches of this device are still waiting to be applied.")


class PulledRecord(Wire):
    entity: str
    id: uuid.UUID
    version: int
    deleted: bool
    payload: dict[str, Any]
    attachments: list[AttachmentRef] = Field(default_factory=list)


class PullResponse(Wire):
    records: list[PulledRecord]
    cursor: str = Field(description="Opaque: store it with the page, send it back unchanged.")
    more: bool
    epoch: str
    high_water: int = Field(default=0, description="The server-wide change sequence committed when the page was read.")


class Health(Wire):
    service: str
    epoch: str
    version: str
    schema_version: int
    high_water: int = Field(description="The server-wide change sequence already committed.")
    time: datetime


class EnrollRequest(Wire):
    code: str = Field(min_length=4, max_length=64)
    device_label: str = Field(default="", max_length=200)
    #: The laptop's Ed25519 public key (base64 of 32 bytes) its bundles are signed with; absent from old clients.
    public_key: str | None = Field(default=None, max_length=64)


class PublicKeyRequest(Wire):
    """``PUT /devices/me/public-key``: a laptop enrolled before keys existed registers its own (once per device)."""

    public_key: str = Field(max_length=64, description="Ed25519 public key, base64 of its 32 raw bytes.")


class RegisteredKey(Wire):
    """The public key the server holds for a device."""

    device_id: uuid.UUID
    key_id: str = Field(description="SHA-256 of the raw public key, hex: the id bundles name their key by.")
    public_key: str


class DeviceToken(Wire):
    """Shown once: the server keeps only its hash."""

    device_id: uuid.UUID
    token: str
    name: str
    role: DeviceRole
    person_code: str | None
    expires_at: datetime
    epoch: str
    #: The group's server: it never changes (not even on a restore), so a bundle tells which group it belongs to.
    group: str = ""


class DeviceInfo(Wire):
    device_id: uuid.UUID
    name: str
    role: DeviceRole
    person_code: str | None
    enrolled: bool
    revoked: bool
    expires_at: datetime | None
    last_seq: int
    last_seen_at: datetime | None


class AttachmentStatus(Wire):
    sha256: str
    size: int
    received: int
    complete: bool


class ConflictOut(Wire):
    """A kept conflict: both values, who and when, for a supervisor to settle."""

    id: uuid.UUID
    entity: str
    record_id: uuid.UUID
    status: str
    base_version: int | None
    server_version: int
    server_payload: dict[str, Any]
    device_payload: dict[str, Any]
    device_name: str
    person_code: str | None
    made_at: datetime | None
    received_at: datetime
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class Resolution(StrEnum):
    KEEP_SERVER = "keep_server"
    TAKE_DEVICE = "take_device"
    MERGED = "merged"


class ResolveRequest(Wire):
    resolution: Resolution
    payload: dict[str, Any] | None = Field(default=None, description="The merged value (resolution 'merged').")


class ResolveResponse(Wire):
    conflict_id: uuid.UUID
    version: int


class Bundle(Wire):
    """Pending changes of one device written to a file for a plant without network (see docs/sync.md)."""

    format: str = BUNDLE_FORMAT
    device_id: uuid.UUID
    created_at: datetime
    changes: list[Change]
    #: sha256 → file content, base64.
    attachments: dict[str, str] = Field(default_factory=dict)
    #: The group (server) the device is enrolled with; empty in bundles of devices enrolled before groups had ids.
    group: str = ""
    #: Format 2: the id (SHA-256, hex) and the value (base64) of the device's Ed25519 public key that signed it.
    key_id: str = ""
    public_key: str = ""
    #: Format 2: HMAC keyed from the device token over the device id and ``public_key`` (see
    #: :mod:`sync.bundle_signature`): lets the server register the key of a laptop that has not done so itself.
    key_proof: str = ""
    #: Format 2: Ed25519 signature (base64) of :meth:`signed_body`; format 1: HMAC-SHA256 (hex) keyed from the token.
    signature: str = ""

    def signed_body(self) -> bytes:
        """The canonical JSON of everything but the signature (what the signature covers)."""
        data = self.model_dump(mode="json", exclude={"signature"})
        for name in ("group", "key_id", "public_key", "key_proof"):
            if not data.get(name):
                data.pop(name, None)  # bundles written before the field existed still verify
        return canonical_json(data).encode("utf-8")

    @property
    def format_version(self) -> int:
        """The number after the slash of ``format`` (0 when it is not a bundle format)."""
        name, _, number = self.format.partition("/")
        # isdigit() alone lets "²" or "٣" through to int(): a ValueError (a 500), not a refusal.
        ok = name == BUNDLE_FORMAT_NAME and number.isascii() and number.isdecimal()
        return int(number) if ok else 0


class BundleKey(Wire):
    """What a supervisor's laptop needs to check one device's bundles without the server: public data only."""

    device_id: uuid.UUID
    name: str
    role: DeviceRole
    person_code: str | None
    #: The device's Ed25519 public key (base64) and its id; ``None`` until the device registered one.
    public_key: str | None = None
    key_id: str | None = None
    revoked: bool


class BundleKeys(Wire):
    """Every enrolled device's public bundle key, for supervisors' laptops (``GET /devices/bundle-keys``)."""

    group: str
    devices: list[BundleKey]


class BundleResult(Wire):
    device_id: uuid.UUID
    results: list[ChangeResult]


class ErrorBody(Wire):
    """Every error the server answers: a stable code and a message a person can act on. Never a stack trace."""

    code: str
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


def bundle_key(token_hash: str) -> bytes:
    """The HMAC key of format 1 bundles and key proofs, derived from the stored hash of a device's token.

    Only the server uses it now: it is no secret from anyone who can read the server's database."""
    return hashlib.sha256(("inspector-bundle/1:" + token_hash).encode("ascii")).digest()


def token_hash(token: str) -> str:
    """How a device token is stored on the server (SHA-256; tokens carry 256 random bits, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
