"""What every app's API shares: its page of results, reading a JSON body with Chinese
refusals, and a service's refusal as an answer."""

from __future__ import annotations

import json
import re
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


# What no column keeps: a NUL character (PostgreSQL refuses it in text) and a lone UTF-16
# surrogate, which a JSON escape ("\ud800") carries and no UTF-8 database can encode.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: object) -> bool:
    """Whether a decoded JSON value holds, anywhere in it, text no database can keep (walked
    without recursion: the parser takes nesting deeper than Python's stack)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def _names(keys, labels: Mapping[str, str]) -> str:
    names: list[str] = []
    for key in keys:
        name = str(labels.get(str(key), key))
        if name and name not in names:
            names.append(name)
    return "、".join(names) or gettext("请求内容")


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
    text = message or gettext("请求内容有误，请检查：%(fields)s")
    if isinstance(data, dict) and _unstorable(data):
        # Refused here, named like a malformed field: the database would answer a 500.
        bad = [key for key, value in data.items() if _unstorable(key) or _unstorable(value)]
        raise HttpError(status, text % {"fields": _names(bad, labels)})
    try:
        return schema.model_validate(data)
    except SchemaError as exc:
        keys = [(error.get("loc") or ("",))[0] for error in exc.errors()]
        raise HttpError(status, text % {"fields": _names(keys, labels)}) from None


def _inlined(schema: dict) -> dict:
    """The JSON schema with its $defs written where they are referenced: the OpenAPI document
    has no $defs at its root, so a "#/$defs/..." inside a route's body resolved to nothing (a
    meeting's attendance rows were undocumented, and schema-driven clients stopped there)."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items() if key != "$ref"}
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return {**walk(defs[ref.removeprefix("#/$defs/")]), **out}
        return {**out, **({"$ref": ref} if ref else {})}

    return walk(schema)


def body_doc(schema: type[Schema]) -> dict:
    """The OpenAPI request body of a route that reads its JSON with read_body."""
    return {
        "requestBody": {
            "content": {"application/json": {"schema": _inlined(schema.model_json_schema())}},
            "required": True,
        }
    }


def refusal(exc: ValidationError, status: int) -> HttpError:
    """A service's ValidationError as the answer `status` with its Chinese messages, every
    field's joined by "；" (a PermissionDenied is the JSON 403 of xiangzhi/api.py)."""
    return HttpError(status, "；".join(exc.messages))
