"""Many rows of one table's insert at once, as a replayed log writes its transcript.

SQLAlchemy's ``executemany`` builds each row's parameters through the compiled statement
(about 5 µs a row); for SQLite the same statement, compiled by SQLAlchemy, goes to the
DB-API cursor of the same connection (so the same transaction), each value converted by
the column type's own bind processor: the rows stored are the ones SQLAlchemy would
store, at a fraction of the cost. Other dialects keep SQLAlchemy's path (psycopg's
``executemany`` is one round trip a row; SQLAlchemy batches it into few statements).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None


class BulkInsert:
    """An insert of the columns ``keys`` into the statement's table; rows are tuples of
    values in that order."""

    def __init__(self, statement: Insert, keys: Sequence[str]) -> None:
        self.statement = statement
        self.keys = tuple(keys)
        self._sqlite: tuple[str, tuple[int, ...], tuple[Processor, ...]] | None = None

    def run(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        dialect = connection.dialect
        if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
            connection.execute(self.statement, [dict(zip(self.keys, row, strict=True))
                                                for row in rows])
            return
        sql, order, processors = self._sqlite or self._compile(dialect)
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))  # a column at a time
        for i, process in zip(order, processors, strict=True):
            if process is not None:
                columns[i] = list(map(process, columns[i]))
        values = list(zip(*(columns[i] for i in order), strict=True))
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(sql, values)
        except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy would raise it
            raise DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from exc
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[int, ...], tuple[Processor, ...]]:
        compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
        names = compiled.positiontup or []
        if sorted(names) != sorted(self.keys):  # pragma: no cover - a statement with more
            raise ValueError(f"{self.statement} binds {names}, not {self.keys}")
        table = self.statement.table
        assert isinstance(table, Table)
        order = tuple(self.keys.index(name) for name in names)
        processors = tuple(fast_processor(table.c[name].type.dialect_impl(dialect), dialect)
                           for name in names)
        self._sqlite = (str(compiled), order, processors)
        return self._sqlite


# SQLite's DATETIME stores "YYYY-MM-DD HH:MM:SS.ffffff" (the wall time, no offset): for a
# datetime that is the first 26 characters of its ISO form, made in C.
_DEFAULT_DATETIME_FORMAT = DATETIME._storage_format


def fast_processor(impl: Any, dialect: Dialect) -> Processor:
    """The column type's bind processor; for SQLite's DATETIME in its default format, the
    same strings made faster (each transcript line has a time)."""
    process: Processor = impl.bind_processor(dialect)
    if process is None or type(impl) is not DATETIME or (
            impl._storage_format != _DEFAULT_DATETIME_FORMAT):
        return process
    fallback = process

    def iso(value: Any) -> Any:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return fallback(value)

    return iso
