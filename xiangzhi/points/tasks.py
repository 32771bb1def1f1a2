"""The worker's end of public notice: claims whose notice period is over become final.

An approval queues `finalize_due_claims` for the end of its notice (on commit); the task makes
every due claim final, whichever approval queued it, so a run that finds nothing due (another
run got there first) changes nothing, and a lost run is made up by the next one. Each run also
queues the next for the earliest notice still running.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def finalize_due_claims() -> int:
    """Make every claim whose notice has ended final; return how many."""
    from .services.claims import claims_finalize_due

    try:
        return claims_finalize_due()
    finally:
        schedule_next()  # a failed run still leaves the next one queued


def schedule_next() -> bool:
    """Queue a run for the end of the earliest notice still running, if any."""
    from .models import PointClaim

    first = (
        PointClaim.objects.filter(status=PointClaim.Status.ON_NOTICE)
        .order_by("notice_until")
        .values_list("notice_until", flat=True)
        .first()
    )
    return schedule_finalize(first) if first else False


def schedule_finalize(at: dt.datetime) -> bool:
    """Queue a run at `at` unless one is already queued at or before it (database queue)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(finalize_due_claims.get_backend(), DatabaseBackend):
        return False
    run_at = max(at, timezone.now()) + dt.timedelta(seconds=1)
    queued = DBTaskResult.objects.filter(
        task_path=finalize_due_claims.module_path, status=TaskResultStatus.READY
    )
    if queued.filter(run_after__lte=run_at).exists():
        return False
    finalize_due_claims.using(run_after=run_at).enqueue()
    return True
