from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from xiangzhi.core.scope import access_by_own_path, scope_for
from xiangzhi.core.types import Actor

from .models import GridNode
from .selectors import node_by_pk


def access_node(
    actor: Actor, pk: int | str, *, write: bool = False, admin: bool = False
) -> GridNode:
    """One node: 404 outside the scope; 403 when it may not be written (or, with admin, when the
    actor may not change the grid itself: create, rename, move nodes and set their staff)."""
    # By its id and its path: the grid's pages load a node on every view, and building the
    # scope's filter through the ORM cost more than the query (docs/performance.md).
    node = access_by_own_path(node_by_pk, actor, pk, write=write or admin)
    if admin and not scope_for(actor).can_admin_grid(node.path):
        raise PermissionDenied(gettext("您没有调整该网格的权限"))
    return node
