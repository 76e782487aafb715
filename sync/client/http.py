"""The HTTP client of the sync server: timeouts, retries with exponential backoff and jitter (tenacity), typed errors.

Only transport failures and "busy" answers (502/503/504) are retried; an answer with a typed error code is final
and raised as :class:`SyncError`. A health answer that is not the server's own JSON (a captive portal's HTML page,
a wrong URL) raises :class:`Offline`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from sync.protocol import (
    CHANGES_WAITING_HEADER,
    SERVICE_NAME,
    AttachmentStatus,
    Bundle,
    BundleResult,
    Change,
    ConflictOut,
    DeviceInfo,
    DeviceToken,
    EnrollRequest,
    ErrorBody,
    Health,
    PublicKeyRequest,
    PullResponse,
    PushOutcomes,
    PushReceipt,
    PushRequest,
    PushResponse,
    RegisteredKey,
    ResolveRequest,
    ResolveResponse,
)

T = TypeVar("T", bound=BaseModel)
RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class ConflictList:
    """``GET /conflicts``: the conflicts found so far, and how many received changes the server is still applying
    (they may add conflicts)."""

    conflicts: list[ConflictOut]
    changes_waiting: int = 0


class SyncError(Exception):
    """The server answered with a typed error (or something we cannot use).

    ``message`` is English (the server's words for a typed error); ``zh`` its Chinese where the client words the
    problem itself. :meth:`text` answers in the user's language either way."""

    def __init__(
        self, code: str, message: str, status: int = 0, detail: dict[str, Any] | None = None, *, zh: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail or {}
        self.zh = zh

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``): the client's own two wordings, else the catalogue's text of
        the code (with the server's English detail when it says more), else the server's English."""
        if self.zh:
            return self.zh if lang == "zh" else self.message
        from sync.errors import CATALOGUE, message_for

        known = CATALOGUE.get(self.code)
        if known is None:
            return self.message
        localized = message_for(self.code, lang)
        return localized if self.message == known.en else f"{localized} ({self.message})"

    @property
    def is_auth(self) -> bool:
        return self.code.startswith("E_AUTH")


class Offline(SyncError):
    """The server cannot be reached, or what answered is not the sync server (captive portal, wrong URL).

    ``message`` is English; ``zh`` the same in Chinese (:meth:`text` picks one), so a Chinese sentence built around
    the reason stays Chinese."""

    def __init__(self, message: str, zh: str = "") -> None:
        super().__init__("E_OFFLINE", message, zh=zh)


class _Busy(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"server busy ({response.status_code})")
        self.response = response


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TransportError, _Busy))


class SyncClient:
    """One server, one device token. ``attempts`` bounds the retries of each request."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        attempts: int = 5,
        max_wait: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"user-agent": "inspector-sync/1"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            follow_redirects=False,
        )
        self._send = retry(
            retry=retry_if_exception(_retryable),
            wait=wait_random_exponential(multiplier=0.2, max=max_wait),
            stop=stop_after_attempt(attempts),
            reraise=True,
        )(self._send_once)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------------------------
    def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if response.status_code in RETRY_STATUSES:
            raise _Busy(response)
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._send(method, path, **kwargs)
        except _Busy as exc:
            response = exc.response
        except httpx.TransportError as exc:
            raise Offline(
                f"The server at {self.base_url} cannot be reached ({type(exc).__name__}).",
                f"无法连接服务器 {self.base_url}（{type(exc).__name__}）。",
            ) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _json(self, model: type[T], method: str, path: str, **kwargs: Any) -> T:
        response = self.request(method, path, **kwargs)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncError(
                "E_BAD_ANSWER",
                f"The server's answer to {path} is not understood.",
                zh=f"无法理解服务器对 {path} 的应答。",
            ) from exc

    # -- endpoints -------------------------------------------------------------------------------------------
    def health(self) -> Health:
        """The server's health, or :class:`Offline` for anything that is not our server's JSON."""
        try:
            response = self._send("GET", "/health")
        except (httpx.TransportError, _Busy) as exc:
            raise Offline(
                f"The server at {self.base_url} cannot be reached.", f"无法连接服务器 {self.base_url}。"
            ) from exc
        kind = response.headers.get("content-type", "")
        if response.status_code != 200 or not kind.startswith("application/json"):
            raise Offline(
                f"{self.base_url} did not answer as the inspector server (a captive portal or a wrong address?).",
                f"{self.base_url} 的应答不是 inspector 服务器的应答（是网络登录页面，还是地址写错了？）。",
            )
        try:
            health = Health.model_validate_json(response.content)
        except ValidationError:
            raise Offline(
                f"{self.base_url} did not answer as the inspector server.",
                f"{self.base_url} 的应答不是 inspector 服务器的应答。",
            ) from None
        if health.service != SERVICE_NAME:
            raise Offline(f"{self.base_url} is not an inspector server.", f"{self.base_url} 不是 inspector 服务器。")
        return health

    def enroll(self, code: str, label: str = "", public_key: str | None = None) -> DeviceToken:
        request = EnrollRequest(code=code, device_label=label, public_key=public_key)
        return self._json(DeviceToken, "POST", "/devices/enroll", json=request.model_dump(exclude_none=True))

    def register_public_key(self, public_key: str) -> RegisteredKey:
        """Register this device's bundle-signing key (``E_DEVICE_KEY_TAKEN`` when the server holds another)."""
        body = PublicKeyRequest(public_key=public_key).model_dump()
        return self._json(RegisteredKey, "PUT", "/devices/me/public-key", json=body)

    def me(self) -> DeviceInfo:
        return self._json(DeviceInfo, "GET", "/devices/me")

    def rotate(self) -> DeviceToken:
        return self._json(DeviceToken, "POST", "/devices/me/rotate")

    def push(self, changes: list[Change]) -> PushResponse:
        body = PushRequest(changes=changes).model_dump_json().encode()
        return self._json(PushResponse, "POST", "/push", content=body, headers={"content-type": "application/json"})

    def push_log(self, body: bytes, *, first_seq: int, last_seq: int, count: int, schema_version: int) -> PushReceipt:
        """Send an already-encoded push body to be stored as received (applied later; see ``outcomes``)."""
        params = {"first_seq": first_seq, "last_seq": last_seq, "count": count, "schema_version": schema_version}
        return self._json(
            PushReceipt,
            "POST",
            "/push/log",
            params=params,
            content=body,
            headers={"content-type": "application/json"},
        )

    def outcomes(self, after: int, limit: int = 5000) -> PushOutcomes:
        return self._json(PushOutcomes, "GET", "/push/outcomes", params={"after": after, "limit": limit})

    def pull(self, cursor: str, limit: int = 1000) -> PullResponse:
        return self._json(PullResponse, "GET", "/pull", params={"cursor": cursor, "limit": limit})

    def attachment_status(self, sha256: str) -> AttachmentStatus:
        return self._json(AttachmentStatus, "GET", f"/attachments/{sha256}/status")

    def upload_chunk(self, sha256: str, size: int, offset: int, data: bytes) -> AttachmentStatus:
        return self._json(
            AttachmentStatus,
            "PUT",
            f"/attachments/{sha256}",
            params={"size": size, "offset": offset},
            content=data,
            headers={"content-type": "application/octet-stream"},
        )

    def download(self, sha256: str, record: uuid.UUID | None = None) -> bytes:
        """An attachment's content; ``record`` (one the device pulled that uses it) lets the server check quickly."""
        params = {"record": str(record)} if record is not None else None
        return self.request("GET", f"/attachments/{sha256}", params=params).content

    def conflicts(self, status: str = "open") -> list[ConflictOut]:
        return self.conflict_list(status).conflicts

    def conflict_list(self, status: str = "open") -> ConflictList:
        """The conflicts and the count of received changes still being applied (0 from a server that does not say)."""
        response = self.request("GET", "/conflicts", params={"status": status})
        waiting = response.headers.get(CHANGES_WAITING_HEADER, "")
        return ConflictList(
            [ConflictOut.model_validate(item) for item in response.json()], int(waiting) if waiting.isdigit() else 0
        )

    def resolve(self, conflict_id: uuid.UUID, request: ResolveRequest) -> ResolveResponse:
        return self._json(
            ResolveResponse, "POST", f"/conflicts/{conflict_id}/resolve", json=request.model_dump(mode="json")
        )

    def upload_bundle(self, bundle: Bundle) -> BundleResult:
        body = bundle.model_dump_json().encode()
        return self._json(BundleResult, "POST", "/bundles", content=body, headers={"content-type": "application/json"})


def _error(response: httpx.Response) -> SyncError:
    try:
        body = ErrorBody.model_validate_json(response.content)
        return SyncError(body.code, body.message, response.status_code, body.detail)
    except ValidationError:
        return SyncError(
            f"E_HTTP_{response.status_code}",
            f"The server answered {response.status_code}.",
            response.status_code,
            zh=f"服务器返回了 {response.status_code}。",
        )
