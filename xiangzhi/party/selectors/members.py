"""Reads of the party app that pages show."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from xiangzhi.core.types import Actor
from xiangzhi.grid.labels import grid_labels
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident
from xiangzhi.people.selectors import PERSONAL, age_on, age_q, resident_search_q

from ..models import PartyMember


def party_organisations(*, actor: Actor, resident: Resident) -> QuerySet[GridNode]:
    """The party organisations above a resident's home node that the actor may see."""
    paths = [*resident.node.ancestor_paths(), resident.node.path]
    return GridNode.objects.for_actor(actor).filter(path__in=paths, level__lte=4).order_by("path")


def party_member_of(*, actor: Actor, resident: Resident) -> PartyMember | None:
    """The party profile of a resident, if the actor may see it."""
    return (
        PartyMember.objects.for_actor(actor)
        .filter(resident=resident)
        .select_related("organisation")
        .first()
    )


def party_member_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    search: str = "",
    category: str = "",
    status: str = Resident.Status.ACTIVE,
    age: tuple[int, int | None] | None = None,
) -> QuerySet[PartyMember]:
    """党员花名册: the party members in scope, by organisation, then date joined.

    `node` narrows to the members living under it; `status` is the resident's (a search looks
    among all, so a member who died or moved away is found with that status)."""
    qs = (
        PartyMember.objects.for_actor(actor)
        .select_related("resident__node", "organisation")
        .defer(*(f"resident__{f}" for f in PERSONAL))
    )
    if node is not None:
        qs = qs.filter(resident__node__path__under=node.path)
    if status:
        qs = qs.filter(resident__status=status)
    if not search:  # a member whose relation moved out is off the roster, but found by name
        qs = qs.filter(status=PartyMember.Status.ACTIVE)
    if category:
        qs = qs.filter(category=category)
    if age is not None:
        qs = qs.filter(age_q(age, today=timezone.localdate(), prefix="resident__"))
    if search:
        found = Resident.objects.filter(resident_search_q(search, actor=actor)).values("pk")
        qs = qs.filter(resident__in=found)
    return qs.order_by("organisation__path", "joined_on", "id")


def party_member_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    """The roster's rows as the actor sees it (masked numbers), in ROSTER_COLUMNS order."""
    labels = grid_labels(actor=actor)
    today = timezone.localdate()
    gender = dict(Resident.Gender.choices)
    status = dict(Resident.Status.choices)
    category = dict(PartyMember.Category.choices)
    for i, m in enumerate(queryset.iterator(chunk_size=2000), start=1):
        r = m.resident
        yield [
            i,
            r.name,
            gender.get(r.gender, ""),
            r.birth_date,
            age_on(r.birth_date, today),
            r.id_number_masked,
            r.phone_masked,
            category.get(m.category, ""),
            m.joined_on,
            labels.get(m.organisation.path, m.organisation.name),
            labels.get(r.node.path, r.node.name),
            status.get(r.status, "") if r.status != Resident.Status.ACTIVE else "",
        ]


def own_party_member(*, actor: Actor) -> PartyMember | None:
    """The logged-in user's own party profile (a member whose relation is here), if any."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        PartyMember.objects.for_actor(actor)
        .filter(resident__user=actor, status=PartyMember.Status.ACTIVE)
        .select_related("resident", "organisation")
        .first()
    )
