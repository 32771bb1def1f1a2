"""Cadres' pages of contact work: coverage, households without a contact, links, the rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.scope import scope_for
from xiangzhi.core.sheets import sheet_export
from xiangzhi.core.web import handle_form, paginate, querystring_without_page, xlsx_response
from xiangzhi.grid.access import access_node
from xiangzhi.grid.models import GridNode
from xiangzhi.people.access import access_household
from xiangzhi.people.selectors import grid_choices, tag_list

from ..access import access_contact_link
from ..forms_contacts import ContactEndForm, ContactGroupForm, ContactLinkForm, ContactSettingsForm
from ..selectors import (
    contact_settings_of,
    coverage_of,
    link_list,
    member_coverage,
    party_member_list,
    uncovered_households,
)
from ..services import (
    contact_link_add,
    contact_link_end,
    contact_link_group,
    contact_settings_update,
)
from ..services.contacts import village_path


def chosen_node(request) -> GridNode | None:
    """The node a page is about: ?node= in the actor's scope, else the first node they are bound to."""
    if request.GET.get("node"):
        return access_node(request.user, request.GET["node"])
    return grid_choices(actor=request.user).first()


def _date(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def chosen_period(request) -> tuple[dt.date, dt.date]:
    """?start=&end= (ISO dates); this month by default; a reversed range is put right."""
    today = timezone.localdate()
    start = _date(request.GET.get("start", ""), today.replace(day=1))
    end = _date(request.GET.get("end", ""), today)
    return (start, end) if start <= end else (end, start)


def _form_page(request, form, title: str, cancel_url: str, help_text: str = ""):
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": title,
            "nav": "contacts",
            "cancel_url": cancel_url,
            "help": help_text,
        },
    )


@require_GET
def coverage(request):
    """联系户覆盖: a node's coverage in a period, and each member's part."""
    node = chosen_node(request)
    start, end = chosen_period(request)
    ctx = {"nav": "contacts", "node": node, "grids": grid_choices(actor=request.user)}
    if node is not None:
        page = paginate(
            request, member_coverage(actor=request.user, node=node, start=start, end=end)
        )
        scope = scope_for(request.user)
        ctx.update(
            coverage=coverage_of(actor=request.user, node=node, start=start, end=end),
            page_obj=page,
            members=page.object_list,
            can_write=scope.can_write_path(node.path),
            querystring_prefix=querystring_without_page(request),
        )
    ctx.update(start=start, end=end)
    return render(request, "party/coverage.html", ctx)


@require_GET
def uncovered(request):
    """未联系户: the active households under a node with no primary contact member."""
    node = chosen_node(request)
    tag, q = request.GET.get("tag", ""), request.GET.get("q", "").strip()
    ctx = {"nav": "contacts", "node": node, "grids": grid_choices(actor=request.user)}
    if node is not None:
        qs = uncovered_households(actor=request.user, node=node, tag=tag, search=q)
        page = paginate(request, qs)
        ctx.update(
            page_obj=page,
            households=page.object_list,
            can_write=scope_for(request.user).can_write_path(node.path),
            querystring_prefix=querystring_without_page(request),
        )
    ctx.update(tag=tag, q=q, tags=tag_list())
    return render(request, "party/uncovered.html", ctx)


def _village_members(request, node: GridNode):
    village = GridNode(path=village_path(node), level=2)
    return party_member_list(actor=request.user, node=village).select_related("resident__node")


def contact_link_new(request, household_id: int):
    """指定联系党员 for one household."""
    household = access_household(request.user, household_id, write=True)
    form = ContactLinkForm(request.POST or None, members=_village_members(request, household.node))
    done = handle_form(
        request,
        form,
        lambda d: contact_link_add(actor=request.user, household=household, **d),
        success_message=gettext("已指定联系党员"),
        success_url=reverse("people:household_detail", args=[household.pk]),
    )
    return done or _form_page(
        request,
        form,
        gettext("指定联系党员 · %(h)s") % {"h": household.title},
        reverse("people:household_detail", args=[household.pk]),
    )


def contact_link_end_view(request, contact_link_id: int):
    """结束联系: the member no longer contacts this household."""
    link = access_contact_link(request.user, contact_link_id, write=True)
    form = ContactEndForm(request.POST or None)
    back = reverse("people:household_detail", args=[link.household_id])
    done = handle_form(
        request,
        form,
        lambda d: contact_link_end(actor=request.user, link=link, **d),
        success_message=gettext("已结束联系"),
        success_url=back,
    )
    title = gettext("结束联系 · %(m)s联系%(h)s") % {
        "m": link.member.resident.name,
        "h": link.household.address,
    }
    return done or _form_page(request, form, title, back)


def contact_group(request, node_id: int):
    """按群体联系: a member contacts every household of a tagged group under a node."""
    node = access_node(request.user, node_id, write=True)
    if node.level < 2:
        raise PermissionDenied(gettext("请在村（社区）或以下网格按群体指定联系党员"))
    form = ContactGroupForm(request.POST or None, members=_village_members(request, node))
    back = reverse("party:coverage") + f"?node={node.pk}"
    done = handle_form(
        request,
        form,
        lambda d: contact_link_group(actor=request.user, node=node, **d),
        success_message=lambda n: gettext("已为%(n)s户指定联系党员") % {"n": n},
        success_url=back,
    )
    return done or _form_page(
        request,
        form,
        gettext("按群体指定联系党员 · %(n)s") % {"n": node.name},
        back,
        gettext("已由这名党员联系的户不重复添加；没有主要联系人的户，这名党员成为主要联系人。"),
    )


def contact_settings(request, node_id: int):
    """联系户设置: a township's quotas per hamlet group and its visit interval."""
    township = access_node(request.user, node_id, write=True)
    rules = contact_settings_of(township)
    initial = {
        "village_group_quota": rules.village_group_quota,
        "community_group_quota": rules.community_group_quota,
        "visit_interval_days": rules.visit_interval_days,
        "follow_up_days": rules.follow_up_days,
    }
    form = ContactSettingsForm(request.POST or None, initial=initial)
    back = reverse("party:coverage") + f"?node={township.pk}"
    done = handle_form(
        request,
        form,
        lambda d: contact_settings_update(actor=request.user, township=township, **d),
        success_message=gettext("联系户设置已保存"),
        success_url=back,
    )
    return done or _form_page(
        request, form, gettext("联系户设置 · %(n)s") % {"n": township.name}, back
    )


@require_GET
def link_export(request):
    """党员联系户表 of a node, as the actor sees it."""
    # Only a chosen node: the whole scope otherwise, as the roster export does.
    node = access_node(request.user, request.GET["node"]) if request.GET.get("node") else None
    qs = link_list(actor=request.user, node=node)
    return xlsx_response(
        lambda f: sheet_export(
            actor=request.user, kind="contact_links", queryset=qs, target=f, node=node
        ),
        f"党员联系户表-{timezone.localdate():%Y%m%d}.xlsx",
    )
