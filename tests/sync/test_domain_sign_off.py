"""A sign-off made through the domain (the calls the app's review screen makes) reaches the real server whole.

An inspector's laptop starts an inspection, answers every item and raises a finding with the walk's functions; the
team leader acknowledges and the inspector signs with ``acknowledge``/``sign_off``; the laptop syncs with the real
engine against PostgreSQL. The server must accept every change (no rejection, no conflict) and hold the signed
inspection with the laptop's content hash and score, the rectification order sign-off issued, and an audit entry
vouching for the same hash; a supervisor's laptop pulling it recomputes the same hash and accepts the inspector's
receipt. The same for an amendment: the original stays signed and names its successor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from inspector.inspections import (
    AnswerInput,
    SignOffResult,
    acknowledge,
    clear_answer,
    commit_answer,
    delete_finding,
    save_answer,
    save_finding,
    sign_off,
    start_amendment,
    start_inspection,
)
from inspector.models import CampaignChecklist, Inspection, OutboxEntry, RectificationEvent, RectificationOrder
from inspector.models.enums import OutboxStatus
from inspector.receipt import MATCH, receipt_for, verify_receipt
from inspector.signing import inspection_hash
from sync.client.engine import SyncReport
from sync.protocol import DeviceRole
from sync.server import tables
from sync.server.audit import verify_audit
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import server_records
from tests.sync.world import WORLD, seed_reference

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

STARTED = datetime(2022, 6, 8, 9, 30, tzinfo=UTC)
ACKNOWLEDGED = datetime(2022, 6, 8, 10, 15, tzinfo=UTC)
SIGNED = datetime(2022, 6, 8, 10, 20, tzinfo=UTC)
AMENDED = datetime(2022, 6, 9, 8, 0, tzinfo=UTC)
TODAY = date(2022, 6, 8)
#: The walk's answers: item I0 fails (a finding is raised on it), the others pass or fail as marked.
CHOICES = ("no", "yes", "yes", "no", "yes")
#: How many of the items are answered by the walk's keypress path (the rest through ``save_answer``).
KEYPRESSES = 2
#: The amendment's answers: I3, failed at first, passes on a second look.
AMENDED_CHOICES = ("no", "yes", "yes", "yes", "yes")


@dataclass
class Group:
    """The group on the server: the supervisor's laptop (reference data pushed) and inspector 1's laptop."""

    server: RunningServer
    supervisor: Laptop
    inspector: Laptop


@pytest.fixture
def group(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> Group:
    sup = make_laptop(tmp_path, "sup", server, server.enroll("sup", DeviceRole.SUPERVISOR, "SUP"), laptops)
    seed_reference(sup.store)
    with sup.store.session() as s:  # the campaign uses the checklist version (start_inspection checks it)
        s.add(CampaignChecklist(campaign_id=WORLD.campaign, template_version_id=WORLD.version))
        s.commit()
    assert_clean(sync(sup))
    ins = make_laptop(tmp_path, "ins", server, server.enroll("ins", DeviceRole.INSPECTOR, "INS-1"), laptops)
    assert_clean(sync(ins))
    return Group(server, sup, ins)


def sync(laptop: Laptop) -> SyncReport:
    report = laptop.engine().run()
    assert isinstance(report, SyncReport)
    return report


def assert_clean(report: SyncReport) -> None:
    """Every change went through: nothing rejected, no conflict, no error."""
    assert report.rejected == 0 and not report.rejections, report
    assert report.conflicts == 0, report
    assert not report.errors, report


def unsent(laptop: Laptop) -> list[tuple[str, str, str]]:
    """Outbox entries that are not acknowledged as applied: (entity, status, last error)."""
    with laptop.store.session() as s:
        entries = s.exec(select(OutboxEntry).where(OutboxEntry.status != OutboxStatus.ACKED)).all()
        return [(e.entity, str(e.status), e.error) for e in entries]


def walk(laptop: Laptop, inspection_id: uuid.UUID, choices: tuple[str, ...], at: datetime, *, start: int = 0) -> None:
    """Answer items ``start``… as the walk does, one transaction per answer, the cursor moving on to the next item:
    the first ones by keypress (``commit_answer``), the rest as the review's edits (``save_answer``, caller
    commits)."""
    for n in range(start, len(choices)):
        following = f"I{n + 1}" if n + 1 < len(choices) else None
        value = AnswerInput(choice=choices[n], note=f"第{n}项")
        with laptop.store.session() as s:
            if n < KEYPRESSES:
                commit_answer(
                    s,
                    inspection_id=inspection_id,
                    item_id=WORLD.item(n),
                    value=value,
                    now=at,
                    current_item_code=following,
                )
            else:
                save_answer(
                    s,
                    inspection_id=inspection_id,
                    item_id=WORLD.item(n),
                    value=value,
                    now=at,
                    current_item_code=following,
                )
                s.commit()


def acknowledge_and_sign(
    laptop: Laptop, inspection_id: uuid.UUID, at: datetime, *, sync_between: bool = False
) -> SignOffResult:
    """The review screen: the team leader acknowledges (one write), then the inspector signs (another);
    ``sync_between``: the laptop syncs in between (the draft and its acknowledgement are on the server first)."""
    with laptop.store.session() as s:
        acknowledge(s, inspection_id=inspection_id, leader_id=WORLD.leader_a, now=at)
        s.commit()
    if sync_between:
        assert_clean(sync(laptop))
    with laptop.store.session() as s:
        result = sign_off(s, inspection_id=inspection_id, signer_id=WORLD.inspector_1, now=at)
        s.commit()
    return result


def on_laptop(laptop: Laptop, inspection_id: uuid.UUID) -> Inspection:
    with laptop.store.session() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None
        s.expunge(row)
        return row


def stored(server: RunningServer, entity: str, record_id: uuid.UUID) -> dict[str, Any]:
    record = server_records(server.engine, entity).get(str(record_id))
    assert record is not None, f"the server has no {entity} {record_id}"
    assert not record["deleted"]
    payload = record["payload"]
    assert isinstance(payload, dict)
    return payload


def live(server: RunningServer, entity: str, **match: str) -> list[dict[str, Any]]:
    """The payloads of the server's live (not deleted) records of ``entity`` whose fields equal ``match``."""
    found: list[dict[str, Any]] = []
    for record in server_records(server.engine, entity).values():
        payload = record["payload"]
        assert isinstance(payload, dict)
        if not record["deleted"] and all(payload.get(k) == v for k, v in match.items()):
            found.append(payload)
    return found


