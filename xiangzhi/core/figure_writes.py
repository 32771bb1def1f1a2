"""The tables a block of statements writes (core.figures.batch() recounts only the figures over
them): an execute wrapper that reads the table of every INSERT, UPDATE and DELETE."""

from __future__ import annotations

import re

ANY_TABLE = "*"  # a write whose table could not be read: every figure is recounted
_WRITE = re.compile(
    # The table, after a schema when there is one ("public"."people_resident").
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|COPY)\s+"
    r"(?:\"?\w+\"?\.)?\"?(\w+)\"?(?=[\s(]|$)",
    re.IGNORECASE,
)
_WRITE_WORDS = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
# Statements that write no table: reads, transaction control, session settings.
_READS = (
    *("SELECT", "VALUES", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN"),
    *("PRAGMA", "SET", "SHOW"),
)


class Writes:
    """An execute wrapper (connection.execute_wrapper) that notes the tables the statements
    write. A statement it cannot read (a CTE that writes, a COPY, DDL) notes ANY_TABLE."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        head = sql.lstrip(" \t\r\n(")[:10].split(None, 1)  # "(SELECT ...) UNION (SELECT ...)"
        word = head[0].upper() if head else ""
        if not word:
            pass
        elif word == "WITH":
            if _WRITE_WORDS.search(sql):
                self.tables.add(ANY_TABLE)
        elif word not in _READS:
            match = _WRITE.match(sql)
            self.tables.add(match.group(1) if match else ANY_TABLE)
        return execute(sql, params, many, context)


def note_write(connection, table: str) -> None:
    """Tell the open batches of this connection that `table` was written by a statement that
    does not pass through Django's cursor wrappers (core.bulk's COPY on PostgreSQL)."""
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, Writes):
            wrapper.tables.add(table)
