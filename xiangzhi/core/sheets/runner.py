"""What the background worker does with an import job: run it, report progress, and delete the
uploaded files it no longer needs. Nothing here queues tasks (core.sheets.tasks does)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xiangzhi.core.models import ImportJob

from .engine import sheet_import

logger = logging.getLogger(__name__)
# How long a dry run keeps its file for "确认导入"; then the file (people's IDs) is deleted.
KEEP_CHECKED_FILE = dt.timedelta(hours=24)
INTERNAL_ERROR = "导入时发生内部错误，没有写入任何数据。请联系管理员查看日志。"
MEMORY_ERROR = (
    "表格太大或内容异常，导入所需的内存超过了上限，已停止，没有写入任何数据。"
    "请删除多余的行列或把表格拆成几个文件后重新上传。"
)


def _progress_path(job_id: int) -> Path:
    return Path(settings.XIANGZHI_UPLOAD_DIR) / f"job-{job_id}.progress"


def alive_path(job_id: int) -> Path:
    """The running job's heartbeat: which worker runs it, and when it last said so."""
    return Path(settings.XIANGZHI_UPLOAD_DIR) / f"job-{job_id}.alive"


def heartbeat(job_id: int) -> None:
    """Say that this process is running the job, and now (read by housekeeping)."""
    path = alive_path(job_id)
    # The folder is made by an upload; a job queued otherwise (import_xlsx, a restored
    # database) must not stop here, claimed and never finished.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
    )
    tmp.replace(path)


def import_job_confirmable(job: ImportJob, *, now: dt.datetime | None = None) -> bool:
    """Whether a dry run's file may still be imported as it was checked: the check finished
    within KEEP_CHECKED_FILE, read the file, and left something to write."""
    report = job.report or {}
    errors = report.get("errors") or []
    return (
        job.dry_run
        and job.status == ImportJob.Status.DONE
        and job.confirmed_as_id is None
        and bool(job.stored_as)
        and job.finished_at is not None
        and job.finished_at > (now or timezone.now()) - KEEP_CHECKED_FILE
        and not any(e.get("row") == 0 for e in errors)  # the file itself was refused
        and not (job.all_or_nothing and errors)  # the real import would write nothing
        and report.get("created", 0) + report.get("updated", 0) > 0
        and Path(job.stored_as).exists()
    )


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files that dry runs kept longer than KEEP_CHECKED_FILE; return how many. Each
    job is locked as import_job_confirm locks it, so a file is either handed over to an import or
    deleted, never both; the file goes when the transaction commits."""
    stale = (
        ImportJob.objects.filter(
            dry_run=True, finished_at__lt=(now or timezone.now()) - KEEP_CHECKED_FILE
        )
        .exclude(stored_as="")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(stale):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=pk).exclude(stored_as="").first()
            if job is None:  # confirmed meanwhile
                continue
            path = Path(job.stored_as)
            job.stored_as = ""
            job.save(update_fields=["stored_as"])
            transaction.on_commit(lambda p=path: p.unlink(missing_ok=True))
            count += 1
    return count


def failed_report(message: str = INTERNAL_ERROR) -> dict:
    """The report of a job that failed as a whole: one error for the file, shown on its page."""
    return {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [{"row": 0, "column": "", "message": message}],
    }


class _Superseded(Exception):
    """The job is no longer running (housekeeping failed it): what was written is rolled back."""


def _finish(job: ImportJob, *, status: str, report: dict, rows_read: int = 0) -> bool:
    """Record the job's outcome unless it is no longer running; whether it was recorded."""
    job.status, job.report, job.rows_read = status, report, rows_read
    job.finished_at = timezone.now()
    keep = status == ImportJob.Status.DONE and import_job_confirmable(job)
    if not keep:
        job.stored_as = ""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=job.status,
            report=job.report,
            rows_read=job.rows_read,
            finished_at=job.finished_at,
            stored_as=job.stored_as,
        )
    )


