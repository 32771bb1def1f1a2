"""Every read of the grid that a page or the API shows."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor

from .models import GridNode
from .rollup import rollup_children


def node_roots(*, actor: Actor) -> list[GridNode]:
    """The topmost nodes the actor may see (their bound nodes, minus nested ones)."""
    scope = scope_for(actor)
    if scope.superuser:
        return list(GridNode.objects.filter(parent__isnull=True))
    paths = scope.read_paths
    if not paths:
        return []
    return list(GridNode.objects.filter(path__in=paths))


def node_breadcrumbs(*, actor: Actor, node: GridNode) -> list[GridNode]:
    """The ancestors of a node that the actor may see, top first."""
    paths = node.ancestor_paths()
    if not paths:
        return []
    return list(GridNode.objects.for_actor(actor).filter(path__in=paths).order_by("path"))


def node_staff(*, nodes: list[GridNode]) -> dict[int, list[RoleAssignment]]:
    """Leaders and grid workers of each node, in one query."""
    out: dict[int, list[RoleAssignment]] = {n.pk: [] for n in nodes}
    qs = (
        RoleAssignment.objects.filter(node__in=nodes)
        .filter(Q(is_grid_leader=True) | Q(role="grid_worker"))
        .select_related("user")
        .order_by("-is_grid_leader", "user__username")
    )
    for ra in qs:
        out[ra.node_id].append(ra)
    return out


def node_overview(*, actor: Actor, node: GridNode) -> dict:
    """The drill-down page of a node: its children with rolled-up counts and their staff."""
    children = list(GridNode.objects.for_actor(actor).filter(parent=node).order_by("path"))
    total, rows = rollup_children(node, children)
    staff = node_staff(nodes=[node, *children])
    return {
        "node": node,
        "total": total,
        "children": rows,
        "staff": staff,
        "breadcrumbs": node_breadcrumbs(actor=actor, node=node),
    }


def node_move_targets(*, actor: Actor, node: GridNode) -> QuerySet[GridNode]:
    """The nodes a node may move under: its level's possible parents in scope, not its own."""
    return GridNode.objects.for_actor(actor).filter(level=node.level - 1).exclude(pk=node.parent_id)
