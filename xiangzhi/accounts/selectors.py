"""Reads of accounts that pages show."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from xiangzhi.core.roles import ROLE_RANK, Role
from xiangzhi.core.scope import path_q, scope_for
from xiangzhi.core.types import Actor

from .models import ApiToken, Department, RoleAssignment, User


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens, newest first."""
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at")


def account_find(*, actor: Actor, username: str) -> User | None:
    """The active account with this username among those the actor runs (None: no such account
    or not theirs, told apart nowhere, so a name elsewhere in the deployment stays unknown)."""
    return account_rows(actor=actor).filter(username=username, is_active=True).first()


def account_rows(*, actor: Actor) -> QuerySet[User]:
    """The accounts of the actor's subtree: every role they hold is bound to a node the actor
    runs the accounts of, and ranked below the actor there (an account with a role elsewhere,
    at or above the actor's rank, or with no role at all is not theirs)."""
    scope = scope_for(actor)
    users = User.objects.all()
    if scope.superuser:
        return users
    paths = scope.account_paths
    if not paths:
        return users.none()
    inside = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(path_q(paths, "node__path"))
    # Outside: bound elsewhere (or to no node), or ranked at or above the actor's rank there.
    above = Q(pk__in=[])
    for p in paths:
        rank = scope.account_rank_at(p)
        higher = [role for role, r in ROLE_RANK.items() if r >= rank]
        if higher:
            above |= Q(node__path__under=p, role__in=higher)
    # A department role reaches the township above its node (services.grant_path): it is the
    # account of whoever runs the accounts of a whole township, not of a village's leader.
    department = Q(role=Role.DEPARTMENT_STAFF) & ~path_q(scope.department_staff_paths, "node__path")
    outside = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(
        ~path_q(paths, "node__path") | above | department
    )
    return (
        users.filter(is_superuser=False, is_staff=False)
        .filter(Exists(inside))
        .exclude(Exists(outside))
    )


ACCOUNT_STATUSES = {
    "active": "正在使用",
    "inactive": "已停用",
    "must_change": "待修改初始密码",
}


def account_list(
    *,
    actor: Actor,
    search: str = "",
    role: str = "",
    status: str = "",
    node: models.Model | None = None,
) -> QuerySet[User]:
    """The accounts the actor runs, with their roles, filtered; by name."""
    qs = account_rows(actor=actor)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    if role in Role.values:
        qs = qs.filter(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=role)))
    if node is not None:
        qs = qs.filter(
            Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), node__path__under=node.path))
        )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "must_change":
        qs = qs.filter(is_active=True, password_change_required=True)
    roles = RoleAssignment.objects.select_related("node", "department").order_by("node__path")
    return qs.prefetch_related(Prefetch("role_assignments", queryset=roles)).order_by(
        "display_name", "username", "pk"
    )


def account_nodes(*, actor: Actor) -> QuerySet:
    """The grid nodes where the actor may bind roles, top first (a form's choices)."""
    GridNode = apps.get_model("grid", "GridNode")
    scope = scope_for(actor)
    qs = GridNode.objects.all()
    if not scope.superuser:
        qs = qs.filter(path_q(scope.account_paths, "path"))
    return qs.order_by("path")


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("code")
