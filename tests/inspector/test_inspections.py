"""The inspection lifecycle: start (freezing the version), answers, findings, acknowledgement, sign-off, amendment."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from inspector.audit import verify_chain
from inspector.errors import NotFoundError, RuleViolation
from inspector.inspections import (
    AnswerInput,
    acknowledge,
    clear_answer,
    default_deadline,
    record_current_item,
    save_answer,
    save_finding,
    sign_off,
    start_amendment,
    start_inspection,
)
from inspector.models import (
    Answer,
    AuditEntry,
    Inspection,
    OutboxEntry,
    RectificationEvent,
    RectificationOrder,
    TemplateItem,
    TemplateVersion,
)
from inspector.signing import inspection_hash
from inspector.store import Store
from inspector.walk_queries import drafts, home_data, load_walk, place_for_label
from tests.screens.sample_group import FIXED_NOW, Sample, build_sample

TODAY = FIXED_NOW.date()


@pytest.fixture
def sample(store: Store) -> Sample:
    return build_sample(store)


def _items(store: Store, sample: Sample) -> dict[str, TemplateItem]:
    with store.session() as s:
        return {i.code: i for i in s.exec(select(TemplateItem).where(TemplateItem.version_id == sample.version_id))}


def _start(store: Store, sample: Sample, *, at_exit: bool = False) -> Inspection:
    """A new inspection of the sample's furnace checkpoint (``at_exit``: of its exit checkpoint)."""
    with store.session() as s:
        inspection, created = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.exit_id if at_exit else sample.furnace_id,
            now=FIXED_NOW,
        )
        s.commit()
        assert created
        return inspection


def _answer_all(store: Store, sample: Sample, inspection: Inspection, *, fail: str | None = None) -> None:
    items = _items(store, sample)
    values = {
        "C-01": AnswerInput(choice="yes"),
        "C-02": AnswerInput(choice="yes"),
        "C-03": AnswerInput(choice="yes"),
        "S-01": AnswerInput(score=5),
        "S-02": AnswerInput(score=4),
        "E-01": AnswerInput(measurement=3.5),
        "E-02": AnswerInput(choice="yes"),
    }
    if fail:
        values[fail] = AnswerInput(choice="no")
    for code, value in values.items():
        with store.session() as s:
            save_answer(s, inspection_id=inspection.id, item_id=items[code].id, value=value, now=FIXED_NOW)
            s.commit()


def test_start_freezes_the_version_and_resumes_the_same_draft(store: Store, sample: Sample) -> None:
    first = _start(store, sample)
    with store.session() as s:
        assert s.get(TemplateVersion, sample.version_id).frozen  # type: ignore[union-attr]
        again, created = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.furnace_id,
        )
        assert not created and again.id == first.id
        assert again.team_id == sample.team_id


def test_start_refuses_a_version_the_campaign_does_not_use(store: Store, sample: Sample) -> None:
    with store.session() as s, pytest.raises(RuleViolation, match="not used by this campaign"):
        start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.campaign_id,  # type: ignore[arg-type]
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.furnace_id,
        )


