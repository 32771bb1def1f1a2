"""设岗定责: the catalogue with its defaults, assigning members, entries a member records on their
own posts only, and the members with neither office nor post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiangzhi.accounts.services import role_assign
from xiangzhi.core.roles import Role
from xiangzhi.party.models import Post, PostAssignment, PostEntry
from xiangzhi.party.selectors import members_without_post
from xiangzhi.party.services import (
    post_assign,
    post_assignment_end,
    post_create,
    post_defaults_add,
    post_entry_record,
)
from xiangzhi.people.models import Resident

pytestmark = pytest.mark.django_db


def test_a_village_gets_the_default_posts_once_and_adds_its_own(world):
    a = world.a
    assert post_defaults_add(actor=a.secretary, node=a.node) == 5
    assert post_defaults_add(actor=a.secretary, node=a.node) == 0
    names = set(Post.objects.filter(node=a.node).values_list("name", flat=True))
    assert {"政策宣传岗", "环境监督岗", "矛盾调解岗"} <= names
    post_create(actor=a.secretary, node=a.node, name="甲村护林岗", duty="巡山护林")
    with pytest.raises(ValidationError) as err:
        post_create(actor=a.secretary, node=a.node, name="甲村护林岗")
    assert "name" in err.value.message_dict


def test_another_village_or_a_read_only_user_cannot_add_posts(world):
    for user in (world.b.cadre, world.a.auditor, world.a.member_user):
        with pytest.raises(PermissionDenied):
            post_defaults_add(actor=user, node=world.a.node)
    assert not Post.objects.filter(node=world.a.node).exists()


def test_members_without_office_or_post_are_listed(client, world):
    a = world.a
    pm = a.party_member
    assert pm not in members_without_post(actor=a.cadre)  # holds 甲村政策宣传岗
    held = PostAssignment.objects.get(member=pm)
    post_assignment_end(actor=a.cadre, assignment=held, ended_on=dt.date(2024, 6, 1))
    assert list(members_without_post(actor=a.cadre)) == [pm]
    assert list(members_without_post(actor=world.b.cadre)) == []  # b's member holds a post
    # The page lists them by name, to the village's cadre only.
    client.force_login(a.cadre)
    page = client.get(reverse("party:members_without_posts")).content.decode()
    assert pm.resident.name in page
    client.force_login(world.b.cadre)
    assert (
        pm.resident.name not in client.get(reverse("party:members_without_posts")).content.decode()
    )
    # office: a cadre role bound in accounts to the member's login
    role_assign(actor=world.admin, user=a.member_user, role=Role.GRID_WORKER, node=a.sibling_grid)
    assert list(members_without_post(actor=a.cadre)) == []
    client.force_login(a.cadre)
    assert (
        pm.resident.name not in client.get(reverse("party:members_without_posts")).content.decode()
    )


def test_a_member_takes_a_post_once_at_a_time(world):
    a = world.a
    post = Post.objects.get(name="甲村政策宣传岗")
    with pytest.raises(ValidationError) as err:
        post_assign(actor=a.cadre, post=post, member=a.party_member, started_on=dt.date(2025, 1, 1))
    assert "member" in err.value.message_dict
    with pytest.raises(ValidationError):  # a member of another village
        post_assign(
            actor=a.cadre, post=post, member=world.b.party_member, started_on=dt.date(2025, 1, 1)
        )


def test_a_member_records_entries_on_their_own_post_only(world):
    a, b = world.a, world.b
    own = PostAssignment.objects.get(member=a.party_member)
    entry = post_entry_record(
        actor=a.member_user, assignment=own, done_on=dt.date(2025, 3, 1), content="甲村清理水沟"
    )
    assert entry.recorded_by == a.member_user
    others = PostAssignment.objects.get(member=b.party_member)
    before = PostEntry.objects.count()
    for user in (a.member_user, a.villager, a.auditor):
        with pytest.raises(PermissionDenied):
            post_entry_record(
                actor=user, assignment=others, done_on=dt.date(2025, 3, 1), content="越权"
            )
    assert PostEntry.objects.count() == before
    with pytest.raises(ValidationError) as err:
        post_entry_record(actor=a.member_user, assignment=own, done_on=None, content="")
    assert "done_on" in err.value.message_dict


def test_the_member_page_records_an_entry_on_a_phone(client, world):
    a = world.a
    own = PostAssignment.objects.get(member=a.party_member)
    client.force_login(a.member_user)
    url = reverse("party:my_party_work")
    body = client.get(url).content.decode()
    assert "我的岗位" in body and "甲村政策宣传岗" in body
    r = client.post(
        url, {"post_assignment": own.pk, "done_on": "2025-04-01", "content": "甲村帮邻居修水管"}
    )
    assert r.status_code == 302
    assert PostEntry.objects.filter(assignment=own, content="甲村帮邻居修水管").exists()
    # another's assignment is not among the choices: refused with nothing written
    others = PostAssignment.objects.get(member=world.b.party_member)
    r = client.post(url, {"post_assignment": others.pk, "done_on": "2025-04-01", "content": "越权"})
    assert r.status_code == 200 and not PostEntry.objects.filter(content="越权").exists()


def test_a_villager_is_told_they_are_no_member(client, world):
    client.force_login(world.a.villager)
    body = client.get(reverse("party:my_party_work")).content.decode()
    assert "您还不是本地登记在册的党员" in body


def test_the_catalogue_shows_the_holders_and_no_other_village(client, world):
    client.force_login(world.a.cadre)
    body = client.get(reverse("party:post_catalogue")).content.decode()
    assert "甲村政策宣传岗" in body and world.a.party_member.resident.name in body
    assert "乙村政策宣传岗" not in body
    post = Post.objects.get(name="乙村政策宣传岗")
    assert client.get(reverse("party:post_detail", args=[post.pk])).status_code == 404


def test_a_member_who_died_is_not_listed_without_a_post(world):
    a = world.a
    held = PostAssignment.objects.get(member=a.party_member)
    post_assignment_end(actor=a.cadre, assignment=held, ended_on=dt.date(2024, 6, 1))
    Resident.objects.filter(pk=a.party_member.resident_id).update(status="dead")
    assert list(members_without_post(actor=a.cadre)) == []
