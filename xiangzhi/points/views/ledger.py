"""The ledger's pages: entries, and a correction by a reversal entry."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.registry import households_of
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form, paginate, querystring_without_page

from ..access import access_point_entry
from ..forms import ReverseForm
from ..models import PointEntry
from ..selectors import entry_list as entry_list_selector
from ..selectors import village_households
from ..selectors.ledger import reversed_among
from ..services.ledger import entry_reverse, reversal_refusal


@require_GET
def entry_list(request):
    """积分明细 of the user's scope; a 户编号 narrows it to one household."""
    number = request.GET.get("household", "").strip()
    household = None
    qs = entry_list_selector(actor=request.user)
    if number:
        found, _missing, _shared = village_households(actor=request.user, numbers=[number])
        household = found[0] if found else None
        qs = (
            entry_list_selector(actor=request.user, household=household) if household else qs.none()
        )
    page = paginate(request, qs)
    page.object_list = list(page.object_list)
    _mark_reversible(request.user, page.object_list)
    return render(
        request,
        "points/entry_list.html",
        {
            "page_obj": page,
            "number": number,
            "household": household,
            "querystring_prefix": querystring_without_page(request),
            "nav": "points_ledger",
        },
    )


def _mark_reversible(actor, entries: list) -> None:
    """Set each entry's `reversible`: the 冲正 link only where entry_reverse would take it (a
    cadre of its grid, not of its household; not a reversal, a redemption or one reversed)."""
    scope, own = scope_for(actor), households_of(actor)
    reversed_ = reversed_among([e.pk for e in entries])
    for e in entries:
        e.reversible = e.pk not in reversed_ and (reversal_refusal(e, scope=scope, own=own) is None)


def entry_reverse_view(request, point_entry_id: int):
    """冲正: a correction is an entry of the opposite amount, with its reason."""
    entry = access_point_entry(request.user, point_entry_id, write=True)
    form = ReverseForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: entry_reverse(actor=request.user, entry=entry, reason=d["reason"]),
        success_message=gettext("已冲正"),
        success_url=reverse("points:entry_list") + f"?household={entry.household.number}",
    )
    return done or render(
        request,
        "points/form.html",
        {
            "form": form,
            "title": gettext("冲正积分明细"),
            "help": gettext("冲正会追加一条相反分值的明细，原明细保留。")
            + f" {entry.reason}（{entry.amount:+d}）",
            "nav": "points_ledger",
        },
    )


__all__ = ["PointEntry", "entry_list", "entry_reverse_view"]
