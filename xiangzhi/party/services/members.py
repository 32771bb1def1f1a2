"""Every write on party members."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_record, diff, snapshot
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from ..actions import PartyAction
from ..models import PartyMember

FIELDS = ["category", "joined_on", "organisation_id"]


def _validate(
    *, resident: Resident, category: str, joined_on: dt.date | None, organisation: GridNode | None
) -> None:
    errors = {}
    if category not in PartyMember.Category.values:
        errors["category"] = gettext("党员类别只能是正式党员或预备党员")
    if joined_on is None:
        errors["joined_on"] = gettext("请填写入党时间")
    elif joined_on > timezone.localdate():
        errors["joined_on"] = gettext("入党时间不能晚于今天")
    elif resident.birth_date and joined_on < resident.birth_date + dt.timedelta(days=18 * 365):
        errors["joined_on"] = gettext("入党时应年满18周岁")
    if organisation is None:
        errors["organisation"] = gettext("请选择所在党组织")
    elif organisation.level > 4:
        errors["organisation"] = gettext(
            "所在党组织应为一至四级网格（镇党委、村党总支、党支部或屋场党小组）"
        )
    elif not resident.node.path.startswith(organisation.path):
        # A member usually belongs to an organisation above their home; others need a transfer.
        errors["organisation"] = gettext("所在党组织应为该居民所属网格的上级党组织")
    if errors:
        raise ValidationError(errors)


def _account_follows(actor: Actor, member: PartyMember, *, active: bool, reason: str) -> None:
    """The member's own account, if any, is a party member's while the relation is here and a
    villager's once it left (the person still lives in the village)."""
    from xiangzhi.accounts.services import party_role_set

    user = member.resident.user
    if user is not None:
        party_role_set(
            actor=actor, user=user, member=active, reason=reason, node=member.resident.node
        )


@transaction.atomic
@figures.batched
def party_member_register(
    *,
    actor: Actor,
    resident: Resident,
    category: str,
    joined_on: dt.date | None,
    organisation: GridNode | None,
) -> PartyMember:
    if not scope_for(actor).can_write_path(resident.node.path):
        raise PermissionDenied(gettext("您对该居民只有查看权限"))
    if PartyMember.objects.filter(resident=resident).exists():
        raise ValidationError(gettext("该居民已登记为党员"))
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(gettext("该居民已不在册"))
    _validate(resident=resident, category=category, joined_on=joined_on, organisation=organisation)
    # The township's audit head before the account's role rows (_account_follows): a registry
    # import holds it and rebinds the household's roles after it (household_roles_follow).
    audit_lock(resident.node)
    member = PartyMember.objects.create(
        resident=resident, category=category, joined_on=joined_on, organisation=organisation
    )
    _account_follows(actor, member, active=True, reason=gettext("登记为党员"))
    figures.touch(resident.node)
    audit_record(
        actor=actor,
        action=PartyAction.PARTY_MEMBER_REGISTER,
        obj=member,
        changes={"category": category, "joined_on": joined_on, "organisation": organisation.pk},
    )
    return member


@transaction.atomic
@figures.batched
def party_member_update(
    *,
    actor: Actor,
    member: PartyMember,
    category: str,
    joined_on: dt.date | None,
    organisation: GridNode | None,
) -> PartyMember:
    if not scope_for(actor).can_write_path(member.resident.node.path):
        raise PermissionDenied(gettext("您对该党员只有查看权限"))
    _validate(
        resident=member.resident, category=category, joined_on=joined_on, organisation=organisation
    )
    before = snapshot(member, FIELDS)
    member.category, member.joined_on, member.organisation = category, joined_on, organisation
    member.save()
    figures.touch(member.resident.node)
    audit_record(
        actor=actor,
        action=PartyAction.PARTY_MEMBER_UPDATE,
        obj=member,
        changes=diff(member, before, FIELDS),
    )
    return member
