"""Bundles: a device's pending changes in a signed file, for plants without any network.

The file is JSON (:class:`sync.protocol.Bundle`) with the evidence files inlined; its HMAC-SHA256 signature is
keyed by :func:`sync.protocol.bundle_key` of the device token's hash, which the server also holds, so the server
can tell the bundle comes from that device and was not altered on the USB stick.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import col, select

from inspector.errors import InspectorError
from inspector.models import OutboxEntry, utcnow
from inspector.models.enums import OutboxStatus
from inspector.store import Store
from sync.client.credentials import Credentials
from sync.client.engine import change_of, file_paths, sha256_file
from sync.protocol import AttachmentRef, Bundle, bundle_key, token_hash


def export_bundle(store: Store, credentials: Credentials, out: Path) -> int:
    """Write every pending change to ``out`` (atomically); returns how many. The outbox is not touched."""
    with store.session() as session:
        entries = list(
            session.exec(
                select(OutboxEntry).where(OutboxEntry.status == OutboxStatus.PENDING).order_by(col(OutboxEntry.seq))
            ).all()
        )
    changes = []
    files: dict[str, str] = {}
    for entry in entries:
        refs = []
        for raw in file_paths(entry.entity, entry.payload):
            path = Path(raw).expanduser()
            if path.is_file():
                sha = sha256_file(path)
                files.setdefault(sha, base64.b64encode(path.read_bytes()).decode("ascii"))
                refs.append(AttachmentRef(sha256=sha, size=path.stat().st_size, path=raw))
        changes.append(change_of(entry, refs))
    bundle = Bundle(device_id=credentials.device_id, created_at=utcnow(), changes=changes, attachments=files)
    key = bundle_key(token_hash(credentials.token))
    bundle.signature = hmac.new(key, bundle.signed_body(), hashlib.sha256).hexdigest()
    out = Path(out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(bundle.model_dump_json())
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(out)
    return len(changes)


def read_bundle(path: Path) -> Bundle:
    """Read a bundle file, failing with a message that names the file and the problem."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
        return Bundle.model_validate_json(text)
    except OSError as exc:
        raise InspectorError("E_BUNDLE_READ", f"The bundle {path} cannot be read: {exc.strerror}.") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "file"
        raise InspectorError(
            "E_BUNDLE_READ", f"{path} is not an inspector bundle ({where}: {first.get('msg')})."
        ) from exc
    except UnicodeDecodeError as exc:
        raise InspectorError("E_BUNDLE_READ", f"{path} is not an inspector bundle (not text).") from exc
