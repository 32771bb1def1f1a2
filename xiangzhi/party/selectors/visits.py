"""Reads of contact work: a member's households, a household's 信息台账, open needs, ledgers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.types import Actor
from xiangzhi.grid.labels import grid_labels
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import ContactLink, FollowUp, PartyMember, Visit, VisitNeed

HISTORY_SHOWN = 20


def with_member_visible(qs: QuerySet, *, actor: Actor) -> QuerySet:
    """Mark whether the actor may see the record's member: a member living in another grid is
    named only to those whose scope holds them (the household's grid worker sees a visit, not
    who made it)."""
    visible = PartyMember.objects.for_actor(actor).filter(pk=OuterRef("member"))
    return qs.annotate(member_visible=Exists(visible))


def hidden_member() -> str:
    """What a list says in place of the name of a member outside the user's scope."""
    return gettext("其他网格的党员")


def member_name(record: ContactLink | Visit) -> str:
    if record.member_id is None:
        return ""
    return record.member.resident.name if record.member_visible else hidden_member()


def my_contact_links(*, actor: Actor) -> QuerySet[ContactLink]:
    """A member's own households (their active links), the longest unvisited first."""
    if not getattr(actor, "pk", None):
        return ContactLink.objects.none()
    return (
        ContactLink.objects.filter(
            member__resident__user=actor,
            ended_on__isnull=True,
            household__status=Household.Status.ACTIVE,
        )
        .select_related("household__head", "household__node")
        .prefetch_related(
            Prefetch(
                "household__follow_ups",
                queryset=FollowUp.objects.filter(done_on__isnull=True),
                to_attr="open_follow_ups",
            )
        )
        # Never visited first on both databases (SQLite sorts NULL first, PostgreSQL last).
        .order_by(F("last_visit_on").asc(nulls_first=True), "household__node__path", "pk")
    )


def days_since(day: dt.date | None, today: dt.date | None = None) -> int | None:
    return None if day is None else ((today or timezone.localdate()) - day).days


def contact_link_of(*, actor: Actor, household: Household) -> ContactLink | None:
    """The actor's own active link to the household, if they are its contact member."""
    if not getattr(actor, "pk", None):
        return None
    return (
        ContactLink.objects.filter(
            household=household, ended_on__isnull=True, member__resident__user=actor
        )
        .select_related("household__node", "household__head")
        .first()
    )


def is_contact(*, actor: Actor, household: Household) -> bool:
    """Whether the actor is an active contact member of the household."""
    return bool(getattr(actor, "pk", None)) and (
        ContactLink.objects.filter(
            household=household, ended_on__isnull=True, member__resident__user=actor
        ).exists()
    )


def household_visits(*, actor: Actor, household: Household) -> QuerySet[Visit]:
    """The household's 信息台账: its visits the actor may see (all of them for its contact
    member, who keeps the ledger), newest first, needs and photos joined."""
    qs = (
        (
            Visit.objects.all()
            if is_contact(actor=actor, household=household)
            else Visit.objects.for_actor(actor)
        )
        .filter(household=household)
        .select_related("member__resident")
        .prefetch_related("needs", "photos")
        .order_by("-visited_on", "-id")
    )
    return with_member_visible(qs, actor=actor)


def household_contacts(*, actor: Actor, household: Household) -> QuerySet[ContactLink]:
    qs = (
        ContactLink.objects.for_actor(actor)
        .filter(household=household, ended_on__isnull=True)
        .select_related("member__resident")
        .order_by("role", "pk")
    )
    return with_member_visible(qs, actor=actor)


def household_follow_ups(*, actor: Actor, household: Household) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.for_actor(actor)
        .filter(household=household, done_on__isnull=True)
        .select_related("change")
    )


def need_list(*, actor: Actor, node: GridNode, status: str = VisitNeed.Status.OPEN) -> QuerySet:
    """The needs raised in visits under a node (the open ones: what an appeals module takes)."""
    qs = (
        VisitNeed.objects.for_actor(actor)
        .filter(household__node__path__under=node.path)
        .select_related("household__node", "visit")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-visit__visited_on", "-pk")


def visit_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    search: str = "",
) -> QuerySet[Visit]:
    """The visits ledger (走访台账): visits in scope under a node and in a period."""
    qs = Visit.objects.for_actor(actor).select_related(
        "household__node", "household__head", "member__resident"
    )
    if node is not None:
        qs = qs.filter(household__node__path__under=node.path)
    if start:
        qs = qs.filter(visited_on__gte=start)
    if end:
        qs = qs.filter(visited_on__lte=end)
    if search:
        qs = qs.filter(
            Q(household__number=search)
            | Q(household__address__contains=search)
            | Q(member__resident__name=search)
        )
    qs = with_member_visible(qs, actor=actor)
    return qs.order_by("household__node__path", "household_id", "visited_on", "pk")


def link_list(
    *, actor: Actor, node: GridNode | None = None, search: str = ""
) -> QuerySet[ContactLink]:
    """The link table (党员联系户表): the active links in scope under a node."""
    qs = (
        ContactLink.objects.for_actor(actor)
        .filter(ended_on__isnull=True)
        .select_related("household__node", "household__head", "member__resident", "tag")
    )
    if node is not None:
        qs = qs.filter(household__node__path__under=node.path)
    if search:
        qs = qs.filter(
            Q(household__number=search)
            | Q(household__address__contains=search)
            | Q(member__resident__name=search)
        )
    qs = with_member_visible(qs, actor=actor)
    return qs.order_by("household__node__path", "household_id", "role", "pk")


def link_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    """The link table's rows in LINK_COLUMNS order (masked numbers, as the actor sees them)."""
    labels = grid_labels(actor=actor)
    roles = dict(ContactLink.Role.choices)
    for i, link in enumerate(queryset.iterator(chunk_size=2000), start=1):
        h, r = link.household, link.member.resident
        yield [
            i,
            labels.get(h.node.path, h.node.name),
            h.number,
            h.head.name if h.head else "",
            h.address,
            member_name(link),
            r.phone_masked if link.member_visible else "",
            roles.get(link.role, ""),
            link.tag.name if link.tag else "",
            link.started_on,
            link.last_visit_on,
        ]


def visit_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    """The visits ledger's rows in VISIT_COLUMNS order."""
    labels = grid_labels(actor=actor)
    queryset = queryset.prefetch_related("needs")
    for i, v in enumerate(queryset.iterator(chunk_size=2000), start=1):
        h = v.household
        yield [
            i,
            labels.get(h.node.path, h.node.name),
            h.number,
            h.head.name if h.head else "",
            v.visited_on,
            member_name(v),
            v.met,
            v.learned,
            "；".join(n.text for n in v.needs.all()),
            v.follow_up,
        ]
