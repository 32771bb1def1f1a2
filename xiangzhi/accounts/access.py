"""Loading one account record: a user reaches their own tokens, a leader the accounts of their
subtree."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import ApiToken, RoleAssignment, User
from .selectors import account_rows


def access_api_token(actor: Actor, pk: int | str, *, write: bool = False) -> ApiToken:
    """The actor's own token (SCOPE_OWNER): anyone else's, like a missing one, is a 404."""
    return access_object(ApiToken, actor, pk, write=write)


def access_account(actor: Actor, pk: int | str) -> User:
    """An account of the actor's subtree (selectors.account_list's rule), or the actor's own
    (its pages send them to 我的, its actions refuse them): else a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk == getattr(actor, "pk", None):
        return actor
    user = account_rows(actor=actor).filter(pk=pk).first()
    if user is None:
        raise Http404(gettext("账号不存在或不在您的管辖范围内"))
    return user


def access_role_assignment(actor: Actor, pk: int | str) -> RoleAssignment:
    """A role of an account of the actor's subtree: else a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    ra = (
        RoleAssignment.objects.select_related("user", "node")
        .filter(pk=pk, user__in=account_rows(actor=actor))
        .first()
    )
    if ra is None:
        raise Http404(gettext("角色不存在或不在您的管辖范围内"))
    return ra
