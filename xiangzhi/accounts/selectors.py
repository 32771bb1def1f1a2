"""Reads of accounts that pages show."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.types import Actor

from .models import ApiToken, User


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens, newest first."""
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at")


def user_find_active(*, username: str) -> User | None:
    """The active account with this username (staff are named by their login)."""
    return User.objects.filter(username=username, is_active=True).first()
