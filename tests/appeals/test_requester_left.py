"""Whose appeal it is follows the register: a person who moved out (their account kept because it
also holds a cadre's role, accounts.user_leave) no longer raises appeals for, nor asks services
in the name of, the household they left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import child_moved_in
from xiangzhi.appeals.models import Appeal
from xiangzhi.appeals.services.submit import appeal_submit, own_resident
from xiangzhi.people.models import Resident
from xiangzhi.people.services import resident_move_out

pytestmark = pytest.mark.django_db


def _cadre_who_moved_out(world):
    """甲村's cadre lived in the marker household, then moved away; still the village's cadre."""
    a = world.a
    person = child_moved_in(
        actor=world.admin, household=a.household, name="甲干部", born=dt.date(1988, 8, 8)
    )
    Resident.objects.filter(pk=person.pk).update(user=a.cadre)
    person.refresh_from_db()
    resident_move_out(actor=world.admin, resident=person, occurred_on=dt.date(2026, 1, 5))
    a.cadre.refresh_from_db()
    assert a.cadre.is_active  # a cadre's account is left to the township
    return person


def test_a_person_who_moved_out_has_no_own_household_to_raise_appeals_for(world):
    a = world.a
    _cadre_who_moved_out(world)
    assert own_resident(actor=a.cadre) is None
    with pytest.raises(ValidationError):
        appeal_submit(actor=a.cadre, text="甲村路灯坏了")
    assert not Appeal.objects.filter(text="甲村路灯坏了").exists()


def test_their_own_appeal_page_sends_them_to_the_cadres_record_page(client, world):
    _cadre_who_moved_out(world)
    client.force_login(world.a.cadre)
    page = client.get(reverse("appeals:submit"))
    assert page.status_code == 302 and page["Location"] == reverse("appeals:record")
