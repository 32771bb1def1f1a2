"""For the PostgreSQL tests that run two transactions in real threads: wait, from the thread
that holds its locks, until the other one waits for them."""

from __future__ import annotations

import time

from django.db import connection


def others_waiting_for_a_lock() -> int:
    """How many other sessions of this database wait for a lock now."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        return cur.fetchone()[0]


def until_another_waits(seconds: float = 10) -> None:
    """Return once another session waits for a lock (or after `seconds`)."""
    deadline = time.monotonic() + seconds
    while others_waiting_for_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
