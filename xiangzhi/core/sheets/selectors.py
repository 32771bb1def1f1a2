"""Reads of the sheet pages."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.models import ImportJob
from xiangzhi.core.types import Actor


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    """The actor's own import jobs, newest first."""
    return ImportJob.objects.for_actor(actor).order_by("-created_at")


def import_jobs_to_confirm(*, actor: Actor, limit: int = 10) -> list[ImportJob]:
    """The actor's checked files (只检查) that wait for 确认导入, newest first (a to-do)."""
    from django.utils import timezone

    from .runner import KEEP_CHECKED_FILE, import_job_confirmable

    jobs = (
        import_job_list(actor=actor)
        .filter(
            dry_run=True,
            status=ImportJob.Status.DONE,
            confirmed_as__isnull=True,
            finished_at__gt=timezone.now() - KEEP_CHECKED_FILE,
        )
        .exclude(stored_as="")[:limit]
    )
    return [job for job in jobs if import_job_confirmable(job)]
