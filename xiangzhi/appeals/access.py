"""Loading one appeal record for a request: 404 outside the scope, like a missing row."""

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor
from xiangzhi.party.models import VisitNeed

from .models import Appeal, AppealPhoto


def access_appeal(actor: Actor, pk: int | str) -> Appeal:
    """One appeal the actor may see (who may take which step is the workflow's to say)."""
    qs = Appeal.objects.select_related(
        "node", "household", "resident", "assignee", "department", "origin_node", "duplicate_of"
    )
    return access_object(Appeal, actor, pk, queryset=qs)


def access_appeal_photo(actor: Actor, pk: int | str) -> AppealPhoto:
    return access_object(AppealPhoto, actor, pk, queryset=AppealPhoto.objects.all())


def access_visit_need(actor: Actor, pk: int | str) -> VisitNeed:
    """One visit need the actor may see (party's record; appeals turns it into an appeal)."""
    qs = VisitNeed.objects.select_related("household__node", "household__head")
    return access_object(VisitNeed, actor, pk, queryset=qs)
