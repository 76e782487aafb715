"""A supervisor's laptop imports bundles without any server, with the server's rules, and forwards them later.

End to end against a real server: inspector A exports a bundle → the supervisor imports it into the laptop → the
supervisor syncs → the server holds exactly one copy, as A's → A syncing directly later duplicates nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from inspector.models import (
    Answer,
    Finding,
    ImportedBundle,
    ImportedChange,
    Inspection,
    LocalConflict,
    OutboxEntry,
)
from sync.client import bundle_import
from sync.client.bundle_import import ImportReport, import_bundle
from sync.client.local_conflicts import open_local_conflicts, settle_local_conflict
from sync.protocol import Bundle, BundleKey, BundleKeys, ChangeStatus, Resolution
from sync.server import tables
from tests.sync.bundle_world import Supervisor, export, supervisor
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import outbox_states, server_records
from tests.sync.test_conflicts import edit_note
from tests.sync.test_faults import inspector, seeded, sign_in_one_change
from tests.sync.world import WORLD, new_inspection

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def imported(sup: Supervisor, bundle: Path) -> ImportReport:
    return import_bundle(
        sup.laptop.store, file=bundle, keys_path=sup.paths.bundle_keys, attachments=sup.paths.attachments
    )


def statuses(report: ImportReport) -> list[ChangeStatus]:
    return [r.status for r in report.results]


def count(laptop: Laptop, model: type) -> int:
    with laptop.store.session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def group(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> tuple[Supervisor, Laptop]:
    """The supervisor's laptop (reference data pushed, device keys fetched) and inspector A's."""
    sup_laptop = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup = supervisor(server, sup_laptop, "sup", tmp_path / "sup-data")
    sup.sync()  # fetches the group's device keys, inspector A's included
    assert sup.paths.bundle_keys.stat().st_mode & 0o777 == 0o600
    return sup, ins


def test_a_bundle_imported_on_a_laptop_reaches_the_server_once_as_its_inspectors(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=3)
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(b"\xff\xd8guard rail missing " * 300)
    with ins.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="护栏缺失",
                team_id=WORLD.team_a,
                deadline=date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    bundle = tmp_path / "usb" / "ins.bundle"
    assert export(server, ins, "ins", bundle) == 5
    before = outbox_states(sup.laptop.store)

    first = imported(sup, bundle)
    assert statuses(first) == [ChangeStatus.APPLIED] * 5 and first.stored and first.device_name == "ins"
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, inspection)
        assert row is not None and row.inspector_id == WORLD.inspector_1 and row.server_version is None
        finding = s.exec(select(Finding).where(Finding.inspection_id == inspection)).one()
        [local_photo] = finding.photo_paths
        assert local_photo != str(photo) and str(sup.paths.attachments) in local_photo
        assert Path(local_photo).read_bytes() == photo.read_bytes()
    assert outbox_states(sup.laptop.store) == before  # not the supervisor's changes: nothing queued as theirs

    again = imported(sup, bundle)
    assert statuses(again) == [ChangeStatus.DUPLICATE] * 5 and not again.stored
    assert count(sup.laptop, ImportedBundle) == 1 and count(sup.laptop, ImportedChange) == 5
    assert count(sup.laptop, Answer) == 3

    assert server_records(server.engine, "inspection") == {}
    sup.sync()  # hands the bundle to the server (as A's changes), then pulls the versions back
    on_server = server_records(server.engine)
    assert sum(1 for r in on_server.values() if r["entity"] == "inspection") == 1
    assert sum(1 for r in on_server.values() if r["entity"] == "answer") == 3
    with server.engine.connect() as conn:
        r = tables.record.c
        devices = set(conn.execute(sa.select(r.last_device_id).where(r.entity.in_(("inspection", "answer")))).scalars())
        a = tables.applied_change.c
        applied_by = set(conn.execute(sa.select(a.device_id).where(a.entity_id == inspection)).scalars())
        attachments = conn.execute(sa.select(tables.attachment.c.sha256)).scalars().all()
    ins_device = ins.client.me().device_id
    assert devices == {ins_device} and applied_by == {ins_device}
    assert hashlib.sha256(photo.read_bytes()).hexdigest() in attachments
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, inspection)
        assert row is not None and row.server_version == 1
        stored = s.exec(select(ImportedBundle)).one()
        assert stored.forwarded_at is not None and stored.forward_error == ""

    report = ins.sync()  # A gets network at last: its outbox is answered as duplicates, no second copy
    assert report.duplicates == 5 and report.rejected == 0 and report.conflicts == 0  # type: ignore[attr-defined]
    assert outbox_states(ins.store) == {"acked": 5}
    assert len(server_records(server.engine, "inspection")) == 1 and len(server_records(server.engine, "answer")) == 3
    assert sup.sync().pushed == 0  # nothing forwarded twice
    assert len(server_records(server.engine, "finding")) == 1


def test_an_inspectors_later_bundle_follows_on_from_its_own_forwarded_changes(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    export(server, ins, "ins", tmp_path / "week1.bundle")
    assert statuses(imported(sup, tmp_path / "week1.bundle")) == [ChangeStatus.APPLIED] * 2
    sup.sync()
    edit_note(ins, inspection, "second visit: guard fitted")  # still offline: its outbox keeps everything
    assert export(server, ins, "ins", tmp_path / "week2.bundle") == 3
    second = imported(sup, tmp_path / "week2.bundle")
    assert statuses(second) == [ChangeStatus.DUPLICATE] * 2 + [ChangeStatus.APPLIED]
    assert count(sup.laptop, LocalConflict) == 0
    sup.sync()
    payload = server_records(server.engine, "inspection")[str(inspection)]["payload"]
    assert isinstance(payload, dict) and payload["note"] == "second visit: guard fitted"
    assert len(server_records(server.engine, "inspection")) == 1
    assert ins.sync().conflicts == 0 and outbox_states(ins.store) == {"acked": 3}  # type: ignore[attr-defined]


def test_the_servers_rules_apply_on_the_laptop_and_conflicts_are_kept_to_settle(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    draft = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    signed = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    sign_in_one_change(ins.store, signed)
    assert ins.sync().rejected == 0  # type: ignore[attr-defined]
    sup.sync()  # the supervisor's laptop now holds both at server version 1 …
    edit_note(sup.laptop, draft, "supervisor: check again on Monday")  # … and edits the draft, not yet synced
    # Offline again, inspector A edits the draft, edits the signed inspection behind the app's back, answers a
    # yes/no item with a score, and writes an inspection in inspector 2's name.
    edit_note(ins, draft, "inspector: guard fitted")
    edit_note(ins, signed, "changed after signing")
    with ins.store.session() as s:
        answer = s.exec(select(Answer).where(Answer.inspection_id == draft)).one()
        answer.score = 3
        s.add(answer)
        s.commit()
    forged = new_inspection(ins.store, WORLD.inspector_2, WORLD.team_a, answers=0)
    export(server, ins, "ins", tmp_path / "ins.bundle")

    report = imported(sup, tmp_path / "ins.bundle")
    by_entity = {(r.change_id): r for r in report.results}
    assert len(by_entity) == 4
    assert report.count(ChangeStatus.CONFLICT) == 1 and report.count(ChangeStatus.REJECTED) == 3
    reasons = {why.split(" / ")[0] for _where, why in report.rejections}
    codes = {where.rsplit("(", 1)[1].rstrip(")") for where, _why in report.rejections}
    assert codes == {"E_SIGNED_IMMUTABLE", "E_ANSWER_INVALID", "E_FORBIDDEN"}, report.rejections
    assert any("not a 0–N score item" in why for why in reasons)
    assert any("班组长" in why or "已签字" in why for _w, why in report.rejections)
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, draft)
        assert row is not None and row.note == "supervisor: check again on Monday"  # nothing silently overwritten
        kept_signed = s.get(Inspection, signed)
        assert kept_signed is not None and kept_signed.note == ""
        assert s.get(Inspection, forged) is None

    [conflict] = open_local_conflicts(sup.laptop.store)
    assert conflict.record_id == draft and conflict.device_name == "ins" and conflict.person_code == "INS-1"
    assert conflict.server_payload["note"] == "supervisor: check again on Monday"
    assert conflict.device_payload["note"] == "inspector: guard fitted"
    settle_local_conflict(sup.laptop.store, conflict.id, Resolution.TAKE_DEVICE)
    assert open_local_conflicts(sup.laptop.store) == []
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, draft)
        assert row is not None and row.note == "inspector: guard fitted"
        mine = s.exec(select(OutboxEntry).where(OutboxEntry.entity_id == draft, OutboxEntry.status == "pending")).all()
        assert [e.payload["note"] for e in mine] == ["supervisor: check again on Monday", "inspector: guard fitted"]

    report_sync = sup.sync()  # the bundle goes first, then the supervisor's own settled value
    assert report_sync.rejected == 0, report_sync.rejections
    payload = server_records(server.engine, "inspection")[str(draft)]["payload"]
    assert isinstance(payload, dict) and payload["note"] == "inspector: guard fitted"
    assert server_records(server.engine, "inspection")[str(signed)]["payload"]["note"] == ""  # type: ignore[index]
    with server.engine.connect() as conn:
        c = tables.conflict.c
        open_on_server = conn.execute(sa.select(sa.func.count()).where(c.status == "open")).scalar_one()
    assert open_on_server == 0  # the server's own conflict for A's change was settled as it was here


def test_every_change_is_handled_once_per_device_and_number(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    export(server, ins, "ins", tmp_path / "a.bundle")
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_b, answers=1)
    export(server, ins, "ins", tmp_path / "b.bundle")  # repeats a's three changes, adds two
    assert statuses(imported(sup, tmp_path / "a.bundle")) == [ChangeStatus.APPLIED] * 3
    later = imported(sup, tmp_path / "b.bundle")
    assert statuses(later) == [ChangeStatus.DUPLICATE] * 3 + [ChangeStatus.APPLIED] * 2
    assert count(sup.laptop, Inspection) == 2 and count(sup.laptop, ImportedChange) == 5
    assert count(sup.laptop, ImportedBundle) == 2
    sup.sync()
    assert len(server_records(server.engine, "inspection")) == 2 and len(server_records(server.engine, "answer")) == 3
    # A change number reused with another content (a restored laptop) is refused, not applied over the first.
    with sup.laptop.store.session() as s:
        first = s.exec(select(ImportedChange).where(ImportedChange.seq == 1)).one()
        assert first.status == "applied" and isinstance(first.change_id, uuid.UUID)


def test_a_bundle_the_server_fails_on_does_not_hold_back_the_supervisors_sync(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sync.server.routers.bundles as route

    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    export(server, ins, "ins", tmp_path / "ins.bundle")
    imported(sup, tmp_path / "ins.bundle")
    own = new_inspection(sup.laptop.store, WORLD.inspector_2, WORLD.team_b, answers=0)  # the supervisor's own work

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("injected: the server fails on this bundle")

    monkeypatch.setattr(route, "apply_bundle", broken)
    report = sup.sync()
    assert any("E_INTERNAL" in e for e in report.errors), report.errors
    assert str(own) in server_records(server.engine, "inspection")  # the supervisor's own changes went through
    with sup.laptop.store.session() as s:
        assert s.exec(select(ImportedBundle)).one().forwarded_at is None
    monkeypatch.undo()
    assert sup.sync().errors == []  # fixed: the bundle goes at the next sync
    assert len(server_records(server.engine, "inspection")) == 2


def test_a_bundle_bigger_than_a_request_reaches_the_server_with_its_photos_sent_ahead(
    database_url: str, tmp_path: Path, laptops: list[Laptop]
) -> None:
    from sync.client.bundle import read_bundle
    from sync.client.http import SyncError
    from tests.sync.conftest import start_server

    server = start_server(database_url, max_request_bytes=2_000_000)
    try:
        sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
        ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
        sup.sync()
        inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
        photos = []
        for n in range(2):  # a week of evidence photos: more than one request may carry
            photo = tmp_path / f"photo-{n}.jpg"
            photo.write_bytes(bytes([n]) * 2_500_000)
            photos.append(str(photo))
        with ins.store.session() as s:
            s.add(
                Finding(
                    inspection_id=inspection,
                    description="炉门密封条破损",
                    team_id=WORLD.team_a,
                    deadline=date(2022, 6, 9),
                    photo_paths=photos,
                )
            )
            s.commit()
        export(server, ins, "ins", tmp_path / "big.bundle")
        assert (tmp_path / "big.bundle").stat().st_size > 6_000_000
        with pytest.raises(SyncError) as too_big:  # in one request it cannot go
            sup.laptop.client.upload_bundle(read_bundle(tmp_path / "big.bundle"))
        assert too_big.value.code == "E_TOO_LARGE"
        assert statuses(imported(sup, tmp_path / "big.bundle")) == [ChangeStatus.APPLIED] * 3
        report = sup.sync()
        assert report.errors == [], report.errors
        assert len(server_records(server.engine, "finding")) == 1
        with server.engine.connect() as conn:
            a = tables.attachment.c
            complete = conn.execute(sa.select(a.sha256).where(a.complete.is_(True))).scalars().all()
        assert {hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in photos} <= set(complete)
        assert ins.sync().duplicates == 3  # type: ignore[attr-defined]
    finally:
        server.stop()
        server.engine.dispose()


def test_an_older_bundle_imported_after_a_newer_one_does_not_overwrite_its_values(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1, note="first visit")
    assert export(server, ins, "ins", tmp_path / "week1.bundle") == 2
    ins.sync()  # A had network once: week 1 is acknowledged, so week 2's bundle holds only the later edit
    edit_note(ins, inspection, "second visit: guard fitted")
    assert export(server, ins, "ins", tmp_path / "week2.bundle") == 1

    assert statuses(imported(sup, tmp_path / "week2.bundle")) == [ChangeStatus.APPLIED]
    late = imported(sup, tmp_path / "week1.bundle")  # the USB stick with week 1 turns up afterwards
    assert statuses(late) == [ChangeStatus.REJECTED, ChangeStatus.APPLIED]
    superseded = late.results[0]
    assert superseded.code == "E_SUPERSEDED" and "already imported" in superseded.message, superseded
    assert "较早的修改" in superseded.message
    [(what, why)] = late.rejections
    assert str(inspection) in what and why == superseded.message
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, inspection)
        assert row is not None and row.note == "second visit: guard fitted"
        assert s.get(ImportedChange, (ins.client.me().device_id, superseded.seq)) is not None
    assert count(sup.laptop, LocalConflict) == 0
    assert count(sup.laptop, Answer) == 1


def test_the_bundle_kept_is_the_one_checked_even_if_the_file_is_replaced_meanwhile(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read once: replacing it (another bundle copied over it) after it was checked must not get the
    other file's content kept, nor kept under the checked file's hash."""
    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    checked, later = tmp_path / "a.bundle", tmp_path / "b.bundle"
    export(server, ins, "ins", checked)
    original = checked.read_bytes()
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_b, answers=1)
    export(server, ins, "ins", later)
    other = later.read_bytes()
    assert other != original
    verify = bundle_import.verify_bundle

    def verify_then_replace(bundle: Bundle, keys: BundleKeys, path: Path) -> BundleKey:
        source = verify(bundle, keys, path)
        checked.write_bytes(other)  # the USB stick's file changes between the check and the storing
        return source

    monkeypatch.setattr(bundle_import, "verify_bundle", verify_then_replace)
    report = imported(sup, checked)
    assert report.stored and statuses(report) == [ChangeStatus.APPLIED] * 3
    with sup.laptop.store.session() as s:
        kept = s.exec(select(ImportedBundle)).one()
    assert kept.content.encode("utf-8") == original
    assert kept.file_sha256 == hashlib.sha256(original).hexdigest() == hashlib.sha256(kept.content.encode()).hexdigest()