def answered(server: RunningServer, inspection_id: uuid.UUID) -> dict[str, str]:
    """The server's answers of an inspection: item id → choice."""
    return {str(p["item_id"]): str(p["choice"]) for p in live(server, "answer", inspection_id=str(inspection_id))}


def answered_as(choices: tuple[str, ...]) -> dict[str, str]:
    return {str(WORLD.item(n)): choice for n, choice in enumerate(choices)}


def assert_signed_on_server(server: RunningServer, laptop: Laptop, inspection_id: uuid.UUID) -> dict[str, Any]:
    """The server's inspection is the laptop's signed one: status, content hash, score and acknowledgement."""
    mine = on_laptop(laptop, inspection_id)
    theirs = stored(server, "inspection", inspection_id)
    assert mine.content_hash and len(mine.content_hash) == 64
    assert theirs["status"] == "signed"
    assert theirs["content_hash"] == mine.content_hash
    assert theirs["acknowledged_by_id"] == str(WORLD.leader_a)
    for field in ("score_earned", "score_possible", "score_percent", "grade", "vetoed", "rule_version"):
        assert theirs[field] == getattr(mine, field), field
    return theirs


def server_audit(server: RunningServer, kind: str, subject: uuid.UUID) -> list[dict[str, Any]]:
    a = tables.audit_log.c
    with server.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.payload, a.actor_id).where(a.kind == kind, a.subject_id == subject).order_by(a.seq)
        ).all()
    return [{"payload": row.payload, "actor_id": row.actor_id} for row in rows]


def assert_pulled_hash(laptop: Laptop, inspection_id: uuid.UUID, content_hash: str) -> None:
    """On another laptop, the pulled record hashes to what was signed, and the signer's receipt checks out."""
    with laptop.store.session() as s:
        pulled = s.get(Inspection, inspection_id)
        assert pulled is not None, f"inspection {inspection_id} was not pulled"
        assert pulled.content_hash == content_hash
        assert inspection_hash(s, pulled) == content_hash


