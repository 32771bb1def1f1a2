"""Reads of claims, public notices and objections."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.paths import SEGMENT
from xiangzhi.core.registry import households_of
from xiangzhi.core.roles import CADRE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import PointClaim, PointObjection

_ROW = ("rule_version", "household__head", "node", "recorded_by")


def claim_list(
    *,
    actor: Actor,
    status: str = "",
    node: GridNode | None = None,
    search: str = "",
    batch: str = "",
) -> QuerySet[PointClaim]:
    """The claims of the actor's scope (a villager: their household's), newest first."""
    qs = PointClaim.objects.for_actor(actor).select_related(*_ROW)
    if status:
        qs = qs.filter(status=status)
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if batch:
        qs = qs.filter(batch=batch)
    if search:
        qs = qs.filter(
            Q(household__number__iexact=search)
            | Q(household__head__name__contains=search)
            | Q(rule_version__title__contains=search)
        )
    return qs.order_by("-id")


def claims_to_review(*, actor: Actor) -> QuerySet[PointClaim]:
    """The claims waiting for the actor's review: submitted in the grids they lead, recorded by
    someone else, for a household not their own."""
    scope = scope_for(actor)
    cadre_paths = scope.paths(CADRE_ROLES)
    if not (scope.superuser or cadre_paths):
        return PointClaim.objects.none()
    qs = PointClaim.objects.filter(status=PointClaim.Status.SUBMITTED)
    if not scope.superuser:
        cond = Q(pk__in=[])
        for p in cadre_paths:
            cond |= Q(node__path__under=p)
        qs = qs.filter(cond)
    return (
        qs.exclude(recorded_by=actor)
        .exclude(household_id__in=households_of(actor))
        .select_related(*_ROW)
        .order_by("id")
    )


def objections_open(*, actor: Actor) -> QuerySet[PointObjection]:
    """Objections not answered yet in the actor's scope, oldest first."""
    return (
        PointObjection.objects.for_actor(actor)
        .filter(status=PointObjection.Status.OPEN)
        .select_related("claim__rule_version", "claim__household__head")
        .order_by("id")
    )


def village_paths_of(*, actor: Actor) -> list[str]:
    """The villages (level-2 paths) of the actor's own households."""
    paths = Household.objects.filter(pk__in=households_of(actor)).values_list(
        "node__path", "node__level"
    )
    return sorted({p[: len(p) - max(level - 2, 0) * SEGMENT] for p, level in paths})


def notice_list(*, actor: Actor, node: GridNode | None = None) -> QuerySet[PointClaim]:
    """公示: the claims on public notice the actor may read: in their grids, and in the villages
    of their own households (every villager of a village sees its notices)."""
    scope = scope_for(actor)
    cond = Q(pk__in=[])
    for p in [*scope.read_paths, *village_paths_of(actor=actor)]:
        cond |= Q(node__path__under=p)
    if scope.superuser:
        cond = Q()
    qs = PointClaim.objects.filter(cond, status=PointClaim.Status.ON_NOTICE)
    qs = qs.filter(notice_until__gt=timezone.now())
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    return qs.select_related("rule_version", "household__head", "node").order_by(
        "notice_until", "id"
    )


def village_households(
    *, actor: Actor, numbers: list[str]
) -> tuple[list[Household], list[str], list[str]]:
    """The households in the actor's scope with these 户编号; the numbers found nowhere; and the
    numbers more than one household has (villages number their own households, so a township's
    user may see one number in two villages: which one is meant is never guessed)."""
    by_number: dict[str, list[Household]] = {}
    for h in (
        Household.objects.for_actor(actor)
        .filter(number__in=numbers, status=Household.Status.ACTIVE)
        .select_related("node")
        .order_by("pk")
    ):
        by_number.setdefault(h.number, []).append(h)
    return (
        [by_number[n][0] for n in numbers if len(by_number.get(n, ())) == 1],
        [n for n in numbers if n not in by_number],
        [n for n in numbers if len(by_number.get(n, ())) > 1],
    )


def numbers_not_unique(numbers: list[str]) -> str:
    """What a form is told of 户编号 that more than one household has (village_households)."""
    return gettext(
        "户编号%(n)s在您管辖的范围内不止一户（各村各自编号），无法确定是哪一户，"
        "请由该户所在村的干部或网格员登记。"
    ) % {"n": "、".join(f"“{n}”" for n in numbers)}


def own_households(*, actor: Actor) -> QuerySet[Household]:
    """The actor's own households (a villager's, a party member's), in the register."""
    return (
        Household.objects.filter(pk__in=households_of(actor), status=Household.Status.ACTIVE)
        .select_related("node")
        .order_by("pk")
    )
