"""``verify --chain`` on a laptop that did not sign: pulled signed inspections are checked by their hash.

Each laptop's audit chain is its own and is never synced. A supervisor's laptop that pulls an inspector's signed
inspection must find it intact (received, verified by its content hash, photos included) and still catch a pulled
row edited behind the app's back; the inspector's own laptop must still require its chain entry for what it signed,
also after the sync gave the record a server version.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.integrity import CONTENT_CHANGED, NOT_CHAINED, IntegrityReport, check_integrity
from inspector.models import Answer, CampaignChecklist, Inspection
from inspector.signing import CONTENT_FORMAT, check_content
from sync.client.bundle_import import import_bundle
from sync.protocol import ChangeStatus
from tests.sync import test_domain_sign_off
from tests.sync.bundle_world import export, supervisor
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.test_domain_sign_off import (
    CHOICES,
    SIGNED,
    STARTED,
    Group,
    acknowledge_and_sign,
    amend,
    assert_clean,
    raise_finding,
    sign_with_photos,
    signed_inspection,
    start,
    sync,
    walk,
)
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

#: The group on the server (supervisor's and inspector 1's laptops), as the domain sign-off tests set it up.
group = test_domain_sign_off.group


def integrity(laptop: Laptop) -> IntegrityReport:
    with laptop.store.session() as s:
        return check_integrity(s)


def problems(report: IntegrityReport) -> list[tuple[uuid.UUID, str]]:
    return [(p.inspection_id, p.problem) for p in report.problems]


def raw(laptop: Laptop, sql: str, *params: object) -> int:
    with sqlite3.connect(laptop.store.path) as conn:
        return conn.execute(sql, params).rowcount


def verify_chain_cli(laptop: Laptop, lang: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from inspector.cli import app

    result = CliRunner().invoke(app, ["verify", "--chain", "--db", str(laptop.store.path), "--lang", lang])
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def pull_on_supervisor(g: Group, tmp_path: Path) -> None:
    """The supervisor's laptop syncs. It is another computer: the inspector's camera folder is not there."""
    camera, away = tmp_path / "camera", tmp_path / "camera-on-the-inspectors-laptop"
    camera.rename(away)
    try:
        report = sync(g.supervisor)
    finally:
        away.rename(camera)
    assert_clean(report)
    assert report.downloaded == 2


def two_signed_and_pulled(g: Group, tmp_path: Path) -> tuple[uuid.UUID, uuid.UUID]:
    """Inspector 1 signs an inspection with an answer photo and a finding photo (synced), then a plain one (synced); the
    supervisor's laptop pulls both. Returns (the one with photos, the plain one)."""
    with_photos, _result = sign_with_photos(g.inspector, tmp_path / "camera")
    assert_clean(sync(g.inspector))
    plain, _finding, _result = signed_inspection(g)
    assert_clean(sync(g.inspector))
    pull_on_supervisor(g, tmp_path)
    return with_photos, plain


def test_a_pulled_signed_inspection_is_received_and_verified_by_its_hash(group: Group, tmp_path: Path) -> None:
    g = group
    with_photos, plain = two_signed_and_pulled(g, tmp_path)

    report = integrity(g.supervisor)
    assert report.ok, problems(report)
    assert report.chain.entries == 0  # the supervisor signed nothing: its chain is empty
    assert report.signed_checked == 2 and set(report.received) == {with_photos, plain}
    with g.supervisor.store.session() as s:
        pulled = s.get(Inspection, with_photos)
        assert pulled is not None
        content = check_content(s, pulled, pulled.content_hash)
        assert content.matches and content.content_format == CONTENT_FORMAT

    code, output = verify_chain_cli(g.supervisor, "en")
    assert code == 0, output
    assert "all 2 signed inspections are as signed" in output
    assert "2 of them were received from the server or another device and match their content hash" in output
    code, output = verify_chain_cli(g.supervisor, "zh")
    assert code == 0 and "其中 2 份由服务器或其他设备传来" in output, output

    # The inspector's laptop signed both: they are chained there, not "received", although they now carry the
    # server's version.
    mine = integrity(g.inspector)
    assert mine.ok and mine.received == [] and mine.chain.entries == 2


