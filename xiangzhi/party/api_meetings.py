"""The 三会一课 API (registered in xiangzhi/api.py under /api/v1/party): the meetings in scope, a
meeting with its roll, and recording a meeting, through the same selectors, access and service
as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import paginate

from xiangzhi.core.api import Page, body_doc, read_body
from xiangzhi.grid.access import access_node

from . import selectors, services
from .access import access_meeting

router = Router(tags=["party"])


class MeetingOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    kind: str
    kind_label: str
    status: str
    planned_on: dt.date
    held_on: dt.date | None
    topic: str
    host: str
    place: str

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return obj["organisation_name"] if isinstance(obj, dict) else obj.organisation.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj["kind_label"] if isinstance(obj, dict) else obj.get_kind_display()


class RollOut(Schema):
    member_id: int
    name: str
    status: str | None
    reason: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    roll: list[RollOut]


class AttendanceIn(Schema):
    member_id: int
    status: str
    reason: str = ""


class MeetingRecordIn(Schema):
    held_on: dt.date
    topic: str
    host: str
    place: str = ""
    minutes: str = ""
    attendance: list[AttendanceIn] = []


class MeetingCancelIn(Schema):
    reason: str


class MeetingPlanIn(Schema):
    organisation_id: int
    kind: str
    planned_on: dt.date
    topic: str = ""


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


def _out(m) -> dict:
    return {
        "id": m.pk,
        "organisation_id": m.organisation_id,
        "organisation_name": m.organisation.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "status": m.status,
        "planned_on": m.planned_on,
        "held_on": m.held_on,
        "topic": m.topic,
        "host": m.host,
        "place": m.place,
    }


@router.get(
    "/meetings", response=list[MeetingOut], summary="组织生活会议列表（三会一课、主题党日）"
)
@paginate(Page)
def list_meetings(request, node_id: int | None = None, kind: str = "", status: str = ""):
    node = access_node(request.user, node_id) if node_id else None
    qs = selectors.meeting_list(actor=request.user, node=node, kind=kind, status=status)
    return qs


def _detail(request, meeting) -> dict:
    roll = selectors.meeting_roll(actor=request.user, meeting=meeting)
    return {
        **_out(meeting),
        "minutes": meeting.minutes,
        "roll": [
            {
                "member_id": m.pk,
                "name": m.resident.name,
                "status": a.status if a else None,
                "reason": a.reason if a else "",
            }
            for m, a in roll
        ],
    }


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut, summary="会议详情及出勤名单")
def get_meeting(request, meeting_id: int):
    return _detail(request, access_meeting(request.user, meeting_id))


# The bodies' fields as a refusal names them.
LABELS = {
    "held_on": _("召开日期"),
    "topic": _("主题"),
    "host": _("主持人"),
    "place": _("地点"),
    "minutes": _("会议记录"),
    "attendance": _("出勤"),
    "organisation_id": _("党组织"),
    "kind": _("会议类别"),
    "planned_on": _("计划日期"),
    "reason": _("取消原因"),
}


def _body(request, schema: type[Schema], message: str) -> Schema:
    """The JSON body, read where the route chooses (after the access check for a record: a
    stranger is refused by scope, never told how their body was wrong); a malformed one is a
    422 naming its fields in Chinese. `message` holds %(fields)s."""
    return read_body(request, schema, labels=LABELS, status=422, message=message)


def _errors(exc: ValidationError) -> dict:
    """A service's refusal as the 400 answer: its fields' Chinese messages."""
    return {"errors": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}


@router.post(
    "/meetings/{meeting_id}/record",
    response={200: MeetingDetailOut, 400: ErrorsOut},
    summary="记录会议召开情况和出勤",
    openapi_extra=body_doc(MeetingRecordIn),
)
def record_meeting(request, meeting_id: int):
    meeting = access_meeting(request.user, meeting_id, write=True)  # 403 JSON: xiangzhi/api.py
    data = _body(request, MeetingRecordIn, gettext("会议记录有误：%(fields)s")).dict()
    attendance = {a["member_id"]: (a["status"], a["reason"]) for a in data.pop("attendance")}
    try:
        meeting = services.meeting_record(
            actor=request.user, meeting=meeting, attendance=attendance, **data
        )
    except ValidationError as exc:
        return 400, _errors(exc)
    return 200, _detail(request, meeting)


@router.post(
    "/meetings",
    response={201: MeetingOut, 400: ErrorsOut},
    summary="安排会议（三会一课、主题党日）",
    openapi_extra=body_doc(MeetingPlanIn),
)
def plan_meeting(request):
    """Plan a meeting of a branch or group the actor may write (as the meetings page does)."""
    payload = _body(request, MeetingPlanIn, gettext("会议安排有误：%(fields)s"))
    try:
        organisation = access_node(request.user, payload.organisation_id, write=True)
        meeting = services.meeting_plan(
            actor=request.user,
            organisation=organisation,
            kind=payload.kind,
            planned_on=payload.planned_on,
            topic=payload.topic,
        )
    except ValidationError as exc:
        return 400, _errors(exc)
    return 201, _out(meeting)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingOut, 400: ErrorsOut},
    summary="取消尚未召开的会议",
    openapi_extra=body_doc(MeetingCancelIn),
)
def cancel_meeting(request, meeting_id: int):
    meeting = access_meeting(request.user, meeting_id, write=True)
    payload = _body(request, MeetingCancelIn, gettext("取消会议的内容有误：%(fields)s"))
    try:
        meeting = services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=payload.reason
        )
    except ValidationError as exc:
        return 400, _errors(exc)
    return 200, _out(meeting)
