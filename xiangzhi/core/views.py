from itertools import islice

from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .access import access_audit_trail
from .actions import CoreAction
from .audit import audit_record
from .audit_display import audit_rows
from .forms import AuditFilterForm
from .registry import LEGACY_ACTIONS
from .scope import access_object, home_node
from .selectors import audit_event_list
from .sheets import ledger_unit
from .web import paginate, querystring_without_page, xlsx_response
from .xlsx import Column, write_xlsx


@login_not_required
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@require_GET
def home(request):
    """The workbench (工作台): the panels apps register for the user's roles (core.workbench)."""
    from .workbench import desk_for

    desk = desk_for(request.user)
    return render(request, "core/workbench.html", {"desk": desk, "nav": "home"})


def _audit_query(request):
    access_audit_trail(request.user)
    query = request.GET.copy()
    if query.get("action") in LEGACY_ACTIONS:  # a link or bookmark from before the declarations
        query["action"] = LEGACY_ACTIONS[query["action"]]
    query.pop("page", None)
    form = AuditFilterForm(query or None, viewer=request.user)
    events = audit_event_list(actor=request.user)
    node = None
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read selects nothing: never the whole trail (nor its export).
        events = events.none()
    elif form.is_valid():
        data = form.cleaned_data
        if data["node"]:
            node = access_object(apps.get_model("grid", "GridNode"), request.user, data["node"])
        events = audit_event_list(
            actor=request.user,
            node=node,
            actor_label=data["actor"],
            person=data["person"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, events, node


AUDIT_COLUMNS = [
    Column(k, label)
    for k, label in [
        ("seq", "序号"),
        ("time", "时间"),
        ("actor", "操作人"),
        ("action", "操作"),
        ("type", "对象类型"),
        ("object", "对象"),
        ("node", "网格"),
        ("changes", "变更内容"),
        ("ip", "IP地址"),
    ]
]
EXPORT_BATCH = 1000  # events made readable together (a fixed number of queries per batch)


def _batches(items, size: int):
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


@require_GET
def audit_export(request):
    _, events, node = _audit_query(request)

    def rows():
        for batch in _batches(events.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            for row in audit_rows(batch, actor=request.user):
                e = row.event
                yield [
                    e.seq,
                    row.time,
                    row.actor,
                    row.action,
                    row.object_type,
                    row.object_repr,
                    row.node,
                    row.changes_text,
                    e.ip,
                ]

    def write(target):
        count = write_xlsx(
            target,
            AUDIT_COLUMNS,
            rows(),
            title="审计日志",
            unit=ledger_unit(actor=request.user, node=node),
        )
        audit_record(
            actor=request.user,
            action=CoreAction.AUDIT_EXPORT,
            object_type="core.auditevent",
            node=node if node is not None else home_node(request.user),  # as sheet_export
            changes={"rows": count},
        )

    return xlsx_response(write, f"审计日志-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
def audit_list(request):
    form, events, node = _audit_query(request)
    page_obj = paginate(request, events)
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": audit_rows(page_obj.object_list, actor=request.user),
            "node": node,
            "nav": "audit",
            "querystring_prefix": querystring_without_page(request),
        },
    )
