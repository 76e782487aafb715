"""The hash-chained audit log: intact chains verify; edits, deletions and reordering are caught and located."""

from __future__ import annotations

import sqlite3

import pytest
from sqlmodel import select

from inspector.audit import (
    AWARD_DECISION,
    CONTENT,
    LINK,
    MISSING,
    SIGN_OFF,
    UNREADABLE,
    VERIFICATION,
    record_award_decision,
    record_verification,
    verify_chain,
)
from inspector.integrity import CONTENT_CHANGED, NOT_CHAINED, check_integrity
from inspector.models import AuditEntry, AwardDecision, Inspection, RectificationOrder
from inspector.store import Store
from tests.inspector.records_world import World, build_world


@pytest.fixture
def world(store: Store) -> World:
    built = build_world(store)
    with store.session() as session:
        order = session.get(RectificationOrder, built.orders[1])
        decision = session.exec(select(AwardDecision)).first()
        assert order is not None and decision is not None
        record_verification(session, order=order, actor_id=built.inspector_id, accepted=True, note="验收合格")
        record_award_decision(session, decision=decision, actor_id=built.leader_id)
        session.commit()
    return built


def raw(store: Store, sql: str, *params: object) -> int:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql, params).rowcount


def chain(store: Store) -> tuple[int, bool, int | None, str]:
    with store.session() as session:
        report = verify_chain(session)
    return report.entries, report.ok, report.broken_seq, report.problem


def test_sign_offs_verifications_and_award_decisions_form_one_intact_chain(store: Store, world: World) -> None:
    with store.session() as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq))]  # type: ignore[arg-type]
        report = check_integrity(session)
    assert kinds == [SIGN_OFF] * 5 + [VERIFICATION, AWARD_DECISION]
    assert report.ok and report.chain.entries == 7 and report.signed_checked == 5


def test_an_edited_entry_is_named(store: Store, world: World) -> None:
    assert (
        raw(store, "UPDATE auditentry SET payload = json_set(payload, '$.accepted', json('false')) WHERE seq = 6") == 1
    )
    assert chain(store) == (6, False, 6, CONTENT)


def test_an_edited_hash_breaks_the_next_link(store: Store, world: World) -> None:
    raw(store, "UPDATE auditentry SET hash = ? WHERE seq = 3", "e" * 64)
    assert chain(store)[1:] == (False, 3, CONTENT)


def test_a_deleted_entry_is_named(store: Store, world: World) -> None:
    raw(store, "DELETE FROM auditentry WHERE seq = 4")
    assert chain(store)[1:] == (False, 4, MISSING)
    raw(store, "DELETE FROM auditentry WHERE seq = 1")
    assert chain(store)[1:] == (False, 1, MISSING)


def test_a_deleted_and_renumbered_entry_is_caught_by_its_link(store: Store, world: World) -> None:
    raw(store, "DELETE FROM auditentry WHERE seq = 2")
    for seq in range(3, 8):
        raw(store, "UPDATE auditentry SET seq = ? WHERE seq = ?", seq - 1, seq)
    assert chain(store)[1:] == (False, 2, LINK)


def test_reordered_entries_are_caught(store: Store, world: World) -> None:
    raw(store, "UPDATE auditentry SET seq = 100 WHERE seq = 2")
    raw(store, "UPDATE auditentry SET seq = 2 WHERE seq = 3")
    raw(store, "UPDATE auditentry SET seq = 3 WHERE seq = 100")
    assert chain(store)[1:] == (False, 2, LINK)


def test_an_unreadable_entry_is_named(store: Store, world: World) -> None:
    raw(store, "UPDATE auditentry SET payload = '{broken' WHERE seq = 5")
    assert chain(store)[1:] == (False, 5, UNREADABLE)


def test_a_signed_answer_edited_behind_the_app_is_caught(store: Store, world: World) -> None:
    target = world.inspections[2]
    assert raw(store, "UPDATE answer SET occurrences = 1 WHERE inspection_id = ? AND occurrences = 2", target.hex) == 1
    with store.session() as session:
        report = check_integrity(session)
    assert report.chain.ok and not report.ok
    assert [(p.inspection_id, p.problem) for p in report.problems] == [(target, CONTENT_CHANGED)]


def test_a_sign_off_cut_from_the_end_of_the_chain_is_caught(store: Store, world: World) -> None:
    # remove the last three entries: the chain that is left is intact, but a signed inspection lost its entry
    raw(store, "DELETE FROM auditentry WHERE seq >= 5")
    with store.session() as session:
        report = check_integrity(session)
        last = session.get(Inspection, world.inspections[-1])
    assert report.chain.ok and last is not None
    assert [(p.inspection_id, p.problem) for p in report.problems] == [(last.id, NOT_CHAINED)]


def run_cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from inspector.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def test_inspector_verify_chain_names_the_first_broken_entry(store: Store, world: World) -> None:
    store.close()
    code, output = run_cli("verify", "--chain", "--db", str(store.path), "--lang", "en")
    assert code == 0 and "intact: 7 entries" in output
    raw(store, "UPDATE auditentry SET payload = json_set(payload, '$.grade', 'excellent') WHERE seq = 3")
    raw(store, "DELETE FROM auditentry WHERE seq = 5")
    code, output = run_cli("verify", "--chain", "--db", str(store.path), "--lang", "en")
    assert code == 1 and "breaks at entry 3" in output and "changed after it was written" in output
    code, output = run_cli("verify", "--chain", "--db", str(store.path), "--lang", "zh")
    assert code == 1 and "第 3 条" in output


def test_inspector_verify_chain_reports_a_signed_row_edited_behind_the_app(store: Store, world: World) -> None:
    store.close()
    raw(store, "UPDATE answer SET score = 5 WHERE inspection_id = ? AND score = 3", world.inspections[2].hex)
    code, output = run_cli("verify", "--chain", "--db", str(store.path), "--lang", "en")
    assert code == 1 and str(world.inspections[2]) in output and "changed after sign-off" in output
