"""Every read the app's pages and sheet show."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from .models import Notice


def notice_list(*, actor: Actor, node: GridNode | None = None) -> QuerySet[Notice]:
    """The notices the actor may read (under `node` when given)."""
    qs = Notice.objects.for_actor(actor).select_related("node").order_by("node__path", "pk")
    return qs.filter(node__path__under=node.path) if node is not None else qs


def notice_nodes(*, actor: Actor) -> QuerySet[GridNode]:
    """The nodes the create form offers (the service refuses those the actor may not write)."""
    return GridNode.objects.for_actor(actor).order_by("path")
