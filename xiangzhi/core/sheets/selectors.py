"""Reads of the sheet pages."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.models import ImportJob
from xiangzhi.core.types import Actor


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    """The actor's own import jobs, newest first."""
    return ImportJob.objects.for_actor(actor).order_by("-created_at")
