"""A member's day of visits entered at once (走访日), a visit entered for the member who made it,
and a follow-up whose deadline runs from the change itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_id
from xiangzhi.core import figures
from xiangzhi.core.models import AuditEvent
from xiangzhi.party.models import ContactLink, FollowUp, Visit, VisitNeed
from xiangzhi.party.selectors import coverage_of
from xiangzhi.party.services import VisitEntry, visit_record, visits_record_day
from xiangzhi.people.models import Resident
from xiangzhi.people.services import ResidentData, resident_add

TODAY = timezone.localdate()


def _entries(a, need: str = "") -> list[VisitEntry]:
    return [
        VisitEntry(a.household, "户主本人", "甲村走访日情况", (need,) if need else ()),
        VisitEntry(a.other_household, "户主", "甲村隔壁情况"),
    ]


@pytest.mark.django_db
def test_a_cadre_enters_a_members_day_of_visits_each_with_its_own_event(world):
    a = world.a
    day = TODAY - dt.timedelta(days=3)
    ContactLink.objects.filter(household__in=(a.household, a.other_household)).update(
        last_visit_on=TODAY - dt.timedelta(days=30)
    )
    visits = visits_record_day(
        actor=a.cadre,
        member=a.party_member,
        visited_on=day,
        entries=_entries(a, need="甲村希望修路"),
    )
    assert {v.household_id for v in visits} == {a.household.pk, a.other_household.pk}
    assert all(v.member == a.party_member and v.recorded_by == a.cadre for v in visits)
    events = AuditEvent.objects.filter(
        action="party.visit_record", object_id__in=[str(v.pk) for v in visits]
    )
    assert events.count() == 2 and {e.node_id for e in events} == {
        a.household.node_id,
        a.other_household.node_id,
    }
    assert VisitNeed.objects.get(visit__in=visits).text == "甲村希望修路"
    assert set(
        ContactLink.objects.filter(household__in=(a.household, a.other_household)).values_list(
            "last_visit_on", flat=True
        )
    ) == {day}


@pytest.mark.django_db
def test_only_a_cadre_of_the_village_enters_visits_for_another_member(world):
    a, b = world.a, world.b
    before = Visit.objects.count()
    with pytest.raises(PermissionDenied):  # the sibling village's cadre
        visits_record_day(
            actor=b.cadre, member=a.party_member, visited_on=TODAY, entries=_entries(a)
        )
    with pytest.raises(PermissionDenied):  # a member names someone else as the visitor
        visit_record(
            actor=b.member_user,
            household=a.household,
            member=a.party_member,
            visited_on=TODAY,
            met="户主",
            learned="情况",
        )
    with pytest.raises(ValidationError) as refused:  # 乙村's member for 甲村's households
        visits_record_day(
            actor=a.cadre, member=b.party_member, visited_on=TODAY, entries=_entries(a)
        )
    assert "本村" in str(refused.value)
    with pytest.raises(ValidationError):  # the same household twice in one day
        visits_record_day(
            actor=a.cadre,
            member=a.party_member,
            visited_on=TODAY,
            entries=[*_entries(a), _entries(a)[0]],
        )
    assert Visit.objects.count() == before


@pytest.mark.django_db
def test_the_back_dating_rule_runs_from_the_day_of_the_entry(world):
    a = world.a
    long_ago = TODAY - dt.timedelta(days=100)
    with pytest.raises(ValidationError):
        visit_record(
            actor=a.cadre,
            household=a.household,
            member=a.party_member,
            visited_on=long_ago,
            met="户主",
            learned="旧",
        )
    visit = visit_record(
        actor=a.cadre,
        household=a.household,
        member=a.party_member,
        visited_on=long_ago,
        recorded_on=long_ago + dt.timedelta(days=2),
        met="户主",
        learned="旧",
    )
    assert visit.member == a.party_member


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_change_entered_late_is_due_from_the_day_it_happened_and_a_day_of_visits_closes_it(
    world,
):
    a = world.a
    born = TODAY - dt.timedelta(days=20)
    # The world's visits are today's: moved before the birth, or the birth is entered already
    # followed up (a visit since the change closes its follow-up, tests/review/test_session4_*).
    Visit.objects.filter(household=a.household).update(visited_on=born - dt.timedelta(days=1))
    figures.touch(a.household.node)  # written directly: its figures are recounted
    child = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        occurred_on=born,
        data=ResidentData(
            name="甲晚登", id_number=make_id(born, "M"), relation=Resident.Relation.CHILD
        ),
    )
    follow_up = FollowUp.objects.get(change__resident=child)
    assert follow_up.due_on == born + dt.timedelta(days=15)
    cov = coverage_of(actor=a.cadre, node=a.node, start=TODAY.replace(day=1), end=TODAY)
    assert cov.follow_ups_overdue == 1
    visits = visits_record_day(
        actor=a.cadre, member=a.party_member, visited_on=TODAY, entries=_entries(a)
    )
    follow_up.refresh_from_db()
    assert follow_up.done_on == TODAY and follow_up.visit_id in {v.pk for v in visits}
    event = AuditEvent.objects.get(action="party.visit_record", object_id=str(follow_up.visit_id))
    assert event.changes["follow_ups_done"] == 1


@pytest.mark.django_db
def test_the_visited_earlier_fixture_moves_the_links_and_the_figures_with_the_visits(
    world, visited_earlier
):
    """Tests that move the world's visits a month back read overdue links and monthly figures
    as if the visits had been made then."""
    assert not Visit.objects.filter(visited_on=TODAY).exists()
    links = ContactLink.objects.exclude(last_visit_on=None)
    assert links.exists()
    for link in links:
        last = Visit.objects.filter(household=link.household).order_by("-visited_on").first()
        assert link.last_visit_on == last.visited_on < TODAY
    assert figures.verify() == []
