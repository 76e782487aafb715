"""One batch applied set-based (sync/server/apply.py): what a change reads is what the changes before it in the same
batch wrote, a conflict or a rejection in the middle changes nothing around it, and what the applier reads once per
batch is never kept into the next one. On SQLite and on PostgreSQL (their bulk paths differ: executemany vs COPY).
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspector.audit import canonical_json
from inspector.models import Answer, Inspection, Person
from sync.protocol import CANONICAL_ENCODER, Change, ChangeResult, ChangeStatus, DeviceRole, Op
from sync.server import tables
from sync.server.access import Actor, as_uuid
from sync.server.apply import BatchApplier
from sync.server.audit import append_audit, verify_audit
from sync.server.ingest import _actor_of
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import server_count, server_records
from tests.sync.test_faults import seeded
from tests.sync.test_rules import Pusher, assert_rejected
from tests.sync.world import WORLD

#: The world's five yes/no items answered no, yes, no, yes, no: 10 of 25 points, 40 %, "fail".
CHOICES = ("no", "yes", "no", "yes", "no")
SIGNED = {"status": "signed", "acknowledged_by_id": WORLD.leader_a, "score_percent": 40.0, "grade": "fail"}


@pytest.fixture
def sup(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> Pusher:
    """The world's reference data on the server and a supervisor device pushing hand-made changes."""
    seeded(server, tmp_path, laptops)
    return Pusher(server.client(server.enroll("batch-sup", DeviceRole.SUPERVISOR, "SUP")))


def inspection(inspector: uuid.UUID = WORLD.inspector_1) -> Inspection:
    return Inspection(
        campaign_id=WORLD.campaign,
        template_version_id=WORLD.version,
        workshop_id=WORLD.workshop,
        team_id=WORLD.team_a,
        inspector_id=inspector,
    )


def answers(of: Inspection, choices: tuple[str, ...] = CHOICES) -> list[Answer]:
    return [Answer(inspection_id=of.id, item_id=WORLD.item(n), choice=c) for n, c in enumerate(choices)]


def statuses(results: list[ChangeResult]) -> list[str]:
    return [r.status.value for r in results]


def actor_of(server: RunningServer, pusher: Pusher) -> Actor:
    with Session(server.engine) as session:
        actor = _actor_of(session, pusher.client.me().device_id)
    assert actor is not None
    return actor


def test_a_sign_off_is_scored_on_the_answers_written_before_it_in_the_same_batch(
    sup: Pusher, server: RunningServer
) -> None:
    first, second = inspection(), inspection(WORLD.inspector_2)
    first_answers, second_answers = answers(first), answers(second)
    results = sup.push(
        sup.change(first),
        *[sup.change(a) for a in first_answers],
        sup.change(first, **SIGNED),  # every answer is in this batch, none stored yet
        sup.change(second),
        *[sup.change(a) for a in second_answers[:4]],
        sup.change(second, **SIGNED),  # the fifth (required) answer comes only after the sign-off
        sup.change(second_answers[4]),
    )
    assert statuses(results[:7]) == ["applied"] * 7, results
    assert statuses(results[7:12]) == ["applied"] * 5
    assert_rejected(results[12], "E_MISSING_REQUIRED", "I4")
    assert results[13].status == ChangeStatus.APPLIED
    stored = server_records(server.engine, "inspection")
    assert stored[str(first.id)]["payload"]["status"] == "signed"  # type: ignore[index]
    assert stored[str(second.id)]["payload"]["status"] == "draft"  # type: ignore[index]
    # The rejected sign-off is sent again in the next batch: now every answer is stored, and it passes.
    [again] = sup.push(sup.change(second, **SIGNED))
    assert again.status == ChangeStatus.APPLIED, again


