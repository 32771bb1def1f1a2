"""The sheet pages of every registered kind: upload (and its blank template), a job's report
with 确认导入 and its errors as a sheet, and the export of a kind's list."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.models import ImportJob
from xiangzhi.core.registry import SHEET_KINDS
from xiangzhi.core.scope import access_object
from xiangzhi.core.web import handle_form, xlsx_response
from xiangzhi.core.xlsx import Column, write_xlsx

from .access import access_import_job, access_import_kind, access_import_kinds, shared_text
from .export import sheet_export
from .forms import ImportForm
from .jobs import import_job_confirm, import_job_create
from .runner import import_job_confirmable, import_job_progress
from .selectors import import_job_list

# A sheet with one systematic mistake (a grid name misspelt) gives an error for every row: the
# page shows the first ones, and the whole list downloads as a sheet.
ERRORS_SHOWN = 200
ERROR_COLUMNS = [Column("row", "行号"), Column("column", "列"), Column("message", "问题")]


def import_upload(request):
    kinds = access_import_kinds(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    done = handle_form(
        request,
        form,
        lambda d: import_job_create(
            actor=request.user,
            kind=d["kind"],
            upload=d["file"],
            dry_run=d["dry_run"],
            all_or_nothing=d["all_or_nothing"],
        ),
        success_message=gettext("文件已上传，正在后台导入"),
        success_url=lambda job: reverse("sheets:import_job_detail", args=[job.pk]),
    )
    if done:
        return done
    jobs = import_job_list(actor=request.user)[:20]
    return render(
        request,
        "sheets/import_upload.html",
        {
            "form": form,
            "jobs": jobs,
            "kinds": kinds,
            "noun": shared_text([k.import_noun for k in kinds], "表格"),
            "helps": list(dict.fromkeys(k.imports.help for k in kinds if k.imports.help)),
            "nav": shared_text([k.imports.nav for k in kinds], ""),
        },
    )


@require_GET
def import_template(request, kind: str):
    """A blank sheet to fill in: the kind's own template, or its header row."""
    sheet_kind = access_import_kind(request.user, kind)
    write = sheet_kind.imports.template
    return xlsx_response(
        lambda f: (
            write(actor=request.user, kind=kind, target=f)
            if write is not None
            else write_xlsx(f, list(sheet_kind.columns), [], title=sheet_kind.label)
        ),
        f"{sheet_kind.label}-导入模板.xlsx",
    )


def _job_page(job: ImportJob) -> dict:
    """What the report page says of where the job belongs (its kind's upload page)."""
    kind = job.sheet_kind
    return {
        "noun": kind.import_noun if kind is not None else "表格",
        "nav": kind.imports.nav if kind is not None and kind.imports else "",
    }


@require_GET
def import_job_detail(request, import_job_id: int):
    job = access_import_job(request.user, import_job_id)
    report = job.report or {}
    errors = report.get("errors") or []
    return render(
        request,
        "sheets/import_job.html",
        {
            "job": job,
            "report": report,
            "errors": errors[:ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_cut": len(errors) > ERRORS_SHOWN,
            "progress": import_job_progress(job),
            "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
            "confirmable": job.created_by_id == request.user.pk and import_job_confirmable(job),
            **_job_page(job),
        },
    )


@require_POST
def import_job_confirm_view(request, import_job_id: int):
    """确认导入: import the file a dry run checked, without uploading it again."""
    job = access_import_job(request.user, import_job_id)
    try:
        new = import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sheets:import_job_detail", import_job_id=job.pk)
    messages.success(request, gettext("已确认，正在后台导入"))
    return redirect("sheets:import_job_detail", import_job_id=new.pk)


@require_GET
def import_job_errors(request, import_job_id: int):
    """Every error of an import as a sheet (row, column, problem), to fix the file in Excel."""
    job = access_import_job(request.user, import_job_id)
    errors = (job.report or {}).get("errors") or []
    columns, rows = (
        ERROR_COLUMNS,
        ([e["row"] or "整个文件", e["column"], e["message"]] for e in errors),
    )
    if any(e.get("sheet") for e in errors):  # a workbook of several sheets: say which
        columns = [Column("sheet", "工作表"), *ERROR_COLUMNS]
        rows = (
            [e.get("sheet", ""), e["row"] or "整个文件", e["column"], e["message"]] for e in errors
        )
    return xlsx_response(
        lambda f: write_xlsx(f, columns, rows, title="导入错误"),
        f"导入错误-{job.file_name.rsplit('.', 1)[0][:60]}.xlsx",
    )


@require_GET
def export(request, kind: str):
    """A kind's whole list as the user sees it (under ?node= when given), as a sheet."""
    sheet_kind = SHEET_KINDS.get(kind)
    if sheet_kind is None or sheet_kind.exports is None:
        raise Http404
    node_id = request.GET.get("node")
    node = (
        access_object(apps.get_model("grid", "GridNode"), request.user, node_id)
        if node_id
        else None
    )
    return xlsx_response(
        lambda f: sheet_export(actor=request.user, kind=kind, target=f, node=node),
        f"{sheet_kind.label}-{timezone.localdate():%Y%m%d}.xlsx",
    )
