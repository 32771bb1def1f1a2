"""Request-scoped context (client IP for the audit trail) and the login requirement."""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("xiangzhi_ip", default=None)

# Paths that answer without a session: the API has its own token auth, /healthz is for probes.
PUBLIC_PREFIXES = ("/api/", "/healthz", "/static/")


def current_ip() -> str | None:
    return _ip.get()


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind XIANGZHI_PROXY_COUNT reverse proxies the
    address that many entries from the right of X-Forwarded-For (each proxy appends the address
    it received from; entries further left are whatever the client sent, so never trusted).
    Login throttling (AXES_CLIENT_IP_CALLABLE) and the audit trail read the same address.

    Django REST framework's NUM_PROXIES works the same way; django-ipware's proxy count expects
    the proxies' own addresses in the header, which nginx's $proxy_add_x_forwarded_for does not
    put there, so it returned no address for the usual one-nginx deployment.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.XIANGZHI_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)


class LoginRequired(LoginRequiredMiddleware):
    """Every page needs a login except the login page, /healthz and the token-authenticated API."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionRefreshMiddleware:
    """Slide the idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST would cost a database write per page; saving when the session was
    last refreshed more than REFRESH_SECONDS ago keeps the idle expiry within that margin.
    """

    REFRESH_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            import time

            now = int(time.time())
            if now - session.get("_xz_touched", 0) > self.REFRESH_SECONDS:
                session["_xz_touched"] = now
        return response


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of anything Django renders.

    Pages, reveals, exported sheets and API answers carry names, masked or full ID numbers and
    phones; a shared township PC or a caching proxy must not keep them. Static files are served
    by WhiteNoise above this middleware and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class NulRefused:
    """A NUL character in a query string or a posted form field is a 400 (core.errors.bad_request:
    Chinese, JSON under /api/). PostgreSQL keeps no NUL in text: every search box and filter
    that hands one to a query answered a 500 there, pages, the API and Open311 alike. Django's
    form fields refuse it already; a list's ?q= and the Open311 form are read raw.

    A multipart body is left to the forms and services: parsing it here would leave its raw
    bytes unreadable to a view that reads request.body."""

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = [request.GET]
        if request.method == "POST" and request.content_type == self.FORM:
            fields.append(request.POST)
        if any(
            "\x00" in key or any("\x00" in v for v in values)
            for q in fields
            for key, values in q.lists()
        ):
            raise BadRequest(gettext("请求中含有不能保存的空字符，请删除后重试。"))
        return self.get_response(request)


class ApiMethodRefused:
    """django-ninja answers a method a route does not take with a plain English "Method not
    allowed" (405): under /api/, whose answers are Chinese JSON, it says the same in Chinese and
    names the methods the route takes (its Allow header is kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        detail = gettext("该接口不支持 %(method)s 请求，可用：%(allowed)s。") % {
            "method": request.method,
            "allowed": "、".join(m.strip() for m in allowed.split(",") if m.strip()) or "—",
        }
        refused = JsonResponse({"detail": detail}, status=405)
        if allowed:
            refused["Allow"] = allowed
        return refused
