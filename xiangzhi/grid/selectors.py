"""Every read of the grid that a page or the API shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from xiangzhi.core import prepared
from xiangzhi.core.roles import Role
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


@dataclass(frozen=True)
class StaffMember:
    """A leader or grid worker of a node, as the grid page and its sheet show them."""

    user: str  # the display name (or the username)
    is_grid_leader: bool


def node_staff(*, node: GridNode, children: list[GridNode]) -> dict[int, list[StaffMember]]:
    """Leaders and grid workers of a node and of each of its children, in one statement.

    Hand-written: the grid page runs it on every view, and the ORM took 0.8 ms to build the
    query it ran in 0.1 ms (docs/performance.md)."""
    sql = (
        "SELECT ra.node_id, ra.is_grid_leader, u.display_name, u.username "
        "FROM accounts_roleassignment ra JOIN accounts_user u ON u.id = ra.user_id "
        "JOIN grid_gridnode n ON n.id = ra.node_id "
        "WHERE (n.id = %s OR n.parent_id = %s) AND (ra.is_grid_leader OR ra.role = %s) "
        "ORDER BY ra.is_grid_leader DESC, u.username"
    )
    out: dict[int, list[StaffMember]] = {n.pk: [] for n in (node, *children)}
    for node_id, leader, display_name, username in prepared.fetch(
        sql, [node.pk, node.pk, Role.GRID_WORKER.value]
    ):
        if node_id in out:  # a child the actor does not see is not shown
            out[node_id].append(StaffMember(display_name or username, bool(leader)))
    return out


_COLUMNS = ", ".join(f'"{f.column}"' for f in GridNode._meta.concrete_fields)
_FIELDS = [f.attname for f in GridNode._meta.concrete_fields]


_converters: dict[str, list] = {}  # per database vendor


def _nodes(rows: list[tuple]) -> list[GridNode]:
    """Model instances from rows of _COLUMNS, each value converted as the ORM converts it (a
    datetime read from SQLite becomes aware, as a later save() must write it back unchanged)."""
    converters = _converters.get(connection.vendor)
    if converters is None:
        converters = _converters[connection.vendor] = []
        for i, field in enumerate(GridNode._meta.concrete_fields):
            col = field.get_col(GridNode._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
    out = []
    for row in rows:
        values = list(row)
        for i, found, col in converters:
            for convert in found:
                values[i] = convert(values[i], col, connection)
        out.append(GridNode.from_db(connection.alias, _FIELDS, values))
    return out


def node_children(*, node: GridNode) -> list[GridNode]:
    """The children of a node the actor may read (access_node checked it: its whole subtree is
    in the scope), by path. Hand-written for the same reason as node_staff."""
    rows = prepared.fetch(
        f"SELECT {_COLUMNS} FROM grid_gridnode WHERE parent_id = %s ORDER BY path", [node.pk]
    )
    return _nodes(rows)


def node_by_pk(pk: int) -> GridNode | None:
    """One node by its id, whoever asks: callers check the scope (grid.access.access_node)."""
    rows = prepared.fetch(f"SELECT {_COLUMNS} FROM grid_gridnode WHERE id = %s", [pk])
    return _nodes(rows)[0] if rows else None


def node_overview(*, actor: Actor, node: GridNode) -> dict:
    """The drill-down page of a node: its children with rolled-up counts and their staff."""
    if scope_for(actor).can_read_path(node.path):
        children = node_children(node=node)
    else:  # not through access_node: the scope's own filter
        children = list(GridNode.objects.for_actor(actor).filter(parent=node).order_by("path"))
    total, rows = rollup_children(node, children)
    staff = node_staff(node=node, children=children)
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
