"""The demo township's contact work and organisational life went through the services: every link,
visit and need has its audit event, the coverage is not trivial (some households and follow-ups
overdue), the figures verify, and every village has its meetings, posts and hamlet talks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiangzhi.accounts.models import User
from xiangzhi.core import figures
from xiangzhi.core.audit import verify_chain
from xiangzhi.core.models import AuditEvent
from xiangzhi.grid.models import GridNode
from xiangzhi.party.models import ContactLink, FollowUp, Meeting, Post, Visit, VisitNeed
from xiangzhi.party.models.talks import HamletTalk
from xiangzhi.party.selectors import coverage_of
from xiangzhi.party.selectors.meetings import overdue_branches
from xiangzhi.people.models import Household

from .test_demo_loaders import TINY


def _object_ids(action: str) -> set[str]:
    return set(AuditEvent.objects.filter(action=action).values_list("object_id", flat=True))


@pytest.mark.django_db
def test_every_link_visit_and_settled_need_of_the_demo_has_its_audit_event(tiny_demo):
    links = {str(pk) for pk in ContactLink.objects.values_list("pk", flat=True)}
    visits = {str(pk) for pk in Visit.objects.values_list("pk", flat=True)}
    assert len(links) == Household.objects.filter(status="active").count() > 30
    assert len(visits) > 3 * len(links)
    assert _object_ids("party.contact_link_add") == links
    assert _object_ids("party.visit_record") == visits
    settled = VisitNeed.objects.exclude(status=VisitNeed.Status.OPEN)
    assert settled.exists()
    assert {str(pk) for pk in settled.values_list("pk", flat=True)} == _object_ids(
        "party.need_close"
    ) | _object_ids("party.need_take")
    # Every visit is a member's, as entered for them; the records are marked as the demo's.
    assert not Visit.objects.filter(member__isnull=True).exists()
    assert not Visit.objects.filter(is_synthetic=False).exists()
    assert not ContactLink.objects.filter(is_synthetic=False).exists()
    assert verify_chain()[1] is None
    assert figures.verify() == []


@pytest.mark.django_db
def test_the_demo_townships_coverage_is_not_trivial(tiny_demo):
    chief = User.objects.get(username="demo_shuji")
    town = GridNode.objects.get(level=1)
    today = timezone.localdate()
    cov = coverage_of(
        actor=chief, node=town, start=today - dt.timedelta(days=365), end=today, today=today
    )
    assert cov.linked == cov.households > 30
    assert 0 < cov.overdue < cov.linked // 2  # most households visited on time, some not
    assert cov.linked // 2 < cov.visited <= cov.linked
    assert cov.members_visiting > 0 and cov.visits > 3 * cov.linked
    this_month = coverage_of(actor=chief, node=town, start=today.replace(day=1), end=today)
    assert this_month.visits > 0 or today.day < 5
    # The registry's changes flagged follow-ups: the visits since closed some, others are late.
    assert FollowUp.objects.filter(done_on__isnull=False, visit__isnull=False).exists()
    assert cov.follow_ups_overdue > 0
    assert VisitNeed.objects.filter(status=VisitNeed.Status.OPEN).exists()


@pytest.mark.django_db
def test_every_village_of_the_demo_township_has_its_organisational_life(tiny_demo):
    chief = User.objects.get(username="demo_shuji")
    villages = GridNode.objects.filter(level=2)
    assert villages.count() == TINY.villages_per_town
    for village in villages:
        under = {"organisation__path__startswith": village.path}
        assert Meeting.objects.filter(status=Meeting.Status.HELD, **under).exists(), village
        assert Meeting.objects.filter(organisation__level=4, **under).exists(), village
        assert Post.objects.filter(node=village).exists(), village
        assert HamletTalk.objects.filter(node__path__startswith=village.path).exists(), village
    town = GridNode.objects.get(level=1)
    assert overdue_branches(actor=chief, node=town, today=timezone.localdate())
