"""The signed content covers evidence photos by their bytes (content format 2), wherever the copy lives; hashes
made in the legacy format (photos by path) still verify where they verified before."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, select

import inspector.inspections as inspections
from inspector.inspections import AnswerInput, acknowledge, save_answer, save_finding, sign_off
from inspector.integrity import CONTENT_CHANGED, check_integrity
from inspector.models import Answer, Finding, Inspection
from inspector.receipt import CONTENT_CHANGED as RECEIPT_CONTENT_CHANGED
from inspector.receipt import MATCH, receipt_for, verify_receipt
from inspector.signing import (
    CONTENT_FORMAT,
    PHOTO_MISSING_PREFIX,
    check_content,
    inspection_content,
    inspection_hash,
    photo_digest,
)
from inspector.store import Store
from tests.inspector.test_inspections import TODAY, _answer_all, _items, _start
from tests.screens.sample_group import FIXED_NOW, Sample, build_sample

ANSWER_PHOTO = b"\xff\xd8valve tagged " * 100
FINDING_PHOTO = b"\xff\xd8guard rail missing " * 100


@pytest.fixture
def sample(store: Store) -> Sample:
    return build_sample(store)


def people(sample: Sample) -> tuple[uuid.UUID, uuid.UUID]:
    """The sample's inspector and team leader (typed)."""
    assert isinstance(sample.inspector_id, uuid.UUID) and isinstance(sample.leader_id, uuid.UUID)
    return sample.inspector_id, sample.leader_id


def raw(store: Store, sql: str, *params: object) -> int:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql, params).rowcount


def signed_with_photos(store: Store, sample: Sample, camera: Path) -> uuid.UUID:
    """An inspection with a photo on answer C-02 and one on the finding raised on C-01, signed."""
    inspector, leader = people(sample)
    camera.mkdir()
    (camera / "valve.jpg").write_bytes(ANSWER_PHOTO)
    (camera / "rail.jpg").write_bytes(FINDING_PHOTO)
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection, fail="C-01")
    items = _items(store, sample)
    with store.session() as s:
        save_answer(
            s,
            inspection_id=inspection.id,
            item_id=items["C-02"].id,
            value=AnswerInput(choice="yes", photo_path=str(camera / "valve.jpg")),
            now=FIXED_NOW,
        )
        save_finding(
            s,
            inspection_id=inspection.id,
            item_id=items["C-01"].id,
            grade="general",
            description="护栏缺失",
            team_id=None,
            deadline=None,
            photo_paths=[str(camera / "rail.jpg")],
            raised_by_id=inspector,
            today=TODAY,
        )
        acknowledge(s, inspection_id=inspection.id, leader_id=leader, now=FIXED_NOW)
        sign_off(s, inspection_id=inspection.id, signer_id=inspector, now=FIXED_NOW)
        s.commit()
    return inspection.id


def move_photos(store: Store, inspection_id: uuid.UUID, camera: Path, elsewhere: Path) -> None:
    """What a pull does on another laptop: the photos are copies in another folder and the rows point at them."""
    shutil.copytree(camera, elsewhere)
    shutil.rmtree(camera)
    answer_sql = "UPDATE answer SET photo_path = replace(photo_path, ?, ?) WHERE inspection_id = ?"
    finding_sql = "UPDATE finding SET photo_paths = replace(photo_paths, ?, ?) WHERE inspection_id = ?"
    for sql in (answer_sql, finding_sql):
        assert raw(store, sql, str(camera), str(elsewhere), inspection_id.hex) >= 1


def receipt_status(store: Store, inspection_id: uuid.UUID, receipt: str) -> str:
    with store.session() as s:
        return verify_receipt(s, receipt).status


def receipt_of(store: Store, inspection_id: uuid.UUID) -> str:
    with store.session() as s:
        inspection = s.get(Inspection, inspection_id)
        assert inspection is not None
        return receipt_for(s, inspection).text()


def integrity_problems(store: Store) -> list[tuple[uuid.UUID, str]]:
    with store.session() as s:
        return [(p.inspection_id, p.problem) for p in check_integrity(s).problems]


