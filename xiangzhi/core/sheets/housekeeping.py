"""The worker's housekeeping of import jobs: a job that has been running past its time, or whose
worker is gone, and a queued job whose task is gone or ended without it, are failed with a
message that their uploader sees on the job's page. The worker runs it before every import and
every XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS (a task that schedules its own next run), and
`manage.py run_worker` runs it whenever it (re)starts a worker."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time

from django.conf import settings
from django.utils import timezone
from django_tasks.base import Task

from xiangzhi.core.models import ImportJob

from .runner import alive_path, import_job_fail

STUCK = (
    "导入超过 {minutes} 分钟仍未结束，已标记为失败，没有写入任何数据。"
    "请把表格拆成几个较小的文件后重新上传。"
)
WORKER_GONE = "处理这次导入的后台进程已停止，导入没有完成，没有写入任何数据。请重新上传。"
LOST = "这次导入的后台任务已丢失，导入没有进行，没有写入任何数据。请重新上传。"
# A queued job whose task is not known (queued before jobs remembered their task) waits this long.
UNKNOWN_TASK_WAIT = dt.timedelta(days=1)


def import_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Fail the stuck jobs (see the module docstring); return how many."""
    now = now or timezone.now()
    failed = 0
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING)
    for job in running.only("pk", "created_at", "started_at", "task_id"):
        message = _running_problem(job, now)
        failed += bool(message) and import_job_fail(job_id=job.pk, message=message)
    queued = ImportJob.objects.filter(status=ImportJob.Status.QUEUED)
    for job in queued.only("pk", "created_at", "task_id"):
        message = _queued_problem(job, now)
        failed += bool(message) and import_job_fail(job_id=job.pk, message=message)
    return failed


def _running_problem(job: ImportJob, now: dt.datetime) -> str:
    timeout = settings.XIANGZHI_IMPORT_TIMEOUT_SECONDS
    stale = settings.XIANGZHI_IMPORT_STALE_SECONDS
    started = job.started_at or job.created_at
    if started < now - dt.timedelta(seconds=timeout + stale):
        return STUCK.format(minutes=max(1, round(timeout / 60)))
    beat = _heartbeat(job.pk)
    if beat is None:  # the worker died before its first beat, or long ago
        return WORKER_GONE if started < now - dt.timedelta(seconds=stale) else ""
    if beat.get("host") == socket.gethostname() and not _alive(beat.get("pid")):
        return WORKER_GONE
    if time.time() - float(beat.get("at", 0)) > stale:
        return WORKER_GONE
    return ""


def _queued_problem(job: ImportJob, now: dt.datetime) -> str:
    if not job.task_id:
        return LOST if job.created_at < now - UNKNOWN_TASK_WAIT else ""
    from django_tasks import default_task_backend
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    try:
        result = default_task_backend.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return LOST
    if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
        return LOST  # the task ended and never took the job
    stale = dt.timedelta(seconds=settings.XIANGZHI_IMPORT_STALE_SECONDS)
    if result.status == TaskResultStatus.RUNNING and (result.started_at or now) < now - stale:
        return WORKER_GONE  # a worker took the task and died before it took the job
    return ""


def _heartbeat(job_id: int) -> dict | None:
    try:
        return json.loads(alive_path(job_id).read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def housekeeping_schedule(task: Task, *, now: dt.datetime | None = None) -> bool:
    """Queue the next housekeeping run unless one is queued already; whether it queued one. Only
    the database backend can tell what is queued (django-tasks has no API for it); the results of
    past runs older than a day are deleted, so that the queue table does not grow."""
    every = settings.XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS
    if not every:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    now = now or timezone.now()
    mine = DBTaskResult.objects.filter(task_path=task.module_path)
    old = now - dt.timedelta(days=1)
    mine.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=old).delete()
    if mine.filter(status=TaskResultStatus.READY).exists():
        return False
    task.using(run_after=now + dt.timedelta(seconds=every)).enqueue()
    return True
