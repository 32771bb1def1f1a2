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


def _overdue(world) -> tuple[int, int]:
    """变动回访逾期 of 甲村: counted live (the coverage page) and kept (the grid's figure)."""
    from xiangzhi.grid.models import GridNode
    from xiangzhi.grid.rollup import rollup_children
    from xiangzhi.party.selectors import coverage_of

    a = world.a
    today = timezone.localdate()
    live = coverage_of(actor=world.admin, node=a.node, start=today.replace(day=1), end=today)
    kept = rollup_children(GridNode.objects.get(pk=a.node.pk), [])[0].counts
    return live.follow_ups_overdue, kept.get("follow_ups_overdue", 0)


def test_a_household_that_left_the_register_owes_no_follow_up_visit(world):
    """No one may visit a household that moved away (visit_record refuses it): its follow-up
    stayed overdue on the coverage page and the grid's figure for ever."""
    from django.core.exceptions import ValidationError

    from tests.factories import make_id
    from xiangzhi.party.models import FollowUp
    from xiangzhi.party.services import visit_record
    from xiangzhi.people.services import ResidentData, household_register

    a = world.a
    before = _overdue(world)
    arrived = timezone.localdate() - dt.timedelta(days=40)
    home = household_register(
        actor=a.cadre,
        node=a.grid,
        address="甲村暂住巷1号",
        occurred_on=arrived,
        head=ResidentData(name="甲暂住", id_number=make_id(dt.date(1979, 9, 9), "M")),
    )
    assert FollowUp.objects.get(household=home).done_on is None
    assert _overdue(world) == (before[0] + 1, before[1] + 1)
    resident_move_out(actor=a.cadre, resident=home.head, occurred_on=DAY)
    home.refresh_from_db()
    with pytest.raises(ValidationError, match="已迁出"):
        visit_record(actor=a.cadre, household=home, visited_on=DAY, met="无人", learned="已搬走")
    assert _overdue(world) == before
