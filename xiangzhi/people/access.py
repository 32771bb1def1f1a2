from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import Household, Resident


def access_household(actor: Actor, pk: int | str, *, write: bool = False) -> Household:
    qs = Household.objects.select_related("node", "head")
    return access_object(Household, actor, pk, write=write, queryset=qs)


def access_resident(actor: Actor, pk: int | str, *, write: bool = False) -> Resident:
    qs = Resident.objects.select_related("node", "household")
    return access_object(Resident, actor, pk, write=write, queryset=qs)
