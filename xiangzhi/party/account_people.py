"""The registry's people as the account pages find and link them (core.registry.PersonDirectory).

Declared here, the lowest app that knows both residents and party members, so that accounts
(below people) can make an account for a resident without importing the registry. Only people
in the register (在册), in a household and with no account yet are offered.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from xiangzhi.core.registry import Person, PersonDirectory
from xiangzhi.core.scope import path_q
from xiangzhi.people.models import Resident

from .models import PartyMember

SEARCH_LIMIT = 20


def _candidates(paths):
    qs = Resident.objects.filter(
        status=Resident.Status.ACTIVE, household__isnull=False, user__isnull=True
    )
    if paths is not None:
        qs = qs.filter(path_q(paths, "node__path"))
    registered = PartyMember.objects.filter(
        resident=OuterRef("pk"), status=PartyMember.Status.ACTIVE
    )
    return qs.select_related("node", "household").annotate(is_member=Exists(registered))


def _person(r: Resident) -> Person:
    born = f" · {r.birth_date.year}年生" if r.birth_date else ""
    return Person(
        pk=r.pk,
        name=r.name,
        node=r.node,
        detail=f"{r.household.number}{born}",
        is_party_member=r.is_member,
    )


def search(*, actor, text: str, paths) -> list[Person]:
    rows = _candidates(paths).filter(name__contains=text).order_by("name", "pk")[:SEARCH_LIMIT]
    return [_person(r) for r in rows]


def load(*, actor, pk: int, paths) -> Person | None:
    r = _candidates(paths).filter(pk=pk).first()
    return _person(r) if r else None


def link(*, actor, pk: int, user) -> None:
    """Make `user` the person's login (the caller's transaction; it audits the account)."""
    if not Resident.objects.filter(pk=pk, user__isnull=True).update(user=user):
        raise ValidationError({"person": gettext("该居民已经有账号")})


def party_members(*, actor, node) -> list[Person]:
    rows = (
        _candidates([node.path])
        .filter(party_member__status=PartyMember.Status.ACTIVE)  # a member transferred out: none
        .order_by("node__path", "name", "pk")
    )
    return [_person(r) for r in rows]


DIRECTORY = PersonDirectory(search=search, load=load, link=link, party_members=party_members)
