"""Helpers for migrations that change a large table's indexes without copying the table.

On SQLite, Django's AlterField rebuilds the whole table even when only `db_index` changes (30 s
for the county's 500,000 residents, or a long audit table); dropping the index is one statement.
A migration states the field change with `SeparateDatabaseAndState` and drops the indexes here.
"""

from __future__ import annotations


def drop_column_indexes(schema_editor, model, columns: list[str]) -> list[str]:
    """Drop the plain (non-unique) indexes on exactly one of these columns; return their names.

    On PostgreSQL this includes the `_like` (pattern operator) twins Django adds for CharFields.
    """
    connection = schema_editor.connection
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    dropped = []
    for name, info in sorted(constraints.items()):
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and len(info["columns"]) == 1
            and info["columns"][0] in columns
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))
            dropped.append(name)
    return dropped


def create_column_indexes(schema_editor, model, columns: list[str]) -> None:
    """The reverse: the indexes `db_index=True` gives these columns (and their `_like` twins)."""
    for column in columns:
        field = next(f for f in model._meta.local_fields if f.column == column)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        like = getattr(schema_editor, "_create_like_index_sql", lambda *a: None)(model, field)
        if like is not None:
            schema_editor.execute(like)
