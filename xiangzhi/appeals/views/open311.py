"""Open311 GeoReport v2 (`/open311/v2/`): services, a service's definition, POST a request,
GET requests and one request, each as `.json` or `.xml`.

Reads are scoped like every page: to the key's user (`api_key`) or the logged-in user; GeoReport
lets anyone read requests, but villagers' appeals are not potholes, so a reader without a key
or a login gets the service list only. Writes need a key. Every field is one of the spec's; no
name, phone or ID number is ever in an answer (free text is masked)."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..selectors.open311 import (
    open311_node,
    open311_request,
    open311_requests,
    open311_service,
    open311_services,
    record_id,
)
from ..services.open311 import open311_key_user, open311_request_submit

ROOTS = {  # list name -> (root element, item element), as the spec's XML examples
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


# Characters XML 1.0 does not allow, even escaped: control characters other than tab and line
# breaks (an appeal's text may hold one, typed or pasted), lone surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(root: str, item: str | None, data) -> bytes:
    top = ET.Element(root)

    def fill(parent, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(sub, list):
                    holder = ET.SubElement(parent, key)
                    for element in sub:
                        fill(ET.SubElement(holder, key[:-1] if key.endswith("s") else key), element)
                else:
                    fill(ET.SubElement(parent, key), sub)
        else:
            # One such character made the whole list unreadable to every client of the key.
            parent.text = "" if value is None else _NOT_XML.sub("", str(value))

    for element in data if item else [data]:
        fill(ET.SubElement(top, item) if item else top, element)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def _answer(fmt: str, kind: str | None, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        root, item = ROOTS[kind] if kind else ("service_definition", None)
        body = _xml(root, item, data)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _answer(fmt, "errors", [{"code": status, "description": description}], status)


def error_answer(request, status: int, description: str) -> HttpResponse:
    """A refusal the site's own handlers make under /open311/ (a NUL in the query, an address no
    route has), in Open311's format, XML or JSON as the address asks (core.registry
    .register_error_format)."""
    return _error("xml" if request.path.endswith(".xml") else "json", status, description)


def _actor(request):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if key:
        return open311_key_user(key)
    return request.user if request.user.is_authenticated else None


def _invalid(err: ValidationError) -> str:
    if hasattr(err, "message_dict"):
        return "；".join(f"{field}：{'，'.join(msgs)}" for field, msgs in err.message_dict.items())
    return "；".join(err.messages)


@login_not_required
@require_GET
def services(request, fmt: str):
    return _answer(fmt, "services", open311_services(actor=_actor(request)))


@login_not_required
@require_GET
def service_definition(request, fmt: str, code: str = "", service_offering_id: int = 0):
    code = code or f"menu-{service_offering_id}"
    found = open311_service(actor=_actor(request), code=code)
    if found is None:
        return _error(fmt, 404, gettext("没有这个服务。"))
    return _answer(fmt, None, found)


def _decimal(value: str, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():  # NaN and Infinity parse, are no place
        raise ValidationError({field: gettext("经纬度应为数字。")})
    return number


def _date(value: str) -> dt.datetime | None:
    try:
        parsed = parse_datetime(value) if value else None
    except ValueError:  # well formed, no date (month 13)
        parsed = None
    if value and parsed is None:
        raise ValidationError({"start_date": gettext("日期应为 ISO 8601 格式。")})
    return parsed


def _post(request, fmt: str) -> HttpResponse:
    # A form-urlencoded body's NUL is refused by core.middleware.NulRefused; a multipart one's
    # here (PostgreSQL keeps no NUL in text: the appeal's save answered a 500).
    if any("\x00" in value for _, values in request.POST.lists() for value in values):
        return _error(fmt, 400, gettext("请求中含有不能保存的空字符，请删除后重试。"))
    key = request.POST.get("api_key", "")
    actor = open311_key_user(key) if key else None
    if actor is None:
        return _error(fmt, 403, gettext("提交诉求需要有效的 api_key。"))
    address_id = request.POST.get("address_id", "")
    try:
        node = open311_node(actor=actor, address_id=address_id) if address_id else None
        appeal = open311_request_submit(
            actor=actor,
            service_code=request.POST.get("service_code", ""),
            description=request.POST.get("description", ""),
            node=node,
            latitude=_decimal(request.POST.get("lat", ""), "lat"),
            longitude=_decimal(request.POST.get("long", ""), "long"),
        )
    except (ValueError, ValidationError) as err:
        text = _invalid(err) if isinstance(err, ValidationError) else gettext("参数有误。")
        return _error(fmt, 400, text)
    except PermissionDenied:
        return _error(fmt, 403, gettext("该密钥不能在这里登记诉求。"))
    notice = gettext("已收到，诉求编号%(n)s。") % {"n": appeal.number}
    return _answer(
        fmt,
        "requests",
        [{"service_request_id": str(appeal.pk), "service_notice": notice, "account_id": ""}],
        201,
    )


@login_not_required
@csrf_exempt  # a client sends an api_key, never a session cookie's CSRF token
@require_http_methods(["GET", "POST"])
def requests(request, fmt: str):
    if request.method == "POST":
        return _post(request, fmt)
    actor = _actor(request)
    if actor is None:
        return _error(fmt, 401, gettext("查询诉求需要有效的 api_key。"))
    ids = [i for x in request.GET.get("service_request_id", "").split(",") if (i := record_id(x))]
    try:
        start = _date(request.GET.get("start_date", ""))
        end = _date(request.GET.get("end_date", ""))
    except ValidationError as err:
        return _error(fmt, 400, _invalid(err))
    rows = open311_requests(
        actor=actor,
        ids=ids,
        service_code=request.GET.get("service_code", ""),
        status=request.GET.get("status", ""),
        start=start,
        end=end,
    )
    return _answer(fmt, "requests", rows)


@login_not_required
@require_GET
def request_detail(request, fmt: str, appeal_id: int):
    actor = _actor(request)
    found = open311_request(actor=actor, pk=appeal_id) if actor else None
    if found is None:
        return _error(fmt, 404, gettext("没有这个诉求，或您无权查看。"))
    return _answer(fmt, "requests", [found])
