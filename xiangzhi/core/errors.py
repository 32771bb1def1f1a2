"""The pages a user sees when something goes wrong: Chinese, in the site's layout, with a way back.

Django's own handlers render 403.html, 404.html and 500.html; these wrappers only decide what
of an exception's message a user may read (our own messages are Chinese; Django's and other
libraries' are English developer text, never shown).
"""

from __future__ import annotations

import re

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _readable(exception) -> str:
    message = str(exception.args[0]) if getattr(exception, "args", None) else ""
    return message if _CJK.search(message) else ""


def _back(request) -> str:
    """The page the user came from, when it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    ok = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if ok and referer != request.build_absolute_uri() else ""


def _page(request, template: str, status: int, exception=None):
    context = {"reason": _readable(exception), "back": _back(request)}
    return render(request, template, context, status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, "403.html", 403, exception)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(request, "404.html", 404, exception)


def csrf_failure(request, reason: str = ""):
    """The form came without a valid CSRF token: usually a page left open too long."""
    return _page(request, "403_csrf.html", 403)
