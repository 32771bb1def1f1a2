"""Hot read statements run as PostgreSQL prepared statements: planned once per connection.

Django's PostgreSQL backend binds parameters on the client (psycopg's ClientCursor), so the
server plans every statement it receives anew. For a statement that is run on every write with
the same text and new values, such as the figures' recount (core/figures.py: one UNION ALL of
some ten grouped counts), the planning took three times as long as the execution (2.9 ms against
1.0 ms on the county demo). fetch() prepares such a statement once per database connection
(`PREPARE ... AS` with $n parameters, which PostgreSQL types from their context) and then runs
`EXECUTE name(values)`. A statement PostgreSQL refuses to prepare (a parameter whose type it
cannot infer) is run as it is, from then on. Other databases run the statement as it is.

A prepared statement belongs to its session and outlives a rollback; a new connection (after
CONN_MAX_AGE, or a broken one) starts with none, which the cache, keyed by the DB-API connection
object, follows. Use it for reads only: the figures' batches read what a write wrote from its
INSERT, UPDATE and DELETE statements (core/figure_writes.py), not from an EXECUTE.
"""

from __future__ import annotations

import re
import threading
import weakref

from django.db import DatabaseError, connection, transaction

_PLACEHOLDER = re.compile(r"%%|%s")
# DB-API connection -> {statement text: prepared name}; per thread, as connections are.
_local = threading.local()
_REFUSED: set[str] = set()
MAX_PER_CONNECTION = 200  # statements whose text changed (a new day's dates) are dropped past it


def _dollars(sql: str) -> str:
    """Django's %s placeholders as $1, $2, ... (and %% as %)."""
    count = 0

    def repl(match):
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(repl, sql)


def _names() -> dict[str, str]:
    by_connection = getattr(_local, "by_connection", None)
    if by_connection is None:
        by_connection = _local.by_connection = weakref.WeakKeyDictionary()
    raw = connection.connection
    names = by_connection.get(raw)
    if names is None:
        names = by_connection[raw] = {}
    return names


def fetch(sql: str, params: list, *, prepare: bool = True) -> list[tuple]:
    """The rows of a read statement, prepared once per connection on PostgreSQL (prepare=False:
    run as it is, for a statement whose text changes from call to call)."""
    with connection.cursor() as cursor:
        if not prepare or connection.vendor != "postgresql" or sql in _REFUSED:
            cursor.execute(sql, params)
            return cursor.fetchall()
        names = _names()
        name = names.get(sql)
        if name is None:
            if len(names) >= MAX_PER_CONNECTION:
                cursor.execute("DEALLOCATE ALL")
                names.clear()
            name = f"xz_prepared_{len(names) + 1}"
            try:
                with transaction.atomic():  # a refusal must not abort the caller's transaction
                    cursor.execute(f"PREPARE {name} AS {_dollars(sql)}")
            except DatabaseError:
                _REFUSED.add(sql)
                cursor.execute(sql, params)
                return cursor.fetchall()
            names[sql] = name
        holders = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXECUTE {name}({holders})" if params else f"EXECUTE {name}", params)
        return cursor.fetchall()
