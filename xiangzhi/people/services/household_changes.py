"""Household changes that touch several members: a split (分户) and a change of head (户主变更)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.services import household_roles_follow
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.registry import residents_moved
from xiangzhi.core.types import Actor
from xiangzhi.core.validators import normalize_text
from xiangzhi.grid.models import GridNode

from ..actions import PeopleAction
from ..models import Household, HouseholdChange, Resident
from ..relations import relations_after_head_change
from .numbering import next_number
from .registry import _check_write, _record_change, _set_relations, _write_lock, is_newborn
from .resident_data import HEAD, RELATIONS


def _split_errors(
    household: Household, active: dict[int, Resident], member_ids: set[int], new_head: Resident
) -> dict[str, str]:
    """What is wrong with splitting member_ids off under new_head; active: the household's."""
    errors = {}
    if not member_ids:
        errors["members"] = gettext("请选择要分出的成员")
    elif not member_ids <= active.keys():
        errors["members"] = gettext("只能分出本户在册成员")
    elif member_ids == active.keys():
        errors["members"] = gettext("不能把全部成员都分出去，原户至少保留一人")
    elif household.head_id in member_ids:
        errors["members"] = gettext("原户主不能分出，请先变更户主")
    if new_head.pk not in member_ids:
        errors["new_head"] = gettext("新户主必须是分出的成员之一")
    elif new_head.pk in active and is_newborn(active[new_head.pk]):
        # As for 户主变更 and a head's departure: a baby heads no household.
        errors["new_head"] = gettext("新生儿不能当户主，请指定其他成员")
    return errors


@transaction.atomic
@figures.batched
def household_split(
    *,
    actor: Actor,
    household: Household,
    members: list[Resident],
    new_head: Resident,
    address: str,
    node: GridNode | None = None,
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Household:
    """Split members off into a new household (分户); both households record the change."""
    _write_lock(actor, household.node, node or household.node)
    # Locked before the members are read, as for 户主变更: two splits of one member at once both
    # found the member here, and the first new household was left with a head and no member.
    household = Household.objects.select_for_update().select_related("node").get(pk=household.pk)
    # Without a grid, the household's as it is now (an import may have moved it while this
    # waited for the head).
    if node is None:
        node = household.node
        _check_write(actor, node)
    if household.status != Household.Status.ACTIVE:
        raise ValidationError(gettext("该户已不在册，不能分户"))
    active = {r.pk: r for r in household.members.filter(status=Resident.Status.ACTIVE)}
    member_ids = {m.pk for m in members}
    address = normalize_text(address)
    errors = _split_errors(household, active, member_ids, new_head)
    if not address:
        errors["address"] = gettext("请填写新户的家庭住址")
    if errors:
        raise ValidationError(errors)
    new = Household.objects.create(node=node, address=address, number=next_number(node), note=note)
    Resident.objects.filter(pk__in=member_ids).update(
        household=new, node=node, updated_at=timezone.now()
    )
    moving = list(Resident.objects.filter(pk__in=member_ids))
    head = next(m for m in moving if m.pk == new_head.pk)
    relations = _set_relations(moving, {**relations_after_head_change(head, moving), head.pk: HEAD})
    new.head_id = new_head.pk
    new.save(update_fields=["head"])
    names = "、".join(m.name for m in members)
    _record_change(
        actor=actor,
        household=household,
        kind=HouseholdChange.Kind.SPLIT,
        occurred_on=occurred_on,
        other=new,
        note=f"分出：{names}",
    )
    _record_change(
        actor=actor,
        household=new,
        kind=HouseholdChange.Kind.SPLIT,
        occurred_on=occurred_on,
        other=household,
        note=f"由原户分出：{names}",
    )
    # What other apps keep of these people's own (points' personal accounts) follows them.
    residents_moved(actor=actor, moves=dict.fromkeys(member_ids, new.pk))
    if node.pk != household.node_id:  # their accounts are bound where they now live
        users = [m.user_id for m in moving if m.user_id]
        household_roles_follow(actor=actor, moves=dict.fromkeys(users, node.pk))
    figures.touch(household.node, node)
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_SPLIT,
        obj=household,
        changes={
            "new_household": new.pk,
            "members": sorted(member_ids),
            "address": address,
            "relations": relations,
        },
    )
    return new


@transaction.atomic
@figures.batched
def household_change_head(
    *,
    actor: Actor,
    household: Household,
    new_head: Resident,
    relations: dict[int, str],
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Household:
    """Make another member the head (户主变更), or correct the members' relations to the head
    when new_head is the head already. `relations` gives every other member's relation to the
    new head."""
    _write_lock(actor, household.node)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.Status.ACTIVE:
        raise ValidationError(gettext("该户已不在册，不能变更户主"))
    members = {m.pk: m for m in household.members.filter(status=Resident.Status.ACTIVE)}
    if new_head.pk not in members:
        raise ValidationError({"new_head": gettext("新户主必须是本户在册成员")})
    if new_head.pk != household.head_id and is_newborn(members[new_head.pk]):
        raise ValidationError({"new_head": gettext("新生儿不能当户主，请指定其他成员")})
    if set(relations) != set(members) - {new_head.pk}:
        raise ValidationError(gettext("请为本户每位在册成员选择与新户主的关系"))
    if any(r not in RELATIONS or r == HEAD for r in relations.values()):
        raise ValidationError(gettext("一户只能有一个户主，请为其他成员选择与户主的关系"))
    if sum(r == Resident.Relation.SPOUSE for r in relations.values()) > 1:
        raise ValidationError(gettext("户主的配偶只能有一位"))
    old_head = members.get(household.head_id)
    head_changed = household.head_id != new_head.pk
    changed = _set_relations(list(members.values()), {**relations, new_head.pk: HEAD})
    if not changed and not head_changed:
        raise ValidationError(gettext("户主和成员关系都没有变化"))
    if head_changed:
        household.head = members[new_head.pk]
        household.save(update_fields=["head", "updated_at"])
        _record_change(
            actor=actor,
            household=household,
            kind=HouseholdChange.Kind.HEAD_CHANGE,
            occurred_on=occurred_on,
            resident=household.head,
            note="；".join(filter(None, [f"原户主：{old_head.name}" if old_head else "", note])),
        )
    figures.touch(household.node)  # a figure may count heads (女户主, 独居老人)
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_HEAD_CHANGE
        if head_changed
        else PeopleAction.HOUSEHOLD_RELATIONS_CHANGE,
        obj=household,
        changes={
            **(
                {"head": [getattr(old_head, "name", None), household.head.name]}
                if head_changed
                else {}
            ),
            "relations": changed,
            **({"note": note} if note else {}),
        },
    )
    return household
