"""Every write on accounts: users, role assignments, preferences, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_record
from xiangzhi.core.roles import HOUSEHOLD_ROLES, NODE_ROLES, ROLE_RANK, Role
from xiangzhi.core.scope import department_area, home_node, scope_for
from xiangzhi.core.types import Actor

from ..actions import AccountsAction
from ..models import ApiToken, Department, RoleAssignment, User


def grant_check(*, actor: Actor | None, role: str, node: models.Model | None) -> None:
    """Refuse a role outside the actor's subtree or ranked above their own there (ROLE_RANK).

    The one rule of every path that binds a role: the account pages, role_assign called
    directly, the bulk creation and the grid's staff assignment. A system call (actor None:
    migrations, the demo) and the administrator pass.
    """
    if actor is None:
        return
    scope = scope_for(actor)
    if scope.superuser:
        return
    if node is None or not scope.can_manage_accounts(node.path):
        raise PermissionDenied(gettext("您不能在该网格分配角色"))
    area = grant_path(role, node.path, node.level)
    if role == Role.DEPARTMENT_STAFF and not scope.runs_department_staff_at(area):
        # A department role reads its department's cases in the whole township above its node
        # (scope.department_area): a leader bound to one village would mint an account that
        # reads the other villages' cases.
        raise PermissionDenied(
            gettext("部门人员处理全镇派给本部门的事项，只能由管理全镇账号的领导授予")
        )
    if ROLE_RANK[role] > scope.account_rank_at(area):
        raise PermissionDenied(gettext("不能授予高于您本人职级的角色"))


def grant_path(role: str, path: str | None, level: int | None) -> str | None:
    """The path a role reaches from the node it is bound to, which its grant and its account are
    checked against: the township above the node for a department role, else the node's own."""
    if role == Role.DEPARTMENT_STAFF and path:
        return department_area(path, level)
    return path


@transaction.atomic
def role_assign(
    *,
    actor: Actor,
    user: User,
    role: str,
    node: models.Model | None = None,
    department: Department | None = None,
    is_grid_leader: bool = False,
) -> RoleAssignment:
    """Bind a role to a user on a node (or a department); the actor must run that node's accounts
    and hold a role there ranked at least as high (grant_check)."""
    if role not in Role.values:
        raise ValidationError(gettext("没有这个角色"))
    if role in NODE_ROLES and node is None:
        raise ValidationError(gettext("该角色必须绑定到一个网格节点"))
    if role == Role.DEPARTMENT_STAFF and department is None:
        raise ValidationError(gettext("部门人员必须绑定到一个部门"))
    if node is None and actor is not None and not scope_for(actor).superuser:
        # Only the administrator binds a role to no node (a department's in a one-township
        # deployment); for anyone else it is a field left empty, not a refusal (grant_check's).
        raise ValidationError({"node": gettext("请选择角色所在的网格")})
    grant_check(actor=actor, role=role, node=node)
    held = RoleAssignment.objects.select_for_update().filter(user=user, role=role, node=node)
    before = held.values_list("is_grid_leader", "department_id").first()
    ra, _ = RoleAssignment.objects.update_or_create(
        user=user,
        role=role,
        node=node,
        defaults={"department": department, "is_grid_leader": is_grid_leader},
    )
    # The department decides what a department role reads: the trail names it.
    changes = {
        "user": user.username,
        "role": role,
        "grid_leader": is_grid_leader,
        "department": ra.department_id,
    }
    if before is not None:
        # A role bound again (the grid's staff page making a worker 网格长) says what changed.
        for key, old in zip(("grid_leader", "department"), before, strict=True):
            if old != changes[key]:
                changes[key] = [old, changes[key]]
    if changes["department"] is None:
        del changes["department"]  # a role of no department: no 部门：（空） on every grant
    audit_record(actor=actor, action=AccountsAction.ROLE_ASSIGN, obj=ra, node=node, changes=changes)
    return ra


@transaction.atomic
def user_set_elder_mode(*, actor: User, enabled: bool) -> User:
    actor.elder_mode = enabled
    actor.save(update_fields=["elder_mode"])
    audit_record(
        actor=actor,
        action=AccountsAction.USER_ELDER_MODE,
        obj=actor,
        node=home_node(actor),
        changes={"elder_mode": enabled},
    )
    return actor


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写令牌用途")})
    raw = "xz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name[:60], prefix=raw[3:11], key_hash=_hash_token(raw)
    )
    audit_record(
        actor=actor,
        action=AccountsAction.API_TOKEN_CREATE,
        obj=token,
        node=home_node(actor),  # a token carries the worker's scope: their auditors read it
        changes={"name": name},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action=AccountsAction.API_TOKEN_REVOKE, obj=token, node=home_node(actor)
    )
    return token


