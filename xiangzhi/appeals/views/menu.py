"""The service menu pages: the menu (staff: every offering; villager: what to ask for), one
offering (its requests, its edit form, the villager's request form), publishing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.scope import may_write, scope_for
from xiangzhi.core.web import handle_form, paginate

from ..access_extra import access_service_offering
from ..forms_extra import OfferingForm, RequestForm
from ..selectors.services_extra import (
    offering_list,
    offering_requests,
    offerings_for_villager,
    publish_nodes,
)
from ..services.menu import (
    service_offering_publish,
    service_offering_update,
    service_request_submit,
)
from ..services.submit import own_resident


def _is_staff(user) -> bool:
    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths) or bool(scope.department_ids)


@require_GET
def menu_list(request):
    if not _is_staff(request.user):
        offerings = offerings_for_villager(actor=request.user)
        return render(request, "appeals/menu_mine.html", {"offerings": offerings, "nav": "menu"})
    search = request.GET.get("q", "").strip()
    return render(
        request,
        "appeals/menu_list.html",
        {
            "page": paginate(request, offering_list(actor=request.user, search=search)),
            "q": search,
            "can_publish": publish_nodes(actor=request.user).exists(),
            "nav": "menu",
        },
    )


def offering_new(request):
    nodes = publish_nodes(actor=request.user)
    if request.method == "POST" and not nodes.exists():
        raise PermissionDenied(gettext("您不能发布服务。"))
    form = OfferingForm(request.POST or None, nodes=nodes)
    done = handle_form(
        request,
        form,
        lambda d: service_offering_publish(actor=request.user, **d),
        success_message=gettext("服务已发布到服务菜单。"),
        success_url=lambda o: reverse("appeals:service_offering_detail", args=[o.pk]),
    )
    return done or render(request, "appeals/offering_form.html", {"form": form, "nav": "menu"})


def offering_detail(request, service_offering_id: int):
    offering = access_service_offering(request.user, service_offering_id)
    can_edit = may_write(request.user, offering)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(gettext("您对该服务只有查看权限。"))
    initial = {f: getattr(offering, f) for f in ("name", "category", "description", "provider")}
    initial.update(days=offering.days, active=offering.active)
    form = OfferingForm(request.POST or None, initial=initial, editing=True) if can_edit else None
    if form is not None:
        done = handle_form(
            request,
            form,
            lambda d: service_offering_update(actor=request.user, offering=offering, **d),
            success_message=gettext("服务已修改。"),
            success_url=request.path,
        )
        if done:
            return done
    mine = own_resident(actor=request.user)
    context = {
        "offering": offering,
        "form": form,
        "request_form": RequestForm() if mine is not None and offering.active else None,
        "page": paginate(request, offering_requests(actor=request.user, offering=offering))
        if _is_staff(request.user)
        else None,
        "nav": "menu",
    }
    return render(request, "appeals/offering_detail.html", context)


def offering_request(request, service_offering_id: int):
    """A villager asks for an offering (one tap after reading it); GET shows the offering."""
    offering = access_service_offering(request.user, service_offering_id)
    if request.method != "POST":
        return redirect("appeals:service_offering_detail", offering.pk)
    if own_resident(actor=request.user) is None:
        raise PermissionDenied(gettext("您的账号没有关联到户，不能在这里申请服务。"))
    form = RequestForm(request.POST)
    done = handle_form(
        request,
        form,
        lambda d: service_request_submit(actor=request.user, offering=offering, text=d["text"]),
        success_message=lambda a: (
            gettext("已申请，编号%(n)s，我们会尽快联系您。") % {"n": a.number}
        ),
        success_url=lambda a: reverse("appeals:detail", args=[a.pk]),
    )
    if done:
        return done
    context = {"offering": offering, "form": None, "request_form": form, "page": None}
    return render(request, "appeals/offering_detail.html", context)
