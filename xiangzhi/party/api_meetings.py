"""The 三会一课 API (registered in xiangzhi/api.py under /api/v1/party): the meetings in scope, a
meeting with its roll, and recording a meeting, through the same selectors, access and service
as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticError

from xiangzhi.core.api import Page
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


def _body(request, schema: type[Schema], message: str) -> Schema:
    """The JSON body, read where the route chooses (after the access check for a record: a
    stranger is refused by scope, never told how their body was wrong); a malformed one is a
    422 naming its fields in Chinese. `message` holds %(fields)s."""
    try:
        return schema.model_validate_json(request.body or b"{}")
    except PydanticError as exc:
        fields = "、".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc")) or "请求内容"
        raise HttpError(422, message % {"fields": fields}) from None


def _documented(schema: type[Schema]) -> dict:
    """The OpenAPI request body of a route that reads its body with _body."""
    content = {"application/json": {"schema": schema.model_json_schema()}}
    return {"requestBody": {"content": content, "required": True}}


def _errors(exc: ValidationError) -> dict:
    """A service's refusal as the 400 answer: its fields' Chinese messages."""
    return {"errors": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}


def _forbidden(exc: PermissionDenied) -> HttpError:
    return HttpError(403, str(exc) or gettext("没有权限"))


@router.post(
    "/meetings/{meeting_id}/record",
    response={200: MeetingDetailOut, 400: ErrorsOut},
    summary="记录会议召开情况和出勤",
    openapi_extra=_documented(MeetingRecordIn),
)
def record_meeting(request, meeting_id: int):
    try:
        meeting = access_meeting(request.user, meeting_id, write=True)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
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
    openapi_extra=_documented(MeetingPlanIn),
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
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    except ValidationError as exc:
        return 400, _errors(exc)
    return 201, _out(meeting)
