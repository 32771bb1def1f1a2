from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.sheets import sheet_export
from xiangzhi.core.web import handle_form, paginate, querystring_without_page, xlsx_response
from xiangzhi.grid.access import access_node
from xiangzhi.people.access import access_resident
from xiangzhi.people.models import Resident
from xiangzhi.people.selectors import (
    AGE_BANDS,
    STATUS_ALL,
    age_on,
    grid_choices,
    parse_age_band,
    status_filter,
)
from xiangzhi.people.services import resident_number_search

from ..access import access_party_member
from ..forms import PartyMemberForm
from ..models import PartyMember
from ..selectors import party_member_list, party_organisations
from ..services import party_member_register as register_service
from ..services import party_member_update


def _form_page(request, form, title: str, resident_id: int):
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": title,
            "nav": "residents",
            "cancel_url": reverse("people:resident_detail", args=[resident_id]),
        },
    )


def party_member_register(request, resident_id: int):
    resident = access_resident(request.user, resident_id, write=True)
    orgs = party_organisations(actor=request.user, resident=resident)
    form = PartyMemberForm(
        request.POST or None, organisations=orgs, initial={"organisation": orgs.last()}
    )
    done = handle_form(
        request,
        form,
        lambda d: register_service(actor=request.user, resident=resident, **d),
        success_message=gettext("已将%(name)s登记为党员") % {"name": resident.name},
        success_url=reverse("people:resident_detail", args=[resident.pk]),
    )
    return done or _form_page(request, form, f"登记党员 · {resident.name}", resident.pk)


def party_member_edit(request, party_member_id: int):
    member = access_party_member(request.user, party_member_id, write=True)
    orgs = party_organisations(actor=request.user, resident=member.resident)
    form = PartyMemberForm(
        request.POST or None,
        organisations=orgs,
        initial={
            "category": member.category,
            "joined_on": member.joined_on,
            "organisation": member.organisation,
        },
    )
    done = handle_form(
        request,
        form,
        lambda d: party_member_update(actor=request.user, member=member, **d),
        success_message=gettext("党员信息已保存"),
        success_url=reverse("people:resident_detail", args=[member.resident_id]),
    )
    return done or _form_page(
        request, form, f"修改党员信息 · {member.resident.name}", member.resident_id
    )


def _roster_query(request):
    """The roster's filters: subtree, search, category, age band, status (as the resident list)."""
    get = request.GET
    node = access_node(request.user, get["node"]) if get.get("node") else None
    q = get.get("q", "").strip()
    chosen_status = get.get("status", "")
    status = status_filter(chosen_status, searching=bool(q))
    category = get.get("category", "")
    category = category if category in PartyMember.Category.values else ""
    band = parse_age_band(get.get("age", ""))
    filters = {
        "q": q,
        "status": chosen_status if chosen_status in {*Resident.Status.values, STATUS_ALL} else "",
        "category": category,
        "age": get.get("age", "") if band else "",
    }
    resident_number_search(actor=request.user, search=q)
    qs = party_member_list(
        actor=request.user, node=node, search=q, category=category, status=status, age=band
    )
    return node, filters, qs


@require_GET
def member_list(request):
    """党员花名册."""
    node, filters, qs = _roster_query(request)
    page = paginate(request, qs)
    today = timezone.localdate()
    return render(
        request,
        "party/member_list.html",
        {
            "page_obj": page,
            "rows": [(m, age_on(m.resident.birth_date, today)) for m in page.object_list],
            "node": node,
            "filters": filters,
            "filtered": any(v for k, v in filters.items() if k != "status"),
            "more": bool(node) or any(v for k, v in filters.items() if k != "q"),
            "categories": PartyMember.Category.choices,
            "statuses": [(STATUS_ALL, "全部"), *Resident.Status.choices],
            "ages": AGE_BANDS,
            "grids": grid_choices(actor=request.user),
            "nav": "party_members",
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_GET
def member_export(request):
    """The roster as the page filtered it, written and audited by core's sheet export."""
    node, _, qs = _roster_query(request)
    return xlsx_response(
        lambda f: sheet_export(
            actor=request.user, kind="party_members", queryset=qs, target=f, node=node
        ),
        f"党员花名册-{timezone.localdate():%Y%m%d}.xlsx",
    )
