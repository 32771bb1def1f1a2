"""Uploaded imports: store the file, queue the job, run it in the worker, report progress."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for

from ..models import ImportJob
from .imports import registry_import

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}
# How long a dry run keeps its file for "确认导入"; then the file (people's IDs) is deleted.
KEEP_CHECKED_FILE = dt.timedelta(hours=24)


def _progress_path(job_id: int) -> Path:
    return Path(settings.XIANGZHI_UPLOAD_DIR) / f"job-{job_id}.progress"


@transaction.atomic
def import_job_create(
    *, actor, kind: str, upload, dry_run: bool = False, all_or_nothing: bool = False
) -> ImportJob:
    """Keep the uploaded sheet and queue its import for the background worker."""
    name = Path(upload.name or "").name[:200]
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": "请上传 Excel 表格(.xlsx、.xls 或 .ods)"})
    if upload.size > settings.XIANGZHI_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {"file": f"文件太大,最大 {settings.XIANGZHI_UPLOAD_MAX_BYTES // 1024 // 1024} MB"}
        )
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": "请选择表格类型"})
    folder = Path(settings.XIANGZHI_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    with stored.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    stored.chmod(0o600)
    job = ImportJob.objects.create(
        created_by=actor,
        kind=kind,
        file_name=name,
        stored_as=str(stored),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    audit_record(
        actor=actor,
        action=CoreAction.IMPORT_JOB_CREATE,
        obj=job,
        changes={"kind": kind, "file": name, "dry_run": dry_run, "all_or_nothing": all_or_nothing},
    )
    from ..tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    import_files_purge()
    return job


def import_job_confirmable(job: ImportJob, *, now=None) -> bool:
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


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Import the file of a dry run without uploading it again: a new job, queued, which takes
    the file over (and deletes it when done)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise PermissionDenied("只有上传该文件的人可以确认导入")
    if not scope_for(actor).writes_anywhere:
        raise PermissionDenied("您没有导入户籍数据的权限")
    if job.confirmed_as_id is not None:
        raise ValidationError("这个文件已经确认导入过了,请查看那次的导入结果")
    if not import_job_confirmable(job):
        raise ValidationError(
            "这次检查的文件已不能直接导入:检查已超过 24 小时(文件已自动删除),"
            "或者检查发现的问题使它不能导入。请改正后重新上传。"
        )
    new = ImportJob.objects.create(
        created_by=actor,
        kind=job.kind,
        file_name=job.file_name,
        stored_as=job.stored_as,
        dry_run=False,
        all_or_nothing=job.all_or_nothing,
    )
    job.confirmed_as = new
    job.stored_as = ""
    job.save(update_fields=["confirmed_as", "stored_as"])
    audit_record(
        actor=actor,
        action=CoreAction.IMPORT_JOB_CONFIRM,
        obj=new,
        changes={"checked_job": job.pk, "kind": new.kind, "file": new.file_name},
    )
    from ..tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(new.pk))
    return new


def import_files_purge(*, now=None) -> int:
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


def _schedule_purge(finished_at) -> None:
    """The worker deletes a kept file when its day is over, whether or not anyone comes back."""
    from ..tasks import purge_import_files

    when = finished_at + KEEP_CHECKED_FILE + dt.timedelta(minutes=1)
    purge_import_files.using(run_after=when).enqueue()


def import_job_run(job_id: int) -> ImportJob:
    """Run a queued job (in the worker); the uploaded file is deleted afterwards."""
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
        report = registry_import(
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
        job.report = {
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [
                {
                    "row": 0,
                    "column": "",
                    "message": "导入时发生内部错误,没有写入任何数据。请联系管理员查看日志。",
                }
            ],
        }
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
    if keep:
        _schedule_purge(job.finished_at)
    import_files_purge()
    return job


def import_job_progress(job: ImportJob) -> int:
    if job.status != ImportJob.Status.RUNNING:
        return job.rows_read
    try:
        return json.loads(_progress_path(job.pk).read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return 0
