"""Login throttling on top of django-axes: per account and address, and per address alone.

Axes locks a (username, address) pair after AXES_FAILURE_LIMIT failures. That alone lets one
address try a password or two against every account (password spraying), so an address is also
locked once XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT different usernames failed from it within the
cool-off. Usernames, not failures, are counted: a township office shares one public address and
its cadres mistype their own passwords, while a sprayer tries many names. Attempts refused by a
lock are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so an office retrying
with the right password does not keep its own address locked. Both locks end after the cool-off; an administrator ends them earlier by
deleting the address's rows under 登录尝试 in /admin/ or with `manage.py axes_reset_ip ADDRESS`.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def address_failures(request: HttpRequest) -> int:
    """How many usernames failed to log in from the request's address within the cool-off."""
    ip = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not ip:
        return 0
    attempts = AccessAttempt.objects.filter(
        ip_address=ip, attempt_time__gte=get_cool_off_threshold(request), failures_since_start__gt=0
    )
    return attempts.values("username").distinct().count()


class AddressAwareHandler(AxesDatabaseHandler):
    """Axes' database handler, also locking an address that fails on too many accounts."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_failures(request) >= settings.XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Axes marks the request only for its own (per-account) lock; AxesMiddleware
            # answers with the lockout page when the request is marked.
            request.xz_address_locked = True
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return True
        return False


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The Chinese lockout page, saying whether the account or the whole address is locked."""
    return render(
        request,
        "accounts/locked_out.html",
        {"address_locked": getattr(request, "xz_address_locked", False)},
        status=429,
    )
