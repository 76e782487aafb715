"""Randomised schedules (hypothesis) of edits, pushes, pulls, duplicated, replayed and dropped deliveries across
three devices converge: every device and the server agree, with no lost and no duplicated record."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from inspector.models import Inspection
from inspector.store import open_store
from sync.client.engine import SyncReport
from sync.client.http import SyncClient, SyncError
from sync.protocol import DeviceRole
from tests.sync.conftest import Laptop, RunningServer, start_server
from tests.sync.helpers import outbox_states, server_records
from tests.sync.world import WORLD, new_inspection, seed_reference

DEVICES = [("ins1a", "INS-1"), ("ins1b", "INS-1"), ("ins2", "INS-2")]
PERSON = {"INS-1": WORLD.inspector_1, "INS-2": WORLD.inspector_2}
FAULTS = [None, None, "drop_reply", "refuse", "duplicate", "replay_old"]
PUSH_PATHS = ("/push", "/push/log")


class LoggingLaptop(Laptop):
    """A laptop that sends every batch through the push log (applied later, outcomes collected), in batches of 4."""

    def sync(self) -> object:
        return self.engine(log_threshold=1, log_batch=4).run()


class ScheduledTransport(httpx.HTTPTransport):
    """Delivers requests for real, with the fault the schedule chose for the next push."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: str | None = None
        self.old_pushes: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pushing = request.url.path in PUSH_PATHS
        fault, self.fault = (self.fault, None) if pushing else (None, self.fault)
        if pushing:
            request.read()
            if fault == "replay_old" and self.old_pushes:  # an old retry arrives late, before this request
                super().handle_request(self.old_pushes[0]).read()
            self.old_pushes.append(request)
        if fault == "refuse":
            raise httpx.ConnectError("injected", request=request)
        if fault == "duplicate":
            super().handle_request(request).read()
        response = super().handle_request(request)
        if fault == "drop_reply":
            response.read()
            raise httpx.ReadError("injected", request=request)
        return response


step = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.sampled_from(FAULTS)),
    st.tuples(st.just("pull"), st.integers(0, 2), st.none()),
)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("path", ["push", "log"])
@given(schedule=st.lists(step, min_size=4, max_size=14))
def test_random_schedules_across_three_devices_converge(path: str, schedule: list[tuple[str, int, object]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = start_server(f"sqlite:///{root / 'server.db'}")
        laptops: list[Laptop] = []
        transports: list[ScheduledTransport] = []
        try:
            sup = Laptop(
                open_store(root / "sup.db"),
                server.client(server.enroll("sup", DeviceRole.SUPERVISOR, "SUP")),
                root / "sup-att",
            )
            seed_reference(sup.store)
            sup.sync()
            for name, person in DEVICES:
                transport = ScheduledTransport()
                client = SyncClient(
                    server.url, server.enroll(name, DeviceRole.INSPECTOR, person), transport=transport, attempts=1
                )
                kind = LoggingLaptop if path == "log" else Laptop
                laptop = kind(open_store(root / f"{name}.db"), client, root / f"{name}-att")
                laptop.sync()
                laptops.append(laptop)
                transports.append(transport)
            created: set[uuid.UUID] = set()
            run_schedule(schedule, laptops, transports, created)
            for _round in range(2):  # the network heals: everyone syncs until nothing moves
                for laptop in laptops:
                    laptop.sync()
            check_converged(server, laptops, created)
            sup.close()
        finally:
            for laptop in laptops:
                laptop.close()
            server.stop()
            server.engine.dispose()


def run_schedule(
    schedule: list[tuple[str, int, object]],
    laptops: list[Laptop],
    transports: list[ScheduledTransport],
    created: set[uuid.UUID],
) -> None:
    for action, index, arg in schedule:
        laptop = laptops[index]
        person = PERSON[DEVICES[index][1]]
        if action == "create":
            created.add(new_inspection(laptop.store, person, WORLD.team_a, answers=int(str(arg))))
        elif action == "edit":
            with laptop.store.session() as s:
                drafts = s.exec(
                    select(Inspection).where(Inspection.inspector_id == person).order_by(col(Inspection.id))
                ).all()
                if drafts:
                    draft = drafts[int(arg) % len(drafts)]  # type: ignore[call-overload]
                    draft.note = f"{DEVICES[index][0]} edit {uuid.uuid4().hex[:6]}"
                    s.add(draft)
                    s.commit()
        elif action == "sync":
            transports[index].fault = arg  # type: ignore[assignment]
            with contextlib.suppress(SyncError):  # a delivery failed: the outbox keeps everything for the next sync
                laptop.sync()
            transports[index].fault = None  # the fault hits this sync only (unused when nothing was pushed)
        else:
            with contextlib.suppress(SyncError):
                laptop.engine().pull(SyncReport())


def check_converged(server: RunningServer, laptops: list[Laptop], created: set[uuid.UUID]) -> None:
    on_server = server_records(server.engine, "inspection")
    assert set(on_server) == {str(i) for i in created}  # nothing lost, nothing extra
    answers = server_records(server.engine, "answer")
    pairs = [(a["payload"]["inspection_id"], a["payload"]["item_id"]) for a in answers.values()]  # type: ignore[index]
    assert len(pairs) == len(set(pairs))  # no duplicated answer
    for (name, person), laptop in zip(DEVICES, laptops, strict=True):
        assert outbox_states(laptop.store).get("pending", 0) == 0, name
        with laptop.store.session() as s:
            local = {str(i.id): i for i in s.exec(select(Inspection)).all()}
        mine = {k: v for k, v in on_server.items() if v["payload"]["inspector_id"] == str(PERSON[person])}  # type: ignore[index]
        assert set(local) == set(mine), name
        for key, record in mine.items():
            assert local[key].note == record["payload"]["note"], name  # type: ignore[index]
            assert local[key].server_version == record["version"], name
