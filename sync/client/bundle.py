"""Bundles: a device's pending changes in a signed file, for plants without any network.

The file is JSON (:class:`sync.protocol.Bundle`, format 2) with the evidence files inlined, signed with this
laptop's own Ed25519 key (:mod:`sync.bundle_signature`): the server and supervisors' laptops check it with the
public key the laptop registered, so they can tell the bundle comes from that device and was not altered on the
USB stick, and none of them can sign one in its name. Format 1 bundles (HMAC keyed from the token) are still read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError
from sqlmodel import col, select

from inspector.errors import InspectorError
from inspector.file_errors import os_reason
from inspector.models import SCHEMA_VERSION, OutboxEntry, utcnow
from inspector.models.enums import OutboxStatus
from inspector.output_file import replacing
from inspector.store import Store
from sync import bundle_signature
from sync.client.credentials import Credentials
from sync.client.engine import change_of, file_paths, sha256_file
from sync.protocol import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_NAME,
    BUNDLE_FORMAT_VERSION,
    AttachmentRef,
    Bundle,
    token_hash,
)

#: The largest bundle file read (evidence photos are inlined, so a month offline can reach hundreds of MiB);
#: anything larger is the wrong file (a video, a disk image) and is refused before it fills the memory.
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def export_bundle(store: Store, credentials: Credentials, out: Path) -> int:
    """Write every pending change to ``out`` (atomically); returns how many. The outbox is not touched.

    ``credentials`` must carry this laptop's signing key (:func:`sync.client.credentials.with_signing_key`).
    A failed write (a full disk, a USB stick pulled out) raises :class:`OSError` naming ``out`` and leaves no
    half-written file behind; an older bundle at ``out`` stays as it was."""
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir() and not out.is_file():  # /dev/…, a pipe: never replaced by a bundle
        raise InspectorError(
            "E_BUNDLE_WRITE",
            f"The bundle cannot be written to {out}: it is not a regular file (a device or a pipe). Nothing was "
            "exported.",
            f"无法将离线包写入 {out}：这不是普通文件（设备或管道）。未导出任何内容。",
        )
    if not credentials.signing_key:
        raise InspectorError(
            "E_SYNC_NO_KEY",
            "This laptop has no bundle signing key yet; nothing was exported. Run `inspector sync export` again.",
            "本机尚无离线包签名密钥，未导出任何内容。请重新运行 inspector sync export。",
        )
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
    bundle = sign_bundle(
        Bundle(
            device_id=credentials.device_id,
            created_at=utcnow(),
            changes=changes,
            attachments=files,
            group=credentials.group,
        ),
        credentials,
    )
    text = bundle.model_dump_json()
    with replacing(out) as temporary:  # flushed to disk and renamed over ``out`` only once complete
        temporary.write_text(text, encoding="utf-8")
    return len(changes)


def sign_bundle(bundle: Bundle, credentials: Credentials) -> Bundle:
    """``bundle`` signed (format 2) with this laptop's key, naming the key and carrying its proof for the server."""
    public = credentials.public_key
    signed = bundle.model_copy(
        update={
            "format": BUNDLE_FORMAT,
            "key_id": bundle_signature.key_id(public),
            "public_key": public,
            "key_proof": bundle_signature.key_proof(token_hash(credentials.token), credentials.device_id, public),
            "signature": "",
        }
    )
    signed.signature = bundle_signature.sign(credentials.signing_key, signed.signed_body())
    return signed


class BundleFile(NamedTuple):
    """A bundle file as read, once: what it holds, the SHA-256 of its bytes and its text (those same bytes)."""

    bundle: Bundle
    sha256: str
    text: str


def read_bundle(path: Path) -> Bundle:
    """Read a bundle file, failing with a message (English and Chinese) that names the file and the problem."""
    return read_bundle_file(path).bundle


