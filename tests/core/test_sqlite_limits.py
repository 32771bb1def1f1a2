"""SQLite's documented limits under the production server (issue 11, point 5; docs/deploy.md):
WAL so that readers go on while one writer writes, IMMEDIATE transactions so that writers queue
at BEGIN, and a busy timeout so that a queued writer waits instead of failing with "database is
locked"."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's connection settings; PostgreSQL has none"
)


def test_the_connection_runs_in_wal_with_a_busy_timeout_and_immediate_writes(db):
    with connection.cursor() as cur:
        assert cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cur.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
        assert cur.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: safe with WAL
    assert connection.transaction_mode == "IMMEDIATE"


def test_a_second_writer_waits_for_the_first_instead_of_failing(transactional_db):
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS scratch_writes (who TEXT)")
    held = threading.Event()
    release = threading.Event()
    errors: list[Exception] = []

    def write(who: str, hold: bool) -> None:
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE: the write lock, or wait for it
                with connection.cursor() as cur:
                    cur.execute("INSERT INTO scratch_writes VALUES (%s)", [who])
                if hold:
                    held.set()
                    release.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=("first", True))
    first.start()
    assert held.wait(10)
    second = threading.Thread(target=write, args=("second", False))
    second.start()
    second.join(1.0)
    # Still waiting for the lock a second on: without the busy timeout it would have failed at
    # once with "database is locked" (and ended).
    queued = second.is_alive()
    release.set()
    first.join()
    second.join()
    try:
        assert queued and errors == []
        with connection.cursor() as cur:
            rows = [r[0] for r in cur.execute("SELECT who FROM scratch_writes").fetchall()]
        assert rows == ["first", "second"]
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE scratch_writes")
