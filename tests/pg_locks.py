"""For the PostgreSQL tests that run two transactions in real threads: wait, from the thread
that holds its locks, until the other one waits for them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections


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


def at_once(work: dict[str, Callable[[], object]], seconds: float = 60) -> dict[str, object]:
    """Run each function in a thread of its own (its own connection), all at once: what each
    returned, or the exception it raised, under its name. Each thread closes its connections."""
    results: dict[str, object] = {}

    def run(name: str, fn: Callable[[], object]) -> None:
        try:
            results[name] = fn()
        except Exception as exc:  # noqa: BLE001 - the test names what failed
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in work.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds)
    return results


def import_while(run_import: Callable[[Callable], object], write: Callable[[], object]) -> dict:
    """An import (run_import(progress)) and a write at once: the write starts once the import's
    first batch is written (the import then holds its townships' audit heads to its commit), and
    the import goes on once the write waits for a lock. {"import": ..., "write": ...}."""
    holding = threading.Event()
    batches = []

    def progress(rows) -> None:
        batches.append(rows)
        if len(batches) == 1:
            holding.set()
            until_another_waits(10)

    def writing():
        assert holding.wait(10)
        return write()

    return at_once({"import": lambda: run_import(progress), "write": writing})
