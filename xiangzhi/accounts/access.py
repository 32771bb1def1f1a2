"""Loading one account record: a user reaches only their own tokens."""

from __future__ import annotations

from django.http import Http404

from xiangzhi.core.types import Actor

from .models import ApiToken


def access_api_token(actor: Actor, pk: int | str) -> ApiToken:
    """The actor's own token: anyone else's, like a missing one, is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    token = ApiToken.objects.filter(pk=pk, user_id=actor.pk).first()
    if token is None:
        raise Http404("令牌不存在")
    return token
