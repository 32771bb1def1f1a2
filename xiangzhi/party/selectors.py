"""Reads of the party app that pages show."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from .models import PartyMember


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
