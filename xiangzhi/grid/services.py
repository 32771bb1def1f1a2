"""Every write on the grid: create, rename, move a subtree, set a node's leader and workers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext

from xiangzhi.accounts.models import User
from xiangzhi.accounts.services import role_assign
from xiangzhi.accounts.services.org_accounts import manage_check
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record, audit_record_many, diff, snapshot
from xiangzhi.core.roles import Role
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor

from .actions import GridAction
from .models import GridNode, path_segment

MAX_LEVEL = 5


def _check_admin(actor: Actor, node: GridNode | None) -> None:
    scope = scope_for(actor)
    if scope.superuser:
        return
    if node is None or not scope.can_admin_grid(node.path):
        raise PermissionDenied(gettext("您没有调整该网格的权限"))


def _validate_child(parent: GridNode | None, level: int) -> None:
    if parent is None:
        if level > 1:
            raise ValidationError({"parent": gettext("除根节点外，网格节点必须有上级网格")})
        return
    if level != parent.level + 1:
        raise ValidationError(
            {
                "level": gettext("%(name)s的下级网格应为第%(value)s级")
                % {"name": parent.name, "value": parent.level + 1}
            }
        )
    if level > MAX_LEVEL:
        raise ValidationError({"level": gettext("党员中心户（五级网格）下不能再设网格")})


def _check_sibling_name(parent: GridNode | None, name: str, exclude_pk: int | None = None) -> None:
    siblings = GridNode.objects.filter(parent=parent, name=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        where = parent.name if parent else "顶层"
        raise ValidationError(
            {
                "name": gettext("“%(where)s”下已有名为“%(name)s”的网格，同级网格不能重名")
                % {"where": where, "name": name}
            }
        )


@transaction.atomic
@figures.batched
def node_create(
    *,
    actor: Actor,
    parent: GridNode | None,
    name: str,
    code: str | None = None,
    level: int | None = None,
    is_synthetic: bool = False,
) -> GridNode:
    """Create a grid node under `parent` (a root when parent is None)."""
    if parent is not None:
        _check_admin(actor, parent)
    elif actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(gettext("只有系统管理员可以创建根网格"))
    level = level if level is not None else (parent.level + 1 if parent else 1)
    _validate_child(parent, level)
    node = GridNode(
        parent=parent,
        level=level,
        name=(name or "").strip(),
        code=code or None,
        path="",
        is_synthetic=is_synthetic,
    )
    if not node.name:
        raise ValidationError({"name": gettext("请填写网格名称")})
    _check_sibling_name(parent, node.name)
    node.full_clean(exclude=["path"], validate_constraints=False)
    node.save()
    node.path = (parent.path if parent else "") + path_segment(node.pk)
    node.save(update_fields=["path"])
    figures.touch(node)  # the node counts per level (grid_nodes) of its village
    audit_record(
        actor=actor,
        action=GridAction.NODE_CREATE,
        obj=node,
        changes={"name": node.name, "level": level, "code": node.code},
    )
    return node


@transaction.atomic
def node_update(*, actor: Actor, node: GridNode, name: str, code: str | None) -> GridNode:
    _check_admin(actor, node)
    fields = ["name", "code"]
    before = snapshot(node, fields)
    node.name = (name or "").strip()
    node.code = code or None
    if not node.name:
        raise ValidationError({"name": gettext("请填写网格名称")})
    _check_sibling_name(node.parent, node.name, exclude_pk=node.pk)
    node.full_clean(exclude=["path", "parent"], validate_constraints=False)
    node.save(update_fields=fields)
    audit_record(
        actor=actor, action=GridAction.NODE_UPDATE, obj=node, changes=diff(node, before, fields)
    )
    return node


@transaction.atomic
def node_move(*, actor: Actor, node: GridNode, new_parent: GridNode) -> GridNode:
    """Move a subtree under another parent of the same level; records keep pointing at their nodes,
    so every scoped record moves with its node, and only the subtree's paths are rewritten."""
    _check_admin(actor, node)
    _check_admin(actor, new_parent)
    node = GridNode.objects.select_for_update().get(pk=node.pk)
    if new_parent.path.startswith(node.path):
        raise ValidationError({"parent": gettext("不能把网格移动到它自己或它的下级网格之下")})
    _validate_child(new_parent, node.level)
    _check_sibling_name(new_parent, node.name, exclude_pk=node.pk)
    old_path, old_parent = node.path, node.parent
    new_path = new_parent.path + path_segment(node.pk)
    GridNode.objects.filter(path__under=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    GridNode.objects.filter(pk=node.pk).update(parent=new_parent)
    node.refresh_from_db()
    figures.move_subtree(old_path=old_path, new_path=new_path, level=node.level)
    changes = {
        "parent": [str(old_parent), str(new_parent)],
        "parent_id": [old_parent.pk if old_parent else None, new_parent.pk],
    }
    entries = [{"action": GridAction.NODE_MOVE, "obj": node, "changes": changes}]
    if old_parent is not None and old_parent.pk != new_parent.pk:
        # Filed under the new place only, the move is missing from the trail of the village it
        # left, with its households and records; its auditors read it under the old parent.
        # Both at once: a move between two townships locks their chains' heads in key order,
        # as every writer of two chains must (two moves the other way round would deadlock).
        entries.insert(0, {**entries[0], "node": old_parent})
    audit_record_many(actor=actor, entries=entries)
    return node


@transaction.atomic
def node_staff_assign(*, actor: Actor, node: GridNode, user: User, as_leader: bool = False) -> None:
    """Make a user a grid worker of the node, or its leader (网格长): an account the actor runs
    (a neighbour's worker or a superior taken in would lock their own leaders out of them)."""
    _check_admin(actor, node)
    manage_check(actor=actor, user=user)
    role_assign(actor=actor, user=user, role=Role.GRID_WORKER, node=node, is_grid_leader=as_leader)
