"""Reads of 屋场恳谈会: the talks, a talk's attendees and opinions, the open opinions per village."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import HamletTalk, TalkAttendee, TalkOpinion

OPEN_STATUSES = (TalkOpinion.Status.OPEN, TalkOpinion.Status.AWAITING)


def hamlet_talk_list(*, actor: Actor, node: GridNode | None = None) -> QuerySet[HamletTalk]:
    qs = HamletTalk.objects.for_actor(actor).select_related("node")
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    return qs.annotate(
        attendee_count=Count("attendees", distinct=True),
        opinion_count=Count("opinions", distinct=True),
        open_count=Count("opinions", filter=Q(opinions__status__in=OPEN_STATUSES), distinct=True),
    ).order_by("-held_on", "-pk")


def talk_attendees(*, actor: Actor, talk: HamletTalk) -> QuerySet[TalkAttendee]:
    return TalkAttendee.objects.for_actor(actor).filter(talk=talk).order_by("pk")


def talk_opinions(*, actor: Actor, talk: HamletTalk) -> QuerySet[TalkOpinion]:
    return TalkOpinion.objects.for_actor(actor).filter(talk=talk).order_by("pk")


def open_opinions(*, actor: Actor, node: GridNode | None = None) -> QuerySet[TalkOpinion]:
    """Opinions not yet closed (no outcome, or handed on and not yet taken over), by village."""
    qs = (
        TalkOpinion.objects.for_actor(actor)
        .filter(status__in=OPEN_STATUSES)
        .select_related("talk__node")
    )
    if node is not None:
        qs = qs.filter(talk__node__path__under=node.path)
    return qs.order_by("talk__node__path", "talk__held_on", "pk")


def village_names(*, actor: Actor) -> dict[str, str]:
    """The names of the villages in scope by path, to show which village a record is in."""
    return dict(GridNode.objects.for_actor(actor).filter(level=2).values_list("path", "name"))
