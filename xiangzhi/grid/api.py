from ninja import Router, Schema

from . import selectors
from .access import access_node

router = Router(tags=["grid"])


class NodeOut(Schema):
    id: int
    name: str
    level: int
    level_name: str
    code: str | None
    parent_id: int | None


class RollupOut(Schema):
    node: NodeOut
    levels: dict[int, int]
    counts: dict[str, int]


class NodeDetailOut(Schema):
    node: NodeOut
    levels: dict[int, int]
    counts: dict[str, int]
    children: list[RollupOut]


@router.get("/nodes", response=list[NodeOut], summary="我可见的顶层网格")
def list_roots(request):
    return selectors.node_roots(actor=request.user)


@router.get("/nodes/{node_id}", response=NodeDetailOut, summary="网格及其下级网格的汇总数")
def get_node(request, node_id: int):
    node = access_node(request.user, node_id)
    overview = selectors.node_overview(actor=request.user, node=node)
    total = overview["total"]
    return {
        "node": node,
        "levels": total.levels,
        "counts": total.counts,
        "children": [
            {"node": r.node, "levels": r.levels, "counts": r.counts} for r in overview["children"]
        ],
    }