def test_a_sign_off_sees_stored_answers_and_the_batchs_edits_and_deletions_of_them(
    sup: Pusher, server: RunningServer
) -> None:
    """Two inspectors' inspections signed in one batch: their stored answers are read together, and the batch's
    own later values of those answers (an edit, a deletion) are what the score is computed on."""
    mine, theirs = inspection(), inspection(WORLD.inspector_2)
    mine_answers, their_answers = answers(mine), answers(theirs, ("yes",) * 5)
    assert set(statuses(sup.push(sup.change(mine), sup.change(theirs)))) == {"applied"}
    assert set(statuses(sup.push(*[sup.change(a) for a in mine_answers + their_answers]))) == {"applied"}
    changes = [
        # mine: the first answer edited from "no" to "yes" in this batch: 15 of 25 points, 60 %.
        sup.change(mine_answers[0], choice="yes"),
        sup.change(mine, **SIGNED),  # still claims 40 %: refused with what the batch's answers give
        sup.change(mine, **{**SIGNED, "score_percent": 60.0}),
    ]
    sup.seq += 1
    changes.append(
        Change(
            change_id=uuid.uuid4(),
            seq=sup.seq,
            entity="answer",
            entity_id=their_answers[0].id,
            op=Op.DELETE,
            base_version=sup.versions[their_answers[0].id],
            schema_version=1,
        )
    )
    changes.append(sup.change(theirs, **{**SIGNED, "score_percent": 100.0, "grade": "excellent"}))
    results = sup.push(*changes)
    assert statuses(results[:1]) == ["applied"]
    assert_rejected(results[1], "E_SCORE_MISMATCH", "40.0%", "60.0%")
    assert results[2].status == ChangeStatus.APPLIED, results[2]
    assert results[3].status == ChangeStatus.APPLIED, results[3]
    assert_rejected(results[4], "E_MISSING_REQUIRED", "I0")


def test_a_conflict_and_rejections_in_the_middle_of_a_bulk_batch_leave_the_rest_applied(
    sup: Pusher, server: RunningServer
) -> None:
    base = inspection()
    assert statuses(sup.push(sup.change(base))) == ["applied"]
    other = Pusher(server.client(server.enroll("batch-sup-2", DeviceRole.SUPERVISOR, "SUP")))
    other.versions[base.id] = sup.versions[base.id]
    assert statuses(other.push(other.change(base, note="second visit"))) == ["applied"]
    # sup's next edit is made from the version before other's: a concurrent edit
    bulk = [inspection() for _ in range(30)]
    changes = [sup.change(i) for i in bulk[:15]]
    changes.append(sup.change(base, note="edited offline"))
    changes.append(sup.change(Answer(inspection_id=bulk[0].id, item_id=WORLD.item(0), choice="maybe")))
    changes.append(sup.change(Person(code="SUP", name_zh="重复编号", role="supervisor")))  # a taken natural key
    changes.extend(sup.change(i) for i in bulk[15:])
    results = sup.push(*changes)
    assert statuses(results[:15]) == ["applied"] * 15
    assert results[15].status == ChangeStatus.CONFLICT and results[15].conflict_id is not None, results[15]
    assert_rejected(results[16], "E_ANSWER_INVALID", "maybe")
    assert results[17].status == ChangeStatus.CONFLICT and results[17].conflict_id is not None, results[17]
    assert statuses(results[18:]) == ["applied"] * 15
    stored = server_records(server.engine, "inspection")
    assert all(str(i.id) in stored for i in bulk)
    assert stored[str(base.id)]["payload"]["note"] == "second visit"  # type: ignore[index]
    c = tables.conflict.c
    assert server_count(server.engine, tables.conflict, c.record_id == base.id, c.reason == "concurrent_edit") == 1
    assert server_count(server.engine, tables.conflict, c.reason == "duplicate_key") == 1
    # Sent again as a whole (a lost reply): every change repeats its first answer, nothing is written twice.
    again = sup.client.push(changes).results
    assert statuses(again) == ["duplicate"] * len(changes)
    assert [(r.code, r.conflict_id) for r in again] == [(r.code, r.conflict_id) for r in results]
    assert server_count(server.engine, tables.conflict) == 2


