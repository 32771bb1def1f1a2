"""Uploaded imports: store the file, queue the job, run it in the worker, report progress."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xiangzhi.core.audit import audit_record

from ..models import ImportJob
from .imports import registry_import

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}


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
        action="import_job.create",
        obj=job,
        changes={"kind": kind, "file": name, "dry_run": dry_run, "all_or_nothing": all_or_nothing},
    )
    from ..tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


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
    job.save(update_fields=["status", "report", "rows_read", "finished_at"])
    Path(job.stored_as).unlink(missing_ok=True)
    progress_file.unlink(missing_ok=True)
    return job


def import_job_progress(job: ImportJob) -> int:
    if job.status != ImportJob.Status.RUNNING:
        return job.rows_read
    try:
        return json.loads(_progress_path(job.pk).read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return 0