def start(laptop: Laptop, at: datetime = STARTED) -> uuid.UUID:
    with laptop.store.session() as s:
        inspection, created = start_inspection(
            s,
            campaign_id=WORLD.campaign,
            template_version_id=WORLD.version,
            inspector_id=WORLD.inspector_1,
            workshop_id=WORLD.workshop,
            now=at,
        )
        assert created
        s.commit()
        return inspection.id


def raise_finding(
    laptop: Laptop,
    inspection_id: uuid.UUID,
    item: int,
    description: str,
    *,
    grade: str = "general",
    photos: tuple[Path, ...] = (),
    finding_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """The walk's hazard dialog: ``save_finding`` in a write of its own (``finding_id`` edits one)."""
    with laptop.store.session() as s:
        finding = save_finding(
            s,
            inspection_id=inspection_id,
            item_id=WORLD.item(item),
            grade=grade,
            description=description,
            team_id=WORLD.team_a,
            deadline=None,
            photo_paths=[str(p) for p in photos],
            raised_by_id=WORLD.inspector_1,
            today=TODAY,
            finding_id=finding_id,
        )
        s.commit()
        return finding.id


def amend(laptop: Laptop, original_id: uuid.UUID, reason: str) -> uuid.UUID:
    with laptop.store.session() as s:
        amendment = start_amendment(
            s, original_id=original_id, inspector_id=WORLD.inspector_1, reason=reason, now=AMENDED
        )
        s.commit()
        return amendment.id


def signed_inspection(g: Group, *, sync_between: bool = False) -> tuple[uuid.UUID, uuid.UUID, SignOffResult]:
    """Inspector 1 walks the workshop (a finding on I0), the leader acknowledges, the inspector signs;
    ``sync_between``: the laptop also syncs mid-walk and between acknowledgement and sign-off."""
    ins = g.inspector
    inspection_id = start(ins)
    walk(ins, inspection_id, CHOICES[:KEYPRESSES], STARTED)
    if sync_between:
        assert_clean(sync(ins))
    walk(ins, inspection_id, CHOICES, STARTED, start=KEYPRESSES)
    finding_id = raise_finding(ins, inspection_id, 0, "冷却水无压力报警", grade="significant")
    result = acknowledge_and_sign(ins, inspection_id, SIGNED, sync_between=sync_between)
    assert result.score.percent == 60.0 and len(result.order_ids) == 1
    return inspection_id, finding_id, result


def sign_with_photos(laptop: Laptop, camera: Path) -> tuple[uuid.UUID, SignOffResult]:
    """Inspector 1 walks the workshop with an answer photo (I1) and a finding photo (I0), both taken into the new
    folder ``camera``; the leader acknowledges, the inspector signs. Nothing is synced yet."""
    camera.mkdir()
    finding_photo, answer_photo = camera / "rail.jpg", camera / "valve.jpg"
    finding_photo.write_bytes(b"\xff\xd8guard rail missing " * 300)
    answer_photo.write_bytes(b"\xff\xd8valve tagged " * 300)
    inspection_id = start(laptop)
    walk(laptop, inspection_id, CHOICES, STARTED)
    with laptop.store.session() as s:
        save_answer(
            s,
            inspection_id=inspection_id,
            item_id=WORLD.item(1),
            value=AnswerInput(choice="yes", photo_path=str(answer_photo)),
            now=STARTED,
        )
        s.commit()
    raise_finding(laptop, inspection_id, 0, "护栏缺失", photos=(finding_photo,))
    return inspection_id, acknowledge_and_sign(laptop, inspection_id, SIGNED)


@pytest.mark.parametrize("sync_between", [False, True], ids=["offline-walk", "synced-mid-walk"])
def test_a_domain_sign_off_reaches_the_server_whole(group: Group, sync_between: bool) -> None:
    g = group
    inspection_id, finding_id, result = signed_inspection(g, sync_between=sync_between)

    report = sync(g.inspector)
    assert_clean(report)
    assert unsent(g.inspector) == []
    theirs = assert_signed_on_server(g.server, g.inspector, inspection_id)
    assert theirs["content_hash"] == result.content_hash and theirs["score_percent"] == result.score.percent
    assert theirs["signed_at"] is not None and theirs["superseded_by_id"] is None

    assert answered(g.server, inspection_id) == answered_as(CHOICES)
    assert stored(g.server, "finding", finding_id)["grade"] == "significant"
    [order_id] = result.order_ids
    order = stored(g.server, "rectificationorder", order_id)
    assert order["finding_id"] == str(finding_id) and order["team_id"] == str(WORLD.team_a)
    assert order["responsible_person_id"] == str(WORLD.leader_a) and order["status"] == "open"
    with g.inspector.store.session() as s:
        event = s.exec(select(RectificationEvent).where(RectificationEvent.order_id == order_id)).one()
    assert stored(g.server, "rectificationevent", event.id)["to_status"] == "open"

    # The server's audit chain vouches for the same hash, signed by the inspector's person, and holds together.
    [entry] = server_audit(g.server, "sign_off", inspection_id)
    assert entry["payload"]["content_hash"] == result.content_hash
    assert entry["actor_id"] == WORLD.inspector_1
    with sa.orm.Session(g.server.engine) as session:
        assert verify_audit(session).ok

    # Pulled back on the supervisor's laptop: the record hashes to what was signed; the receipt checks out there.
    assert_clean(sync(g.supervisor))
    assert_pulled_hash(g.supervisor, inspection_id, result.content_hash)
    with g.inspector.store.session() as s:
        receipt = receipt_for(s, on_laptop(g.inspector, inspection_id)).text()
    with g.supervisor.store.session() as s:
        assert verify_receipt(s, receipt).status == MATCH
        assert s.get(RectificationOrder, order_id) is not None

    # A second sync has nothing left to send and changes nothing on the server.
    again = sync(g.inspector)
    assert_clean(again)
    assert again.pushed == 0
    assert stored(g.server, "inspection", inspection_id) == theirs


@pytest.mark.parametrize("original_synced", [True, False], ids=["original-on-server", "all-offline"])
def test_an_amendment_reaches_the_server_and_supersedes_the_original(group: Group, original_synced: bool) -> None:
    """``all-offline``: the original, its amendment and the original's superseded mark go up in one sync."""
    g = group
    original_id, _finding_id, first = signed_inspection(g)
    if original_synced:
        assert_clean(sync(g.inspector))

    ins = g.inspector
    amendment_id = amend(ins, original_id, "I3 误判，复查合格")
    walk(ins, amendment_id, AMENDED_CHOICES, AMENDED, start=3)
    second = acknowledge_and_sign(ins, amendment_id, AMENDED)
    assert second.score.percent == 80.0 and second.order_ids == []
    assert second.content_hash != first.content_hash

    report = sync(ins)
    assert_clean(report)
    assert unsent(ins) == []
    theirs = assert_signed_on_server(g.server, ins, amendment_id)
    assert theirs["amends_id"] == str(original_id) and theirs["amendment_reason"] == "I3 误判，复查合格"
    assert theirs["content_hash"] == second.content_hash

    # The original is kept as it was signed, and names the amendment that replaces it.
    original = assert_signed_on_server(g.server, ins, original_id)
    assert original["content_hash"] == first.content_hash and original["score_percent"] == first.score.percent
    assert original["superseded_by_id"] == str(amendment_id)
    assert answered(g.server, original_id) == answered_as(CHOICES)
    assert answered(g.server, amendment_id) == answered_as(AMENDED_CHOICES)

    [entry] = server_audit(g.server, "amendment", amendment_id)
    assert entry["payload"]["content_hash"] == second.content_hash
    assert entry["payload"]["amends"] == str(original_id)
    assert len(server_audit(g.server, "sign_off", original_id)) == 1
    with sa.orm.Session(g.server.engine) as session:
        assert verify_audit(session).ok

    assert_clean(sync(g.supervisor))
    assert_pulled_hash(g.supervisor, amendment_id, second.content_hash)
    assert_pulled_hash(g.supervisor, original_id, first.content_hash)
    with g.supervisor.store.session() as s:
        pulled = s.get(Inspection, original_id)
        assert pulled is not None and pulled.superseded_by_id == amendment_id


def test_edits_after_a_sync_and_a_chain_of_amendments_made_offline_all_reach_the_server(group: Group) -> None:
    """A draft synced with its acknowledgement, then a finding withdrawn, another edited and an answer taken back
    and given again before signing; later, offline, an amendment with a new finding and an amendment of that
    amendment, all pushed in one sync."""
    g, ins = group, group.inspector
    inspection_id = start(ins)
    walk(ins, inspection_id, CHOICES, STARTED)
    kept = raise_finding(ins, inspection_id, 0, "冷却水无压力报警")
    withdrawn = raise_finding(ins, inspection_id, 3, "通道堆放杂物")
    with ins.store.session() as s:
        acknowledge(s, inspection_id=inspection_id, leader_id=WORLD.leader_a, now=ACKNOWLEDGED)
        s.commit()
    assert_clean(sync(ins))
    with ins.store.session() as s:
        delete_finding(s, inspection_id=inspection_id, finding_id=withdrawn)
        clear_answer(s, inspection_id=inspection_id, item_id=WORLD.item(4))
        s.commit()
    raise_finding(ins, inspection_id, 0, "冷却水无压力报警，已停机", grade="major", finding_id=kept)
    walk(ins, inspection_id, CHOICES, STARTED, start=4)
    with ins.store.session() as s:
        first = sign_off(s, inspection_id=inspection_id, signer_id=WORLD.inspector_1, now=SIGNED)
        s.commit()
    assert_clean(sync(ins))
    assert server_records(g.server.engine, "finding")[str(withdrawn)]["deleted"] is True
    assert stored(g.server, "finding", kept)["grade"] == "major"
    [order_id] = first.order_ids
    assert stored(g.server, "rectificationorder", order_id)["finding_id"] == str(kept)

    first_amendment = amend(ins, inspection_id, "漏记一项隐患")
    new_finding = raise_finding(ins, first_amendment, 3, "通道堆放杂物")
    second = acknowledge_and_sign(ins, first_amendment, AMENDED)
    second_amendment = amend(ins, first_amendment, "I3 复查合格")
    walk(ins, second_amendment, AMENDED_CHOICES, AMENDED, start=3)
    third = acknowledge_and_sign(ins, second_amendment, AMENDED)
    assert len(second.order_ids) == 1 and third.order_ids == []

    assert_clean(sync(ins))
    assert unsent(ins) == []
    chain = [(inspection_id, first), (first_amendment, second), (second_amendment, third)]
    successors = [first_amendment, second_amendment, None]
    for (record_id, result), successor in zip(chain, successors, strict=True):
        theirs = assert_signed_on_server(g.server, ins, record_id)
        assert theirs["content_hash"] == result.content_hash
        assert theirs["superseded_by_id"] == (str(successor) if successor else None)
    assert stored(g.server, "inspection", second_amendment)["amends_id"] == str(first_amendment)
    [order] = live(g.server, "rectificationorder", finding_id=str(new_finding))
    assert order["id"] == str(second.order_ids[0])
    assert [e["payload"]["amends"] for e in server_audit(g.server, "amendment", second_amendment)] == [
        str(first_amendment)
    ]
    with sa.orm.Session(g.server.engine) as session:
        assert verify_audit(session).ok

    assert_clean(sync(g.supervisor))
    for record_id, result in chain:
        assert_pulled_hash(g.supervisor, record_id, result.content_hash)


def test_a_signed_inspection_with_photos_hashes_the_same_on_the_laptop_that_pulls_it(
    group: Group, tmp_path: Path
) -> None:
    g, ins = group, group.inspector
    camera = tmp_path / "camera"
    inspection_id, result = sign_with_photos(ins, camera)
    report = sync(ins)
    assert_clean(report)
    assert report.uploaded == 2
    assert_signed_on_server(g.server, ins, inspection_id)
    with ins.store.session() as s:
        receipt = receipt_for(s, on_laptop(ins, inspection_id)).text()

    # The supervisor's laptop is another computer: the inspector's camera folder is not there.
    for photo in sorted(camera.iterdir()):
        photo.rename(tmp_path / photo.name)
    assert_clean(sync(g.supervisor))
    with g.supervisor.store.session() as s:
        assert verify_receipt(s, receipt).status == MATCH
    assert_pulled_hash(g.supervisor, inspection_id, result.content_hash)