def test_sign_offs_of_one_batch_extend_the_audit_chain_in_order(sup: Pusher, server: RunningServer) -> None:
    signed = [inspection() for _ in range(3)]
    changes = []
    for i in signed:
        changes += [sup.change(i), *[sup.change(a) for a in answers(i)], sup.change(i, **SIGNED)]
    assert set(statuses(sup.push(*changes))) == {"applied"}
    with Session(server.engine) as session, session.begin():
        entries = session.execute(sa.select(tables.audit_log).order_by(tables.audit_log.c.seq)).mappings().all()
        assert [(e["kind"], e["subject_id"]) for e in entries] == [("sign_off", i.id) for i in signed]
        # A single entry appended after the batch links to the batch's last one.
        append_audit(session, kind="conflict_settled", subject_id=signed[0].id, actor_id=None, payload={"n": 1})
    with Session(server.engine) as session:
        report = verify_audit(session)
    assert report.ok and report.entries == 4, report


def test_what_a_batch_reads_is_read_again_by_the_next_batch_of_the_same_transaction(
    sup: Pusher, server: RunningServer
) -> None:
    """Batches in one transaction (chunks of a logged batch): each sees what the ones before it wrote (answers, the
    team leader's new role), not what an earlier batch had read (its stored answers, the leader as a leader)."""
    target = inspection()
    assert statuses(sup.push(sup.change(target))) == ["applied"]
    leader = server_records(server.engine, "person")[str(WORLD.leader_a)]
    sup.versions[WORLD.leader_a] = int(leader["version"])  # type: ignore[call-overload]
    demoted = Person.model_validate({**leader["payload"], "role": "inspector"})  # type: ignore[dict-item]
    actor = actor_of(server, sup)
    with Session(server.engine) as session, session.begin():
        # The sign-off reads the leader and the (still missing) answers, then the answers are written.
        first = BatchApplier(session, actor).apply(
            [sup.change(target, **SIGNED), *[sup.change(a) for a in answers(target)]]
        )
        second = BatchApplier(session, actor).apply([sup.change(target, **SIGNED), sup.change(demoted)])
        third = BatchApplier(session, actor).apply([sup.change(inspection(), **SIGNED)])
    assert_rejected(first[0], "E_MISSING_REQUIRED")
    assert statuses(first[1:]) == ["applied"] * 5
    assert statuses(second) == ["applied"] * 2, second
    assert_rejected(third[0], "E_NOT_TEAM_LEADER")


def test_a_change_body_hashes_as_its_canonical_json() -> None:
    """Idempotency compares the hash of a re-sent change with the stored one (made by earlier versions from
    ``canonical_json``): the reusable encoder must give the very same text."""
    payloads: list[dict[str, Any]] = [
        {},
        {"note": "冷却水压力报警未联锁", "score": None, "nested": {"b": [1, 2.5, "x"], "a": True}},
        {"big": 2**70, "small": 1e-7, "when": "2022-06-08T09:30:00Z", "quote": 'say "hi"\n'},
    ]
    for n, payload in enumerate(payloads):
        for op, base in ((Op.UPSERT, None), (Op.DELETE, 3)):
            change = Change(
                change_id=uuid.uuid4(),
                seq=n + 1,
                entity="answer",
                entity_id=uuid.uuid4(),
                op=op,
                payload=payload,
                base_version=base,
                schema_version=1,
            )
            body = {
                "entity": change.entity,
                "entity_id": str(change.entity_id),
                "op": change.op.value,
                "payload": change.payload,
                "base_version": change.base_version,
            }
            assert CANONICAL_ENCODER.encode(body) == canonical_json(body)
            assert change.body_hash() == hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def test_uuid_parsing_is_shared_but_never_wrong() -> None:
    text = "9156d51a-9ac5-40e5-ba6e-7cd387306dfe"
    assert as_uuid(text) == uuid.UUID(text) and as_uuid(text) is as_uuid(text)
    assert as_uuid(text.upper()) == uuid.UUID(text)
    assert as_uuid("not-a-uuid") is None and as_uuid("not-a-uuid") is None
    assert as_uuid("") is None and as_uuid(None) is None
    value = uuid.uuid4()
    assert as_uuid(value) is value
    assert as_uuid(value.int) is None  # not a UUID's text: refused, as before
