"""Accounts run by the organisation: a township or village leader creates the accounts of their
subtree, resets a password with a one-time password, deactivates and reactivates an account and
binds or removes its roles, never a role outside their subtree or ranked above their own.

Every check is here, not in the views: the pages, the bulk creation and any later API call the
same services, and a test calls them directly.
"""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext
from pypinyin import lazy_pinyin

from xiangzhi.core.audit import audit_record
from xiangzhi.core.registry import Person, person_directory
from xiangzhi.core.roles import HOUSEHOLD_ROLES, ROLE_RANK, Role
from xiangzhi.core.scope import home_node, scope_for
from xiangzhi.core.types import Actor

from ..actions import AccountsAction
from ..models import Department, RoleAssignment, User
from . import _tokens_revoke_all, grant_check, grant_path, role_assign

# No 0/o, 1/l/i: read aloud or copied from paper by an elder, nothing is mistaken.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 12  # about 59 bits; it lives until the owner's first login


def one_time_password() -> str:
    """A random password in three groups of four, shown once and never stored in plain."""
    raw = "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, OTP_LENGTH, 4))


def manage_check(*, actor: Actor, user: User) -> None:
    """Refuse an account the actor may not run: their own, an administrator's, or one holding a
    role outside the actor's subtree or ranked at or above the actor's own there (a peer's
    account, or the 纪检 auditor's for township staff, is run from above: hostile review). A
    department role is checked at the township above its node, which it reads (grant_path)."""
    if user.pk == actor.pk:
        raise PermissionDenied(gettext("自己的账号请在“我的”页面管理"))
    scope = scope_for(actor)
    if scope.superuser:
        return
    if user.is_superuser or user.is_staff:
        raise PermissionDenied(gettext("后台管理账号只能由系统管理员管理"))
    rows = RoleAssignment.objects.filter(user=user).values_list("role", "node__path", "node__level")
    rows = [(role, grant_path(role, path, level)) for role, path, level in rows]
    if not rows:
        raise PermissionDenied(gettext("该账号没有绑定网格的角色，只能由系统管理员管理"))
    for role, path in rows:
        if not scope.can_manage_accounts(path) or ROLE_RANK[role] >= scope.account_rank_at(path):
            raise PermissionDenied(
                gettext("该账号有您辖区以外、或与您同级及以上的角色，不能由您管理")
            )


def _directory_paths(actor: Actor) -> tuple[str, ...] | None:
    """Where the actor may look for people: their account subtrees (None: anywhere)."""
    scope = scope_for(actor)
    return None if scope.superuser else scope.account_paths


def person_search(*, actor: Actor, text: str) -> list[Person]:
    """People of the actor's subtree named like `text` who have no account yet."""
    text = (text or "").strip()
    directory = person_directory()
    if not text or directory is None:
        return []
    paths = _directory_paths(actor)
    if paths == ():
        return []
    return directory.search(actor=actor, text=text, paths=paths)


def person_load(*, actor: Actor, pk: int | str) -> Person | None:
    """One person of the actor's subtree without an account, or None."""
    directory = person_directory()
    paths = _directory_paths(actor)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if directory is None or paths == ():
        return None
    return directory.load(actor=actor, pk=pk, paths=paths)


def _username(wanted: str, display_name: str) -> str:
    """The wanted username, checked; or one made from the name's pinyin (zhangsan, zhangsan2)."""
    wanted = (wanted or "").strip()
    if wanted:
        try:
            User.username_validator(wanted)
        except ValidationError:
            raise ValidationError(
                {"username": gettext("账号名只能由字母、数字和 @ . + - _ 组成")}
            ) from None
        if User.objects.filter(username__iexact=wanted).exists():
            raise ValidationError({"username": gettext("该账号名已被使用，请换一个")})
        return wanted
    base = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(display_name)).lower())[:30] or "user"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {t.lower() for t in taken}
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


@transaction.atomic
def account_create(
    *,
    actor: Actor,
    display_name: str,
    role: str,
    node: models.Model | None = None,
    username: str = "",
    department: Department | None = None,
    person_id: int | None = None,
) -> tuple[User, str]:
    """Create an account with one role in the actor's subtree, linked to a person of the
    registry where there is one; return it and its one-time password (shown once)."""
    person = None
    if person_id:
        person = person_load(actor=actor, pk=person_id)
        if person is None:
            raise ValidationError({"person": gettext("该居民不在您的辖区内，或已经有账号")})
        display_name = (display_name or "").strip() or person.name
        if role == Role.PARTY_MEMBER and not person.is_party_member:
            raise ValidationError({"role": gettext("该居民不是在册党员，不能授予党员角色")})
        if role in HOUSEHOLD_ROLES:
            node = person.node  # a household role lives where the household is
    elif role in HOUSEHOLD_ROLES:
        raise ValidationError({"person": gettext("村民和党员的账号须关联本辖区的一位居民")})
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError({"display_name": gettext("请填写姓名")})
    if node is None:
        raise ValidationError({"node": gettext("请选择角色所在的网格")})
    if role not in Role.values:
        raise ValidationError({"role": gettext("请选择角色")})
    grant_check(actor=actor, role=role, node=node)  # before anything is written
    otp = one_time_password()
    user = User(username=_username(username, display_name), display_name=display_name[:50])
    user.set_password(otp)
    user.password_change_required = True
    user.save()
    role_assign(actor=actor, user=user, role=role, node=node, department=department)
    if person is not None:
        person_directory().link(actor=actor, pk=person.pk, user=user)
    audit_record(
        actor=actor,
        action=AccountsAction.ACCOUNT_CREATE,
        obj=user,
        node=node,
        changes={
            "username": user.username,
            "display_name": user.display_name,
            "role": role,
            "person_id": person.pk if person else None,
        },
    )
    return user, otp


