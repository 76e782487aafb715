"""Who may see and change what: roles, record scopes and the authorisation of every pushed change.

Each stored record carries a scope (``ref``: reference data everyone pulls; ``owned``: an inspection and what
hangs off it; ``team``: a team's quality figures; ``private``: supervisors and auditors only), the person who owns
it and the team it concerns. Pull filters on these columns; push checks them before and after the change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sync.protocol import DeviceRole

REFERENCE = frozenset(
    {
        "group",
        "unit",
        "workshop",
        "team",
        "checkpoint",
        "person",
        "inspectorassignment",
        "campaign",
        "campaignchecklist",
        "checklisttemplate",
        "templateversion",
        "templatesection",
        "templateitem",
        "awardruleset",
    }
)
OWNED = frozenset({"inspection", "answer", "finding", "rectificationorder", "rectificationevent"})
TEAM = frozenset({"qualityfigure"})
PRIVATE = frozenset({"awarddecision", "innovationproject"})
#: Each owned entity's parent: (entity, payload field naming it).
PARENT: dict[str, tuple[str, str]] = {
    "answer": ("inspection", "inspection_id"),
    "finding": ("inspection", "inspection_id"),
    "rectificationorder": ("finding", "finding_id"),
    "rectificationevent": ("rectificationorder", "order_id"),
}
#: Fields a team leader may change on their team's rectification order (answering it).
TEAM_LEADER_ORDER_FIELDS = frozenset({"status", "action_taken", "evidence_paths", "answered_at", "updated_at"})
#: Fields an inspector's laptop changes on reference data as a side effect of inspecting.
INSPECTOR_VERSION_FIELDS = frozenset({"frozen", "updated_at"})


@dataclass(frozen=True)
class Actor:
    """The device making a request, resolved to its person and team."""

    device_id: uuid.UUID
    name: str
    role: DeviceRole
    person_code: str | None
    person_id: uuid.UUID | None
    team_id: uuid.UUID | None

    @property
    def reads_everything(self) -> bool:
        return self.role in (DeviceRole.SUPERVISOR, DeviceRole.AUDITOR)


@dataclass
class Derived:
    scope: str
    owner_person_id: uuid.UUID | None
    team_id: uuid.UUID | None


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID (``None`` when empty or not one)."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    return _parse_uuid(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=16384)
def _parse_uuid(text: str) -> uuid.UUID | None:
    """Parsing is the costly part, and a batch names the same parents (an inspection, its checklist version, its
    items) thousands of times; UUIDs are immutable, so sharing one is safe."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def scope_of(entity: str) -> str:
    if entity in REFERENCE:
        return "ref"
    if entity in OWNED:
        return "owned"
    if entity in TEAM:
        return "team"
    return "private"


def derive(entity: str, payload: dict[str, Any], parent: Derived | None, actor: Actor) -> Derived:
    """Scope, owner and team of a record from its payload and (for children) its parent's."""
    scope = scope_of(entity)
    if entity == "inspection":
        return Derived(scope, as_uuid(payload.get("inspector_id")), as_uuid(payload.get("team_id")))
    if entity in PARENT:
        # A child whose parent the server has not seen yet belongs to the person who sent it.
        owner = parent.owner_person_id if parent else actor.person_id
        own_team = as_uuid(payload.get("team_id"))
        team = own_team if own_team is not None else (parent.team_id if parent else None)
        return Derived(scope, owner, team)
    if entity in TEAM:
        return Derived(scope, None, as_uuid(payload.get("team_id")))
    return Derived(scope, None, None)


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> set[str]:
    if old is None:
        return set(new)
    keys = set(old) | set(new)
    return {k for k in keys if old.get(k) != new.get(k)}


def may_write(
    actor: Actor,
    entity: str,
    op: str,
    new: Derived,
    old: Derived | None,
    old_payload: dict[str, Any] | None,
    new_payload: dict[str, Any],
) -> bool:
    """Whether ``actor`` may make this change (checked against the record before and after it)."""
    role = actor.role
    if role == DeviceRole.SUPERVISOR:
        return True
    if role == DeviceRole.AUDITOR or actor.person_id is None:
        return False
    if role == DeviceRole.INSPECTOR:
        if entity == "templateversion" and old_payload is not None and op == "upsert":
            return changed_fields(old_payload, new_payload) <= INSPECTOR_VERSION_FIELDS
        if entity not in OWNED:
            return False
        mine = new.owner_person_id == actor.person_id
        was_mine = old is None or old.owner_person_id == actor.person_id
        return mine and was_mine
    if role == DeviceRole.TEAM_LEADER:
        if actor.team_id is None:
            return False
        if entity == "rectificationorder":
            return (
                op == "upsert"
                and old is not None
                and old.team_id == actor.team_id
                and new.team_id == actor.team_id
                and changed_fields(old_payload, new_payload) <= TEAM_LEADER_ORDER_FIELDS
            )
        if entity == "rectificationevent":
            return old is None and op == "upsert" and new.team_id == actor.team_id
        return False
    return False


def may_read(actor: Actor, scope: str, owner: uuid.UUID | None, team: uuid.UUID | None) -> bool:
    """The same rule as the pull filter, for single-record reads (attachments)."""
    if actor.reads_everything or scope == "ref":
        return True
    if actor.role == DeviceRole.INSPECTOR:
        return owner is not None and owner == actor.person_id
    if actor.role == DeviceRole.TEAM_LEADER:
        return team is not None and team == actor.team_id
    return False
