"""The worker's deadline sweep (reminders, overdue, escalation), every hour.

django-tasks has no periodic tasks: the task queues its own next run with `run_after`, and the
worker's start queues the first (core.registry.register_worker_start), like core's daily ones.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

EVERY = dt.timedelta(hours=1)


def schedule_deadline_sweep(*, now: dt.datetime | None = None) -> bool:
    """Queue the next sweep unless one is queued already; whether it queued one."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(appeal_deadlines.get_backend(), DatabaseBackend):
        return False
    now = now or timezone.now()
    mine = DBTaskResult.objects.filter(task_path=appeal_deadlines.module_path)
    mine.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - EVERY * 24).delete()
    if mine.filter(status=TaskResultStatus.READY).exists():
        return False
    appeal_deadlines.using(run_after=now + EVERY).enqueue()
    return True


@task()
def appeal_deadlines() -> dict:
    """Remind, mark overdue and escalate (idempotent), then queue the next run."""
    from .services import appeal_deadline_sweep

    try:
        return appeal_deadline_sweep()
    finally:
        schedule_deadline_sweep()