@transaction.atomic
def party_member_accounts_create(*, actor: Actor, node: models.Model) -> list[tuple[User, str]]:
    """Create the missing accounts of the party members of a node's subtree (role 党员), each
    with a one-time password; return them for the printable list."""
    grant_check(actor=actor, role=Role.PARTY_MEMBER, node=node)
    directory = person_directory()
    people = directory.party_members(actor=actor, node=node) if directory else []
    made = [
        account_create(actor=actor, display_name=p.name, role=Role.PARTY_MEMBER, person_id=p.pk)
        for p in people
    ]
    audit_record(
        actor=actor,
        action=AccountsAction.ACCOUNTS_BULK_CREATE,
        obj=node,
        node=node,
        changes={"role": Role.PARTY_MEMBER.value, "created": len(made)},
    )
    return made


def _account_node(user: User) -> models.Model | None:
    """The node an event about an account is filed under: its topmost bound node."""
    return home_node(user)


def _end_sessions(user: User) -> int:
    """End every session of the user (the epoch is part of the session hash) and revoke tokens."""
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return _tokens_revoke_all(user)


@transaction.atomic
def account_password_reset(*, actor: Actor, user: User) -> str:
    """Give the account a one-time password (returned once, stored hashed), end its sessions and
    tokens, lift a login lock, and make the owner choose a password at the next login."""
    manage_check(actor=actor, user=user)
    otp = one_time_password()
    user.set_password(otp)
    user._xz_password_changed = False  # audited below as a reset, not as the owner's change
    user.password_change_required = True
    user.save(update_fields=["password", "password_change_required"])
    revoked = _end_sessions(user)
    from axes.utils import reset as axes_reset

    unlocked = axes_reset(username=user.username)
    audit_record(
        actor=actor,
        action=AccountsAction.ACCOUNT_PASSWORD_RESET,
        obj=user,
        node=_account_node(user),
        changes={"tokens_revoked": revoked, "lock_cleared": bool(unlocked)},
    )
    return otp


@transaction.atomic
def account_deactivate(*, actor: Actor, user: User) -> User:
    """Switch an account off: it can no longer log in, its sessions and tokens end."""
    manage_check(actor=actor, user=user)
    if not user.is_active:
        raise ValidationError(gettext("该账号已经停用"))
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    revoked = _end_sessions(user)
    audit_record(
        actor=actor,
        action=AccountsAction.ACCOUNT_DEACTIVATE,
        obj=user,
        node=_account_node(user),
        changes={"is_active": [True, False], "tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def account_reactivate(*, actor: Actor, user: User) -> User:
    """Switch an account on again (its roles are as they were)."""
    manage_check(actor=actor, user=user)
    if user.is_active:
        raise ValidationError(gettext("该账号正在使用，无需启用"))
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    audit_record(
        actor=actor,
        action=AccountsAction.ACCOUNT_REACTIVATE,
        obj=user,
        node=_account_node(user),
        changes={"is_active": [False, True]},
    )
    return user


@transaction.atomic
def account_role_add(
    *,
    actor: Actor,
    user: User,
    role: str,
    node: models.Model | None,
    department: Department | None = None,
) -> RoleAssignment:
    """Bind one more role to an account the actor runs (role_assign checks the grant itself)."""
    manage_check(actor=actor, user=user)
    if role in HOUSEHOLD_ROLES:
        raise ValidationError({"role": gettext("村民和党员角色随居民账号创建，不能另外添加")})
    if RoleAssignment.objects.filter(user=user, role=role, node=node).exists():
        # Bound again, the role would lose its 网格长 title or its department without a word.
        raise ValidationError(
            {
                "role": gettext(
                    "该账号在所选网格已经有这个角色；部门人员要换部门，请先取消原来的角色"
                )
            }
        )
    return role_assign(actor=actor, user=user, role=role, node=node, department=department)


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    """Remove a role from an account the actor runs; the last role stays (deactivate instead)."""
    user = assignment.user
    manage_check(actor=actor, user=user)
    grant_check(actor=actor, role=assignment.role, node=assignment.node)
    if RoleAssignment.objects.filter(user=user).count() <= 1:
        raise ValidationError(gettext("账号至少保留一个角色；不再使用的账号请停用"))
    changes = {"user": user.username, "role": assignment.role}
    node = assignment.node
    audit_record(
        actor=actor, action=AccountsAction.ROLE_REVOKE, obj=assignment, node=node, changes=changes
    )
    assignment.delete()
