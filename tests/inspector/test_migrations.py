"""A laptop on last month's version upgrades without losing anything."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from sqlmodel import select

from inspector.models import Answer, Campaign, Group, Inspection, Unit
from inspector.store import HEAD_REVISION, current_revision, make_engine, migrate, open_store

FIRST = "0001"


def _seed_first_schema(path: Path) -> dict[str, str]:
    """A database made by the first migration, filled the way last month's app filled it (raw SQL: today's models
    may have columns that did not exist then)."""
    engine = make_engine(path)
    migrate(engine, FIRST)
    engine.dispose()
    ids = {
        name: uuid.uuid4().hex
        for name in ("group", "unit", "ws", "person", "campaign", "tpl", "ver", "sec", "item", "insp", "ans")
    }
    now = "2022-06-10 08:30:00.000000"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO \"group\" (id, created_at, updated_at, name_zh, name_en, code) VALUES (?, ?, ?, '集团', 'Group', 'G')",
            (ids["group"], now, now),
        )
        conn.execute(
            "INSERT INTO unit (id, created_at, updated_at, name_zh, name_en, group_id, code, kind) VALUES (?, ?, ?, '一分厂', 'Plant 1', ?, 'U1', 'branch_factory')",
            (ids["unit"], now, now, ids["group"]),
        )
        conn.execute(
            "INSERT INTO workshop (id, created_at, updated_at, name_zh, name_en, unit_id, code, kind) VALUES (?, ?, ?, '熔铸车间', 'Casthouse', ?, 'W1', 'casting')",
            (ids["ws"], now, now, ids["unit"]),
        )
        conn.execute(
            "INSERT INTO person (id, created_at, updated_at, name_zh, name_en, code, role, active) VALUES (?, ?, ?, '王强', 'Wang Qiang', 'P1', 'inspector', 1)",
            (ids["person"], now, now),
        )
        conn.execute(
            "INSERT INTO campaign (id, created_at, updated_at, name_zh, name_en, code, kind, number, starts_on, ends_on, active) VALUES (?, ?, ?, '第二十一届安全生产月', '21st Safety Production Month', 'SPM-2022', 'safety', 21, '2022-06-01', '2022-06-30', 1)",
            (ids["campaign"], now, now),
        )
        conn.execute(
            "INSERT INTO checklisttemplate (id, created_at, updated_at, name_zh, name_en, code, category) VALUES (?, ?, ?, '安全检查表', 'Safety', 'SAFE', 'safety')",
            (ids["tpl"], now, now),
        )
        conn.execute(
            "INSERT INTO templateversion (id, created_at, updated_at, template_id, version, frozen, source, content_hash, grade_bands, rule_version, imported_at) VALUES (?, ?, ?, ?, 1, 1, 'safe.toml', 'abc', '[[90, \"excellent\"]]', '1', ?)",
            (ids["ver"], now, now, ids["tpl"], now),
        )
        conn.execute(
            "INSERT INTO templatesection (id, created_at, updated_at, version_id, code, position, title_zh, title_en) VALUES (?, ?, ?, ?, 'A', 0, '熔铸', 'Casting')",
            (ids["sec"], now, now, ids["ver"]),
        )
        conn.execute(
            "INSERT INTO templateitem (id, created_at, updated_at, version_id, section_id, code, position, kind, text_zh, text_en, basis_zh, basis_en, method_zh, method_en, hint_zh, hint_en, points, deduction_rule_zh, deduction_rule_en, unit, required, veto, always_major) VALUES (?, ?, ?, ?, ?, 'A1', 0, 'yes_no', '结晶器冷却水压力报警', 'Mould cooling water pressure alarm', '', '', '', '', '', '', 5, '', '', '', 1, 0, 1)",
            (ids["item"], now, now, ids["ver"], ids["sec"]),
        )
        conn.execute(
            "INSERT INTO inspection (id, created_at, updated_at, campaign_id, template_version_id, workshop_id, inspector_id, status, started_at, vetoed, amendment_reason, note, current_item_code) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, 0, '', '进行中', 'A1')",
            (ids["insp"], now, now, ids["campaign"], ids["ver"], ids["ws"], ids["person"], now),
        )
        conn.execute(
            "INSERT INTO answer (id, created_at, updated_at, inspection_id, item_id, choice, text, photo_path, occurrences, note, answered_at) VALUES (?, ?, ?, ?, ?, 'no', '', '', 2, '报警器失灵', ?)",
            (ids["ans"], now, now, ids["insp"], ids["item"], now),
        )
    return ids


def test_first_schema_with_data_upgrades_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "last-month.db"
    ids = _seed_first_schema(path)
    engine = make_engine(path)
    assert current_revision(engine) == FIRST
    engine.dispose()

    store = open_store(path)  # what the new app does on start
    try:
        assert current_revision(store.engine) == HEAD_REVISION
        with store.session() as session:
            assert session.exec(select(Group)).one().name_zh == "集团"
            assert session.exec(select(Unit)).one().code == "U1"
            assert session.exec(select(Campaign)).one().code == "SPM-2022"
            inspection = session.exec(select(Inspection)).one()
            assert inspection.id == uuid.UUID(ids["insp"])
            assert (inspection.status, inspection.current_item_code, inspection.note) == ("draft", "A1", "进行中")
            answer = session.exec(select(Answer)).one()
            assert (answer.choice, answer.occurrences, answer.note) == ("no", 2, "报警器失灵")
            assert answer.answered_at.year == 2022 and answer.answered_at.tzinfo is not None
            # The upgraded database works: a new write lands, with its outbox entry.
            answer.note = "报警器失灵，已报修"
            session.add(answer)
            session.commit()
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # A copy of the database as it was was kept beside it before migrating.
    backups = list(tmp_path.glob("last-month.db.before-0001-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT note FROM answer").fetchone()[0] == "报警器失灵"


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from inspector.store import MIGRATIONS_DIR

    engine = make_engine(tmp_path / "roundtrip.db")
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
