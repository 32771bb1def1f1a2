"""Uploaded imports: keep the file, queue the job for the background worker, and import a
checked file on 确认导入. The worker's side is core.sheets.runner."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.audit import audit_record
from xiangzhi.core.models import ImportJob
from xiangzhi.core.registry import SHEET_KINDS

from .runner import import_files_purge, import_job_confirmable
from .tasks import run_import_job

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User
    from django.core.files.uploadedfile import UploadedFile

ALLOWED_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}


def _store(upload: UploadedFile, suffix: str) -> Path:
    """Write the upload under a random name that only the server's account may read."""
    folder = Path(settings.XIANGZHI_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{suffix}"
    with stored.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    stored.chmod(0o600)
    return stored


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    kind: str,
    upload: UploadedFile,
    dry_run: bool = False,
    all_or_nothing: bool = False,
) -> ImportJob:
    """Keep the uploaded sheet and queue its import for the background worker."""
    name = Path(upload.name or "").name[:200]
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": gettext("请上传 Excel 表格（.xlsx、.xls 或 .ods）")})
    if upload.size > settings.XIANGZHI_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": gettext("文件太大，最大 %(value)s MB")
                % {"value": settings.XIANGZHI_UPLOAD_MAX_BYTES // 1024 // 1024}
            }
        )
    sheet_kind = SHEET_KINDS.get(kind)
    if sheet_kind is None or sheet_kind.imports is None:
        raise ValidationError({"kind": gettext("请选择表格类型")})
    if not sheet_kind.may_import(actor):
        raise PermissionDenied(sheet_kind.refused)
    stored = _store(upload, Path(name).suffix.lower())
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
    transaction.on_commit(lambda: _enqueue(job))
    import_files_purge()
    return job


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """Import the file of a dry run without uploading it again: a new job, queued, which takes
    the file over (and deletes it when done)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise PermissionDenied(gettext("只有上传该文件的人可以确认导入"))
    sheet_kind = SHEET_KINDS.get(job.kind)
    if sheet_kind is None or sheet_kind.imports is None:
        raise ValidationError(gettext("这类表格已不能导入"))
    if not sheet_kind.may_import(actor):
        raise PermissionDenied(sheet_kind.refused)
    if job.confirmed_as_id is not None:
        raise ValidationError(gettext("这个文件已经确认导入过了，请查看那次的导入结果"))
    if not import_job_confirmable(job):
        raise ValidationError(
            gettext(
                "这次检查的文件已不能直接导入：检查已超过 24 小时（文件已自动删除），"
                "或者检查发现的问题使它不能导入。请改正后重新上传。"
            )
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
    transaction.on_commit(lambda: _enqueue(new))
    return new


def _enqueue(job: ImportJob) -> None:
    """Queue the job's import and remember its task, which housekeeping looks after."""
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
