"""Every write on 党员联系户 (contact links) and the township's contact rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_record, diff, snapshot
from xiangzhi.core.paths import SEGMENT
from xiangzhi.core.registry import maintained_figures
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household, Resident, Tag

from ..actions import PartyAction
from ..models import ContactLink, ContactSettings, PartyMember, Visit

VILLAGE_LEVEL = 2
SETTINGS_FIELDS = [
    "village_group_quota",
    "community_group_quota",
    "visit_interval_days",
    "follow_up_days",
]


def village_path(node: GridNode) -> str:
    """The path of the village (level 2) a node lies in (a county root may sit above level 1)."""
    below = max(node.level - VILLAGE_LEVEL, 0)
    return node.path[: len(node.path) - SEGMENT * below]


def _check_write(actor: Actor, household: Household) -> None:
    if not scope_for(actor).can_write_path(household.node.path):
        raise PermissionDenied(gettext("您对该户只有查看权限"))


def _validate_link(*, household: Household, member: PartyMember, role: str) -> None:
    errors = {}
    if role not in ContactLink.Role.values:
        errors["role"] = gettext("联系类型只能是主要联系人或第二联系人")
    if household.status != Household.Status.ACTIVE:
        errors["household"] = gettext("该户已迁出或注销，不能再指定联系党员")
    if member.resident.status != Resident.Status.ACTIVE:
        errors["member"] = gettext("该党员已不在册（迁出或死亡），不能联系农户")
    elif member.status != PartyMember.Status.ACTIVE:
        errors["member"] = gettext("该党员的组织关系已转出，不能联系农户")
    elif village_path(member.resident.node) != village_path(household.node):
        errors["member"] = gettext("联系党员应为本村（社区）的党员")
    if errors:
        raise ValidationError(errors)
    active = ContactLink.objects.filter(household=household, ended_on__isnull=True)
    if active.filter(member=member).exists():
        raise ValidationError({"member": gettext("该党员已在联系这一户")})
    if role == ContactLink.Role.PRIMARY and active.filter(role=role).exists():
        raise ValidationError({"role": gettext("该户已有主要联系人，可添加为第二联系人")})


def _create_link(
    *,
    household: Household,
    member: PartyMember,
    role: str,
    tag: Tag | None = None,
    started_on: dt.date | None = None,
    note: str = "",
) -> ContactLink:
    last = Visit.objects.filter(household=household).aggregate(last=Max("visited_on"))["last"]
    return ContactLink.objects.create(
        household=household,
        member=member,
        role=role,
        tag=tag,
        started_on=started_on or timezone.localdate(),
        last_visit_on=last,
        note=note[:200],
    )


@transaction.atomic
@figures.batched
def contact_link_add(
    *,
    actor: Actor,
    household: Household,
    member: PartyMember,
    role: str = ContactLink.Role.PRIMARY,
    tag: Tag | None = None,
    started_on: dt.date | None = None,
    note: str = "",
) -> ContactLink:
    """Link a household to a contact party member (a village secretary's or cadre's write)."""
    _check_write(actor, household)
    # The township's audit head before the household's row: a registry import holds the head
    # and updates households after it (the other way round, the two deadlocked).
    audit_lock(household.node)
    # The household row serialises two secretaries linking it at once (the unique constraint
    # would refuse the second; the lock gives it the clear error instead).
    household = Household.objects.select_for_update().select_related("node").get(pk=household.pk)
    _validate_link(household=household, member=member, role=role)
    link = _create_link(
        household=household, member=member, role=role, tag=tag, started_on=started_on, note=note
    )
    figures.touch(household.node)
    audit_record(
        actor=actor,
        action=PartyAction.CONTACT_LINK_ADD,
        obj=link,
        changes={"member": member.pk, "role": role, **({"tag": tag.code} if tag else {})},
    )
    return link


@transaction.atomic
@figures.batched
def contact_link_group(*, actor: Actor, node: GridNode, tag: Tag, member: PartyMember) -> int:
    """Link a member to every active household of a group (个体工商户, 种养大户) under a node.

    A household without a primary contact gets the member as its primary contact, the others
    as a second contact; households the member already contacts are left as they are."""
    if not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied(gettext("您对该网格只有查看权限"))
    audit_lock(node)  # before the households' rows, as contact_link_add
    households = (
        Household.objects.for_actor(actor)
        .filter(node__path__under=node.path, status=Household.Status.ACTIVE, tags=tag)
        .exclude(contact_links__member=member, contact_links__ended_on__isnull=True)
        .select_related("node")
        .select_for_update()
        .order_by("pk")
    )
    made, nodes = 0, {}
    for household in households:
        role = (
            ContactLink.Role.SECOND
            if household.contact_links.filter(ended_on__isnull=True, role="primary").exists()
            else ContactLink.Role.PRIMARY
        )
        _validate_link(household=household, member=member, role=role)
        link = _create_link(household=household, member=member, role=role, tag=tag)
        audit_record(
            actor=actor,
            action=PartyAction.CONTACT_LINK_ADD,
            obj=link,
            changes={"member": member.pk, "role": role, "tag": tag.code},
        )
        made += 1
        nodes[household.node_id] = household.node
    figures.touch(*nodes.values())  # the households' own nodes, which may lie below `node`
    return made


def _end(actor: Actor, links: list[ContactLink], reason: str, on: dt.date) -> int:
    for link in links:
        link.ended_on, link.end_reason = on, reason[:100]
        link.save(update_fields=["ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action=PartyAction.CONTACT_LINK_END,
            obj=link,
            changes={"ended_on": on, "end_reason": link.end_reason},
        )
    if links:
        figures.touch(*{link.household.node for link in links})
    return len(links)


@transaction.atomic
@figures.batched
def contact_link_end(*, actor: Actor, link: ContactLink, reason: str) -> ContactLink:
    """End a link (the member is no longer this household's contact)."""
    _check_write(actor, link.household)
    link = ContactLink.objects.select_for_update().select_related("household__node").get(pk=link.pk)
    if link.ended_on is not None:
        raise ValidationError(gettext("该联系关系已经结束"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写结束原因")})
    _end(actor, [link], reason, timezone.localdate())
    return link


@transaction.atomic
@figures.batched
def contact_links_end_for_member(*, actor: Actor, member: PartyMember, reason: str) -> int:
    """End every link of a member who moved away, died or transferred out: their households show
    as uncovered at once. Called by the registry's hook (death, move-out) and by the membership
    transfer service; returns how many links ended."""
    links = list(
        ContactLink.objects.select_for_update()
        .filter(member=member, ended_on__isnull=True)
        .select_related("household__node")
        .order_by("pk")
    )
    return _end(actor, links, reason, timezone.localdate())


@transaction.atomic
@figures.batched
def contact_links_end_for_household(*, actor: Actor, household: Household, reason: str) -> int:
    """End the links of a household that left the register (moved out, dissolved)."""
    links = list(
        ContactLink.objects.select_for_update()
        .filter(household=household, ended_on__isnull=True)
        .select_related("household__node")
        .order_by("pk")
    )
    return _end(actor, links, reason, timezone.localdate())


@transaction.atomic
def contact_settings_update(
    *,
    actor: Actor,
    township: GridNode,
    village_group_quota: int,
    community_group_quota: int,
    visit_interval_days: int,
    follow_up_days: int,
) -> ContactSettings:
    """The township sets its hamlet groups' quotas and its visit interval."""
    if township.level != 1:
        raise ValidationError({"township": gettext("联系户设置由乡镇一级设定")})
    if not scope_for(actor).can_write_path(township.path):
        raise PermissionDenied(gettext("只有乡镇干部可以修改联系户设置"))
    errors = {}
    for name, value, low in (
        ("village_group_quota", village_group_quota, 1),
        ("community_group_quota", community_group_quota, 1),
        ("visit_interval_days", visit_interval_days, 7),
        ("follow_up_days", follow_up_days, 1),
    ):
        if value is None or value < low or value > 1000:
            errors[name] = gettext("应为%(low)s到1000之间的整数") % {"low": low}
    if errors:
        raise ValidationError(errors)
    rules, _ = ContactSettings.objects.select_for_update().get_or_create(township=township)
    before = snapshot(rules, SETTINGS_FIELDS)
    rules.village_group_quota = village_group_quota
    rules.community_group_quota = community_group_quota
    rules.visit_interval_days = visit_interval_days
    rules.follow_up_days = follow_up_days
    rules.save()
    changes = diff(rules, before, SETTINGS_FIELDS)
    if "visit_interval_days" in changes:
        # Every household of the township may pass or leave its deadline: recount its figure.
        overdue = [f for f in maintained_figures() if f.key == "contact_overdue"]
        figures.recount_subtree(path=township.path, level=township.level, figures=overdue)
    audit_record(
        actor=actor,
        action=PartyAction.CONTACT_SETTINGS_UPDATE,
        node=township,
        object_type="party.contactsettings",
        object_id=str(rules.pk),
        object_repr=township.name,
        changes=changes,
    )
    return rules
