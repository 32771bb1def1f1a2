"""The pages a user sees when something goes wrong: Chinese, in the site's layout, with a way back.

Django's own handlers render 403.html, 404.html and 500.html; these wrappers only decide what
of an exception's message a user may read (our own messages are Chinese; Django's and other
libraries' are English developer text, never shown).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token

from .registry import error_format

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _readable(request, exception) -> str:
    """The refusal's own message when the app wrote it: a Chinese string. Never the resolver's
    "not found" (its argument is a dict naming every route, and the requested path, which anyone
    can fill with text of their choosing), nor a message that repeats the requested path."""
    args = getattr(exception, "args", None)
    if not args or type(args[0]) is not str or isinstance(exception, Resolver404):
        return ""
    message = args[0]
    if unquote(request.path) in message:
        return ""
    return message if _CJK.search(message) else ""


def _back(request) -> str:
    """The page the user came from, when it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    ok = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if ok and referer != request.build_absolute_uri() else ""


def _page(request, template: str, status: int, exception=None):
    context = {"reason": _readable(request, exception), "back": _back(request)}
    return render(request, template, context, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    """A request that could not be read (a malformed upload, too many fields, a NUL character):
    Chinese, as JSON under /api/ like the API's other refusals, else the site's page (without
    the request for a disallowed host: any use of the request raises that again)."""
    reason = _readable(request, exception)
    if isinstance(exception, DisallowedHost):
        return HttpResponseBadRequest(loader.render_to_string("400.html", {"reason": reason}))
    detail = reason or gettext("请求内容无法读取，请检查后重试。")
    if (answer := error_format(request.path)) is not None:  # Open311's own format
        return answer(request, 400, detail)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=400)
    return _page(request, "400.html", 400, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, "403.html", 403, exception)


@requires_csrf_token
def page_not_found(request, exception=None):
    if (answer := error_format(request.path)) is not None:  # Open311's own format
        return answer(request, 404, gettext("没有这个接口，请对照接口文档检查地址。"))
    if request.path.startswith("/api/"):  # an address no route has: the API's Chinese JSON
        detail = gettext("没有这个接口，请对照接口文档检查地址。")
        return JsonResponse({"detail": detail}, status=404)
    return _page(request, "404.html", 404, exception)


def csrf_failure(request, reason: str = ""):
    """The form came without a valid CSRF token: usually a page left open too long."""
    return _page(request, "403_csrf.html", 403)