def import_job_claim(*, job_id: int) -> ImportJob | None:
    """Take a queued job for this worker (a task delivered twice must not import twice); None
    when it is not queued any more."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    return ImportJob.objects.select_related("created_by").get(pk=job_id) if claimed else None


def import_job_execute(
    job: ImportJob, *, on_progress: Callable[[int], None] | None = None
) -> ImportJob:
    """Import a claimed job's file and record the outcome. The import, its audit events and the
    job's new status commit together: a process killed before the commit leaves nothing, and
    one that finds its job failed meanwhile (by housekeeping) takes its writes back. A
    MemoryError is left to the caller (the sandbox's child dies of it at once)."""
    progress_file, stored = _progress_path(job.pk), job.stored_as

    def progress(rows: int) -> None:
        # The import runs in one transaction, so progress goes to a file other processes can read.
        progress_file.write_text(json.dumps({"rows": rows}))
        if on_progress is not None:
            on_progress(rows)

    try:
        with transaction.atomic():
            report = sheet_import(
                actor=job.created_by,
                kind=job.kind,
                path=stored,
                dry_run=job.dry_run,
                all_or_nothing=job.all_or_nothing,
                progress=progress,
                source_name=job.file_name,
            )
            done = ImportJob.Status.DONE
            if not _finish(job, status=done, report=report.as_dict(), rows_read=report.rows):
                raise _Superseded
    except _Superseded:
        job.refresh_from_db()
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - the job records any failure for the user
        # The details (which may quote database values) go to the log, not to the page.
        logger.exception("import job %s failed", job.pk)
        _finish(job, status=ImportJob.Status.FAILED, report=failed_report())
    if not job.stored_as:
        Path(stored).unlink(missing_ok=True)
    progress_file.unlink(missing_ok=True)
    return job


def import_job_fail(*, job_id: int, message: str) -> bool:
    """Fail a job that is still queued or running (its worker died, it ran past its time) with a
    message for its uploader; its file and progress go. Whether it was failed."""
    job = ImportJob.objects.filter(pk=job_id).first()
    failed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(
        status=ImportJob.Status.FAILED,
        report=failed_report(message),
        finished_at=timezone.now(),
        stored_as="",
    )
    if failed and job is not None:
        if job.stored_as:
            Path(job.stored_as).unlink(missing_ok=True)
        _progress_path(job_id).unlink(missing_ok=True)
        alive_path(job_id).unlink(missing_ok=True)
    return bool(failed)


def import_job_run(*, job_id: int, on_kept: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Run a queued job in this process (the worker when XIANGZHI_IMPORT_SANDBOX is off, and
    tests inside one transaction); the uploaded file is deleted afterwards, unless a dry run
    keeps it for 确认导入: `on_kept(job)` then schedules its deletion."""
    job = import_job_claim(job_id=job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    heartbeat(job.pk)  # and after each batch: housekeeping leaves a beating job alone
    try:
        job = import_job_execute(job, on_progress=lambda rows: heartbeat(job_id))
    except MemoryError:
        import_job_fail(job_id=job.pk, message=MEMORY_ERROR)
        job.refresh_from_db()
    alive_path(job.pk).unlink(missing_ok=True)
    import_job_done(job, on_kept=on_kept)
    return job


def import_job_done(job: ImportJob, *, on_kept: Callable[[ImportJob], None] | None) -> None:
    """What follows a job, wherever it ran: a kept file's deletion is scheduled, old ones go."""
    if job.status == ImportJob.Status.DONE and job.stored_as and on_kept is not None:
        on_kept(job)
    import_files_purge()


def import_job_progress(job: ImportJob) -> int:
    """How many rows the job has read so far."""
    if job.status != ImportJob.Status.RUNNING:
        return job.rows_read
    try:
        return json.loads(_progress_path(job.pk).read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return 0
