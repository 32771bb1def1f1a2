"""三会一课 pages: the list and its ledger export, planning, recording a meeting with its roll,
and the township's page of overdue branches."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.sheets import sheet_export
from xiangzhi.core.web import (
    apply_errors,
    handle_form,
    paginate,
    querystring_without_page,
    xlsx_response,
)
from xiangzhi.grid.selectors import node_roots

from .. import forms_orglife as f
from .. import services
from ..access import access_meeting, access_meeting_attachment
from ..models import Attendance, Meeting, MeetingKind
from ..models.meetings import WATCHED_KINDS
from ..selectors import meeting_list, meeting_organisations, meeting_roll, overdue_branches
from ._common import form_page, node_filter, require_writer


def _list_query(request):
    get = request.GET
    node = node_filter(request)
    kind = get.get("kind", "") if get.get("kind", "") in MeetingKind.values else ""
    status = get.get("status", "") if get.get("status", "") in Meeting.Status.values else ""
    year = get.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    qs = meeting_list(actor=request.user, node=node, kind=kind, status=status, year=year)
    return node, {"kind": kind, "status": status, "year": year or ""}, qs


@require_GET
def meeting_index(request):
    """组织生活: the meetings in scope, planned and held, with attendance counts."""
    node, filters, qs = _list_query(request)
    return render(
        request,
        "party/orglife/meeting_list.html",
        {
            "page_obj": paginate(request, qs),
            "node": node,
            "filters": filters,
            "filtered": any(filters.values()) or node is not None,
            "kinds": MeetingKind.choices,
            "statuses": Meeting.Status.choices,
            "organisations": meeting_organisations(actor=request.user).filter(level__lte=3),
            "can_write": scope_for(request.user).writes_anywhere,
            "nav": "party_meetings",
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_GET
def meeting_export(request):
    """三会一课台账 as the list filtered it, written and audited by core's sheet export."""
    node, _, qs = _list_query(request)
    return xlsx_response(
        lambda out: sheet_export(
            actor=request.user, kind="party_meetings", queryset=qs, target=out, node=node
        ),
        f"三会一课台账-{timezone.localdate():%Y%m%d}.xlsx",
    )


def meeting_create(request):
    require_writer(request)
    orgs = meeting_organisations(actor=request.user)
    form = f.MeetingPlanForm(request.POST or None, organisations=orgs)
    done = handle_form(
        request,
        form,
        lambda d: services.meeting_plan(actor=request.user, **d),
        success_message=gettext("会议已安排"),
        success_url=lambda m: reverse("party:meeting_detail", args=[m.pk]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("安排会议"),
        cancel_url=reverse("party:meeting_index"),
        nav="party_meetings",
    )


def meeting_plan_year(request):
    require_writer(request)
    orgs = meeting_organisations(actor=request.user).filter(level__in=(3, 4))
    form = f.PlanYearForm(
        request.POST or None, organisations=orgs, initial={"year": timezone.localdate().year}
    )
    done = handle_form(
        request,
        form,
        lambda d: services.meeting_plan_year(actor=request.user, **d),
        success_message=lambda n: gettext("已生成%(n)d次会议计划") % {"n": n},
        success_url=reverse("party:meeting_index"),
    )
    return done or form_page(
        request,
        form,
        title=gettext("生成全年会议计划"),
        cancel_url=reverse("party:meeting_index"),
        nav="party_meetings",
        help=gettext("已有计划的月份或季度不会重复生成。"),
    )


def _roll_rows(request, roll, bound: bool):
    """Each member of the roll with the status and reason to show (what was posted, what was
    recorded, or present by default)."""
    rows = []
    for member, att in roll:
        if bound:
            status = request.POST.get(f"status_{member.pk}", "")
            reason = request.POST.get(f"reason_{member.pk}", "")
        else:
            status = att.status if att else Attendance.Status.PRESENT
            reason = att.reason if att else ""
        rows.append({"member": member, "status": status, "reason": reason})
    return rows


def meeting_detail(request, meeting_id: int):
    """A meeting: what was planned or recorded, its roll, and the forms to record or cancel it."""
    meeting = access_meeting(request.user, meeting_id, write=request.method == "POST")
    roll = meeting_roll(actor=request.user, meeting=meeting)
    initial = {
        "held_on": meeting.held_on or min(meeting.planned_on, timezone.localdate()),
        "topic": meeting.topic,
        "host": meeting.host,
        "place": meeting.place,
        "minutes": meeting.minutes,
    }
    form = f.MeetingRecordForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        attendance = {
            row["member"].pk: (row["status"], row["reason"])
            for row in _roll_rows(request, roll, True)
        }
        try:
            services.meeting_record(
                actor=request.user,
                meeting=meeting,
                attendance=attendance,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("会议情况已记录"))
            return redirect(reverse("party:meeting_detail", args=[meeting.pk]))
    can_write = scope_for(request.user).can_write_path(meeting.organisation.path)
    return render(
        request,
        "party/orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": _roll_rows(request, roll, request.method == "POST"),
            "statuses": Attendance.Status.choices,
            "form": form,
            "cancel_form": f.MeetingCancelForm(),
            "can_write": can_write,
            "nav": "party_meetings",
        },
    )


@require_POST
def meeting_cancel(request, meeting_id: int):
    meeting = access_meeting(request.user, meeting_id, write=True)
    form = f.MeetingCancelForm(request.POST)
    done = handle_form(
        request,
        form,
        lambda d: services.meeting_cancel(actor=request.user, meeting=meeting, **d),
        success_message=gettext("会议已取消"),
        success_url=reverse("party:meeting_detail", args=[meeting.pk]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("取消会议"),
        cancel_url=reverse("party:meeting_detail", args=[meeting.pk]),
        nav="party_meetings",
    )


@require_GET
def meeting_attachment(request, meeting_id: int, meeting_attachment_id: int | None = None):
    """A meeting's file (its first without an id), to those who may see the meeting, under the
    name it was uploaded with."""
    if meeting_attachment_id is None:
        attachment = access_meeting(request.user, meeting_id).attachments.first()
        if attachment is None:
            raise Http404(gettext("该会议没有附件"))
    else:
        attachment = access_meeting_attachment(request.user, meeting_id, meeting_attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_POST
def meeting_attachment_delete(request, meeting_id: int, meeting_attachment_id: int):
    """Take a meeting's file down (a wrong or sensitive one)."""
    attachment = access_meeting_attachment(request.user, meeting_id, meeting_attachment_id)
    services.meeting_attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, gettext("已删除附件：%(name)s") % {"name": attachment.name})
    return redirect(reverse("party:meeting_detail", args=[meeting_id]))


@require_GET
def meeting_overdue(request):
    """The township's page: branches that missed a monthly committee meeting or theme day, or a
    quarterly lecture, in the last complete period."""
    node = node_filter(request)
    roots = [node] if node else node_roots(actor=request.user)
    today = timezone.localdate()
    rows = []
    for root in roots:
        rows += overdue_branches(actor=request.user, node=root, today=today)
    return render(
        request,
        "party/orglife/meeting_overdue.html",
        {
            "rows": rows,
            "node": node,
            "today": today,
            "watched": [MeetingKind(k).label for k in WATCHED_KINDS],
            "nav": "party_meetings",
        },
    )
