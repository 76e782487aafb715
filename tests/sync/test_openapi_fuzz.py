"""A schema fuzz of the server's OpenAPI document (schemathesis) against a real uvicorn server: never a 5xx,
and every error is the typed ``{code, message, detail}`` body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from sync.protocol import DeviceRole
from tests.sync.conftest import RunningServer, start_server


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    running = start_server(f"sqlite:///{folder / 'server.db'}")
    running.enroll("sup", DeviceRole.SUPERVISOR)
    yield running
    running.stop()
    running.engine.dispose()


@pytest.fixture(scope="module")
def api(fuzz_server: RunningServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=12, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck)
)
def test_no_server_errors(case: Any, fuzz_server: RunningServer) -> None:
    response = case.call(
        base_url=fuzz_server.url, headers={"authorization": f"Bearer {fuzz_server.tokens['sup']}"}, timeout=30
    )
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "detail"}, body
        assert "Traceback" not in response.text
