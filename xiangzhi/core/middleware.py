"""Request-scoped context (client IP for the audit trail) and the login requirement."""

from __future__ import annotations

import contextvars

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils.cache import patch_cache_control

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("xiangzhi_ip", default=None)

# Paths that answer without a session: the API has its own token auth, /healthz is for probes.
PUBLIC_PREFIXES = ("/api/", "/healthz", "/static/")


def current_ip() -> str | None:
    return _ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(request.META.get("REMOTE_ADDR"))
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
