"""Hot read statements prepared at the protocol level on PostgreSQL: planned once per connection.

Django's PostgreSQL backend binds parameters on the client (psycopg's ClientCursor), so the
server plans every statement it receives anew. For a statement that runs on every write with the
same text and new values, such as the figures' recount (core/figures.py: one UNION ALL of some
ten grouped counts), the planning took three times as long as the execution (2.9 ms against
1.0 ms on the county demo). fetch() runs such a statement through a psycopg cursor that binds on
the server and asks psycopg to prepare it (`execute(..., prepare=True)`): psycopg names it, sends
the parameters with their real types (an int as a bigint), keeps at most PREPARED_MAX statements
per connection (evicting the oldest with DEALLOCATE), and forgets them after a rollback. Django's
own statements are untouched: psycopg's preparation is switched on only for the duration of the
call. So psycopg does not see a DEALLOCATE ALL or DISCARD ALL that a Django statement runs: the
next prepared run fails with "prepared statement does not exist", and fetch() forgets them then.
fetch_each() sends several such statements in one round trip (psycopg's pipeline mode): a
write's lock, read and recount of its node.

Where it is off (then the statement runs as Django runs any other):
- other databases;
- XIANGZHI_PG_PREPARE=0, for a deployment behind a transaction pooler that does not track
  prepared statements (pgbouncer before 1.22, or without max_prepared_statements): there a
  statement's name could reach another client's server session;
- DISABLE_SERVER_SIDE_CURSORS in the database settings, which Django asks of deployments
  behind such a pooler;
- a statement PostgreSQL refuses to prepare with these parameters' types (_CANNOT_PREPARE): its
  first run in a process is made in a savepoint, and a refusal runs it as it is from then on.

Use it for reads only: the figures' batches read what a write wrote from the statements that
pass through Django's cursor (core/figure_writes.py); this cursor passes through it as well.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction

PREPARED_MAX = 32  # statements kept prepared per connection (about 1 MB of plan each)
# (statement text, parameter types) that PostgreSQL prepared, or refused to, in this process.
_PROVEN: set[tuple] = set()
_REFUSED: set[tuple] = set()
# SQLSTATEs of a statement that cannot be prepared with its parameters' types (a parameter whose
# type cannot be inferred, an ambiguous operator or function, a mismatch); others are errors.
_CANNOT_PREPARE = {"42P18", "42P08", "42804", "42725", "42883"}
_cursor_class = None


def enabled() -> bool:
    return (
        connection.vendor == "postgresql"
        and getattr(settings, "XIANGZHI_PG_PREPARE", True)
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    )


def _preparing_cursor():
    global _cursor_class
    if _cursor_class is None:
        import psycopg
        from psycopg.types.numeric import Int8Dumper

        class PreparingCursor(psycopg.Cursor):
            """Binds on the server and prepares every statement it executes. An int goes as a
            bigint: psycopg would type a small one as smallint, where `level * 20000` overflows
            although the same SQL with the value written in (Django's way) does not."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.adapters.register_dumper(int, Int8Dumper)

            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        _cursor_class = PreparingCursor
    connection.ensure_connection()
    raw = connection.connection
    raw.prepared_max = PREPARED_MAX
    # Through Django's cursor wrapper: errors translated, execute wrappers applied (its debug
    # wrapper would log None: psycopg keeps no text of a prepared execution; _run logs it).
    return raw, connection.make_cursor(_cursor_class(raw))


def _run(cursor, sql: str, params: list) -> list[tuple]:
    if not connection.queries_logged:
        cursor.execute(sql, params)
        return cursor.fetchall()
    start = time.monotonic()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        _log(sql, params, f"{time.monotonic() - start:.3f}")


def _log(sql: str, params: list, took: str) -> None:
    try:
        text = connection.ops.compose_sql(sql, params)
    except Exception:  # noqa: BLE001 - a lost connection: keep the statement's own error
        text = sql
    connection.queries_log.append({"sql": text, "time": took})


def _plain(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch(sql: str, params: list, *, prepare: bool = True) -> list[tuple]:
    """The rows of a read statement, prepared once per connection where enabled() (prepare=False:
    run as it is, for a statement whose text changes from call to call)."""
    if not prepare or not enabled():
        return _plain(sql, params)
    key = _key(sql, params)
    if key in _REFUSED:
        return _plain(sql, params)
    raw, cursor = _preparing_cursor()
    # Django opens connections with psycopg's preparation off (prepare_threshold None), which
    # refuses even an explicit prepare=True; a threshold no statement reaches lets only this
    # call's prepare=True through, and the ClientCursor Django uses never prepares anyway.
    threshold = raw.prepare_threshold
    raw.prepare_threshold = 1 << 30
    try:
        if key in _PROVEN:
            return _run(cursor, sql, params)
        try:
            with transaction.atomic():  # a refusal must not abort the caller's transaction
                rows = _run(cursor, sql, params)
        except DatabaseError as exc:
            # A parameter's type or a construct PostgreSQL cannot prepare: run it as it is.
            # Anything else (a lock timeout, a lost connection) is the caller's error.
            if _sqlstate(exc) not in _CANNOT_PREPARE:
                raise
            _REFUSED.add(key)
            return _plain(sql, params)
        _PROVEN.add(key)
        return rows
    except DatabaseError as exc:
        if _sqlstate(exc) != "26000":
            raise
        # "prepared statement does not exist": something ran DEALLOCATE ALL or DISCARD ALL on
        # the connection behind psycopg's back (its bookkeeping is off while Django's own
        # statements run). Forget them all; outside a transaction run the statement again,
        # inside one the transaction is lost and the caller's error stands.
        raw._prepared.clear()
        if connection.in_atomic_block:
            raise
        return _plain(sql, params)
    finally:
        raw.prepare_threshold = threshold
        cursor.close()


def fetch_each(statements: list[tuple[str, list]]) -> list[list[tuple]] | None:
    """The rows of each of these read statements, sent in one round trip (psycopg's pipeline
    mode), each prepared. The server still runs them in order, each on its own snapshot (READ
    COMMITTED), so a read after a lock sees what a write it waited for committed. Until each has
    been proven in this process, they go one by one through fetch() (which proves them). None,
    and nothing run, where it cannot pipeline them: preparing off (enabled()), outside a
    transaction (a pipeline's error loses them all), one of them refused by PostgreSQL, a libpq
    without pipelines; the caller then runs them its own way."""
    if not enabled() or not connection.in_atomic_block or not _pipelines():
        return None
    keys = [_key(sql, params) for sql, params in statements]
    if any(key in _REFUSED for key in keys):
        return None
    if not all(key in _PROVEN for key in keys):
        return [fetch(sql, params) for sql, params in statements]
    raw, first = _preparing_cursor()
    cursors = [first] + [connection.make_cursor(_cursor_class(raw)) for _ in statements[1:]]
    threshold = raw.prepare_threshold
    raw.prepare_threshold = 1 << 30
    start = time.monotonic()
    try:
        # Through Django's cursor wrapper, each execute sends its statement without waiting; the
        # server answers them all at the pipeline's Sync, at its end (errors translated by
        # wrap_database_errors).
        with connection.wrap_database_errors, raw.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params)
        return [cursor.fetchall() for cursor in cursors]
    except DatabaseError as exc:
        if _sqlstate(exc) == "26000":  # as in fetch(): DEALLOCATE ALL behind psycopg's back
            raw._prepared.clear()
        raise  # inside a transaction, which is lost
    finally:
        raw.prepare_threshold = threshold
        for cursor in cursors:
            cursor.close()
        if connection.queries_logged:  # the round trip's time on the last statement
            took = f"{time.monotonic() - start:.3f}"
            for i, (sql, params) in enumerate(statements):
                _log(sql, params, took if i == len(statements) - 1 else "0.000")


def _pipelines() -> bool:
    """psycopg's pipeline mode needs libpq 14 or later (psycopg[binary] ships one; a system
    libpq may be older)."""
    import psycopg

    return psycopg.Pipeline.is_supported()


def _key(sql: str, params: list) -> tuple:
    """A statement's entry in _PROVEN and _REFUSED: its text and its parameters' types."""
    return (sql, tuple(type(p) for p in params))


def _sqlstate(exc: Exception) -> str:
    return str(getattr(exc.__cause__, "sqlstate", "") or "")
