"""What Open311 GeoReport v2 shows: the spec's fields only, never a name, phone or ID number."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.audit_display import mask_personal
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import OPEN_STATES, Appeal, Kind, State
from ..models.menu import ServiceOffering

KIND_DESCRIPTIONS = {
    Kind.INQUIRY: "政策、办事流程等方面的咨询。",
    Kind.HELP: "生活困难、急事难事需要帮助。",
    Kind.COMPLAINT: "对人或事的不满，请求处理。",
    Kind.SUGGESTION: "对村里、镇里工作的意见建议。",
    Kind.REPORT: "发现的问题、隐患，请求处理。",
}
PAGE = 200  # GeoReport servers answer a bounded number of requests per call
MAX_ID = 2**63 - 1  # a database's 64-bit integer; a longer number is no record's id


def record_id(text: str) -> int | None:
    """A record's id a client typed, or None: ASCII digits only ("²".isdigit() is true, int()
    refuses it) and within a 64-bit integer (SQLite raises past it)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def open311_services(*, actor: Actor) -> list[dict]:
    """The appeal kinds, then the menu offerings the actor's scope publishes."""
    out = [
        {
            "service_code": str(kind.value),
            "service_name": str(kind.label),
            "description": KIND_DESCRIPTIONS[kind],
            "metadata": "false",
            "type": "realtime",
            "keywords": "",
            "group": "群众诉求",
        }
        for kind in Kind
    ]
    offerings = ServiceOffering.objects.for_actor(actor).filter(active=True).order_by("pk")
    out += [
        {
            "service_code": f"menu-{o.pk}",
            "service_name": o.name,
            "description": o.description,
            "metadata": "false",
            "type": "realtime",
            "keywords": o.get_category_display(),
            "group": "菜单式服务",
        }
        for o in offerings
    ]
    return out


def open311_service(*, actor: Actor, code: str) -> dict | None:
    """One service's definition: no extra attributes (metadata false), so none to list."""
    found = next((s for s in open311_services(actor=actor) if s["service_code"] == code), None)
    if found is None:
        return None
    return {"service_code": code, "attributes": []}


def _iso(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _row(appeal: Appeal) -> dict:
    menu = getattr(appeal, "menu_request", None)
    if menu is not None:
        code, name = f"menu-{menu.offering_id}", menu.offering.name
    else:
        code, name = appeal.kind, appeal.get_kind_display()
    agency = appeal.department.name if appeal.department_id else appeal.node.name
    return {
        "service_request_id": str(appeal.pk),
        "status": "open" if appeal.state in OPEN_STATES else "closed",
        "status_notes": mask_personal(appeal.reply) if appeal.reply else "",
        "service_name": name,
        "service_code": code,
        "description": mask_personal(appeal.text),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _iso(appeal.created_at),
        "updated_datetime": _iso(appeal.updated_at),
        "expected_datetime": _iso(appeal.deadline),
        "address": appeal.node.name,
        "address_id": str(appeal.node_id),
        "zipcode": "",
        "lat": str(appeal.latitude) if appeal.latitude is not None else "",
        "long": str(appeal.longitude) if appeal.longitude is not None else "",
        "media_url": "",
    }


def _appeals(actor: Actor) -> QuerySet[Appeal]:
    return (
        Appeal.objects.for_actor(actor)
        .exclude(state=State.MERGED)
        .select_related("node", "department", "menu_request__offering")
        .defer("household_id", "resident_id")
    )


def open311_requests(
    *,
    actor: Actor,
    ids: list[int] | None = None,
    service_code: str = "",
    status: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[dict]:
    """GET requests: the newest first, in the actor's scope, filtered as the spec says."""
    qs = _appeals(actor)
    if ids:
        qs = qs.filter(pk__in=ids)
    if service_code.startswith("menu-"):
        offering_id = record_id(service_code[5:])
        qs = qs.filter(menu_request__offering_id=offering_id) if offering_id else qs.none()
    elif service_code:
        qs = qs.filter(kind=service_code, menu_request__isnull=True)
    if status == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif status == "closed":
        qs = qs.exclude(state__in=OPEN_STATES)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    if not (ids or start or end):  # the spec's default window: the last 90 days
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=90))
    return [_row(a) for a in qs.order_by("-created_at", "-id")[:PAGE]]


def open311_request(*, actor: Actor, pk: int) -> dict | None:
    """GET one request (None when it is not in the actor's scope, as a missing one)."""
    appeal = _appeals(actor).filter(pk=pk).first()
    return _row(appeal) if appeal else None


def open311_node(*, actor: Actor, address_id: str) -> GridNode:
    """The grid node a request names as its address_id, within the key user's scope."""
    node = None
    if pk := record_id(address_id):
        node = GridNode.objects.for_actor(actor).filter(pk=pk).first()
    if node is None:
        raise ValidationError({"address_id": gettext("没有这个网格。")})
    return node
