"""Bulk writes for the large batches (imports, audit batches, seeding).

Django's bulk_create prepares every value through several layers per field and row, which was half
of an import's time. `insert_rows` writes tuples of column values with one converter per column:
on SQLite with executemany (or multi-row INSERT ... RETURNING when the keys are wanted), on
PostgreSQL with COPY. It handles the field types the registry writes (text, numbers, booleans,
foreign keys, dates, datetimes, JSON, encrypted text) and refuses others.
"""

from __future__ import annotations

from django.db import connections, models
from django.utils import timezone

from .crypto import EncryptedTextField
from .figure_writes import note_write


def fast_insert(model, objs: list, *, using: str = "default") -> None:
    """Insert unsaved objects and set their primary keys (like bulk_create, without signals)."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    auto = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for attname in auto:
            setattr(obj, attname, now)
    attnames = [f.attname for f in fields]
    keys = insert_rows(
        model,
        attnames,
        [tuple(getattr(obj, a) for a in attnames) for obj in objs],
        returning=True,
        using=using,
    )
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = using


def _column_converter(field, connection):
    """A converter of Python values to database values for one column, or None for as-is."""
    if isinstance(field, EncryptedTextField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: connection.ops.adapt_json_value(v, encoder)
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        last: list = [None, None]

        def convert(value):
            # A batch shares one timestamp: adapt it once.
            if value is not last[0]:
                last[0], last[1] = value, adapt(value)
            return last[1]

        return convert
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(
        field,
        models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField
        | models.ForeignKey
        | models.BigIntegerField
        | models.PositiveSmallIntegerField,
    ):
        return None
    raise TypeError(f"insert_rows does not handle {type(field).__name__} ({field.name})")


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def insert_rows(
    model, columns, rows: list[tuple], *, returning: bool = False, using: str = "default"
) -> list | None:
    """Insert tuples of values, one per row, into the columns (attnames) of a model's table.

    The cheapest write there is for the largest batches: no model instances, one converter per
    column, and executemany (or multi-row INSERT ... RETURNING when the keys are wanted, in the
    order of the rows).
    """
    if not rows:
        return [] if returning else None
    connection = connections[using]
    opts = model._meta
    by_attname = {f.attname: f for f in opts.concrete_fields}
    fields = [by_attname[c] for c in columns]
    converters = [(i, c) for i, f in enumerate(fields) if (c := _column_converter(f, connection))]
    if converters:
        adapted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            adapted.append(row)
        rows = adapted
    if connection.vendor == "postgresql":
        return _copy_rows(connection, opts, fields, rows, returning)
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows)
            return None
        keys: list = []
        per = max(1, min(_max_params(connection) // len(fields), 2000))
        pk = quote(opts.pk.column)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} RETURNING {pk}",
                [v for row in chunk for v in row],
            )
            keys.extend(k for (k,) in cursor.fetchall())
        if len(keys) != len(rows):
            raise RuntimeError("insert_rows: the database returned fewer keys than rows")
        return keys


def _copy_rows(connection, opts, fields, rows, returning: bool) -> list | None:
    """PostgreSQL: COPY the rows in (psycopg's copy protocol), taking their keys from the table's
    sequence first when they are wanted. An INSERT per row cost ~150 us of round trip and
    parsing on PostgreSQL; COPY costs a few."""
    quote = connection.ops.quote_name
    keys = None
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            keys = [k for (k,) in cursor.fetchall()]
            fields = [opts.pk, *fields]
            rows = [(k, *row) for k, row in zip(keys, rows, strict=True)]
        names = ", ".join(quote(f.column) for f in fields)
        # The raw cursor's COPY bypasses Django's execute wrappers: a figures batch must still
        # learn that this table was written (it recounts only the figures over written tables).
        note_write(connection, opts.db_table)
        # The raw cursor's COPY bypasses Django's error translation: restore it, so that a
        # duplicate raises django.db.IntegrityError here as it does on SQLite.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    return keys


def update_column(model, column: str, pairs: list[tuple], *, using: str = "default") -> None:
    """Set one column of many rows: pairs of (value, pk). One statement on PostgreSQL."""
    if not pairs:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    opts = model._meta
    field = opts.get_field(column)
    table, col, pk = quote(opts.db_table), quote(field.column), quote(opts.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values, keys = zip(*pairs, strict=True)
            # Typed arrays: a client-side bound list of strings would reach unnest() untyped.
            value_type, key_type = field.db_type(connection), opts.pk.db_type(connection)
            cursor.execute(
                f"UPDATE {table} SET {col} = v.value "
                f"FROM unnest(%s::{value_type}[], %s::{key_type}[]) AS v(value, key) "
                f"WHERE {table}.{pk} = v.key",
                [list(values), list(keys)],
            )
        else:
            cursor.executemany(f"UPDATE {table} SET {col} = %s WHERE {pk} = %s", pairs)