def read_bundle_file(path: Path) -> BundleFile:
    """The bundle in ``path``, the SHA-256 of the file and its text, all from one read of the file (so what is
    checked, what is kept and the hash it is kept under cannot come from two versions of a file being replaced).

    A file cut short (a USB stick pulled while copying), a file that is not a bundle, and a bundle written by a
    newer inspector each fail with their own clear message; nothing is read from them.
    """
    path = Path(path).expanduser()
    raw = _bundle_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(path, "it is not a bundle (not text)", "不是离线包（不是文本文件）") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith('{"format":"' + BUNDLE_FORMAT_NAME):
            raise InspectorError(
                "E_BUNDLE_TRUNCATED",
                f"The bundle {path} is incomplete: it stops after {len(raw)} bytes (was the USB stick removed while "
                "copying?). Copy it again from the inspector's laptop; nothing was imported.",
                f"离线包 {path} 不完整：文件在第 {len(raw)} 字节处中断（复制时是否拔出了U盘？）。"
                "请从检查员的笔记本重新复制；未导入任何内容。",
            ) from exc
        raise _unreadable(
            path, "it is not an inspector bundle (not JSON)", "不是 inspector 离线包（不是 JSON）"
        ) from exc
    fmt = data.get("format") if isinstance(data, dict) else None
    name, _, number = str(fmt).partition("/")
    if not isinstance(fmt, str) or name != BUNDLE_FORMAT_NAME or not number.isdigit():
        raise _unreadable(path, "it is not an inspector bundle", "不是 inspector 离线包")
    if int(number) > BUNDLE_FORMAT_VERSION:
        raise InspectorError(
            "E_BUNDLE_FORMAT",
            f"The bundle {path} was written by a newer version of inspector (format {fmt}; this one reads "
            f"{BUNDLE_FORMAT}). Update inspector on this laptop; nothing was imported.",
            f"离线包 {path} 由更新版本的 inspector 写出（格式 {fmt}，本机只能读取 {BUNDLE_FORMAT}）。"
            "请先升级本机的 inspector；未导入任何内容。",
        )
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "file"
        raise _unreadable(
            path,
            f"it is not an inspector bundle ({where}: {first.get('msg')})",
            f"不是有效的 inspector 离线包（{where}：{first.get('msg')}）",
        ) from exc
    newest = max((c.schema_version for c in bundle.changes), default=1)
    if newest > SCHEMA_VERSION:
        raise InspectorError(
            "E_SCHEMA_TOO_NEW",
            f"The bundle {path} holds records in data format {newest}; this inspector knows up to {SCHEMA_VERSION}. "
            "Update inspector on this laptop; nothing was imported.",
            f"离线包 {path} 中的记录为数据格式 {newest}，本机的 inspector 只支持到 {SCHEMA_VERSION}。"
            "请先升级本机的 inspector；未导入任何内容。",
        )
    return BundleFile(bundle, digest, text)


def _bundle_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is not a regular file or is too large before reading it all."""
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):  # a folder; /dev/zero or a pipe: reading never ends
            if stat.S_ISDIR(found.st_mode):
                raise _unreadable(path, "it is a folder, not a file", "这是一个文件夹，不是文件")
            raise _unreadable(path, "it is not a regular file (a device or a pipe)", "这不是普通文件（设备或管道）")
        raw = b""
        if found.st_size <= MAX_BUNDLE_BYTES:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BUNDLE_BYTES + 1)  # a file still growing is cut here, not read to the end
    except OSError as exc:  # missing, no permission, a USB stick pulled out: in each language
        raise _unreadable(path, os_reason(exc, "en"), os_reason(exc, "zh")) from exc
    if found.st_size > MAX_BUNDLE_BYTES or len(raw) > MAX_BUNDLE_BYTES:
        limit = MAX_BUNDLE_BYTES // (1024 * 1024)
        raise _unreadable(
            path,
            f"it is larger than {limit} MiB, too large for a bundle (is it the right file?)",
            f"文件超过 {limit} MiB，不像是离线包（是否选错了文件？）",
        )
    return raw


def _unreadable(path: Path, en: str, zh: str) -> InspectorError:
    return InspectorError(
        "E_BUNDLE_READ",
        f"The bundle {path} cannot be read: {en}. Nothing was imported.",
        f"离线包 {path} 无法读取：{zh}。未导入任何内容。",
    )
