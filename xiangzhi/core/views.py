from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .forms import AuditFilterForm
from .scope import access_object, scope_for
from .selectors import audit_event_list
from .web import paginate, querystring_without_page


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


def home(request):
    return redirect("grid:index")


@require_GET
def audit_list(request):
    if not scope_for(request.user).can_audit:
        raise PermissionDenied("只有总网格长、镇干部和审计人员可以查看审计日志")
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(actor=request.user)
    node = None
    if form.is_valid():
        data = form.cleaned_data
        if data["node"]:
            from django.apps import apps

            node = access_object(apps.get_model("grid", "GridNode"), request.user, data["node"])
        events = audit_event_list(
            actor=request.user,
            node=node,
            actor_label=data["actor"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page_obj": paginate(request, events),
            "node": node,
            "nav": "audit",
            "querystring_prefix": querystring_without_page(request),
        },
    )
