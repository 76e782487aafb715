"""How bundles are signed: each laptop's own Ed25519 key (format 2), and the token-derived HMAC of format 1.

A laptop makes its key pair when it enrols (or, enrolled before keys existed, at its next sync or export) and
keeps the private half beside its device token; the server stores the public half on the device's row and hands
only public halves to supervisors' laptops. So nobody but the laptop itself can sign a bundle in its name.

Format 1 bundles (written before this) are signed with HMAC-SHA256 keyed by :func:`sync.protocol.bundle_key` of
the token's stored hash, which the server (and, back then, supervisors' laptops) could derive. Only the server checks
them now, and only for a device that has not registered a key of its own. A format 2 bundle of such a device also
carries its public key with a *key proof*: an HMAC over the device id and the public key, keyed from the token's
hash by another derivation than format 1's (:func:`proof_key`: the old trust files' keys cannot make one), so the server can
register the key of a laptop that never had a network since it was updated. Once a key is registered, only that
key speaks for the device.

Keys and signatures travel as base64 of their raw bytes; a key's id is the SHA-256 of its raw public bytes (hex).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from sync.protocol import bundle_key

#: What the key proof's HMAC covers besides the key (so a proof is never valid as anything else).
PROOF_CONTEXT = "inspector-bundle-key/1"


class BadKey(ValueError):
    """A key or signature that is not valid base64 of the right raw bytes."""


def _raw(encoded: str, size: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise BadKey(f"{what} is not base64") from exc
    if len(raw) != size:
        raise BadKey(f"{what} must be {size} bytes, not {len(raw)}")
    return raw


def new_private_key() -> str:
    """A fresh Ed25519 private key (base64 of its 32 raw bytes)."""
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def private_key(encoded: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_raw(encoded, 32, "the private key"))


def public_key_of(private_encoded: str) -> str:
    """The public half of a private key (base64 of its 32 raw bytes)."""
    raw = private_key(private_encoded).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key(encoded: str) -> Ed25519PublicKey:
    """A public key, checked: :class:`BadKey` when it is not one."""
    try:
        return Ed25519PublicKey.from_public_bytes(_raw(encoded, 32, "the public key"))
    except ValueError as exc:
        raise BadKey(str(exc)) from exc


def key_id(public_encoded: str) -> str:
    """The key's id (its fingerprint): SHA-256 of the raw public key, hex."""
    return hashlib.sha256(_raw(public_encoded, 32, "the public key")).hexdigest()


def sign(private_encoded: str, body: bytes) -> str:
    """An Ed25519 signature of ``body`` (base64)."""
    return base64.b64encode(private_key(private_encoded).sign(body)).decode("ascii")


def verify(public_encoded: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the holder of ``public_encoded``'s signature of ``body``."""
    try:
        public_key(public_encoded).verify(_raw(signature, 64, "the signature"), body)
    except (InvalidSignature, BadKey):
        return False
    return True


def proof_key(token_hash: str) -> bytes:
    """The HMAC key of key proofs: derived from the token's hash apart from :func:`sync.protocol.bundle_key`.

    Older supervisors' laptops kept every device's ``bundle_key`` (their trust file): with the same key for proofs,
    such a copy could register its own key for any device that had none yet, for good. This derivation needs the
    token hash itself, which only the device (from its token) and the server hold."""
    return hashlib.sha256(f"{PROOF_CONTEXT}:key:{token_hash}".encode("ascii")).digest()


def key_proof(token_hash: str, device_id: uuid.UUID, public_encoded: str) -> str:
    """The HMAC the server can check (it keeps ``token_hash``) that the device's token holder made this key."""
    message = f"{PROOF_CONTEXT}:{device_id}:{public_encoded}".encode("ascii")
    return hmac.new(proof_key(token_hash), message, hashlib.sha256).hexdigest()


def legacy_signature(token_hash: str, body: bytes) -> str:
    """A format 1 bundle's signature: HMAC-SHA256 keyed by the token-derived bundle key (hex)."""
    return hmac.new(bundle_key(token_hash), body, hashlib.sha256).hexdigest()


def same(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex or base64 strings."""
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))
