"""Inspection receipts: compact, decodable by an independent reader, and verified against the stored record."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import select

from inspector.models import Inspection
from inspector.receipt import (
    CONTENT_CHANGED,
    MATCH,
    NOT_FOUND,
    NOT_SIGNED,
    SIGNER_DIFFERS,
    STORED_HASH_CHANGED,
    ReceiptError,
    make_receipt,
    parse_receipt,
    qr_matrix,
    receipt_for,
    verify_receipt,
)
from inspector.scoring import AnswerValue
from inspector.store import Store
from tests.inspector.records_world import build_world


def matrix_image(matrix: list[list[bool]], scale: int = 8) -> Image.Image:
    size = len(matrix)
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


def test_receipt_text_round_trips_and_stays_compact() -> None:
    receipt = make_receipt(uuid.uuid4(), hashlib.sha256(b"signed").hexdigest(), "INS-001")
    text = receipt.text()
    assert text.startswith("INSR1:") and len(text) <= 80
    assert parse_receipt(text) == receipt
    assert parse_receipt(f"  {text}\n") == receipt
    assert len(qr_matrix(text, border=0)) == 29  # version 3: fits an 80×24 terminal in half blocks


def test_receipt_qr_decodes_with_an_independent_reader() -> None:
    text = make_receipt(uuid.uuid4(), hashlib.sha256(b"x").hexdigest(), "INS-001").text()
    found = zxingcpp.read_barcodes(matrix_image(qr_matrix(text, border=4)))
    assert [r.text for r in found] == [text]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hello", "E_RECEIPT_FORMAT"),
        ("INSP1:CP:CAST-01:ABCD", "E_RECEIPT_FORMAT"),
        ("INSR9:AAAA:BBBB:X:0000", "E_RECEIPT_VERSION"),
    ],
)
def test_bad_receipts_are_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(ReceiptError) as info:
        parse_receipt(text)
    assert info.value.code == code


def test_a_mistyped_receipt_fails_its_check_digits() -> None:
    text = make_receipt(uuid.uuid4(), hashlib.sha256(b"x").hexdigest(), "INS-001").text()
    body, check = text.rsplit(":", 1)
    wrong = body.replace("INS-001", "INS-002") + ":" + check
    with pytest.raises(ReceiptError) as info:
        parse_receipt(wrong)
    assert info.value.code == "E_RECEIPT_CHECK"


def test_verify_matches_then_catches_an_answer_edited_behind_the_app(store: Store) -> None:
    world = build_world(store)
    target = world.inspections[1]  # has a "no" answer and a major finding
    with store.session() as session:
        inspection = session.get(Inspection, target)
        assert inspection is not None
        text = receipt_for(session, inspection).text()
        check = verify_receipt(session, text)
    assert check.status == MATCH and check.matches
    assert check.signer_code == "INS-001"
    with sqlite3.connect(store.path) as raw:
        changed = raw.execute(
            "UPDATE answer SET choice = 'yes' WHERE inspection_id = ? AND choice = 'no'", (target.hex,)
        ).rowcount
    assert changed == 1
    with store.session() as session:
        check = verify_receipt(session, text)
    assert check.status == CONTENT_CHANGED
    assert check.current_hash != check.stored_hash


def test_verify_sees_a_rewritten_stored_hash_and_a_different_signer(store: Store) -> None:
    world = build_world(store)
    target = world.inspections[0]
    with store.session() as session:
        inspection = session.get(Inspection, target)
        assert inspection is not None and inspection.content_hash
        good = receipt_for(session, inspection)
    forged_signer = make_receipt(target, good.hash_prefix + "0" * 32, "INS-999").text()
    with store.session() as session:
        assert verify_receipt(session, forged_signer).status == SIGNER_DIFFERS
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE inspection SET content_hash = ? WHERE id = ?", ("f" * 64, target.hex))
    with store.session() as session:
        assert verify_receipt(session, good.text()).status == STORED_HASH_CHANGED


def test_unknown_and_unsigned_inspections(store: Store) -> None:
    world = build_world(store, inspections=False)
    unknown = make_receipt(uuid.uuid4(), "a" * 64, "INS-001").text()
    with store.session() as session:
        assert verify_receipt(session, unknown).status == NOT_FOUND
        draft = Inspection(
            campaign_id=world.campaign_id,
            template_version_id=world.version_id,
            workshop_id=world.workshops["CAST"],
            inspector_id=world.inspector_id,
        )
        session.add(draft)
        session.commit()
        assert verify_receipt(session, make_receipt(draft.id, "a" * 64, "INS-001").text()).status == NOT_SIGNED
        with pytest.raises(ReceiptError):
            receipt_for(session, draft)


def run_cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from inspector.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def test_inspector_verify_says_match_then_mismatch_after_a_raw_edit(store: Store) -> None:
    world = build_world(store)
    target = world.inspections[1]
    with store.session() as session:
        inspection = session.get(Inspection, target)
        assert inspection is not None
        text = receipt_for(session, inspection).text()
    store.close()
    code, output = run_cli("verify", text, "--db", str(store.path), "--lang", "en")
    assert code == 0 and "MATCH" in output and "INS-001" in output
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE answer SET choice = 'yes' WHERE inspection_id = ? AND choice = 'no'", (target.hex,))
    code, output = run_cli("verify", text, "--db", str(store.path), "--lang", "zh")
    assert code == 1 and "不一致" in output and str(target) in output


def test_inspector_verify_refuses_a_non_receipt_without_a_traceback(store: Store) -> None:
    store.close()
    code, output = run_cli("verify", "INSP1:CP:CAST-01:ABCD", "--db", str(store.path), "--lang", "en")
    assert code == 1 and "not an inspection receipt" in output and "Traceback" not in output
    code, output = run_cli("verify", "--db", str(store.path), "--lang", "en")
    assert code == 2 and "--chain" in output


def test_an_amended_inspection_still_matches_its_receipt_and_says_what_replaced_it(store: Store) -> None:
    from inspector.audit import AMENDMENT
    from inspector.integrity import check_integrity
    from inspector.models import AuditEntry
    from tests.inspector.records_world import YES, at, sign

    world = build_world(store)
    original_id = world.inspections[0]
    with store.session() as session:
        original = session.get(Inspection, original_id)
        assert original is not None
        text = receipt_for(session, original).text()
        amendment = Inspection(
            campaign_id=original.campaign_id,
            template_version_id=original.template_version_id,
            workshop_id=original.workshop_id,
            checkpoint_id=original.checkpoint_id,
            team_id=original.team_id,
            inspector_id=original.inspector_id,
            acknowledged_by_id=world.leader_id,
            amends_id=original.id,
            amendment_reason="G2 was scored on the wrong line",
        )
        session.add(amendment)
        session.flush()
        sign(session, amendment, {"C1": YES, "C2": YES, "G1": YES, "G2": AnswerValue(score=4), "G3": YES}, at(27))
        original.superseded_by_id = amendment.id
        session.add(original)
        session.commit()
        check = verify_receipt(session, text)
        kinds = [e.kind for e in session.exec(select(AuditEntry)).all()]
        assert check_integrity(session).ok
    assert check.status == MATCH and check.superseded_by_id == amendment.id
    assert kinds[-1] == AMENDMENT
    store.close()
    code, output = run_cli("verify", text, "--db", str(store.path), "--lang", "en")
    assert code == 0 and f"replaced by amendment {amendment.id}" in output
