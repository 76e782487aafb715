"""The durable single-answer save writes exactly what the ORM would, and refuses signed inspections."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlmodel import col, select

from bench.fixtures import BenchWorld, build_world
from inspector.autosave import save_answer
from inspector.errors import NotFoundError, RuleViolation
from inspector.models import Answer, Inspection, InspectionStatus, OutboxEntry


@pytest.fixture
def world(tmp_path: Path) -> BenchWorld:
    built = build_world(tmp_path / "w.db", items=5)
    return built


def test_save_then_change_keeps_one_row_and_two_outbox_entries(world: BenchWorld) -> None:
    inspection_id = world.new_inspection()
    item = world.item_ids[0]
    with world.store.raw_connection() as conn:
        first = save_answer(conn, inspection_id=inspection_id, item_id=item, choice="no", occurrences=2)
        second = save_answer(
            conn, inspection_id=inspection_id, item_id=item, choice="yes", note="修好了", current_item_code="S0-0"
        )
    assert first.answer_id == second.answer_id
    with world.store.session() as session:
        answers = session.exec(select(Answer).where(Answer.inspection_id == inspection_id)).all()
        assert len(answers) == 1
        answer = answers[0]
        assert (answer.choice, answer.note, answer.occurrences) == ("yes", "修好了", 1)
        entries = session.exec(
            select(OutboxEntry).where(OutboxEntry.entity == "answer").order_by(col(OutboxEntry.seq))
        ).all()
        assert len(entries) == 2
        # The payload is exactly what the ORM hook would have written for the stored row.
        assert entries[-1].payload == answer.model_dump(mode="json")
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None and inspection.current_item_code == "S0-0"


def test_signed_inspection_refuses_answers_and_writes_nothing(world: BenchWorld) -> None:
    inspection_id = world.new_inspection()
    with world.store.session() as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        inspection.status = InspectionStatus.SIGNED
        session.add(inspection)
        session.commit()
        before = len(session.exec(select(OutboxEntry)).all())
    with world.store.raw_connection() as conn, pytest.raises(RuleViolation, match="amendment"):
        save_answer(conn, inspection_id=inspection_id, item_id=world.item_ids[0], choice="yes")
    with world.store.session() as session:
        assert session.exec(select(Answer)).all() == []
        assert len(session.exec(select(OutboxEntry)).all()) == before


def test_unknown_inspection_is_a_clear_error(world: BenchWorld) -> None:
    with world.store.raw_connection() as conn, pytest.raises(NotFoundError, match="does not exist"):
        save_answer(conn, inspection_id=uuid.uuid4(), item_id=world.item_ids[0], choice="yes")


def test_no_note_keeps_the_stored_note_and_an_item_of_another_checklist_is_refused(
    world: BenchWorld, tmp_path: Path
) -> None:
    inspection_id = world.new_inspection()
    item = world.item_ids[1]
    with world.store.raw_connection() as conn:
        save_answer(conn, inspection_id=inspection_id, item_id=item, choice="no", note="护栏缺失")
        save_answer(conn, inspection_id=inspection_id, item_id=item, choice="yes")  # note=None: keep it
        with pytest.raises(NotFoundError, match="not on this inspection's checklist"):
            save_answer(conn, inspection_id=inspection_id, item_id=uuid.uuid4(), choice="yes")
    with world.store.session() as session:
        answer = session.exec(select(Answer).where(Answer.item_id == item)).one()
        assert (answer.choice, answer.note) == ("yes", "护栏缺失")
        last = session.exec(select(OutboxEntry).order_by(col(OutboxEntry.seq).desc())).first()
        assert last is not None and last.payload == answer.model_dump(mode="json")
