"""What the organisational-life pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext

from xiangzhi.core.scope import scope_for
from xiangzhi.grid.access import access_node


def require_writer(request) -> None:
    """Refuse a create page's POST to a user who writes nowhere, before reading what they sent."""
    if request.method == "POST" and not scope_for(request.user).writes_anywhere:
        raise PermissionDenied(gettext("您没有登记这类记录的权限"))


def node_filter(request):
    """The ?node= filter of a list, loaded through the scope (404 outside it)."""
    value = request.GET.get("node", "")
    return access_node(request.user, value) if value else None


def form_page(request, form, *, title: str, cancel_url: str, nav: str, help: str = ""):
    return render(
        request,
        "party/orglife/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "nav": nav, "help": help},
    )
