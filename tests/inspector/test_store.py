"""The laptop store: durable pragmas, migrations, the outbox written with every change, clear errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.errors import StoreError
from inspector.models import Group, OutboxEntry, Unit
from inspector.store import HEAD_REVISION, MIGRATIONS_DIR, Store, check_pragmas, current_revision, open_store


def test_fresh_database_is_at_head_with_durable_pragmas(store: Store) -> None:
    assert current_revision(store.engine) == HEAD_REVISION
    assert check_pragmas(store.engine) == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


def test_head_revision_constant_matches_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrations_match_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_every_synced_write_goes_to_the_outbox_in_the_same_transaction(store: Store) -> None:
    with store.session() as session:
        group = Group(code="G", name_zh="集团", name_en="Group")
        session.add(group)
        session.commit()
        group.name_en = "The group"
        session.add(group)
        session.commit()
        entries = session.exec(select(OutboxEntry).order_by(OutboxEntry.seq)).all()  # type: ignore[arg-type]
    assert [(e.entity, e.op) for e in entries] == [("group", "upsert"), ("group", "upsert")]
    assert entries[1].payload["name_en"] == "The group"
    assert [e.seq for e in entries] == [1, 2]


def test_a_failed_transaction_leaves_no_outbox_entry(store: Store) -> None:
    with store.session() as session:
        session.add(Unit(group_id=Group(code="x", name_zh="x").id, code="U", name_zh="单位"))
        with pytest.raises(Exception, match="FOREIGN KEY"):
            session.commit()
    with store.session() as session:
        assert session.exec(select(OutboxEntry)).all() == []


def test_skip_outbox_for_local_seeding(store: Store) -> None:
    with store.session(skip_outbox=True) as session:
        session.add(Group(code="G", name_zh="集团"))
        session.commit()
        assert session.exec(select(OutboxEntry)).all() == []


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 10)
    with pytest.raises(StoreError, match="not an inspector database"):
        open_store(bogus)


def test_folder_instead_of_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


def test_a_folder_that_cannot_be_made_is_named_in_each_language(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file where a folder of the path should be")
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "notes.txt" / "sub" / "inspector.db")
    assert caught.value.code == "E_STORE_PATH"
    assert "无法创建文件夹" in caught.value.text("zh") and "路径中有一段不是文件夹" in caught.value.text("zh")
    assert "part of the path is not a folder" in caught.value.text("en")


def test_database_from_a_newer_app_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer version"):
        open_store(db_path)


def test_children_may_be_flushed_before_their_parents(store: Store) -> None:
    # No ORM relationships order the inserts; foreign keys are checked at COMMIT instead.
    with store.session() as session:
        group = Group(code="G", name_zh="集团")
        session.add(Unit(group_id=group.id, code="U", name_zh="单位"))
        session.flush()
        session.add(group)
        session.commit()
    with store.session() as session:
        assert session.exec(select(Unit)).one().group_id == group.id


def test_a_refused_commit_does_not_leak_into_the_next_session(store: Store) -> None:
    with store.session() as session:
        session.add(Unit(group_id=Group(code="x", name_zh="x").id, code="U", name_zh="单位"))
        with pytest.raises(Exception, match="FOREIGN KEY"):
            session.commit()
    with store.session() as session:
        session.add(Group(code="G", name_zh="集团"))
        session.commit()
    with store.session() as session:
        assert [g.code for g in session.exec(select(Group))] == ["G"]
        assert session.exec(select(Unit)).all() == []


def test_foreign_keys_stay_deferred_after_a_read_in_the_same_transaction(store: Store) -> None:
    # The driver's lazy BEGIN once let SQLite reset the pragma after the first (autocommitted) read.
    with store.session() as session:
        assert session.exec(select(Group)).all() == []
        group = Group(code="G", name_zh="集团")
        session.add(Unit(group_id=group.id, code="U", name_zh="单位"))
        session.flush()
        session.add(group)
        session.commit()
    with store.session() as session:
        assert session.exec(select(Unit)).one().code == "U"


def test_committing_an_unused_session_writes_nothing(store: Store) -> None:
    with store.session() as session:
        session.commit()  # no transaction was opened: nothing to make durable
        assert not session.in_transaction()
    with store.session() as session:
        session.add(Group(code="G", name_zh="集团"))
        session.commit()  # pending objects are flushed and committed even without an open transaction
    with store.session() as session:
        assert session.exec(select(Group)).one().code == "G"
