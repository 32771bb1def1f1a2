"""What every app's API shares: its page of results, reading a JSON body with Chinese
refusals, and a service's refusal as an answer."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination
from pydantic import ValidationError as SchemaError


class Page(PageNumberPagination):
    """Fifty rows a page. A page past a 64-bit offset is a 422 as page=0 is, not the database's
    overflow (a 500)."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=10**9)

    page_size = 50


def read_body(
    request: HttpRequest,
    schema: type[Schema],
    *,
    labels: Mapping[str, str],
    status: int = 400,
    message: str = "",
) -> Schema:
    """The request's JSON checked against the schema; a refusal names, in Chinese (`labels`:
    field -> its name), the fields missing or malformed, under `message` (holding %(fields)s),
    with `status` (ninja's own answer is an English 422). A route that loads a record from its
    path reads the body after the record's access check: a record out of scope is a 404 whatever
    the body, never a validation error that would tell it exists."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise HttpError(status, gettext("请求内容不是有效的JSON")) from None
    try:
        return schema.model_validate(data)
    except SchemaError as exc:
        names = []
        for error in exc.errors():
            loc = error.get("loc") or ()
            name = str(labels.get(str(loc[0]), loc[0])) if loc else ""
            if name and name not in names:
                names.append(name)
        fields = "、".join(names) or gettext("请求内容")
        text = message or gettext("请求内容有误，请检查：%(fields)s")
        raise HttpError(status, text % {"fields": fields}) from None


def body_doc(schema: type[Schema]) -> dict:
    """The OpenAPI request body of a route that reads its JSON with read_body."""
    return {
        "requestBody": {
            "content": {"application/json": {"schema": schema.model_json_schema()}},
            "required": True,
        }
    }


def refusal(exc: ValidationError, status: int) -> HttpError:
    """A service's ValidationError as the answer `status` with its Chinese messages, every
    field's joined by "；" (a PermissionDenied is the JSON 403 of xiangzhi/api.py)."""
    return HttpError(status, "；".join(exc.messages))
