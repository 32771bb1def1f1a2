"""Department staff (民政 and the others) see, in the subtree their role is bound to, the
households and residents carrying a tag their department serves, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from xiangzhi.accounts.models import Department, RoleAssignment
from xiangzhi.accounts.services import role_assign
from xiangzhi.core.roles import Role
from xiangzhi.core.scope import access_object, scope_for
from xiangzhi.people.models import Household, Resident, Tag
from xiangzhi.people.services import ResidentData, resident_add

from ..factories import UserFactory, make_id

pytestmark = pytest.mark.django_db


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_the_default_departments_serve_the_domain_tags(db):
    civil = Department.objects.get(code="civil_affairs")
    assert {t.code for t in civil.tags.all()} == {
        "subsistence_allowance",
        "five_guarantees",
        "disabled",
        "elderly_living_alone",
        "left_behind_child",
    }
    assert not Department.objects.get(code="petitions").tags.exists()


def test_civil_affairs_sees_the_tagged_household_and_its_members_only(world):
    a, b = world.a, world.b
    user = a.department_user
    assert _ids(Household.objects.for_actor(user)) == {a.household.pk}
    # the 低保户's members through their household's tag; no other resident
    assert _ids(Resident.objects.for_actor(user)) == {a.head.pk, a.child.pk}
    assert b.household.tags.filter(code="subsistence_allowance").exists()  # tagged, but elsewhere
    for hidden in (a.other_household, b.household):
        assert not Household.objects.for_actor(user).filter(pk=hidden.pk).exists()


def test_a_resident_carrying_a_served_tag_is_seen_in_an_untagged_household(world):
    a = world.a
    disabled = resident_add(
        actor=world.admin,
        household=a.other_household,
        kind="birth",
        occurred_on=dt.date(2016, 5, 1),
        data=ResidentData(
            name="甲残疾儿", id_number=make_id(dt.date(2016, 5, 1), "M"), tags=["disabled"]
        ),
    )
    returnee = resident_add(
        actor=world.admin,
        household=a.other_household,
        kind="move_in",
        occurred_on=dt.date(2024, 5, 1),
        data=ResidentData(
            name="甲返乡人", id_number=make_id(dt.date(1990, 5, 1), "M"), tags=["returnee"]
        ),
    )
    seen = _ids(Resident.objects.for_actor(a.department_user))
    assert disabled.pk in seen
    assert returnee.pk not in seen  # 返乡人员 is served by 公安, not 民政
    assert a.other_head.pk not in seen
    # ... and their household, which carries no tag, stays hidden
    assert not Household.objects.for_actor(a.department_user).filter(pk=a.other_household.pk)


def test_the_bound_subtree_limits_what_a_department_serves(world):
    """Bound to one grid of the village, 民政 sees nothing of the rest of the village."""
    civil = Department.objects.get(code="civil_affairs")
    narrow = UserFactory(username="narrow_minzheng")
    role_assign(
        actor=world.admin,
        user=narrow,
        role=Role.DEPARTMENT_STAFF,
        node=world.a.sibling_grid,
        department=civil,
    )
    assert not Household.objects.for_actor(narrow).exists()
    unbound = UserFactory(username="unbound_minzheng")
    RoleAssignment.objects.create(user=unbound, role=Role.DEPARTMENT_STAFF, department=civil)
    assert scope_for(unbound).department_ids == {civil.pk}
    assert not Household.objects.for_actor(unbound).exists()
    assert not Resident.objects.for_actor(unbound).exists()


def test_a_tag_no_longer_served_is_no_longer_seen(world):
    Tag.objects.get(code="subsistence_allowance").departments.clear()
    assert not Household.objects.for_actor(world.a.department_user).exists()


def test_another_department_sees_what_it_serves(world):
    emergency = Department.objects.get(code="emergency")
    officer = UserFactory(username="yingji")
    role_assign(
        actor=world.admin,
        user=officer,
        role=Role.DEPARTMENT_STAFF,
        node=world.a.node,
        department=emergency,
    )
    assert not Household.objects.for_actor(officer).exists()  # 低保户 is not 应急's
    world.a.child.tags.add(Tag.objects.get(code="disabled"))
    assert _ids(Resident.objects.for_actor(officer)) == {world.a.child.pk}


def test_pages_follow_the_department_scope(client, world):
    a = world.a
    client.force_login(a.department_user)
    assert client.get(f"/people/households/{a.household.pk}/").status_code == 200
    assert client.get(f"/people/residents/{a.child.pk}/").status_code == 200
    assert client.get(f"/people/households/{a.other_household.pk}/").status_code == 404
    assert client.get(f"/people/residents/{a.other_head.pk}/").status_code == 404
    assert client.get(f"/people/households/{world.b.household.pk}/").status_code == 404
    body = client.get("/people/residents/").content.decode()
    assert a.head.name in body and a.other_head.name not in body
    # read-only: no edit, no reveal
    assert client.get(f"/people/households/{a.household.pk}/edit/").status_code == 403
    with pytest.raises(PermissionDenied):
        access_object(Household, a.department_user, a.household.pk, write=True)
