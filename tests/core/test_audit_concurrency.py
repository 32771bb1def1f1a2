"""Two townships' writes never wait on each other (issue 11, point 6), on the real PostgreSQL
server: a write held open in one township does not delay a write in another, and does delay a
second write in its own township."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from tests.factories import UserFactory
from xiangzhi.core.audit import audit_record
from xiangzhi.grid.services import node_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has one writer per database: writes always queue, whatever the chain",
    ),
]


def _write_in(node, *, lock_timeout_ms: int) -> float:
    """Write one audit event about `node` in a transaction that waits at most lock_timeout_ms
    for a lock; how long it took."""
    started = time.monotonic()
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
            audit_record(actor=None, action="grid.node_update", obj=node)
    finally:
        connections.close_all()
    return time.monotonic() - started


def test_a_write_held_open_in_one_township_does_not_hold_up_another():
    admin = UserFactory(is_superuser=True)
    east = node_create(actor=admin, parent=None, name="东镇")
    west = node_create(actor=admin, parent=None, name="西镇")
    east_village = node_create(actor=admin, parent=east, name="东一村")
    west_village = node_create(actor=admin, parent=west, name="西一村")

    holding, release = threading.Event(), threading.Event()

    def hold_east():
        try:
            with transaction.atomic():
                audit_record(actor=None, action="grid.node_update", obj=east_village)
                holding.set()  # east's head is locked until this transaction ends
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_east)
    holder.start()
    try:
        assert holding.wait(10)
        results: dict = {}

        def run(name, node, timeout_ms):
            try:
                results[name] = _write_in(node, lock_timeout_ms=timeout_ms)
            except OperationalError as exc:
                results[name] = exc

        # Another township: completes at once although east's write is still open.
        other = threading.Thread(target=run, args=("west", west_village, 5000))
        other.start()
        other.join(10)
        # (a wait for east's head would end in the 5 s lock timeout's OperationalError)
        assert isinstance(results["west"], float)
        # The same township: waits for east's head (here until its lock timeout gives up).
        same = threading.Thread(target=run, args=("east", east_village, 700))
        same.start()
        same.join(10)
        assert isinstance(results["east"], OperationalError)
        assert "lock timeout" in str(results["east"])
    finally:
        release.set()
        holder.join(10)
    # Once the first write is committed, the same township's write goes through.
    assert isinstance(_write_in(east_village, lock_timeout_ms=5000), float)
