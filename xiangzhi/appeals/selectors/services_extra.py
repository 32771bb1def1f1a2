"""Reads of the service menu, disputes and petitions that pages show."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xiangzhi.core.roles import WRITE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import Appeal
from ..models.disputes import Dispute, MediationSession
from ..models.menu import ServiceOffering
from ..models.petitions import Petition
from ..services.submit import own_resident


def offering_list(*, actor: Actor, search: str = "", active_only: bool = False) -> QuerySet:
    """The offerings in scope, each with its number of requests (one query, any number)."""
    qs = ServiceOffering.objects.for_actor(actor).select_related("node")
    if active_only:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(description__contains=search))
    return qs.annotate(request_count=Count("requests")).order_by("node__path", "category", "name")


def offerings_for_villager(*, actor: Actor) -> QuerySet:
    """The menu a villager chooses from: what their village and township above it offer."""
    mine = own_resident(actor=actor)
    if mine is None or mine.household is None:
        return ServiceOffering.objects.none()
    path = mine.household.node.path
    above = [path[:i] for i in range(5, len(path) + 1, 5)]
    return (
        ServiceOffering.objects.filter(active=True, node__path__in=above)
        .select_related("node")
        .order_by("category", "name")
    )


def offering_requests(*, actor: Actor, offering: ServiceOffering) -> QuerySet[Appeal]:
    """The appeals that asked for an offering, newest first, as the actor may see them."""
    return (
        Appeal.objects.for_actor(actor)
        .filter(menu_request__offering=offering)
        .select_related("node", "resident")
        .order_by("-created_at", "-id")
    )


def record_nodes(*, actor: Actor) -> QuerySet[GridNode]:
    """The nodes where the actor may register a dispute or a petition (their writable subtree)."""
    scope = scope_for(actor)
    qs = GridNode.objects.for_actor(actor).order_by("path")
    if scope.superuser:
        return qs
    paths = scope.paths(WRITE_ROLES)
    if not paths:
        return GridNode.objects.none()
    return qs.filter(Q(*[Q(path__under=p) for p in paths], _connector=Q.OR))


def publish_nodes(*, actor: Actor) -> QuerySet[GridNode]:
    """The nodes where the actor may publish offerings."""
    return record_nodes(actor=actor)


def dispute_list(*, actor: Actor, state: str = "", search: str = "") -> QuerySet[Dispute]:
    qs = Dispute.objects.for_actor(actor).select_related("node", "department")
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(Q(title__contains=search) | Q(parties__name__contains=search)).distinct()
    return qs.annotate(session_count=Count("sessions")).order_by("-registered_on", "-id")


def dispute_sessions(*, actor: Actor, dispute: Dispute) -> QuerySet[MediationSession]:
    return MediationSession.objects.for_actor(actor).filter(dispute=dispute).order_by("held_on")


def petition_list(*, actor: Actor, state: str = "", search: str = "") -> QuerySet[Petition]:
    qs = Petition.objects.for_actor(actor).select_related("node", "department")
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(Q(subject__contains=search) | Q(petitioner__contains=search))
    return qs.order_by("-received_on", "-id")