def test_a_pulled_row_edited_behind_the_app_is_caught(group: Group, tmp_path: Path) -> None:
    g = group
    with_photos, plain = two_signed_and_pulled(g, tmp_path)
    assert integrity(g.supervisor).ok

    edited = raw(
        g.supervisor,
        "UPDATE answer SET choice = 'yes' WHERE inspection_id = ? AND choice = 'no'",
        plain.hex,
    )
    assert edited >= 1
    report = integrity(g.supervisor)
    assert not report.ok and problems(report) == [(plain, CONTENT_CHANGED)]
    assert report.received == [with_photos]
    code, output = verify_chain_cli(g.supervisor, "en")
    assert code == 1 and f"Signed inspection {plain}: its content was changed after sign-off" in output, output

    # The pulled copy of an evidence photo replaced: its bytes are signed, so that is caught too.
    with g.supervisor.store.session() as s:
        [answer] = s.exec(select(Answer).where(Answer.inspection_id == with_photos, Answer.photo_path != "")).all()
    photo = Path(answer.photo_path)
    assert photo.is_relative_to(g.supervisor.attachments)  # the supervisor's own copy
    photo.write_bytes(b"\xff\xd8valve tagged " * 299 + b"\xff\xd8a different valve")
    assert set(problems(integrity(g.supervisor))) == {(with_photos, CONTENT_CHANGED), (plain, CONTENT_CHANGED)}


def test_the_signing_laptop_still_needs_its_chain_entry_after_a_sync(group: Group) -> None:
    g = group
    inspection_id, _finding, _result = signed_inspection(g)
    assert_clean(sync(g.inspector))
    with g.inspector.store.session() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None and row.server_version is not None

    # The chain's last entry cut off: what is left is intact, but the inspection signed here lost its entry.
    assert raw(g.inspector, "DELETE FROM auditentry WHERE subject_id = ?", inspection_id.hex) == 1
    report = integrity(g.inspector)
    assert report.chain.ok and problems(report) == [(inspection_id, NOT_CHAINED)]
    assert report.received == []


def test_an_amendment_made_on_the_laptop_that_pulled_the_original(group: Group) -> None:
    """Marking a pulled original as superseded is not signing it: it stays received; the amendment is chained."""
    g = group
    original_id, _finding, _result = signed_inspection(g)
    assert_clean(sync(g.inspector))
    assert_clean(sync(g.supervisor))
    sup = g.supervisor
    amendment_id = amend(sup, original_id, "I3 误判，复查合格")
    acknowledge_and_sign(sup, amendment_id, SIGNED)

    report = integrity(sup)
    assert report.ok, problems(report)
    assert report.received == [original_id] and report.signed_checked == 2 and report.chain.entries == 1

    assert raw(sup, "DELETE FROM auditentry WHERE subject_id = ?", amendment_id.hex) == 1
    assert problems(integrity(sup)) == [(amendment_id, NOT_CHAINED)]


def test_a_signed_inspection_imported_from_a_bundle_is_received(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    """A supervisor's laptop with no server imports an inspector's bundle: the signed inspection has no server
    version yet and no entry in this laptop's chain; it is received, verified by its hash (photo included)."""
    sup_laptop = seeded(server, tmp_path, laptops)
    with sup_laptop.store.session() as s:
        s.add(CampaignChecklist(campaign_id=WORLD.campaign, template_version_id=WORLD.version))
        s.commit()
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup = supervisor(server, sup_laptop, "sup", tmp_path / "sup-data")
    sup.sync()  # the checklist's campaign link up, the group's device keys down
    assert_clean(sync(ins))
    camera = tmp_path / "camera"
    camera.mkdir()
    (camera / "rail.jpg").write_bytes(b"\xff\xd8guard rail missing " * 300)
    inspection_id = start(ins)
    walk(ins, inspection_id, CHOICES, STARTED)
    raise_finding(ins, inspection_id, 0, "护栏缺失", photos=(camera / "rail.jpg",))
    acknowledge_and_sign(ins, inspection_id, SIGNED)
    bundle = tmp_path / "usb" / "ins.bundle"
    assert export(server, ins, "ins", bundle) > 0

    camera.rename(tmp_path / "camera-on-the-inspectors-laptop")  # the supervisor's laptop is another computer
    result = import_bundle(
        sup.laptop.store, file=bundle, keys_path=sup.paths.bundle_keys, attachments=sup.paths.attachments
    )
    assert all(r.status == ChangeStatus.APPLIED for r in result.results), result.results
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None and row.status == "signed" and row.server_version is None
    report = integrity(sup.laptop)
    assert report.ok and report.received == [inspection_id], problems(report)

    assert raw(sup.laptop, "UPDATE finding SET description = '护栏完好' WHERE inspection_id = ?", inspection_id.hex)
    assert problems(integrity(sup.laptop)) == [(inspection_id, CONTENT_CHANGED)]
