"""The payload printed in checkpoint and workshop QR labels, and recognised wherever keys are read.

Format (version 1)::

    INSP1:CP:<checkpoint code>:<check>     a checkpoint label
    INSP1:WS:<workshop code>:<check>       a workshop label (unit code + "/" + workshop code)

``<check>`` is the first 4 hex digits (upper case) of the CRC-32 of everything before it, so a partly typed or
mis-read scan is refused instead of opening the wrong place. Codes never contain ":".
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

PREFIX = "INSP1"
KINDS = {"CP": "checkpoint", "WS": "workshop"}
_PATTERN = re.compile(r"^INSP(?P<version>\d+):(?P<kind>[A-Z]{2}):(?P<code>[^:\s]{1,64}):(?P<check>[0-9A-Fa-f]{4})$")


class PayloadError(ValueError):
    """A scanned text that is not a valid label payload; the message says what is wrong."""


@dataclass(frozen=True)
class LabelPayload:
    """What a label points at."""

    kind: str  # "checkpoint" | "workshop"
    code: str


def _check(body: str) -> str:
    return f"{zlib.crc32(body.encode('utf-8')):08X}"[:4]


def encode_label(kind: str, code: str) -> str:
    """The payload text for a checkpoint (``kind="checkpoint"``) or workshop label."""
    short = {v: k for k, v in KINDS.items()}.get(kind)
    if short is None:
        raise ValueError(f"unknown label kind {kind!r}")
    if not code or ":" in code or any(ch.isspace() for ch in code):
        raise ValueError(f"code {code!r} cannot be put on a label (empty, or contains ':' or spaces)")
    body = f"{PREFIX}:{short}:{code}"
    return f"{body}:{_check(body)}"


def looks_like_label(text: str) -> bool:
    """Whether ``text`` claims to be a label payload (so the app treats it as a scan, valid or not)."""
    return text.strip().upper().startswith("INSP")


def decode_label(text: str) -> LabelPayload:
    """Parse a scanned payload; raises :class:`PayloadError` naming what is wrong."""
    text = text.strip()
    match = _PATTERN.match(text)
    if match is None:
        raise PayloadError(f"not an inspector label: {text[:60]!r}")
    if match["version"] != "1":
        raise PayloadError(f"label format version {match['version']} is newer than this app understands")
    kind = KINDS.get(match["kind"])
    if kind is None:
        raise PayloadError(f"unknown label type {match['kind']!r}")
    body = text[: text.rfind(":")]
    if _check(body) != match["check"].upper():
        raise PayloadError("the label's check digits do not match: scan it again")
    return LabelPayload(kind=kind, code=match["code"])
