"""The nightly run of the service side: petitions past their limits are announced, and the
routing model is trained again on the day's dispatches. django-tasks has no periodic tasks: the
task queues its own next run, and the worker's start queues the first (register_worker_start)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

HOUR = 1  # 01:00 local time, after the day's work and before the morning's


def next_run(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    when = local.replace(hour=HOUR, minute=0, second=0, microsecond=0)
    return when if when > local else when + dt.timedelta(days=1)


def schedule_nightly(*, now: dt.datetime | None = None) -> bool:
    """Queue the next nightly run unless one is queued already; whether it queued one."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(appeals_nightly.get_backend(), DatabaseBackend):
        return False
    now = now or timezone.now()
    mine = DBTaskResult.objects.filter(task_path=appeals_nightly.module_path)
    mine.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - dt.timedelta(days=30)
    ).delete()
    if mine.filter(status=TaskResultStatus.READY).exists():
        return False
    appeals_nightly.using(run_after=next_run(now)).enqueue()
    return True


@task()
def appeals_nightly() -> dict:
    """Announce late petitions, train the routing model (both idempotent), queue the next run."""
    from .services.petition_notices import petition_deadline_sweep
    from .services.routing import routing_model_train

    try:
        late = petition_deadline_sweep()
        record = routing_model_train(actor=None)
        return {"late_petitions": late, "routing_model": record.pk if record else 0}
    finally:
        schedule_nightly()
