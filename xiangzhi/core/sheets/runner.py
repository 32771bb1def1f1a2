"""What the background worker does with an import job: run it, report progress, and delete the
uploaded files it no longer needs. Nothing here queues tasks (core.sheets.tasks does)."""

from __future__ import annotations

import datetime as dt
import json
import logging
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
INTERNAL_ERROR = "导入时发生内部错误,没有写入任何数据。请联系管理员查看日志。"


def _progress_path(job_id: int) -> Path:
    return Path(settings.XIANGZHI_UPLOAD_DIR) / f"job-{job_id}.progress"


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


def _failed_report() -> dict:
    return {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [{"row": 0, "column": "", "message": INTERNAL_ERROR}],
    }


def import_job_run(*, job_id: int, on_kept: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Run a queued job (in the worker); the uploaded file is deleted afterwards, unless a dry
    run keeps it for 确认导入: `on_kept(job)` then schedules its deletion."""
    # Claim the job atomically: a task delivered twice must not import twice.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    progress_file = _progress_path(job.pk)

    def progress(rows: int) -> None:
        # The import runs in one transaction, so progress goes to a file other processes can read.
        progress_file.write_text(json.dumps({"rows": rows}))

    try:
        report = sheet_import(
            actor=job.created_by,
            kind=job.kind,
            path=job.stored_as,
            dry_run=job.dry_run,
            all_or_nothing=job.all_or_nothing,
            progress=progress,
            source_name=job.file_name,
        )
    except Exception:  # noqa: BLE001 - the job records any failure for the user
        # The details (which may quote database values) go to the log, not to the page.
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.report = _failed_report()
    else:
        job.status = ImportJob.Status.DONE
        job.report = report.as_dict()
        job.rows_read = report.rows
    job.finished_at = timezone.now()
    keep = import_job_confirmable(job)  # a dry run keeps its file for "确认导入"
    if not keep:
        Path(job.stored_as).unlink(missing_ok=True)
        job.stored_as = ""
    job.save(update_fields=["status", "report", "rows_read", "finished_at", "stored_as"])
    progress_file.unlink(missing_ok=True)
    if keep and on_kept is not None:
        on_kept(job)
    import_files_purge()
    return job


def import_job_progress(job: ImportJob) -> int:
    """How many rows the job has read so far."""
    if job.status != ImportJob.Status.RUNNING:
        return job.rows_read
    try:
        return json.loads(_progress_path(job.pk).read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return 0
