from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import GridNode


def access_node(actor: Actor, pk: int | str, *, write: bool = False) -> GridNode:
    return access_object(GridNode, actor, pk, write=write)
