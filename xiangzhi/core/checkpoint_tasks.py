"""Writing signed audit checkpoints: the service the command and the worker's daily task call,
and the daily schedule (django-tasks has no periodic tasks: the task queues its own next run with
`run_after`, and the worker's start queues the first, like the import housekeeping)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .actions import CoreAction
from .audit import audit_record
from .checkpoint import build_checkpoint, dumps, save_checkpoint


def audit_checkpoint_write(*, actor, output: Path | None = None) -> tuple[dict, Path]:
    """Sign every chain's head; keep the checkpoint in the checkpoint directory (and in `output`
    when given). The signing is audited afterwards, in the node-less chain."""
    checkpoint = build_checkpoint()
    kept = save_checkpoint(checkpoint)
    if output is not None:
        Path(output).write_text(dumps(checkpoint))
    audit_record(
        actor=actor,
        action=CoreAction.AUDIT_CHECKPOINT_CREATE,
        object_type="core.audithead",
        object_repr=kept.name,
        changes={"chains": len(checkpoint["chains"]), "key_id": checkpoint["key_id"]},
    )
    return checkpoint, kept


def next_checkpoint_time(now: dt.datetime) -> dt.datetime | None:
    """The next XIANGZHI_AUDIT_CHECKPOINT_HOUR o'clock (local time) after `now`."""
    hour = settings.XIANGZHI_AUDIT_CHECKPOINT_HOUR
    if hour is None:
        return None
    local = timezone.localtime(now)
    when = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if when <= local:
        when += dt.timedelta(days=1)
    return when


def checkpoint_schedule(*, now: dt.datetime | None = None) -> bool:
    """Queue the next daily checkpoint unless one is queued already; whether it queued one."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    when = next_checkpoint_time(now)
    if when is None or not isinstance(daily_audit_checkpoint.get_backend(), DatabaseBackend):
        return False
    mine = DBTaskResult.objects.filter(task_path=daily_audit_checkpoint.module_path)
    old = now - dt.timedelta(days=30)
    mine.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=old).delete()
    if mine.filter(status=TaskResultStatus.READY).exists():
        return False
    daily_audit_checkpoint.using(run_after=when).enqueue()
    return True


@task()
def daily_audit_checkpoint() -> str:
    """Sign the chains' heads, then queue tomorrow's run."""
    try:
        _, kept = audit_checkpoint_write(actor=None)
    finally:
        checkpoint_schedule()
    return kept.name
