"""A faster bulk insert for the large writes (imports, audit batches).

On SQLite, Django's bulk_create prepares every value through several layers per field and row,
which was half of an import's time. This builds one multi-row INSERT ... RETURNING per batch and adapts each
column with a converter chosen once per field. It handles the field types the import writes
(text, numbers, booleans, foreign keys, dates, datetimes, JSON, encrypted text) and refuses others.
"""

from __future__ import annotations

from django.db import connections, models
from django.utils import timezone

from .crypto import EncryptedTextField


def _converter(field, connection):
    if isinstance(field, EncryptedTextField) or isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
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
    raise TypeError(f"fast_insert does not handle {type(field).__name__} ({field.name})")


def fast_insert(model, objs: list, *, using: str = "default") -> None:
    """Insert unsaved objects and set their primary keys (like bulk_create, without signals)."""
    if not objs:
        return
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Django's own bulk_create inserts through UNNEST arrays on PostgreSQL, which measured
        # faster than multi-row VALUES (make bench: 2,450 against 1,830 rows/s).
        model.objects.using(using).bulk_create(objs, batch_size=2000)
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    now = timezone.now()
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    plan = [(f.attname, _converter(f, connection)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(opts.db_table)
    pk = connection.ops.quote_name(opts.pk.column)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, connection.ops.bulk_batch_size(fields, objs))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = []
            for obj in chunk:
                for f in auto:
                    setattr(obj, f.attname, now)
                for attname, convert in plan:
                    value = getattr(obj, attname)
                    params.append(
                        convert(value) if convert is not None and value is not None else value
                    )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} RETURNING {pk}",
                params,
            )
            for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = using
