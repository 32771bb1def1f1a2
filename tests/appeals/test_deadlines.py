"""Deadlines in working days, the reminder before and the overdue escalation after (the worker's
sweep, idempotent), the overdue board and the figures they keep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, AppealDeadlineRule, AppealEvent
from xiangzhi.core import figures
from xiangzhi.core.models import FigureCount, Notification

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def kept(node, key: str, period: str = "") -> int:
    rows = FigureCount.objects.filter(path__under=node.path, key=key, period=period)
    return sum(rows.values_list("value", flat=True))


def test_the_deadline_skips_the_national_day_holidays_and_counts_the_make_up_saturday(world):
    a = world.a
    raised = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    appeal = services.appeal_submit(actor=a.worker, household=a.household, text="求助", at=raised)
    # 5 working days after 30 September 2025: 9, 10, 11 (a make-up Saturday), 13 and 14 October.
    assert timezone.localtime(appeal.deadline).date() == dt.date(2025, 10, 14)


def test_each_kind_takes_its_deadline_from_the_admin_table(world):
    AppealDeadlineRule.objects.create(kind="inquiry", reply_days=1, remind_days=0)
    raised = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    appeal = services.appeal_submit(
        actor=world.a.worker, household=world.a.household, text="咨询", kind="inquiry", at=raised
    )
    assert timezone.localtime(appeal.deadline).date() == dt.date(2025, 10, 9)


def _due(appeal: Appeal, when: dt.datetime) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(deadline=when)
    return Appeal.objects.get(pk=appeal.pk)


def test_the_assignee_is_reminded_once_before_the_deadline(
    world, django_capture_on_commit_callbacks
):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    services.appeal_assign(actor=a.worker, appeal=a.appeal, assignee=a.sibling_worker)
    _due(a.appeal, timezone.now() + dt.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appeal_deadline_sweep() == {"reminded": 1, "overdue": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appeal_deadline_sweep() == {"reminded": 0, "overdue": 0}
    notes = Notification.objects.filter(recipient=a.sibling_worker, event="appeal.due_soon")
    assert notes.count() == 1
    assert AppealEvent.objects.filter(appeal=a.appeal, action="remind", internal=True).count() == 1


def test_an_overdue_appeal_is_marked_once_and_climbs_one_level(
    world, django_capture_on_commit_callbacks
):
    a = world.a
    _due(a.appeal, timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appeal_deadline_sweep()["overdue"] == 1
        assert services.appeal_deadline_sweep()["overdue"] == 0
    a.appeal.refresh_from_db()
    assert a.appeal.overdue and a.appeal.node == a.group  # the central household's parent
    assert a.appeal.origin_node == a.grid
    actions = list(AppealEvent.objects.filter(appeal=a.appeal).values_list("action", flat=True))
    assert actions == ["submit", "overdue", "escalate"]
    assert kept(a.node, "appeals_overdue") == 1 and kept(world.b.node, "appeals_overdue") == 0
    assert figures.verify() == []
    # The group's handlers are told: the hamlet group leader reads it, the cadres handle it.
    assert Notification.objects.filter(recipient=a.cadre, event="appeal.escalated").exists()


def test_an_appeal_replied_after_its_deadline_does_not_count_as_on_time(world):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    _due(a.appeal, timezone.now() - dt.timedelta(days=1))
    services.appeal_reply(actor=a.worker, appeal=a.appeal, note="迟了")
    month = figures.current_period()
    assert Appeal.objects.get(pk=a.appeal.pk).overdue
    assert kept(a.node, "appeals_on_time", month) == 1  # the rated one of the other household
    # the world's appeals of the village: its two, and the other household's menu request
    received = Appeal.objects.filter(node__path__startswith=a.node.path).count()
    assert kept(a.node, "appeals_received", month) == received == 3


def _overdue_appeals(world, n: int) -> None:
    a = world.a
    for i in range(n):
        appeal = services.appeal_submit(actor=a.worker, household=a.household, text=f"第{i}件事")
        if i % 2:
            services.appeal_accept(actor=a.worker, appeal=appeal)
            services.appeal_dispatch(
                actor=world.chief, appeal=appeal, department=a.department_user_department
            )
    Appeal.objects.filter(node__path__under=a.node.path).update(
        deadline=timezone.now() - dt.timedelta(hours=1)
    )
    services.appeal_deadline_sweep()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_overdue_board_costs_the_same_queries_for_few_and_many_appeals(client, world):
    from xiangzhi.accounts.models import Department

    world.a.department_user_department = Department.objects.get(code="civil_affairs")
    client.force_login(world.chief)
    client.get(reverse("appeals:overdue"))  # the session's first request writes it
    _overdue_appeals(world, 2)
    few = _queries(client, reverse("appeals:overdue"))
    _overdue_appeals(world, 12)
    many = _queries(client, reverse("appeals:overdue"))
    page = client.get(reverse("appeals:overdue")).content.decode()
    assert "甲村" in page and "民政" in page
    assert many == few
    assert _queries(client, reverse("appeals:list")) == _queries(
        client, reverse("appeals:list") + "?state=overdue"
    )
