"""Loading one offering, dispute or petition for a request: 404 outside the scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models.disputes import Dispute
from .models.menu import ServiceOffering
from .models.petitions import Petition
from .services.disputes import may_handle_dispute
from .services.petitions import may_handle_petition


def access_service_offering(actor: Actor, pk: int | str, *, write: bool = False) -> ServiceOffering:
    """An offering in scope, or (to read and request it) one on a villager's own menu."""
    qs = ServiceOffering.objects.select_related("node")
    try:
        return access_object(ServiceOffering, actor, pk, write=write, queryset=qs)
    except Http404:
        if write or not str(pk).isdigit():
            raise
        from .selectors.services_extra import offerings_for_villager

        found = offerings_for_villager(actor=actor).filter(pk=int(pk)).first()
        if found is None:
            raise
        return found


def access_dispute(actor: Actor, pk: int | str, *, write: bool = False) -> Dispute:
    """A dispute in scope; `write`: its node's cadres or the department it was sent to."""
    qs = Dispute.objects.select_related("node", "department", "registered_by")
    dispute = access_object(Dispute, actor, pk, queryset=qs)
    if write and not may_handle_dispute(actor=actor, dispute=dispute):
        raise PermissionDenied(gettext("您对该纠纷只有查看权限。"))
    return dispute


def access_petition(actor: Actor, pk: int | str, *, write: bool = False) -> Petition:
    """A petition in scope; `write`: its department's staff or its node's cadres."""
    qs = Petition.objects.select_related("node", "department", "registered_by")
    petition = access_object(Petition, actor, pk, queryset=qs)
    if write and not may_handle_petition(actor=actor, petition=petition):
        raise PermissionDenied(gettext("您对该信访事项只有查看权限。"))
    return petition
