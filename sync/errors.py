"""The catalogue of typed sync errors: a stable code, an HTTP status and a message in both languages.

The server answers every failure as :class:`sync.protocol.ErrorBody` with one of these codes; the client turns
the code back into a readable message. Per-change rejections inside a push use the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.i18n import register, t


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    zh: str
    en: str


CATALOGUE: dict[str, ErrorCode] = {}


def _define(code: str, status: int, zh: str, en: str) -> ErrorCode:
    entry = ErrorCode(code, status, zh, en)
    CATALOGUE[code] = entry
    register({f"sync.error.{code}": (zh, en)})
    return entry


E_AUTH_MISSING = _define(
    "E_AUTH_MISSING", 401, "缺少设备令牌，请先登记此设备。", "No device token: enrol this device first."
)
E_AUTH_INVALID = _define(
    "E_AUTH_INVALID", 401, "设备令牌无效，请重新登记此设备。", "The device token is not valid: enrol this device again."
)
E_AUTH_REVOKED = _define(
    "E_AUTH_REVOKED",
    401,
    "此设备已被服务器撤销，同步已停止；未同步的记录仍保存在本机。请联系主管重新登记。",
    "This device was revoked on the server; sync stopped. Unsynced records stay on this laptop. Ask a supervisor to enrol it again.",
)
E_AUTH_EXPIRED = _define(
    "E_AUTH_EXPIRED",
    401,
    "设备令牌已过期，请重新登记此设备。",
    "The device token has expired: enrol this device again.",
)
E_ENROLL_CODE = _define(
    "E_ENROLL_CODE", 400, "登记码无效、已使用或已过期。", "The enrolment code is not valid, already used or expired."
)
E_FORBIDDEN = _define("E_FORBIDDEN", 403, "此设备的角色不允许此操作。", "This device's role may not do this.")
E_NOT_FOUND = _define("E_NOT_FOUND", 404, "找不到所请求的内容。", "Not found.")
E_VALIDATION = _define("E_VALIDATION", 422, "请求内容不符合协议。", "The request does not follow the protocol.")
E_TOO_LARGE = _define("E_TOO_LARGE", 413, "请求过大。", "The request is too large.")
E_SCHEMA_TOO_NEW = _define(
    "E_SCHEMA_TOO_NEW",
    422,
    "此设备的数据格式比服务器新，请先升级服务器；未同步的记录仍保存在本机。",
    "This device writes a newer data format than the server knows: update the server. Nothing was dropped.",
)
E_ORDER = _define(
    "E_ORDER", 422, "变更未按设备序号递增排列。", "The changes are not in increasing order of the device's numbers."
)
E_CURSOR_RESET = _define(
    "E_CURSOR_RESET",
    410,
    "同步位置已失效，将重新完整同步。",
    "The sync position is no longer usable: a full resync follows.",
)
E_DUPLICATE_KEY = _define("E_DUPLICATE_KEY", 409, "与已有记录重复。", "This duplicates an existing record.")
E_ATTACHMENT_MISSING = _define(
    "E_ATTACHMENT_MISSING", 409, "附件尚未完整上传。", "An attachment has not been completely uploaded yet."
)
E_ATTACHMENT_OFFSET = _define(
    "E_ATTACHMENT_OFFSET",
    409,
    "附件上传位置不符，请从服务器已收到的位置继续。",
    "Wrong upload offset: resume from what the server has.",
)
E_ATTACHMENT_HASH = _define(
    "E_ATTACHMENT_HASH", 422, "附件内容与其 SHA-256 不符。", "The attachment's content does not match its SHA-256."
)
E_BUNDLE_SIGNATURE = _define(
    "E_BUNDLE_SIGNATURE",
    422,
    "离线包签名无效或设备未知。",
    "The bundle's signature is not valid or its device is unknown.",
)
E_BUNDLE_GROUP = _define(
    "E_BUNDLE_GROUP",
    422,
    "此离线包来自另一个集团的服务器，未导入。",
    "The bundle comes from another group's server; nothing was imported.",
)
E_BUNDLE_FORMAT = _define(
    "E_BUNDLE_FORMAT",
    422,
    "此离线包由更新版本的 inspector 写出，请先升级；未导入任何内容。",
    "The bundle was written by a newer inspector: update first; nothing was imported.",
)
E_BUNDLE_KEY_UNKNOWN = _define(
    "E_BUNDLE_KEY_UNKNOWN",
    409,
    "写出此离线包的笔记本尚未向服务器登记其签名密钥：请让该笔记本联网同步一次，再重新提交离线包；未导入任何内容。",
    "The laptop that wrote this bundle has not registered its signing key with the server yet: sync that laptop "
    "once on the network, then hand the bundle again; nothing was imported.",
)
E_BUNDLE_LEGACY = _define(
    "E_BUNDLE_LEGACY",
    422,
    "此设备已改用自己的密钥签名离线包，不再接受旧式签名的离线包；其中的变更已随该设备较新的离线包或同步送达。"
    "未导入任何内容。",
    "This device signs its bundles with its own key now, so a bundle signed the old way is no longer accepted "
    "for it (its changes came with the device's newer bundle or sync); nothing was imported.",
)
E_BUNDLE_LEGACY_OFF = _define(
    "E_BUNDLE_LEGACY_OFF",
    409,
    "此服务器已停用旧式离线包签名：写出此离线包的笔记本尚未登记自己的签名密钥。请让该笔记本联网同步一次（登记其密钥），"
    "然后在该笔记本上重新导出离线包；未导入任何内容。",
    "This server no longer accepts the old kinds of bundle signature, and the laptop that wrote this bundle has "
    "not registered its own signing key yet. Sync that laptop once on the network (so it registers its key), "
    "then export the bundle again on it; nothing was imported.",
)
E_DEVICE_KEY_TAKEN = _define(
    "E_DEVICE_KEY_TAKEN",
    409,
    "服务器上此设备已登记了另一把签名密钥，不能更换；如本机的密钥丢失，请重新登记本机。",
    "The server already holds another signing key for this device, which cannot be replaced; if this laptop's "
    "key was lost, enrol it again.",
)
E_DEVICE_KEY_INVALID = _define(
    "E_DEVICE_KEY_INVALID",
    422,
    "设备的签名公钥无效（应为 Base64 编码的 32 字节 Ed25519 公钥）。",
    "The device's signing key is not valid (expected an Ed25519 public key: 32 bytes, base64).",
)
E_CONFLICT_SETTLED = _define("E_CONFLICT_SETTLED", 409, "此冲突已处理。", "This conflict was already settled.")
E_INTERNAL = _define("E_INTERNAL", 500, "服务器内部错误，已记录。", "The server failed; the error was logged.")
E_UNAVAILABLE = _define(
    "E_UNAVAILABLE", 503, "服务器暂时不可用，请稍后重试。", "The server is busy or restarting: try again shortly."
)
# Per-change rejections (inside a push result):
E_UNKNOWN_ENTITY = _define("E_UNKNOWN_ENTITY", 422, "未知的记录类型。", "Unknown kind of record.")
E_PAYLOAD_INVALID = _define("E_PAYLOAD_INVALID", 422, "记录内容无效。", "The record's content is not valid.")
E_SIGNED_IMMUTABLE = _define(
    "E_SIGNED_IMMUTABLE",
    409,
    "已签字的检查不可更改，只能以更正检查修正。",
    "A signed inspection cannot change: record an amendment.",
)
E_DELETED = _define("E_DELETED", 409, "该记录已在服务器上删除。", "This record was deleted on the server.")
E_CHANGE_REUSED = _define(
    "E_CHANGE_REUSED", 409, "同一变更编号带有不同内容。", "The same change id was sent with a different content."
)

# Domain rules the server reruns on every pushed change (sync/server/rules.py); the change's message says which.
E_ANSWER_INVALID = _define(
    "E_ANSWER_INVALID", 422, "答案与检查项的类型或范围不符。", "The answer does not fit its item's kind or range."
)
E_ITEM_NOT_FOUND = _define(
    "E_ITEM_NOT_FOUND", 422, "该检查项不在本次检查的检查表中。", "The item is not on this inspection's checklist."
)
E_STATUS_UNKNOWN = _define("E_STATUS_UNKNOWN", 422, "记录的状态无法识别。", "The record's status is unknown.")
E_ORDER_TRANSITION = _define(
    "E_ORDER_TRANSITION", 409, "整改通知不能这样变更状态。", "The rectification order cannot change status this way."
)
E_ORDER_ACTOR = _define(
    "E_ORDER_ACTOR",
    403,
    "此人员无权进行这一步整改操作。",
    "This person may not take this step of the rectification loop.",
)
E_SUPERSEDED = _define(
    "E_SUPERSEDED",
    409,
    "同一设备对该记录较新的修改已导入，这条较早的修改不再写入。",
    "A later change of this record from the same device was already imported: this older one is not written.",
)
E_ORDER_NO_ACTOR = _define(
    "E_ORDER_NO_ACTOR",
    422,
    "整改记录没有注明由谁进行这一步，或注明的人员不存在。",
    "The rectification event names nobody, or a person who is not known.",
)
E_ORDER_ACTOR_DEVICE = _define(
    "E_ORDER_ACTOR_DEVICE",
    403,
    "一台设备只能记录本人的整改步骤。",
    "A device records only its own person's rectification steps.",
)
E_ORDER_PLAN_MISSING = _define(
    "E_ORDER_PLAN_MISSING",
    409,
    "重大隐患需先登记治理方案才能销号。",
    "A major hazard needs its plan before it can close.",
)
E_NOT_ACKNOWLEDGED = _define(
    "E_NOT_ACKNOWLEDGED", 409, "班组长尚未确认本次检查。", "The team leader has not acknowledged the inspection yet."
)
E_NOT_TEAM_LEADER = _define(
    "E_NOT_TEAM_LEADER",
    409,
    "确认检查的人员不是班组长。",
    "The inspection was acknowledged by someone who is not a team leader.",
)
E_MISSING_REQUIRED = _define(
    "E_MISSING_REQUIRED", 409, "签字时仍有必答项未作答。", "The inspection was signed with required items unanswered."
)
E_SCORE_MISMATCH = _define(
    "E_SCORE_MISMATCH", 409, "签字记录的得分与答案不符。", "The signed score is not what the answers give."
)
E_AMEND_UNKNOWN = _define(
    "E_AMEND_UNKNOWN", 409, "补正记录所更正的检查不存在。", "The amendment names an inspection that does not exist."
)
E_AMEND_DRAFT = _define("E_AMEND_DRAFT", 409, "只有已签字的检查才能补正。", "Only a signed inspection can be amended.")
E_AMEND_SUPERSEDED = _define(
    "E_AMEND_SUPERSEDED", 409, "该检查已被补正记录取代。", "This inspection was already replaced by an amendment."
)


class SyncProtocolError(Exception):
    """A typed error raised on the server and answered as :class:`~sync.protocol.ErrorBody`."""

    def __init__(self, error: ErrorCode, message: str | None = None, **detail: Any) -> None:
        super().__init__(message or error.en)
        self.error = error
        self.message = message or error.en
        self.detail = detail


def message_for(code: str, lang: str) -> str:
    """The readable message of ``code`` in ``lang`` (the code itself when unknown)."""
    return t(f"sync.error.{code}", lang)
