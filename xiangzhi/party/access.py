from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import PartyMember


def access_party_member(actor: Actor, pk: int | str, *, write: bool = False) -> PartyMember:
    qs = PartyMember.objects.select_related("resident__node", "organisation")
    return access_object(PartyMember, actor, pk, write=write, queryset=qs)
