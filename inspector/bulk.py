"""Bulk loading of records (pulled pages, bundles, generated data) at close to the speed of bare SQLite.

The ORM's unit of work costs a Python object per row; for tens of thousands of rows this module goes through
SQLAlchemy Core's ``executemany`` instead, in the caller's transaction. Rows loaded this way come from elsewhere
(the server, a bundle), so they are not echoed into the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from inspector.models import utcnow
from inspector.models.base import UTCDateTime

#: Rows per executemany call: large enough to amortise the call, small enough to bound memory.
BATCH_SIZE = 5_000


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(constant defaults, default factories) of the model's columns: SQLModel keeps them in Python, not in SQL."""
    constants: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    columns = model.__table__.columns  # type: ignore[attr-defined]
    for name, field in model.model_fields.items():
        if name not in columns:
            continue
        if field.default_factory is not None:
            factories[name] = field.default_factory
        elif field.default is not PydanticUndefined:
            constants[name] = field.default
    return constants, factories


def insert_rows(session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> int:
    """Insert plain ``rows`` (column name → value) into ``model``'s table; returns how many were inserted.

    Columns a row leaves out get the model's defaults (a fresh id, now, …). Runs in the session's transaction: the
    caller commits.
    """
    table = model.__table__  # type: ignore[attr-defined]
    constants, factories = _defaults(model)
    stamp_columns = {c.name for c in table.columns if isinstance(c.type, UTCDateTime)} & set(factories)
    other_factories = {k: v for k, v in factories.items() if k not in stamp_columns}
    statement = insert(table)
    connection = session.connection()
    total = 0
    for batch in _batches(rows, BATCH_SIZE):
        now: datetime = utcnow()
        for row in batch:
            for name, value in constants.items():
                if name not in row:
                    row[name] = value
            for name, factory in other_factories.items():
                if name not in row:
                    row[name] = factory()
            for name in stamp_columns:
                if name not in row:
                    row[name] = now
        connection.execute(statement, batch)
        total += len(batch)
    return total
