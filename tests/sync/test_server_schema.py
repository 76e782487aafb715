"""The server's tables are made only by its Alembic migrations, and those match the table definitions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server.db import HEAD_REVISION, current_revision, make_engine, migrate
from sync.server.tables import metadata


def test_server_migrations_match_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # running it again is harmless (every `inspector server` start does it)
        assert current_revision(engine) == HEAD_REVISION
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()
