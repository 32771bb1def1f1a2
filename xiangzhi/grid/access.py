from xiangzhi.core.scope import access_object

from .models import GridNode


def access_node(actor, pk, *, write: bool = False) -> GridNode:
    return access_object(GridNode, actor, pk, write=write)
