"""``check_integrity`` tells inspections signed on this laptop (they need their chain entry) from received ones
(pulled or imported: checked by their hash only), from what the laptop's own outbox and the record keep."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from sqlmodel import col, select

from inspector.inspections import acknowledge, sign_off
from inspector.integrity import CONTENT_CHANGED, NOT_CHAINED, IntegrityReport, check_integrity
from inspector.models import LocalConflict, OutboxEntry
from inspector.store import Store
from tests.inspector.test_inspections import _answer_all, _start
from tests.screens.sample_group import FIXED_NOW, Sample, build_sample


@pytest.fixture
def sample(store: Store) -> Sample:
    return build_sample(store)


@pytest.fixture
def signed(store: Store, sample: Sample) -> uuid.UUID:
    """An inspection signed on this laptop (its outbox entries and its chain entry written with it)."""
    assert isinstance(sample.inspector_id, uuid.UUID) and isinstance(sample.leader_id, uuid.UUID)
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection)
    with store.session() as s:
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
        sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    return inspection.id


def raw(store: Store, sql: str, *params: object) -> int:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql, params).rowcount


def report(store: Store) -> IntegrityReport:
    with store.session() as s:
        return check_integrity(s)


def problems(found: IntegrityReport) -> list[tuple[uuid.UUID, str]]:
    return [(p.inspection_id, p.problem) for p in found.problems]


def synced(store: Store, inspection_id: uuid.UUID) -> None:
    """The server's version, as an acknowledged push or a pull stores it."""
    assert raw(store, "UPDATE inspection SET server_version = 3 WHERE id = ?", inspection_id.hex) == 1


def cut_chain_entry(store: Store, inspection_id: uuid.UUID) -> None:
    assert raw(store, "DELETE FROM auditentry WHERE subject_id = ?", inspection_id.hex) == 1


def forget_local_changes(store: Store, inspection_id: uuid.UUID) -> None:
    """The record as a pull writes it: no change of it in this laptop's outbox."""
    assert raw(store, "DELETE FROM outboxentry WHERE entity = 'inspection' AND entity_id = ?", inspection_id.hex) >= 1


def test_signed_here_and_synced_still_needs_its_chain_entry(store: Store, signed: uuid.UUID) -> None:
    synced(store, signed)
    found = report(store)
    assert found.ok and found.received == [] and found.signed_checked == 1
    cut_chain_entry(store, signed)
    found = report(store)
    assert found.chain.ok and problems(found) == [(signed, NOT_CHAINED)] and found.received == []


def test_a_pulled_signed_inspection_is_received_and_checked_by_its_hash(store: Store, signed: uuid.UUID) -> None:
    cut_chain_entry(store, signed)
    forget_local_changes(store, signed)
    synced(store, signed)
    found = report(store)
    assert found.ok and found.received == [signed]

    assert raw(store, "UPDATE answer SET note = 'edited' WHERE inspection_id = ?", signed.hex) >= 1
    found = report(store)
    assert problems(found) == [(signed, CONTENT_CHANGED)] and found.received == []


def test_a_signed_row_from_nowhere_is_not_chained(store: Store, signed: uuid.UUID) -> None:
    """No chain entry, no local change, no server version, not imported: written behind the app's back."""
    cut_chain_entry(store, signed)
    forget_local_changes(store, signed)
    assert problems(report(store)) == [(signed, NOT_CHAINED)]


@pytest.mark.parametrize("same_value", [True, False], ids=["taken-value", "other-value"])
def test_a_value_taken_from_another_device_is_not_a_sign_off_here(
    store: Store, signed: uuid.UUID, same_value: bool
) -> None:
    """Settling a bundle conflict by taking the device's signed value writes it to the outbox; that entry is not a
    sign-off made here. Only the very value taken is excused: another signed value in the outbox still counts."""
    cut_chain_entry(store, signed)
    synced(store, signed)
    with store.session() as s:
        entry = s.exec(
            select(OutboxEntry).where(OutboxEntry.entity_id == signed).order_by(col(OutboxEntry.seq).desc())
        ).first()
        assert entry is not None and entry.payload["status"] == "signed"
        taken = dict(entry.payload)
        if not same_value:
            taken["content_hash"] = "b" * 64
        s.add(
            LocalConflict(
                entity="inspection",
                record_id=signed,
                device_id=uuid.uuid4(),
                change_id=uuid.uuid4(),
                local_payload={},
                device_payload=taken,
                reason="concurrent_edit",
                status="resolved",
                resolution="take_device",
            )
        )
        s.commit()
    found = report(store)
    if same_value:
        assert found.ok and found.received == [signed]
    else:
        assert problems(found) == [(signed, NOT_CHAINED)]
