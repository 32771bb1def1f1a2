"""组织关系转接: a member's relation moved in or out; out takes them off the roster and the posts,
and tells the modules that follow members (contact links) through MEMBER_LEFT_HOOKS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_record
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from ..actions import OrgLifeAction
from ..models import MembershipTransfer, PartyMember, PostAssignment
from ._checks import past_day, require_write, text
from .members import _account_follows, _validate

# Called as hook(actor=, member=, reason=) in the transfer's transaction when a member leaves the
# village's organisation. The contact links of issue 13 register
# `contact_links_end_for_member` here, so their households show uncovered at once.
MEMBER_LEFT_HOOKS: list[Callable[..., object]] = []


def register_member_left_hook(hook: Callable[..., object]) -> None:
    """Declare a write to run when a member leaves (once per hook, from an AppConfig.ready())."""
    if hook not in MEMBER_LEFT_HOOKS:
        MEMBER_LEFT_HOOKS.append(hook)


@transaction.atomic
@figures.batched
def party_member_transfer_out(
    *,
    actor: Actor,
    member: PartyMember,
    transferred_on: dt.date | None,
    to_organisation: str,
    note: str = "",
) -> MembershipTransfer:
    """Move a member's relation out: off the roster and their posts, their history kept."""
    require_write(
        actor=actor, path=member.resident.node.path, message=gettext("您对该党员只有查看权限")
    )
    transferred_on = past_day(transferred_on, "transferred_on", gettext("转出日期"))
    to_organisation = text(to_organisation, "to_organisation", gettext("转入党组织"), limit=100)
    note = text(note, "note", gettext("备注"), required=False, limit=200)
    # The township's audit head before any row, as party_member_register takes it.
    audit_lock(member.resident.node)
    locked = PartyMember.objects.select_for_update().get(pk=member.pk)
    if locked.status != PartyMember.Status.ACTIVE:
        raise ValidationError(gettext("该党员的组织关系已经转出"))
    locked.status = PartyMember.Status.TRANSFERRED_OUT
    locked.save(update_fields=["status", "updated_at"])
    ended = PostAssignment.objects.filter(member=locked, ended_on__isnull=True).update(
        ended_on=transferred_on
    )
    transfer = MembershipTransfer.objects.create(
        member=locked,
        direction=MembershipTransfer.Direction.OUT,
        transferred_on=transferred_on,
        from_organisation=locked.organisation.name,
        to_organisation=to_organisation,
        note=note,
    )
    for hook in MEMBER_LEFT_HOOKS:
        hook(actor=actor, member=locked, reason=gettext("组织关系转出"))
    _account_follows(actor, locked, active=False, reason=gettext("组织关系转出"))
    figures.touch(member.resident.node)
    audit_record(
        actor=actor,
        action=OrgLifeAction.TRANSFER_OUT,
        obj=transfer,
        changes={
            "transferred_on": transferred_on,
            "to_organisation": to_organisation,
            "rows": ended,
        },
    )
    return transfer


@transaction.atomic
@figures.batched
def party_member_transfer_in(
    *,
    actor: Actor,
    resident: Resident,
    transferred_on: dt.date | None,
    from_organisation: str,
    category: str,
    joined_on: dt.date | None,
    organisation: GridNode | None,
    note: str = "",
) -> MembershipTransfer:
    """Take a member's relation in: a resident becomes a member of `organisation` (again, for one
    whose relation had moved out: their earlier record and history are kept)."""
    require_write(actor=actor, path=resident.node.path, message=gettext("您对该居民只有查看权限"))
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(gettext("该居民已不在册"))
    transferred_on = past_day(transferred_on, "transferred_on", gettext("转入日期"))
    from_organisation = text(from_organisation, "from_organisation", gettext("原党组织"), limit=100)
    note = text(note, "note", gettext("备注"), required=False, limit=200)
    _validate(resident=resident, category=category, joined_on=joined_on, organisation=organisation)
    audit_lock(resident.node)  # before any row, as party_member_register
    member = PartyMember.objects.select_for_update().filter(resident=resident).first()
    if member is not None and member.status == PartyMember.Status.ACTIVE:
        raise ValidationError(gettext("该居民已是本地在册党员"))
    if member is None:
        member = PartyMember(resident=resident)
    member.category, member.joined_on, member.organisation = category, joined_on, organisation
    member.status = PartyMember.Status.ACTIVE
    member.save()
    transfer = MembershipTransfer.objects.create(
        member=member,
        direction=MembershipTransfer.Direction.IN,
        transferred_on=transferred_on,
        from_organisation=from_organisation,
        to_organisation=organisation.name,
        note=note,
    )
    _account_follows(actor, member, active=True, reason=gettext("组织关系转入"))
    figures.touch(resident.node)
    audit_record(
        actor=actor,
        action=OrgLifeAction.TRANSFER_IN,
        obj=transfer,
        changes={
            "transferred_on": transferred_on,
            "from_organisation": from_organisation,
            "organisation": organisation.pk,
        },
    )
    return transfer
