"""A laptop in its own process, for kill -9 tests: ``python -m tests.sync.client_process DB DATA_DIR URL TOKEN STEP``.

STEP ``save`` records one more inspection (with an evidence photo); ``sync`` runs a sync. The environment variable
``INSPECTOR_SYNC_CRASH_AT`` kills the process at a named point, like a battery running flat. An optional sixth
argument is the engine's ``log_threshold`` (1: every batch without attachments goes through ``/push/log``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from inspector.models import Answer
from inspector.store import open_store
from sync.client.engine import SyncEngine
from sync.client.http import SyncClient
from tests.sync.world import WORLD, new_inspection


def main(db: str, data_dir: str, url: str, token: str, step: str, log_threshold: str = "") -> None:
    store = open_store(Path(db))
    if step == "save":
        inspection = new_inspection(store, WORLD.inspector_1, WORLD.team_a, answers=3)
        photo = Path(data_dir) / f"{inspection}.jpg"
        photo.write_bytes(b"\xff\xd8photo" + inspection.bytes * 40000)
        with store.session() as s:
            answer = Answer(inspection_id=inspection, item_id=WORLD.item(4), choice="no", photo_path=str(photo))
            s.add(answer)
            s.commit()
    else:
        with SyncClient(url, token, attempts=2, max_wait=0.1) as client:
            engine = SyncEngine(store, client, attachment_dir=Path(data_dir) / "attachments", batch=2)
            if log_threshold:
                engine.log_threshold, engine.log_batch = int(log_threshold), 2
            engine.run()
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:7])
