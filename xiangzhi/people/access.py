from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from xiangzhi.core.scope import access_object, scope_for
from xiangzhi.core.types import Actor

from .models import Household, Resident


def access_household(actor: Actor, pk: int | str, *, write: bool = False) -> Household:
    qs = Household.objects.select_related("node", "head")
    return access_object(Household, actor, pk, write=write, queryset=qs)


def access_resident(
    actor: Actor, pk: int | str, *, write: bool = False, reveal: bool = False
) -> Resident:
    """One resident: 404 outside the scope, 403 for a write (or, with reveal, a full-number
    reveal) the actor's roles do not allow."""
    qs = Resident.objects.select_related("node", "household")
    resident = access_object(Resident, actor, pk, write=write, queryset=qs)
    if reveal and not scope_for(actor).can_reveal_path(resident.node.path):
        raise PermissionDenied(gettext("您的角色不能查看完整的个人信息"))
    return resident
