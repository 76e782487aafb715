"""Push and pull end to end against a real server (SQLite and PostgreSQL): one inspection, roles, idempotency."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import func, select

from inspector.models import Answer, Inspection, OutboxEntry, Person
from inspector.models.enums import OutboxStatus
from sync.protocol import DeviceRole
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.world import WORLD, new_inspection, seed_reference


def count(laptop: Laptop, model: type) -> int:
    with laptop.store.session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def pending(laptop: Laptop) -> int:
    with laptop.store.session() as s:
        return int(
            s.exec(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == OutboxStatus.PENDING)
            ).one()
        )


def test_an_inspection_travels_from_inspector_to_supervisor(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = make_laptop(tmp_path, "sup", server, server.enroll("sup", DeviceRole.SUPERVISOR, "SUP"), laptops)
    seed_reference(sup.store)
    report = sup.sync()
    assert report.pushed == pending_total(sup) and report.rejected == 0  # type: ignore[attr-defined]
    ins = make_laptop(tmp_path, "ins", server, server.enroll("ins", DeviceRole.INSPECTOR, "INS-1"), laptops)
    first = ins.sync()
    assert count(ins, Person) == 4 and first.pulled > 0  # type: ignore[attr-defined]
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    pushed = ins.sync()
    assert pushed.pushed == 6 and pending(ins) == 0  # type: ignore[attr-defined]
    sup.sync()
    with sup.store.session() as s:
        got = s.get(Inspection, inspection)
        assert got is not None and got.server_version == 1
        assert len(s.exec(select(Answer).where(Answer.inspection_id == inspection)).all()) == 5
    # A second sync has nothing to do and changes nothing.
    again = ins.sync()
    assert again.pushed == 0 and again.pulled == 0  # type: ignore[attr-defined]
    with ins.store.session() as s:
        assert s.get(Inspection, inspection).server_version == 1  # type: ignore[union-attr]


def pending_total(laptop: Laptop) -> int:
    with laptop.store.session() as s:
        return int(s.exec(select(func.count()).select_from(OutboxEntry)).one())