def test_photos_are_signed_by_their_bytes_not_their_path(store: Store, sample: Sample, tmp_path: Path) -> None:
    camera = tmp_path / "camera"
    inspection_id = signed_with_photos(store, sample, camera)
    with store.session() as s:
        inspection = s.get(Inspection, inspection_id)
        assert inspection is not None
        content = inspection_content(s, inspection)
        [photo_answer] = [a for a in content["answers"] if a["photo_path"]]
        [finding] = content["findings"]
    assert photo_answer["photo_path"] == photo_digest(str(camera / "valve.jpg"))
    assert photo_answer["photo_path"].startswith("sha256:") and str(camera) not in photo_answer["photo_path"]
    assert finding["photo_paths"] == [photo_digest(str(camera / "rail.jpg"))]
    receipt = receipt_of(store, inspection_id)

    move_photos(store, inspection_id, camera, tmp_path / "attachments")
    with store.session() as s:
        moved = s.get(Inspection, inspection_id)
        assert moved is not None and str(tmp_path / "attachments") in moved_paths(s, inspection_id)[0]
        check = check_content(s, moved, moved.content_hash)
    assert check.matches and check.content_format == CONTENT_FORMAT
    assert receipt_status(store, inspection_id, receipt) == MATCH
    assert integrity_problems(store) == []


def moved_paths(session: Session, inspection_id: uuid.UUID) -> list[str]:
    """The photo paths the inspection's rows hold."""
    answers = session.exec(select(Answer.photo_path).where(Answer.inspection_id == inspection_id)).all()
    findings = session.exec(select(Finding.photo_paths).where(Finding.inspection_id == inspection_id)).all()
    return [p for p in answers if p] + [str(p) for paths in findings for p in paths]


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_a_photo_replaced_or_deleted_after_sign_off_is_caught(
    store: Store, sample: Sample, tmp_path: Path, how: str
) -> None:
    camera = tmp_path / "camera"
    inspection_id = signed_with_photos(store, sample, camera)
    receipt = receipt_of(store, inspection_id)
    photo = camera / "rail.jpg"
    if how == "replaced":
        photo.write_bytes(FINDING_PHOTO[:-1] + b"!")
    else:
        photo.unlink()
    assert receipt_status(store, inspection_id, receipt) == RECEIPT_CONTENT_CHANGED
    assert integrity_problems(store) == [(inspection_id, CONTENT_CHANGED)]
    if how == "deleted":
        assert photo_digest(str(photo)) == PHOTO_MISSING_PREFIX + str(photo)


def test_a_legacy_path_hash_still_verifies_where_it_did(
    store: Store, sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop that signed with the path-based format (1) before this version: its stored hash and its chain
    entry still verify there; after its paths are rewritten it fails, as it always did."""
    monkeypatch.setattr(
        inspections,
        "inspection_hash",
        lambda session, inspection: inspection_hash(session, inspection, content_format=1),
    )
    camera = tmp_path / "camera"
    inspection_id = signed_with_photos(store, sample, camera)
    monkeypatch.undo()
    with store.session() as s:
        inspection = s.get(Inspection, inspection_id)
        assert inspection is not None
        assert inspection.content_hash == inspection_hash(s, inspection, content_format=1)
        assert inspection.content_hash != inspection_hash(s, inspection)
        check = check_content(s, inspection, inspection.content_hash)
    assert check.matches and check.content_format == 1
    receipt = receipt_of(store, inspection_id)
    assert receipt_status(store, inspection_id, receipt) == MATCH
    assert integrity_problems(store) == []

    move_photos(store, inspection_id, camera, tmp_path / "attachments")
    assert receipt_status(store, inspection_id, receipt) == RECEIPT_CONTENT_CHANGED
    assert integrity_problems(store) == [(inspection_id, CONTENT_CHANGED)]


def test_without_photos_both_formats_hash_the_same(store: Store, sample: Sample) -> None:
    """Hashes stored before format 2 on inspections without photos (the demo database's) are format-2 hashes too."""
    inspector, leader = people(sample)
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection)
    with store.session() as s:
        acknowledge(s, inspection_id=inspection.id, leader_id=leader, now=FIXED_NOW)
        result = sign_off(s, inspection_id=inspection.id, signer_id=inspector, now=FIXED_NOW)
        s.commit()
        signed = s.get(Inspection, inspection.id)
        assert signed is not None
        assert inspection_hash(s, signed, content_format=1) == inspection_hash(s, signed) == result.content_hash


def test_an_unknown_content_format_is_refused(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    with store.session() as s, pytest.raises(ValueError, match="unknown inspection content format 3"):
        inspection_hash(s, inspection, content_format=3)
