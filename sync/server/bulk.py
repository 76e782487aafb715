"""Set-based writes and reads for a push batch: one statement per table instead of one per row.

On PostgreSQL rows are streamed with ``COPY … FROM STDIN`` (psycopg 3) inside the caller's transaction, and
``IN`` look-ups bind one array (``= ANY(:ids)``) instead of thousands of parameters; on SQLite the same calls fall
back to ``executemany`` and chunked ``IN`` lists. Values go through the column types' own bind processing
(``UTCDateTime``), and JSON columns are serialised once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

#: Rows per ``IN`` list on SQLite (its bound-parameter limit is far above; PostgreSQL binds one array).
IN_CHUNK = 1000


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _converter(column: sa.Column[Any], session: Session) -> Callable[[Any], Any] | None:
    """How a Python value of ``column`` becomes what COPY writes (``None`` when psycopg adapts it as is)."""
    column_type = column.type
    if isinstance(column_type, sa.types.TypeDecorator):
        decorator = column_type
        dialect = session.get_bind().dialect
        return lambda value: decorator.process_bind_param(value, dialect)
    if isinstance(column_type, sa.JSON):  # JSONB too
        return _json_text
    return None


def _json_text(value: Any) -> str | None:
    """JSON text for a JSON(B) column, serialised in Rust (pydantic-core): several times faster than ``json.dumps``
    for the same value; PostgreSQL parses it into the same JSONB. NaN and infinities are written as ``json.dumps``
    writes them (and refused by PostgreSQL the same way)."""
    return None if value is None else to_json(value, inf_nan_mode="constants").decode()


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembering its last argument: a batch's rows share values (its one ``now``, its device)."""
    last: list[Any] = [_UNSET, None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


_UNSET = object()


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) into ``table`` in one statement."""
    if not rows:
        return
    if not is_postgresql(session):
        session.execute(sa.insert(table), list(rows))
        return
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    converters = [
        None if (convert := _converter(column, session)) is None else _memoised(convert) for column in columns
    ]
    quote = session.get_bind().dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    row[name] if convert is None else convert(row[name])
                    for name, convert in zip(names, converters, strict=True)
                ]
            )


def where_in(
    session: Session, column: sa.ColumnElement[Any], values: Sequence[Any]
) -> Iterable[sa.ColumnElement[bool]]:
    """Conditions ``column IN values``: one array parameter on PostgreSQL, chunked lists elsewhere."""
    if not values:
        return
    if is_postgresql(session):
        yield column == sa.any_(sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
        return
    for start in range(0, len(values), IN_CHUNK):
        yield column.in_(values[start : start + IN_CHUNK])