def test_each_answer_is_one_durable_transaction_with_its_outbox_entry(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    items = _items(store, sample)
    with store.session() as s:
        save_answer(
            s, inspection_id=inspection.id, item_id=items["C-03"].id, value=AnswerInput(choice="no", occurrences=2)
        )
        s.commit()
    with store.session() as s:
        save_answer(
            s, inspection_id=inspection.id, item_id=items["C-03"].id, value=AnswerInput(choice="yes", note="ok")
        )
        s.commit()
    with store.session() as s:
        answers = s.exec(select(Answer).where(Answer.inspection_id == inspection.id)).all()
        assert [(a.choice, a.occurrences, a.note) for a in answers] == [("yes", 1, "ok")]
        assert s.get(Inspection, inspection.id).current_item_code == "C-03"  # type: ignore[union-attr]
        entities = [e.entity for e in s.exec(select(OutboxEntry))]
        assert entities.count("answer") == 2


def test_answers_are_checked_against_the_item_kind(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    items = _items(store, sample)
    bad = [
        ("S-01", AnswerInput(score=6), "outside 0–5"),
        ("S-01", AnswerInput(choice="yes"), "not yes/no"),
        ("C-01", AnswerInput(measurement=1.0), "not a measurement"),
        ("C-01", AnswerInput(choice="maybe"), "unknown answer"),
        ("C-01", AnswerInput(choice="no", occurrences=0), "at least 1"),
    ]
    for code, value, message in bad:
        with store.session() as s, pytest.raises(RuleViolation, match=message):
            save_answer(s, inspection_id=inspection.id, item_id=items[code].id, value=value)


def test_clear_answer_and_record_current_item(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    items = _items(store, sample)
    with store.session() as s:
        save_answer(s, inspection_id=inspection.id, item_id=items["C-01"].id, value=AnswerInput(choice="yes"))
        clear_answer(s, inspection_id=inspection.id, item_id=items["C-01"].id)
        record_current_item(s, inspection_id=inspection.id, item_code="E-01")
        s.commit()
    with store.session() as s:
        data = load_walk(s, inspection.id)
        assert data.answers == {} and data.current_item_code == "E-01"


def test_default_deadlines_by_grade() -> None:
    assert default_deadline("general", TODAY) == TODAY + timedelta(days=7)
    assert default_deadline("significant", TODAY) == TODAY + timedelta(days=15)
    assert default_deadline("major", TODAY) == TODAY + timedelta(days=30)
    with pytest.raises(RuleViolation, match="Unknown hazard grade"):
        default_deadline("huge", TODAY)


def test_always_major_items_force_a_major_finding_and_photos_must_exist(
    store: Store, sample: Sample, tmp_path: Path
) -> None:
    inspection = _start(store, sample)
    items = _items(store, sample)
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(b"\xff\xd8")
    with store.session() as s:
        finding = save_finding(
            s,
            inspection_id=inspection.id,
            item_id=items["C-01"].id,
            grade="general",
            description="没有应急水源",
            team_id=None,
            deadline=None,
            photo_paths=[str(photo)],
            raised_by_id=sample.inspector_id,
            today=TODAY,
        )
        assert finding.grade == "major"
        assert finding.deadline == TODAY + timedelta(days=30)
        assert finding.team_id == sample.team_id  # the checkpoint's team by default
        with pytest.raises(RuleViolation, match=r"Evidence photo not found: .*missing\.jpg"):
            save_finding(
                s,
                inspection_id=inspection.id,
                item_id=items["C-03"].id,
                grade="general",
                description="no gloves",
                team_id=None,
                deadline=None,
                photo_paths=[str(tmp_path / "missing.jpg")],
                raised_by_id=None,
                today=TODAY,
            )
        with pytest.raises(RuleViolation, match="description is empty"):
            save_finding(
                s,
                inspection_id=inspection.id,
                item_id=None,
                grade="general",
                description="  ",
                team_id=None,
                deadline=None,
                photo_paths=[],
                raised_by_id=None,
                today=TODAY,
            )
        with pytest.raises(RuleViolation, match="already past"):
            save_finding(
                s,
                inspection_id=inspection.id,
                item_id=None,
                grade="general",
                description="x",
                team_id=None,
                deadline=TODAY - timedelta(days=1),
                photo_paths=[],
                raised_by_id=None,
                today=TODAY,
            )


def test_sign_off_refuses_missing_required_items_and_missing_acknowledgement(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    with store.session() as s:
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
        with pytest.raises(RuleViolation, match="Required items not answered: C-01, C-02"):
            sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id)
    other = _start(store, sample, at_exit=True)
    _answer_all(store, sample, other)
    with store.session() as s, pytest.raises(RuleViolation, match="not acknowledged"):
        sign_off(s, inspection_id=other.id, signer_id=sample.inspector_id)
    with store.session() as s, pytest.raises(RuleViolation, match="team leader"):
        acknowledge(s, inspection_id=other.id, leader_id=sample.inspector_id)


def _finding(store: Store, sample: Sample, inspection: Inspection, code: str) -> None:
    items = _items(store, sample)
    with store.session() as s:
        save_finding(
            s,
            inspection_id=inspection.id,
            item_id=items[code].id,
            grade="general",
            description="隐患",
            team_id=None,
            deadline=None,
            photo_paths=[],
            raised_by_id=sample.inspector_id,
            today=TODAY,
        )
        s.commit()


def test_sign_off_stores_score_hash_audit_and_orders_then_locks(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection, fail="C-01")
    _finding(store, sample, inspection, "C-01")
    with store.session() as s:
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
        result = sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    assert result.score.vetoed and result.score.grade == "veto"
    # possible 10+10+5 + 5+5 + 5+5 = 45; C-01 "no" loses its 10, S-02 scored 4/5 loses 1
    assert result.score.earned == 34.0 and result.score.possible == 45.0
    with store.session() as s:
        signed = s.get(Inspection, inspection.id)
        assert signed is not None
        assert signed.status == "signed" and signed.score_percent == 75.6 and signed.vetoed
        assert signed.rule_version == result.score.rule_version
        assert signed.content_hash == inspection_hash(s, signed) == result.content_hash
        orders = s.exec(select(RectificationOrder)).all()
        assert len(orders) == 1 and orders[0].status == "open" and orders[0].team_id == sample.team_id
        assert orders[0].deadline == TODAY + timedelta(days=30)
        events = s.exec(select(RectificationEvent)).all()
        assert [(e.order_id, e.to_status) for e in events] == [(orders[0].id, "open")]
        audit = s.exec(select(AuditEntry)).all()
        assert [(a.kind, a.subject_id) for a in audit] == [("sign_off", inspection.id)]
        assert verify_chain(s).ok
        items = _items(store, sample)
        with pytest.raises(RuleViolation, match="signed and locked"):
            save_answer(s, inspection_id=inspection.id, item_id=items["C-01"].id, value=AnswerInput(choice="yes"))
        with pytest.raises(RuleViolation, match="signed and locked"):
            acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id)
        with pytest.raises(RuleViolation, match="signed and locked"):
            sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id)


def test_only_the_inspector_signs(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection)
    with store.session() as s:
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id)
        with pytest.raises(RuleViolation, match="Only the inspector"):
            sign_off(s, inspection_id=inspection.id, signer_id=sample.leader_id)


