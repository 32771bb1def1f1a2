"""Members' pages (mobile, elder mode): their households and the visit form; and the needs and
the visits ledger for cadres."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.scope import scope_for
from xiangzhi.core.sheets import sheet_export
from xiangzhi.core.web import handle_form, paginate, querystring_without_page, xlsx_response
from xiangzhi.grid.access import access_node
from xiangzhi.people.selectors import grid_choices

from ..access import access_visit, access_visit_need, access_visit_photo, access_visited_household
from ..forms_contacts import NeedCloseForm, NeedTakeForm, VisitForm
from ..models import VisitNeed
from ..selectors import (
    contact_link_of,
    days_since,
    household_visits,
    my_contact_links,
    need_list,
    visit_list,
)
from ..services import need_close, need_take, visit_record
from .contacts import chosen_node, chosen_period

RECENT_SHOWN = 3


@require_GET
def my_households(request):
    """我的联系户: a member's households, the longest unvisited first, days since the last visit."""
    today = timezone.localdate()
    links = list(my_contact_links(actor=request.user))
    rows = [(link, days_since(link.last_visit_on, today)) for link in links]
    return render(request, "party/my_households.html", {"rows": rows, "nav": "my_households"})


def visit_new(request, household_id: int):
    """记录走访: one short form (date, who was met, what was learned, needs, follow-up, photo)."""
    household = access_visited_household(request.user, household_id)
    mine = contact_link_of(actor=request.user, household=household) is not None
    form = VisitForm(request.POST or None, request.FILES or None)
    back = (
        reverse("party:my_households")
        if mine
        else reverse("people:household_detail", args=[household.pk])
    )
    done = handle_form(
        request,
        form,
        lambda d: visit_record(
            actor=request.user,
            household=household,
            visited_on=d["visited_on"],
            met=d["met"],
            learned=d["learned"],
            needs=d["needs"],
            follow_up=d["follow_up"],
            photos=d["photos"],
        ),
        success_message=gettext("走访已记录"),
        success_url=back,
    )
    recent = list(household_visits(actor=request.user, household=household)[:RECENT_SHOWN])
    return done or render(
        request,
        "party/visit_form.html",
        {
            "form": form,
            "household": household,
            "recent": recent if not mine else [],
            "cancel_url": back,
            "nav": "my_households" if mine else "households",
        },
    )


@require_GET
def visit_photo(request, visit_id: int, visit_photo_id: int | None = None):
    """A visit's photo (its first without an id), to those who may read the visit."""
    if visit_photo_id is not None:
        return FileResponse(
            access_visit_photo(request.user, visit_id, visit_photo_id).file.open("rb")
        )
    visit = access_visit(request.user, visit_id)
    photo = visit.photos.first()
    if photo is None:  # a link kept from before the photo was removed: the household instead
        return redirect("people:household_detail", visit.household_id)
    return FileResponse(photo.file.open("rb"))


@require_GET
def needs(request):
    """走访诉求: the needs raised in visits under a node (open ones by default)."""
    node = chosen_node(request)
    status = request.GET.get("status", VisitNeed.Status.OPEN)
    status = status if status in {*VisitNeed.Status.values, ""} else VisitNeed.Status.OPEN
    ctx = {
        "nav": "contacts",
        "node": node,
        "status": status,
        "statuses": VisitNeed.Status.choices,
        "grids": grid_choices(actor=request.user),
    }
    if node is not None:
        page = paginate(request, need_list(actor=request.user, node=node, status=status))
        ctx.update(
            page_obj=page,
            rows=page.object_list,
            can_write=scope_for(request.user).can_write_path(node.path),
            querystring_prefix=querystring_without_page(request),
        )
    return render(request, "party/needs.html", ctx)


def _need_action(request, visit_need_id: int, form_class, service, message: str):
    need = access_visit_need(request.user, visit_need_id, write=True)
    form = form_class(request.POST or None)
    back = reverse("party:needs") + f"?node={need.household.node_id}"
    done = handle_form(
        request,
        form,
        lambda d: service(actor=request.user, need=need, **d),
        success_message=message,
        success_url=back,
    )
    return done or render(
        request,
        "people/form.html",
        {"form": form, "title": need.text, "nav": "contacts", "cancel_url": back},
    )


def need_take_view(request, visit_need_id: int):
    return _need_action(request, visit_need_id, NeedTakeForm, need_take, gettext("诉求已转办"))


def need_close_view(request, visit_need_id: int):
    return _need_action(request, visit_need_id, NeedCloseForm, need_close, gettext("诉求已办结"))


@require_GET
def visits(request):
    """入户走访台账: the visits under a node in a period."""
    node = chosen_node(request)
    start, end = chosen_period(request)
    ctx = {"nav": "contacts", "node": node, "start": start, "end": end}
    ctx["grids"] = grid_choices(actor=request.user)
    if node is not None:
        page = paginate(request, visit_list(actor=request.user, node=node, start=start, end=end))
        ctx.update(
            page_obj=page,
            rows=page.object_list,
            querystring_prefix=querystring_without_page(request),
        )
    return render(request, "party/visits.html", ctx)


@require_GET
def visit_export(request):
    """The visits ledger as a printable sheet (core.xlsx ledger layout), audited."""
    # Only a chosen node: the whole scope otherwise, as the roster export does.
    node = access_node(request.user, request.GET["node"]) if request.GET.get("node") else None
    start, end = chosen_period(request)
    qs = visit_list(actor=request.user, node=node, start=start, end=end)
    return xlsx_response(
        lambda f: sheet_export(
            actor=request.user,
            kind="visits",
            queryset=qs,
            target=f,
            node=node,
            period=f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}",
        ),
        f"入户走访台账-{timezone.localdate():%Y%m%d}.xlsx",
    )
