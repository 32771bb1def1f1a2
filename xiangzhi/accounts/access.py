"""Loading one account record: a user reaches only their own tokens."""

from __future__ import annotations

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import ApiToken


def access_api_token(actor: Actor, pk: int | str, *, write: bool = False) -> ApiToken:
    """The actor's own token (SCOPE_OWNER): anyone else's, like a missing one, is a 404."""
    return access_object(ApiToken, actor, pk, write=write)
