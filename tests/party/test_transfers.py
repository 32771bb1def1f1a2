"""组织关系转接: out takes a member off the roster, their posts and (through the hook) their
contact links, with the history kept; in brings them back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiangzhi.core.models import FigureCount
from xiangzhi.party.models import MembershipTransfer, PartyMember, PostAssignment
from xiangzhi.party.selectors import party_member_list
from xiangzhi.party.services import (
    MEMBER_LEFT_HOOKS,
    party_member_transfer_in,
    party_member_transfer_out,
)

pytestmark = pytest.mark.django_db


def _figure(village) -> int:
    row = FigureCount.objects.filter(node_id=village.pk, key="party_members", period="").first()
    return row.value if row else 0


def test_a_transfer_out_updates_the_roster_posts_figure_and_calls_the_hooks(world):
    a = world.a
    pm = a.party_member
    called = []

    def hook(*, actor, member, reason):
        called.append((actor, member.pk, reason))

    MEMBER_LEFT_HOOKS.append(hook)
    try:
        assert _figure(a.node) == 1
        party_member_transfer_out(
            actor=a.cadre, member=pm, transferred_on=dt.date(2026, 1, 1), to_organisation="外县党委"
        )
    finally:
        MEMBER_LEFT_HOOKS.remove(hook)
    pm.refresh_from_db()
    assert pm.status == "transferred_out"
    assert called == [(a.cadre, pm.pk, "组织关系转出")]
    assert pm not in party_member_list(actor=a.cadre)
    assert not PostAssignment.objects.filter(member=pm, ended_on__isnull=True).exists()
    assert _figure(a.node) == 0
    directions = list(pm.transfers.order_by("pk").values_list("direction", flat=True))
    assert directions == ["out", "in", "out"]  # the world's out and back, then this one


def test_a_transfer_back_in_keeps_the_history(world):
    a = world.a
    pm = a.party_member
    party_member_transfer_out(
        actor=a.cadre, member=pm, transferred_on=dt.date(2026, 1, 1), to_organisation="外县党委"
    )
    party_member_transfer_in(
        actor=a.cadre,
        resident=pm.resident,
        transferred_on=dt.date(2026, 2, 1),
        from_organisation="外县党委",
        category="full",
        joined_on=dt.date(1995, 7, 1),
        organisation=a.group,
    )
    assert PartyMember.objects.get(pk=pm.pk).status == "active"
    assert MembershipTransfer.objects.filter(member=pm).count() == 4
    with pytest.raises(ValidationError):  # in twice
        party_member_transfer_in(
            actor=a.cadre,
            resident=pm.resident,
            transferred_on=dt.date(2026, 2, 1),
            from_organisation="外县党委",
            category="full",
            joined_on=dt.date(1995, 7, 1),
            organisation=a.group,
        )


def test_a_neighbour_or_read_only_user_cannot_transfer(client, world):
    a = world.a
    pm = a.party_member
    for user in (world.b.cadre, a.auditor):
        with pytest.raises(PermissionDenied):
            party_member_transfer_out(
                actor=user, member=pm, transferred_on=dt.date(2026, 1, 1), to_organisation="越权"
            )
    url = reverse("party:transfer_out", args=[pm.pk])
    for user, status in ((world.b.cadre, 404), (a.auditor, 403), (a.member_user, 403)):
        client.force_login(user)
        r = client.post(url, {"transferred_on": "2026-01-01", "to_organisation": "越权"})
        assert r.status_code == status
    pm.refresh_from_db()
    assert pm.status == "active"


def test_the_transfer_needs_a_destination_named(world):
    with pytest.raises(ValidationError) as err:
        party_member_transfer_out(
            actor=world.a.cadre,
            member=world.a.party_member,
            transferred_on=dt.date(2026, 1, 1),
            to_organisation=" ",
        )
    assert "to_organisation" in err.value.message_dict


def test_a_members_own_account_is_a_villagers_while_the_relation_is_out(client, world):
    """A member transferred out kept the 党员 role and its pages (contacts, visits)."""
    from xiangzhi.accounts.models import RoleAssignment
    from xiangzhi.core.models import AuditEvent

    a = world.a
    pm = a.party_member
    from xiangzhi.people.models import Resident

    user = Resident.objects.get(pk=pm.resident_id).user
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        "party_member"
    ]
    party_member_transfer_out(
        actor=a.cadre, member=pm, transferred_on=dt.date(2026, 1, 1), to_organisation="外县党委"
    )
    roles = list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    assert roles == ["villager"]
    event = AuditEvent.objects.filter(action="accounts.party_role_set").latest("pk")
    assert event.node_id == pm.resident.node_id
    client.force_login(user)
    assert "我的党务" not in client.get("/").content.decode()
    party_member_transfer_in(
        actor=a.cadre,
        resident=pm.resident,
        transferred_on=dt.date(2026, 2, 1),
        from_organisation="外县党委",
        category="full",
        joined_on=dt.date(1995, 7, 1),
        organisation=pm.organisation,
    )
    roles = list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    assert roles == ["party_member"]
    assert "我的党务" in client.get("/").content.decode()


def test_a_villager_registered_as_a_party_member_gets_a_party_members_account(world):
    """Registration makes the account a 党员 one, as a transfer back in does."""
    from xiangzhi.accounts.models import RoleAssignment
    from xiangzhi.party.services import party_member_register
    from xiangzhi.people.models import Resident

    a = world.a
    head = Resident.objects.get(pk=a.household.head_id)
    assert head.user == a.villager
    party_member_register(
        actor=a.cadre,
        resident=head,
        category="full",
        joined_on=dt.date(2001, 7, 1),
        organisation=a.party_member.organisation,
    )
    roles = list(RoleAssignment.objects.filter(user=a.villager).values_list("role", flat=True))
    assert roles == ["party_member"]