def test_amendment_copies_answers_and_supersedes_the_original_when_signed(store: Store, sample: Sample) -> None:
    original = _start(store, sample)
    _answer_all(store, sample, original, fail="C-03")
    with store.session() as s:
        acknowledge(s, inspection_id=original.id, leader_id=sample.leader_id)
        sign_off(s, inspection_id=original.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    with store.session() as s:
        with pytest.raises(RuleViolation, match="reason is empty"):
            start_amendment(s, original_id=original.id, inspector_id=sample.inspector_id, reason=" ")
        amendment = start_amendment(s, original_id=original.id, inspector_id=sample.inspector_id, reason="C-03 misread")
        s.commit()
    items = _items(store, sample)
    with store.session() as s:
        data = load_walk(s, amendment.id)
        assert data.amends_id == original.id and data.answers["C-03"].choice == "no"
        assert len(data.answers) == 7
        save_answer(s, inspection_id=amendment.id, item_id=items["C-03"].id, value=AnswerInput(choice="yes"))
        acknowledge(s, inspection_id=amendment.id, leader_id=sample.leader_id)
        result = sign_off(s, inspection_id=amendment.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    assert result.score.percent == 97.8  # 44 of 45: only S-02's point is lost
    with store.session() as s:
        assert s.get(Inspection, original.id).superseded_by_id == amendment.id  # type: ignore[union-attr]
        assert [a.kind for a in s.exec(select(AuditEntry))] == ["sign_off", "amendment"]
        with pytest.raises(RuleViolation, match="already replaced"):
            start_amendment(s, original_id=original.id, inspector_id=sample.inspector_id, reason="again")
    draft = _start(store, sample, at_exit=True)
    with store.session() as s, pytest.raises(RuleViolation, match="Only a signed inspection"):
        start_amendment(s, original_id=draft.id, inspector_id=sample.inspector_id, reason="x")


def test_home_queries_show_drafts_progress_and_orders(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    items = _items(store, sample)
    with store.session() as s:
        save_answer(s, inspection_id=inspection.id, item_id=items["C-01"].id, value=AnswerInput(choice="yes"))
        s.commit()
        found = drafts(s, inspector_id=sample.inspector_id)
        assert [(d.answered, d.total, d.current_item_code, d.place("en")) for d in found] == [
            (1, 9, "C-01", "Casting workshop · Furnace platform")
        ]
        home = home_data(s)
        assert home.person is not None and home.person.code == "INS-01"
        assert home.campaign is not None and home.campaign.code == "SPM-2022"
        assert [(w.code, w.checkpoints, w.inspected, w.drafts) for w in home.workshops] == [("CAST", 2, 0, 1)]
        assert home.sync.pending > 0 and home.sync.last_at is None


def test_labels_resolve_to_places_or_say_what_is_unknown(store: Store, sample: Sample) -> None:
    with store.session() as s:
        assert place_for_label(s, kind="checkpoint", code="F1-CAST-FURN").id == sample.furnace_id
        workshop = place_for_label(s, kind="workshop", code="F1/CAST")
        assert workshop.is_workshop and workshop.workshop_id == sample.workshop_id
        with pytest.raises(NotFoundError, match="No checkpoint has the code NOPE"):
            place_for_label(s, kind="checkpoint", code="NOPE")


def test_deadline_of_finding_is_a_date(store: Store, sample: Sample) -> None:
    inspection = _start(store, sample)
    _finding(store, sample, inspection, "C-03")
    with store.session() as s:
        data = load_walk(s, inspection.id)
        assert isinstance(data.findings[0].deadline, date)
        assert data.findings[0].grade == "general" and data.findings[0].item_code == "C-03"


def test_the_keypress_save_stores_the_same_answer_as_the_session_save(tmp_path: Path) -> None:
    from bench.fixtures import build_world
    from inspector.inspections import commit_answer

    world = build_world(tmp_path / "k.db", items=3)
    inspection_id = world.new_inspection()
    with world.store.session() as s:
        commit_answer(
            s, inspection_id=inspection_id, item_id=world.item_ids[0], value=AnswerInput(choice="no", note="护栏缺失")
        )
        s.commit()
    with world.store.session() as s:
        answer = s.exec(select(Answer).where(Answer.inspection_id == inspection_id)).one()
        assert (answer.choice, answer.note) == ("no", "护栏缺失")
        with pytest.raises(RuleViolation, match="unknown answer"):
            commit_answer(s, inspection_id=inspection_id, item_id=world.item_ids[1], value=AnswerInput(choice="maybe"))


def test_a_sign_off_reaches_the_outbox_as_one_change_with_its_hash(store: Store, sample: Sample) -> None:
    """Sign-off flushes more than once; the outbox holds one change per record per transaction, the final one (a
    second change to an already signed inspection would be refused by the server)."""
    inspection = _start(store, sample)
    _answer_all(store, sample, inspection, fail="C-01")
    with store.session() as s:
        before = {e.seq for e in s.exec(select(OutboxEntry)).all()}
        acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
        result = sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
    with store.session() as s:
        new = [e for e in s.exec(select(OutboxEntry).order_by(col(OutboxEntry.seq))).all() if e.seq not in before]
        mine = [e for e in new if e.entity == "inspection" and e.entity_id == inspection.id]
        assert len(mine) == 1
        assert mine[0].payload["status"] == "signed"
        assert mine[0].payload["content_hash"] == result.content_hash
        assert len({(e.entity, e.entity_id) for e in new}) == len(new)  # nothing else twice either
    # A later transaction is a new change again.
    with store.session() as s:
        count = len(s.exec(select(OutboxEntry).where(OutboxEntry.entity_id == inspection.id)).all())
        signed = s.get(Inspection, inspection.id)
        assert signed is not None
        signed.updated_at = FIXED_NOW  # any change
        s.commit()
        assert len(s.exec(select(OutboxEntry).where(OutboxEntry.entity_id == inspection.id)).all()) == count + 1
