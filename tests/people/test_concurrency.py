"""Two registry writes at once, with real threads: the second waits for the first's locks and then
answers in Chinese from what the first committed (no half-written household, no 500)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_register,
    household_split,
    resident_add,
)
from xiangzhi.people.services.resident_data import TAKEN_IN_SCOPE

from ..factories import make_id

pytestmark = pytest.mark.django_db(transaction=True)


def _blocked(thread: threading.Thread) -> bool:
    """Whether the thread waits on a lock: on PostgreSQL a backend waiting for a lock (within 10
    seconds); SQLite takes its write lock at BEGIN, so the thread still runs after a second."""
    if connection.vendor != "postgresql":
        thread.join(1)
        return thread.is_alive()
    for _ in range(100):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                return True
        time.sleep(0.1)
    return False


def _second_waits_on_first(first, second) -> tuple:
    """Run first() in a transaction held open until second(), in another thread, waits on its
    locks; then let first commit. What each returned or raised."""
    held, release = threading.Event(), threading.Event()
    out: dict = {}

    def run(key, call, hold):
        try:
            with transaction.atomic():
                out[key] = call()
                if hold:
                    held.set()
                    release.wait(20)
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            out[key] = exc
        finally:
            held.set()
            connections.close_all()

    one = threading.Thread(target=run, args=("first", first, True))
    two = threading.Thread(target=run, args=("second", second, False))
    one.start()
    try:
        assert held.wait(20)
        two.start()
        waited = _blocked(two)
    finally:
        release.set()
        one.join(30)
        if two.ident is not None:
            two.join(30)
    assert waited, "the second did not wait for the first"
    return out["first"], out["second"]


def test_two_splits_of_one_member_at_once_make_one_new_household(world):
    a = world.a

    def split(address):
        def call():
            child = Resident.objects.get(pk=a.child.pk)
            return household_split(
                actor=a.cadre,
                household=Household.objects.get(pk=a.household.pk),
                members=[child],
                new_head=child,
                address=address,
            )

        return call

    first, second = _second_waits_on_first(split("甲村一号分户"), split("甲村二号分户"))
    assert isinstance(first, Household), first
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"members": ["只能分出本户在册成员"]}
    assert not Household.objects.filter(address="甲村二号分户").exists()
    child = Resident.objects.get(pk=a.child.pk)
    assert child.household_id == first.pk
    assert list(first.members.values_list("pk", flat=True)) == [child.pk]


def test_one_id_number_registered_twice_at_once_is_refused_in_chinese(world):
    a = world.a
    same = make_id(dt.date(1992, 4, 5), "F")

    def data():
        return ResidentData(name="甲重复", id_number=same, relation="other")

    def add(household):
        return lambda: resident_add(actor=a.cadre, household=household, kind="move_in", data=data())

    first, second = _second_waits_on_first(add(a.household), add(a.other_household))
    assert isinstance(first, Resident), first
    assert isinstance(second, ValidationError), repr(second)
    assert second.message_dict == {"id_number": [TAKEN_IN_SCOPE]}

    other = make_id(dt.date(1985, 6, 7), "M")

    def register(address):
        head = ResidentData(name="甲新户主", id_number=other)
        return lambda: household_register(actor=a.cadre, node=a.grid, address=address, head=head)

    first, second = _second_waits_on_first(register("甲村三号"), register("甲村四号"))
    assert isinstance(first, Household), first
    assert isinstance(second, ValidationError), repr(second)
    assert second.message_dict == {"head_id_number": [TAKEN_IN_SCOPE]}
    assert not Household.objects.filter(address="甲村四号").exists()
    assert Resident.objects.filter(name__in=["甲重复", "甲新户主"]).count() == 2


def test_two_members_edited_to_one_id_number_at_once_are_refused_in_chinese(world):
    """The edit's own check read before the other edit committed; the unique index then
    refused the second row with a 500."""
    from xiangzhi.people.services import resident_update

    a = world.a
    same = make_id(dt.date(1993, 5, 6), "M")

    def edit(resident):
        def call():
            fresh = Resident.objects.get(pk=resident.pk)
            data = ResidentData(
                name=fresh.name, id_number=same, relation=fresh.relation, gender="M"
            )
            return resident_update(actor=a.cadre, resident=fresh, data=data)

        return call

    first, second = _second_waits_on_first(edit(a.child), edit(a.other_household.head))
    assert isinstance(first, Resident), first
    assert isinstance(second, ValidationError), repr(second)
    assert second.message_dict == {"id_number": [TAKEN_IN_SCOPE]}
