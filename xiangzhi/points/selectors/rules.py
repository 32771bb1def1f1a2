"""Reads of the rule catalogue."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiangzhi.core.registry import households_of
from xiangzhi.core.roles import CADRE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import PointRule


def _ancestors(paths: list[str]) -> set[str]:
    from xiangzhi.core.paths import SEGMENT

    return {p[:i] for p in paths for i in range(SEGMENT, len(p) + 1, SEGMENT)}


def rule_list(
    *, actor: Actor, active_only: bool = True, search: str = "", category: str = ""
) -> QuerySet[PointRule]:
    """The rules the actor's grids apply: those of their subtree and of the units above it
    (a village's cadre sees the township's catalogue and their village's own)."""
    scope = scope_for(actor)
    paths = list(scope.read_paths)
    if scope.household_ids:
        paths += list(
            Household.objects.filter(pk__in=households_of(actor)).values_list(
                "node__path", flat=True
            )
        )
    if scope.superuser:
        q = Q()
    else:
        q = Q(node__path__in=sorted(_ancestors(paths)))
        for p in scope.read_paths:
            q |= Q(node__path__under=p)
    qs = PointRule.objects.filter(q).select_related("node")
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(code__iexact=search))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("node__level", "category", "code", "id")


def rules_for_household(*, actor: Actor, household: Household) -> QuerySet[PointRule]:
    """The rules in force for a household (its township's and its village's), as the actor sees
    them; the household has been loaded through the actor's scope."""
    paths = _ancestors([household.node.path])
    return (
        PointRule.objects.filter(node__path__in=sorted(paths), is_active=True)
        .select_related("node")
        .order_by("-points", "id")
    )


def rule_units(*, actor: Actor) -> list[GridNode]:
    """The townships and villages whose rules the actor sets (services.rules.may_set_rules)."""
    from ..services.rules import TOWNSHIP_ROLES

    scope = scope_for(actor)
    qs = GridNode.objects.for_actor(actor).filter(level__in=(1, 2)).order_by("path")
    if scope.superuser:
        return list(qs[:200])
    cond = Q(pk__in=[])
    for p in scope.paths(TOWNSHIP_ROLES):
        cond |= Q(path__under=p)
    for p in scope.paths(CADRE_ROLES):
        cond |= Q(path__under=p, level=2)
    return [n for n in qs.filter(cond)[:200] if _sets_rules(actor, n)]


def _sets_rules(actor: Actor, node: GridNode) -> bool:
    from ..services.rules import may_set_rules

    return may_set_rules(actor=actor, node=node)


def township_of_actor(*, actor: Actor, leading: bool = False) -> GridNode | None:
    """The first township the actor's grids are in (leading: one they lead)."""
    from ..services.rules import TOWNSHIP_ROLES

    scope = scope_for(actor)
    paths = scope.paths(TOWNSHIP_ROLES) if leading else scope.read_paths
    if scope.superuser and not paths:
        return GridNode.objects.filter(level=1).order_by("path").first()
    prefixes = sorted(_ancestors(list(paths)))
    return GridNode.objects.filter(path__in=prefixes, level=1).order_by("path").first()
