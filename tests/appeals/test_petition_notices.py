"""Petitions and disputes tell the department and the village (inbox and webhooks, after the
commit); a petition past its limit is announced once, however often the nightly run goes."""

import datetime as dt

from django.utils import timezone

from xiangzhi.accounts.models import Department
from xiangzhi.appeals.models import Petition
from xiangzhi.appeals.services.petition_notices import petition_deadline_sweep
from xiangzhi.appeals.services.petitions import petition_register
from xiangzhi.appeals.tasks_extra import next_run
from xiangzhi.core.models import Notification, WebhookDelivery, WebhookEndpoint


def _register(world, days_ago):
    return petition_register(
        actor=world.a.cadre,
        node=world.a.grid,
        petitioner="甲某",
        channel="letter",
        subject="甲村宅基地",
        content="甲村宅基地确权有争议",
        department=Department.objects.get(code="petitions"),
        received_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def test_a_registered_petition_reaches_the_village_inbox_and_the_webhooks(
    world, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(name="镇信访群", url="http://127.0.0.1:9/hook", format="json")
    with django_capture_on_commit_callbacks(execute=True):
        p = _register(world, days_ago=1)
    assert Notification.objects.filter(
        recipient=world.a.cadre, event="petition.registered", link__endswith=f"/{p.pk}/"
    ).exists()
    assert WebhookDelivery.objects.filter(event="petition.registered").count() == 1


def test_a_late_petition_is_announced_once(world, django_capture_on_commit_callbacks):
    late = _register(world, days_ago=20)  # the 15-day limit passed five days ago
    on_time = _register(world, days_ago=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert petition_deadline_sweep() >= 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.overdue_notified == late.decide_by
    assert on_time.overdue_notified is None
    overdue = Notification.objects.filter(event="petition.overdue", recipient=world.a.cadre)
    assert overdue.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        petition_deadline_sweep()
    assert overdue.count() == 1
    assert Petition.objects.get(pk=late.pk).state == Petition.State.RECEIVED


def test_the_nightly_run_is_at_one_in_the_morning():
    noon = timezone.make_aware(dt.datetime(2026, 12, 1, 12, 0))
    assert timezone.localtime(next_run(noon)).strftime("%m-%d %H:%M") == "12-02 01:00"
