"""Maintainer review of the appeals app (issue 15): confirmed bugs, each a failing test."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, State
from xiangzhi.appeals.services.deadlines import appeal_deadline_sweep


def test_a_reopened_appeal_gets_a_new_deadline_and_is_not_overdue_at_once(world):
    # Replied in time; the requester rates it unsatisfied after the first deadline has passed
    # (a rating may come days later). Reopening must give the handler a new period, not hand
    # the next deadline sweep an appeal that is overdue (and escalated) the moment it reopens.
    a = world.a
    appeal = a.appeal
    services.appeal_accept(actor=a.worker, appeal=appeal)
    services.appeal_reply(actor=a.worker, appeal=appeal, note="已处理")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=1, comment="根本没修")
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
    services.appeal_reopen(
        actor=a.villager, appeal=Appeal.objects.get(pk=appeal.pk), note="还是不亮"
    )
    node_before = Appeal.objects.get(pk=appeal.pk).node_id
    appeal_deadline_sweep()
    reopened = Appeal.objects.get(pk=appeal.pk)
    assert reopened.state == State.IN_PROGRESS
    assert reopened.deadline > timezone.now()
    assert not reopened.overdue and reopened.node_id == node_before
