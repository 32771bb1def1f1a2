"""Two at once, with real threads (on SQLite and on PostgreSQL): a step is taken once, however
many take it together, and two deadline sweeps mark an overdue appeal once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, AppealEvent, AppealRating

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*calls) -> list:
    """Run the calls in threads released at once; what each returned or raised."""
    start = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        try:
            start.wait(10)
            out[i] = call()
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            out[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_two_ratings_at_once_make_one_rating(world):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    services.appeal_reply(actor=a.worker, appeal=a.appeal, note="已修好")
    pk = a.appeal.pk
    results = _together(
        lambda: services.appeal_rate(actor=a.villager, appeal=Appeal.objects.get(pk=pk), score=5),
        lambda: services.appeal_follow_up(actor=a.cadre, appeal=Appeal.objects.get(pk=pk), score=2),
    )
    assert sum(isinstance(r, Appeal) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert AppealRating.objects.filter(appeal_id=pk).count() == 1


def test_two_sweeps_at_once_mark_an_overdue_appeal_once(world):
    a = world.a
    Appeal.objects.filter(pk=a.appeal.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    results = _together(services.appeal_deadline_sweep, services.appeal_deadline_sweep)
    assert sorted(r["overdue"] for r in results) == [0, 1], results
    assert AppealEvent.objects.filter(appeal=a.appeal, action="overdue").count() == 1
    assert AppealEvent.objects.filter(appeal=a.appeal, action="escalate").count() == 1