def api_token_user(raw: str) -> User | None:
    """Return the active user of a bearer token, or None."""
    if not raw or not raw.startswith("xz_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.user.password_change_required:
        return None  # a one-time password must be changed first, on the page
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def _tokens_revoke_all(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def user_sessions_end(*, actor: Actor, user: User, keep_current: bool = True) -> int:
    """End the user's sessions on every device and revoke their API tokens ("log out everywhere").

    The view keeps the session it was called from (update_session_auth_hash) when keep_current.
    Return how many tokens were revoked.
    """
    if actor.pk != user.pk and not scope_for(actor).superuser:
        raise PermissionDenied(gettext("只能退出自己账号的登录"))
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    revoked = _tokens_revoke_all(user)
    audit_record(
        actor=actor,
        action=AccountsAction.USER_SESSIONS_END,
        obj=user,
        node=home_node(user),
        changes={"tokens_revoked": revoked, "kept_current": keep_current},
    )
    return revoked


def password_changed(*, user: User) -> int:
    """After a password change: revoke the API tokens (other sessions end with the old hash)."""
    revoked = _tokens_revoke_all(user)
    audit_record(
        actor=user,
        action=AccountsAction.USER_PASSWORD_CHANGE,
        obj=user,
        node=home_node(user),
        changes={"tokens_revoked": revoked},
    )
    return revoked


@transaction.atomic
def user_leave(*, actor: Actor, user: User, reason: str, node: models.Model | None = None) -> bool:
    """End what a villager's or party member's account gives once its person moved out or died.

    The household roles go, the tokens are revoked and every session ends. An account with nothing
    else (no work role, no staff or administrator right) is deactivated. One that has more is left
    to the township: a village cadre recording a death or a move-out must not be able to switch
    off a township account or the administrator's, so the event asks for a review instead. Return
    whether the account was deactivated. The event is filed under `node` (the person's household's,
    which the village's auditors read), else under the account's home node as it was before.
    """
    node = node if node is not None else home_node(user)  # before its household roles go
    held = list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    removed = [r for r in held if r in HOUSEHOLD_ROLES]
    RoleAssignment.objects.filter(user=user, role__in=HOUSEHOLD_ROLES).delete()
    works = len(removed) < len(held) or user.is_staff or user.is_superuser
    deactivate = not works
    fields = {"session_epoch": models.F("session_epoch") + 1}
    if deactivate:
        fields["is_active"] = False
    User.objects.filter(pk=user.pk).update(**fields)
    revoked = _tokens_revoke_all(user)
    audit_record(
        actor=actor,
        action=AccountsAction.USER_LEAVE,
        obj=user,
        node=node,
        changes={
            "reason": reason,
            "roles_removed": removed,
            "deactivated": deactivate,
            "needs_review": works,  # the township decides about an account with other rights
            "tokens_revoked": revoked,
        },
    )
    return deactivate


def household_roles_follow(
    *, actor: Actor, moves: dict[int, int], audit: bool = True
) -> list[dict]:
    """People whose household now lives on another grid node ({user id: node id}, from the
    registry: a household moved by an import, a person split off into a household elsewhere):
    their household roles (村民, 党员) bound to a node are bound to the new one, as account_create
    binds them where the household is, so that the village keeping the family runs the account
    and the one it left no longer does. A household role bound to no node stays as it is. Return
    the audit events, written here unless `audit` is False (an import appends them to its
    batch's, written with audit_record_many)."""
    events = []
    held = RoleAssignment.objects.filter(
        user_id__in=moves, role__in=HOUSEHOLD_ROLES, node__isnull=False
    )
    for assignment in held.select_for_update(of=("self",)).select_related("user").order_by("pk"):
        node = moves[assignment.user_id]
        if assignment.node_id == node:
            continue
        before = assignment.node_id
        taken = RoleAssignment.objects.filter(
            user_id=assignment.user_id, role=assignment.role, node_id=node
        )
        if taken.exists():
            assignment.delete()  # the same role is bound there already
        else:
            assignment.node_id = node
            assignment.save(update_fields=["node"])
        events.append(
            {
                "action": AccountsAction.HOUSEHOLD_ROLES_FOLLOW,
                "obj": assignment.user,
                "node": node,
                "changes": {"role": assignment.role, "bound_node": [before, node]},
            }
        )
    if audit:
        for event in events:
            audit_record(actor=actor, **event)
    return events


@transaction.atomic
def party_role_set(
    *, actor: Actor, user: User, member: bool, reason: str, node: models.Model | None = None
) -> int:
    """A person's party relation left the village's organisation (转出, member=False) or came back
    (转入, member=True): the account's 党员 roles become 村民 roles on the same nodes, or back (the
    person lives there either way), so that the party's pages close or open with the next
    request. Return how many roles changed; the event is filed under `node` (the household's),
    else the account's home node."""
    node = node if node is not None else home_node(user)
    old, new = (Role.VILLAGER, Role.PARTY_MEMBER) if member else (Role.PARTY_MEMBER, Role.VILLAGER)
    held = list(RoleAssignment.objects.filter(user=user, role=old))
    for assignment in held:
        if RoleAssignment.objects.filter(user=user, role=new, node=assignment.node_id).exists():
            assignment.delete()
        else:
            assignment.role = new
            assignment.save(update_fields=["role"])
    if held:
        audit_record(
            actor=actor,
            action=AccountsAction.PARTY_ROLE_SET,
            obj=user,
            node=node,
            changes={"reason": reason, "role": [old.value, new.value]},
        )
    return len(held)
