"""Model instances from hand-written SQL, for the few reads on the hottest path (the article page).

Building a query through the ORM costs far more than a database spends answering these small indexed reads:
at 100,000 articles the article page's queries (four then) took 0.26 ms in SQLite and 4.3 ms to build and hydrate
through querysets and ``prefetch_related_objects``. ``Model.objects.raw()`` halves that but still works out its
column mapping and converters on every call. A ``Columns`` does that once per model and database: it writes the
select list and turns each row into an instance with the same converters and ``Model.from_db`` the ORM uses, so
the instances are the ORM's own (no deferred fields, ``_state.db`` set, values as Python types on every backend).

Only for fixed, hand-checked SQL: everything else reads through querysets.

On PostgreSQL the same statements are prepared once per connection (``fixed_sql_cursor``): planning the article
page's main query took three times as long as running it.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, models

from .conf import app_settings


class Columns:
    """Every concrete column of ``model`` under a table alias, and rows of them turned into instances."""

    def __init__(self, model: type[models.Model], using: str) -> None:
        self.model = model
        self.using = using
        connection = connections[using]
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        self.count = len(fields)
        self._names = [connection.ops.quote_name(field.column) for field in fields]
        self._casts = [field.cast_db_type(connection) for field in fields]
        self._converters = [
            (index, converters, column)
            for index, field in enumerate(fields)
            for column in [field.get_col(model._meta.db_table)]
            for converters in [connection.ops.get_db_converters(column) + column.get_db_converters(connection)]
            if converters
        ]

    def select(self, alias: str, *, only_when: str = "", always: tuple[str, ...] = ()) -> str:
        """``alias."col1", alias."col2", …`` in the order ``instance`` reads them.

        With ``only_when`` (an SQL condition), the columns not named in ``always`` are NULL on the rows where it
        does not hold: the caller reads only ``always`` from those rows, and their texts need not travel.
        """
        if not only_when:
            return ", ".join(f"{alias}.{name}" for name in self._names)
        return ", ".join(
            f"{alias}.{name}" if attname in always else f"CASE WHEN {only_when} THEN {alias}.{name} END"
            for attname, name in zip(self.attnames, self._names)
        )

    def nulls(self) -> str:
        """A NULL for each column of ``select``, typed as the column: a block of another model's row in a
        ``UNION`` (PostgreSQL takes an untyped NULL for text and refuses to match it with a number)."""
        return ", ".join(f"CAST(NULL AS {cast})" for cast in self._casts)

    def instance(self, row: Sequence) -> models.Model:
        """The instance from ``row[:count]`` (the columns of ``select``), converted as the ORM would."""
        values = list(row[: self.count])
        _apply(self._converters, values, self.using)
        return self.model.from_db(self.using, self.attnames, values)


@functools.cache
def columns(model: type[models.Model], using: str = "default") -> Columns:
    return Columns(model, using)


@functools.cache
def _field_converters(field: models.Field, using: str) -> tuple[list, object]:
    connection = connections[using]
    column = field.get_col(field.model._meta.db_table)
    return connection.ops.get_db_converters(column) + column.get_db_converters(connection), column


def convert(field: models.Field, value, using: str = "default"):
    """``value`` as a raw SQL expression of ``field``'s type returned it, as the ORM would give it back."""
    values = [value]
    _apply([(0, *_field_converters(field, using))], values, using)
    return values[0]


def _apply(converters: list, values: list, using: str) -> None:
    """Run each ``(index, converters, column)``'s converters on ``values[index]``, in place, as the ORM's compiler
    does on every row it reads."""
    if not converters:
        return
    connection = connections[using]
    for index, field_converters, column in converters:
        value = values[index]
        for converter in field_converters:
            value = converter(value, column, connection)
        values[index] = value


@functools.cache
def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        """Server-side parameters, and the statement prepared on the connection at its first run."""

        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True, **kwargs)

    return PreparingCursor


@functools.cache
def _converting_once_cursor_class():
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX, SQLiteCursorWrapper

    @functools.lru_cache(maxsize=64)
    def qmark(query: str) -> str:
        return FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")

    class ConvertingOnceCursor(SQLiteCursorWrapper):
        """Django's SQLite cursor, with each fixed statement's ``%s`` → ``?`` rewrite done once, not per run (a
        regular expression over the 4 KB article page query cost a tenth of a millisecond a page)."""

        def convert_query(self, query, *, param_names=None):
            return qmark(query) if param_names is None else super().convert_query(query, param_names=param_names)

    return ConvertingOnceCursor


@contextmanager
def fixed_sql_cursor(using: str = "default") -> Iterator:
    """A cursor for fixed SQL run on every request: prepared once per connection on PostgreSQL, its placeholders
    rewritten once per process on SQLite.

    Only these statements are prepared, on a cursor of their own. Django's cursors bind parameters on the client
    and never prepare; turning server-side binding on for everything (the ``server_side_binding`` option) also
    prepares the ORM's queries, but makes any query with more than 65,535 parameters fail (a large ``__in``; the
    benchmark hit it), which Django 5.2 does not guard against. ``ARTICLES_PREPARED_STATEMENTS = False`` turns
    it off, for a pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
    The cursor is wrapped like Django's own, so the queries are logged and counted by ``assertNumQueries``.
    """
    connection = connections[using]
    if connection.vendor == "postgresql" and app_settings.PREPARED_STATEMENTS:
        cursor_class = _preparing_cursor_class()
    elif connection.vendor == "sqlite":
        cursor_class = _converting_once_cursor_class()
    else:
        with connection.cursor() as cursor:
            yield cursor
        return
    # As Django's own cursors do: a kept connection the server dropped (a restart) is replaced, not failed on.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.vendor == "postgresql" and connection.connection.prepare_threshold is None:
        # psycopg prepares nothing while the threshold is None (Django's default); explicit ``prepare=True`` then
        # prepares these statements, and the threshold is out of reach of anything else (Django's own cursors
        # bind on the client and never prepare).
        connection.connection.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cursor_class(connection.connection)
        else:
            raw = connection.connection.cursor(factory=cursor_class)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor
