"""Adding seed records idempotently: ids are derived from codes, and a record whose id is already stored is left
exactly as it is (the demo never changes or duplicates data, whoever changed it since)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlmodel import Session, SQLModel, col, select

from inspector.errors import RuleViolation
from inspector.models import stable_id

#: Namespace of every demo id (``stable_id(DEMO_NAMESPACE, kind, code…)``).
DEMO_NAMESPACE = "demo/huayue-aluminium"

#: The plants keep China Standard Time; stamps are stored in UTC.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def demo_id(*parts: object) -> uuid.UUID:
    """The stable id of a demo record: the same parts give the same id on every laptop."""
    return stable_id(DEMO_NAMESPACE, *parts)


def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` China time, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), CHINA_TIME).astimezone(UTC)


def stamp(record: SQLModel, at: datetime) -> None:
    """Set a synced record's created/updated stamps (demo data never takes the wall clock)."""
    record.created_at = at
    record.updated_at = at


def existing_ids(session: Session, model: type[SQLModel], ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` are already stored in ``model``'s table."""
    found: set[uuid.UUID] = set()
    id_column = col(model.id)  # type: ignore[attr-defined]
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(session.exec(select(id_column).where(id_column.in_(chunk))).all())
    return found


def check_codes(session: Session, model: type[SQLModel], records: Sequence[SQLModel]) -> None:
    """Refuse, with a clear message, a demo record whose unique code is already taken by a different record."""
    codes = {record.code: record.id for record in records}  # type: ignore[attr-defined]
    code_column = col(model.code)  # type: ignore[attr-defined]
    rows = session.exec(select(model).where(code_column.in_(list(codes)))).all()
    for row in rows:
        if codes[row.code] != row.id:  # type: ignore[attr-defined]
            raise RuleViolation(
                "E_DEMO_CONFLICT",
                f"The database already has a {model.__name__.lower()} with code {row.code} "  # type: ignore[attr-defined]
                "that is not part of the demo group; use a fresh database for the demo (--db PATH).",
            )


def add_missing(session: Session, records: Iterable[SQLModel], *, unique_code: bool = False) -> int:
    """Add the records whose ids are not stored yet; returns how many were added."""
    by_model: dict[type[SQLModel], list[SQLModel]] = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record)
    added = 0
    for model, group in by_model.items():
        present = existing_ids(session, model, [r.id for r in group])  # type: ignore[attr-defined]
        missing = [r for r in group if r.id not in present]  # type: ignore[attr-defined]
        if unique_code and missing:
            check_codes(session, model, missing)
        session.add_all(missing)
        added += len(missing)
    return added


def defer_foreign_keys(session: Session) -> None:
    """Check foreign keys at COMMIT for the rest of this transaction.

    The tables have no ORM relationships, so one flush may insert a child before its parent. The store asks SQLite
    to defer foreign keys when a transaction begins, but the driver only opens the SQLite transaction at the first
    write, and SQLite resets the pragma after every autocommitted read before it; so open the transaction here,
    then set the pragma, and it holds until the caller commits.
    """
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        connection.exec_driver_sql("BEGIN")
    connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
