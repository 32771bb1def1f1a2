"""A member who dies or moves away leaves their posts (设岗定责) as a transfer out does: the post
lists them no more as its holder, nor their 我的党务, and the history of what they did stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiangzhi.core.models import AuditEvent
from xiangzhi.party.models import PostAssignment, PostEntry
from xiangzhi.party.selectors import post_list
from xiangzhi.people.services import resident_move_out, resident_record_death

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - dt.timedelta(days=3)


def _holders(world) -> list[str]:
    a = world.a
    return [h.member.resident.name for p in post_list(actor=a.cadre) for h in p.holders]


def test_a_members_death_ends_their_posts_on_the_day_and_keeps_what_they_did(world):
    a = world.a
    assert a.other_head.name in _holders(world)
    resident_record_death(actor=a.cadre, resident=a.other_head, occurred_on=DAY, cause="illness")
    assert a.other_head.name not in _holders(world)
    held = PostAssignment.objects.get(member=a.party_member)
    assert held.ended_on == DAY
    assert PostEntry.objects.filter(assignment=held).exists()
    event = AuditEvent.objects.get(action="party.post_assignment_end", object_id=str(held.pk))
    assert event.changes["reason"] == "死亡"


def test_a_members_move_away_ends_their_posts(world):
    a = world.a
    resident_move_out(actor=a.cadre, resident=a.other_head, occurred_on=DAY)
    assert a.other_head.name not in _holders(world)
    assert not PostAssignment.objects.filter(member=a.party_member, ended_on__isnull=True).exists()


def test_a_departure_dated_before_the_post_began_ends_it_on_its_first_day(world):
    """A death entered late, dated before the member took the post: the post ends the day it
    began (an end before the start is refused everywhere else)."""
    a = world.a
    held = PostAssignment.objects.get(member=a.party_member)
    resident_record_death(
        actor=a.cadre, resident=a.other_head, occurred_on=held.started_on - dt.timedelta(days=5)
    )
    held.refresh_from_db()
    assert held.ended_on == held.started_on
