"""The petition pages: the list with each one's countdown, registering, one petition's steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.web import apply_errors, handle_form, paginate, querystring_without_page

from ..access_extra import access_petition
from ..forms_extra import DecideForm, ExtendForm, FinishForm, PetitionForm
from ..models.petitions import Petition
from ..selectors.services_extra import petition_list, record_nodes
from ..services import petitions as services
from ..services.petitions import may_handle_petition

State = Petition.State
STEPS = {
    "accept": (
        DecideForm,
        (State.RECEIVED,),
        lambda actor, p, d: services.petition_accept(actor=actor, petition=p, **d),
        "已受理，办结期限为受理之日起60日。",
        "受理",
    ),
    "refuse": (
        DecideForm,
        (State.RECEIVED,),
        lambda actor, p, d: services.petition_refuse(actor=actor, petition=p, **d),
        "已记录不予受理。",
        "不予受理",
    ),
    "extend": (
        ExtendForm,
        (State.ACCEPTED,),
        lambda actor, p, d: services.petition_extend(actor=actor, petition=p, **d),
        "已延期。",
        "延期",
    ),
    "finish": (
        FinishForm,
        (State.ACCEPTED,),
        lambda actor, p, d: services.petition_finish(actor=actor, petition=p, **d),
        "信访事项已办结。",
        "办结",
    ),
}


def _with_countdown(page, today):
    for p in page.object_list:
        p.left = p.days_left(today)
    return page


@require_GET
def petition_list_view(request):
    state, q = request.GET.get("state", ""), request.GET.get("q", "").strip()
    page = paginate(request, petition_list(actor=request.user, state=state, search=q))
    context = {
        "page": _with_countdown(page, timezone.localdate()),
        "state": state,
        "q": q,
        "states": State.choices,
        "can_record": record_nodes(actor=request.user).exists(),
        "querystring_prefix": querystring_without_page(request),
        "nav": "petitions",
    }
    return render(request, "appeals/petition_list.html", context)


def petition_new(request):
    nodes = record_nodes(actor=request.user)
    if request.method == "POST" and not nodes.exists():
        raise PermissionDenied(gettext("您不能登记信访事项。"))
    form = PetitionForm(
        request.POST or None, nodes=nodes, initial={"received_on": timezone.localdate()}
    )
    done = handle_form(
        request,
        form,
        lambda d: services.petition_register(actor=request.user, **d),
        success_message=gettext("信访事项已登记，请在15日内决定是否受理。"),
        success_url=lambda x: reverse("appeals:petition_detail", args=[x.pk]),
    )
    return done or render(request, "appeals/petition_form.html", {"form": form, "nav": "petitions"})


def _forms(petition, bound=None):
    today = timezone.localdate()
    out = []
    for name, (form_class, states, _, _, label) in STEPS.items():
        if petition.state in states:
            if bound is not None and bound.prefix == name:
                form = bound
            else:
                initial = {"decided_on": today, "finished_on": today}
                form = form_class(initial=initial, prefix=name)
            out.append((name, gettext(label), form))
    return out


def _page(request, petition, steps):
    context = {
        "petition": petition,
        "left": petition.days_left(timezone.localdate()),
        "steps": steps,
        "nav": "petitions",
    }
    return render(request, "appeals/petition_detail.html", context)


@require_GET
def petition_detail(request, petition_id: int):
    petition = access_petition(request.user, petition_id)
    steps = _forms(petition) if may_handle_petition(actor=request.user, petition=petition) else []
    return _page(request, petition, steps)


@require_POST
def petition_step(request, petition_id: int, step: str):
    petition = access_petition(request.user, petition_id, write=True)
    form_class, _, run, message, _ = STEPS[step]
    form = form_class(request.POST, prefix=step)
    if form.is_valid():
        try:
            run(request.user, petition, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext(message))
            return redirect("appeals:petition_detail", petition.pk)
    return _page(request, petition, _forms(petition, bound=form))
