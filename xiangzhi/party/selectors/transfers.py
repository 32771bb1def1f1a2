"""Reads of 组织关系转接."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.types import Actor

from ..models import MembershipTransfer, PartyMember


def member_transfers(*, actor: Actor, member: PartyMember) -> QuerySet[MembershipTransfer]:
    """A member's transfers in and out, latest first: the history their profile keeps."""
    return MembershipTransfer.objects.for_actor(actor).filter(member=member)
