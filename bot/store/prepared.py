"""A single-row statement run many times, as a replayed log's commands run theirs.

SQLAlchemy's ``Connection.execute`` costs about 20 µs a statement before SQLite sees it
(the cache lookup, the parameters built through the compiled statement, the result's
metadata); SQLite itself runs a one-row insert or update in about 1 µs. For SQLite the same
statement, compiled by SQLAlchemy once per dialect, goes to the DB-API cursor of the same
connection (so the same transaction), each parameter converted by its bind's own type
processor and each returned column by its type's result processor: the rows written and
read are the ones SQLAlchemy would write and read, a refusal is raised as SQLAlchemy's
``DBAPIError`` (an ``IntegrityError`` for a constraint). Other dialects keep SQLAlchemy's
path. ``many`` does the same for a batch of rows (a replayed log's transcript lines, held
back notes): SQLAlchemy's ``executemany`` costs about 5 µs a row, the cursor's a fraction;
PostgreSQL keeps SQLAlchemy's batched path there too (psycopg's ``executemany`` is a
round trip a row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, Update
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Statement = Insert | Update | Delete | Select[Any]
Processor = Callable[[Any], Any] | None


class _Compiled:
    """The statement as SQLite takes it: its SQL, where each ``?`` gets its value (a
    place in the caller's values, or a constant the statement holds), how each value is
    converted, and how each returned column is."""

    __slots__ = ("results", "sql", "steps")

    def __init__(self, statement: Statement, keys: tuple[str, ...], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = compiled.positiontup or []
        binds = compiled.binds
        # A value SQLAlchemy would work out as it runs the statement (a column's Python-side
        # default, an expanding IN) would go to the cursor as None: refused here, once.
        if (compiled.literal_execute_params or compiled.post_compile_params
                or compiled.insert_prefetch or compiled.update_prefetch or any(
                    binds[name].expanding or binds[name].callable is not None for name in names)):
            raise ValueError(f"{statement} binds values computed at execution")  # pragma: no cover
        missing = set(keys) - set(names)
        if missing:  # pragma: no cover - a programming error, caught by the first run
            raise ValueError(f"{statement} binds no {sorted(missing)}")
        self.sql = str(compiled)
        # Per ``?``: its value's place in the caller's tuple, or -1 and the statement's own
        # value (``status = 'running'``); and the bind type's processor.
        self.steps: tuple[tuple[int, Any, Processor], ...] = tuple(
            (keys.index(name) if name in keys else -1,
             None if name in keys else binds[name].value,
             fast_processor(binds[name].type.dialect_impl(dialect), dialect))
            for name in names)
        # The columns a query returns, or a write's ``RETURNING`` (none without).
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in statement.exported_columns)
        self.results: tuple[Processor, ...] | None = (
            results if any(process is not None for process in results) else None)

    def parameters(self, values: Sequence[Any]) -> list[Any]:
        parameters = []
        for place, constant, process in self.steps:
            value = values[place] if place >= 0 else constant
            parameters.append(value if process is None else process(value))
        return parameters

    def many_parameters(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``parameters`` of each row, converted a column at a time (a batch's values of
        one column go through its processor in one ``map``)."""
        columns = list(zip(*rows, strict=True))
        converted: list[Sequence[Any]] = []
        for place, constant, process in self.steps:
            column: Sequence[Any] = columns[place] if place >= 0 else [constant] * len(rows)
            converted.append(column if process is None else list(map(process, column)))
        return list(zip(*converted, strict=True))


class Prepared:
    """A statement whose bound values are ``keys``, given as a tuple in that order: a
    column's value (an insert's, an update's ``SET``) or a ``bindparam`` of that name."""

    def __init__(self, statement: Statement, keys: Sequence[str]) -> None:
        self.statement = statement
        self.keys = tuple(keys)
        self._sqlite: _Compiled | None = None

    def rows(self, connection: Connection, values: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows the statement returns (a query's, an insert's ``RETURNING``), as tuples
        in the order of its columns; none for a write without ``RETURNING``."""
        compiled = self._on_sqlite(connection)
        if compiled is None:
            result = connection.execute(self.statement, dict(zip(self.keys, values, strict=True)))
            return [tuple(row) for row in result] if result.returns_rows else []
        cursor = self._run(connection, compiled, values)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if (results := compiled.results) is not None:
            return [tuple(value if process is None else process(value)
                          for value, process in zip(row, results, strict=True)) for row in rows]
        return rows

    def many(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """A write of each of ``rows`` (no ``RETURNING``)."""
        compiled = self._on_sqlite(connection)
        if compiled is None:
            connection.execute(self.statement, [dict(zip(self.keys, row, strict=True))
                                                for row in rows])
            return
        parameters = compiled.many_parameters(rows)
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(compiled.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as exc:
            _raise_as_sqlalchemy(connection.dialect, compiled.sql, parameters, exc)
        finally:
            cursor.close()

    def insert(self, connection: Connection, values: Sequence[Any]) -> int:
        """The id of the row an insert (without ``RETURNING``) added."""
        compiled = self._on_sqlite(connection)
        if compiled is None:
            result = connection.execute(self.statement, dict(zip(self.keys, values, strict=True)))
            return result.inserted_primary_key[0]  # type: ignore[index,no-any-return]
        cursor = self._run(connection, compiled, values)
        try:
            row_id = cursor.lastrowid
        finally:
            cursor.close()
        assert row_id is not None
        return row_id

    def _on_sqlite(self, connection: Connection) -> _Compiled | None:
        """The statement compiled for the raw cursor, or None where SQLAlchemy runs it
        (another dialect, or a connection with no transaction begun: SQLAlchemy's
        ``execute`` would begin it)."""
        dialect = connection.dialect
        if dialect.name != "sqlite" or dialect.paramstyle != "qmark" or (
                not connection.in_transaction()):
            return None
        if self._sqlite is None:
            self._sqlite = _Compiled(self.statement, self.keys, dialect)
        return self._sqlite

    @staticmethod
    def _run(connection: Connection, compiled: _Compiled, values: Sequence[Any]) -> Any:
        parameters = compiled.parameters(values)
        dialect = connection.dialect
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
        except dialect.loaded_dbapi.Error as exc:
            cursor.close()
            _raise_as_sqlalchemy(dialect, compiled.sql, parameters, exc)
        return cursor


def _raise_as_sqlalchemy(dialect: Dialect, sql: str, parameters: Any, exc: Exception) -> None:
    """The driver's error as SQLAlchemy would have raised it (an ``IntegrityError`` for a
    constraint), so callers and the store's error translation see no difference."""
    raise DBAPIError.instance(sql, parameters, exc, dialect.loaded_dbapi.Error,
                              dialect=dialect) from exc


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
