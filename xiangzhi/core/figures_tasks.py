"""The worker's daily recount of the figures that depend on the date as well as on the records
(register_figure(..., daily=True): residents aged 60 and over change on birthdays, with no write).
The worker's start queues it (run_worker), and each run queues the next, shortly after midnight."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import figures

RUN_AT = dt.time(0, 10)  # local time (Asia/Shanghai), after the date has changed


def next_run(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    day = local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, RUN_AT), local.tzinfo)


@task()
def refresh_daily_figures() -> int:
    """Recount the date-dependent figures everywhere; return how many rows changed."""
    with transaction.atomic():
        changed = figures.refresh_daily()
    schedule_daily_figures()
    return changed


def schedule_daily_figures(now: dt.datetime | None = None) -> bool:
    """Queue the next daily recount unless one is queued (database queue only); whether it did.
    Nothing is queued while no figure depends on the date."""
    if not figures.daily_figures():
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(refresh_daily_figures.get_backend(), DatabaseBackend):
        return False
    mine = DBTaskResult.objects.filter(task_path=refresh_daily_figures.module_path)
    old = (now or timezone.now()) - dt.timedelta(days=2)
    mine.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=old).delete()
    if mine.filter(status=TaskResultStatus.READY).exists():
        return False
    refresh_daily_figures.using(run_after=next_run(now)).enqueue()
    return True
