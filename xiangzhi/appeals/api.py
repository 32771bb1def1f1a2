"""The appeals API under /api/v1/appeals: submit, list, one appeal with its timeline, each step
of the workflow (one route per transition) and the rating; the same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.pagination import paginate

from xiangzhi.core.api import Page, body_doc, read_body, refusal
from xiangzhi.grid.access import access_node
from xiangzhi.people.access import access_household

from . import services
from .access import access_appeal
from .selectors import appeal_list, appeal_timeline, assignee_choices, department_choices
from .workflow import TRANSITIONS, allowed, ensure_party

router = Router(tags=["appeals"])


class AppealIn(Schema):
    text: str
    kind: str = "help"
    source: str = "h5"
    household_id: int | None = None
    node_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class AppealOut(Schema):
    id: int
    number: str
    kind: str
    source: str
    text: str
    state: str
    state_label: str
    node_id: int
    household_id: int | None
    department_id: int | None
    assignee_id: int | None
    created_at: dt.datetime
    deadline: dt.datetime | None
    replied_at: dt.datetime | None
    reply: str
    overdue: bool
    supervised: bool
    score: int | None

    @staticmethod
    def resolve_state_label(obj) -> str:  # noqa: ANN001
        return obj.get_state_display()


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    note: str
    internal: bool
    actor: str | None

    @staticmethod
    def resolve_actor(obj) -> str | None:  # noqa: ANN001
        return str(obj.actor) if obj.actor_id else None


class AppealDetailOut(AppealOut):
    timeline: list[EventOut]
    steps: list[str]  # what the caller may do now


class StepIn(Schema):
    note: str = ""
    internal: bool = True
    assignee_id: int | None = None
    department_id: int | None = None
    node_id: int | None = None
    into_id: int | None = None
    score: int | None = None
    comment: str = ""


LABELS = {
    "text": "诉求内容",
    "kind": "诉求类型",
    "source": "诉求来源",
    "household_id": "户",
    "node_id": "网格",
    "latitude": "纬度",
    "longitude": "经度",
    "note": "说明",
    "internal": "是否仅内部可见",
    "assignee_id": "办理人",
    "department_id": "部门",
    "into_id": "合并到的诉求",
    "score": "评分",
    "comment": "评价",
}


def _body(request, schema):  # noqa: ANN001, ANN202
    """The JSON body, refused in Chinese with the fields named (ninja's own answer names them
    by their codes)."""
    return read_body(request, schema, labels=LABELS, status=422)


def _checked(call):  # noqa: ANN001, ANN202
    """Run a service; its ValidationError becomes a 400 with the Chinese message."""
    try:
        return call()
    except ValidationError as exc:
        raise refusal(exc, 400) from None


def _detail(request, appeal):  # noqa: ANN001, ANN202
    """The appeal with its timeline (as the caller may read it) and the steps open to them."""
    appeal.timeline = list(appeal_timeline(actor=request.user, appeal=appeal))
    appeal.steps = [t.name for t in allowed(request.user, appeal)]
    return appeal


@router.post(
    "/appeals",
    response={201: AppealOut},
    url_name="appeal_submit",
    summary="提出诉求",
    openapi_extra=body_doc(AppealIn),
)
def submit(request):
    data = _body(request, AppealIn)
    household = access_household(request.user, data.household_id) if data.household_id else None
    node = access_node(request.user, data.node_id) if data.node_id else None
    appeal = _checked(
        lambda: services.appeal_submit(
            actor=request.user,
            text=data.text,
            kind=data.kind,
            source=data.source,
            household=household,
            resident=household.head if household else None,
            node=node,
            latitude=data.latitude,
            longitude=data.longitude,
        )
    )
    return 201, appeal


@router.get("/appeals", response=list[AppealOut], summary="诉求列表（按我的管辖范围）")
@paginate(Page)
def list_appeals(request, state: str = "", kind: str = "", search: str = ""):
    return appeal_list(actor=request.user, state=state, kind=kind, search=search)


@router.get("/appeals/{appeal_id}", response=AppealDetailOut, summary="诉求详情与办理过程")
def get_appeal(request, appeal_id: int):
    return _detail(request, access_appeal(request.user, appeal_id))


def _step_args(request, appeal, name: str, data: StepIn) -> dict:  # noqa: ANN001
    """The service's arguments of one step, its records loaded through their access functions."""
    if name == "assign":
        chosen = assignee_choices(actor=request.user, appeal=appeal).filter(pk=data.assignee_id)
        return {"assignee": chosen.first(), "note": data.note}
    if name == "dispatch":
        department = department_choices().filter(pk=data.department_id).first()
        return {"department": department, "note": data.note}
    if name == "transfer":
        node = access_node(request.user, data.node_id) if data.node_id else None
        return {"node": node, "note": data.note}
    if name == "merge":
        into = access_appeal(request.user, data.into_id) if data.into_id else None
        return {"into": into, "note": data.note}
    if name in ("rate", "follow_up"):
        return {"score": data.score, "comment": data.comment or data.note}
    if name == "comment":
        return {"note": data.note, "internal": data.internal}
    return {"note": data.note}


SERVICES = {name: getattr(services, f"appeal_{name}") for name in TRANSITIONS}


def _step_route(name: str) -> None:
    def take(request, appeal_id: int):
        appeal = access_appeal(request.user, appeal_id)
        ensure_party(request.user, appeal, name)
        data = _body(request, StepIn)  # after the access check: a stranger learns nothing
        args = _step_args(request, appeal, name, data)
        _checked(lambda: SERVICES[name](actor=request.user, appeal=appeal, **args))
        return _detail(request, appeal)

    take.__name__ = f"step_{name}"
    router.post(
        f"/appeals/{{appeal_id}}/{name}",
        response=AppealDetailOut,
        url_name=f"appeal_{name}",
        operation_id=f"appeal_{name}",
        summary=str(TRANSITIONS[name].label),
        openapi_extra=body_doc(StepIn),
    )(take)


for _name in TRANSITIONS:
    _step_route(_name)
