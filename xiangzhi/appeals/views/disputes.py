"""The dispute pages: the list, registering one, one dispute with its mediation steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.web import apply_errors, handle_form, paginate, querystring_without_page

from ..access_extra import access_dispute
from ..forms_extra import DisputeForm, FailForm, FollowUpForm, SessionForm, SettleForm
from ..models.disputes import Dispute
from ..selectors.services_extra import dispute_list, dispute_sessions, record_nodes
from ..services import disputes as services
from ..services.disputes import may_handle_dispute

State = Dispute.State
# step -> (form, the states it is offered in, the service call, its success message)
STEPS = {
    "session": (
        SessionForm,
        (State.OPEN,),
        lambda actor, d, data: services.dispute_session_record(actor=actor, dispute=d, **data),
        "调解记录已保存。",
    ),
    "settle": (
        SettleForm,
        (State.OPEN,),
        lambda actor, d, data: services.dispute_settle(actor=actor, dispute=d, **data),
        "调解协议已记录。",
    ),
    "fail": (
        FailForm,
        (State.OPEN,),
        lambda actor, d, data: services.dispute_fail(actor=actor, dispute=d, **data),
        "已记录调解不成。",
    ),
    "follow_up": (
        FollowUpForm,
        (State.SETTLED, State.FAILED),
        lambda actor, d, data: services.dispute_follow_up(actor=actor, dispute=d, **data),
        "回访已记录，纠纷结案。",
    ),
}
LABELS = {"session": "记录调解", "settle": "达成协议", "fail": "调解不成", "follow_up": "回访结案"}


@require_GET
def dispute_list_view(request):
    state, q = request.GET.get("state", ""), request.GET.get("q", "").strip()
    context = {
        "page": paginate(request, dispute_list(actor=request.user, state=state, search=q)),
        "state": state,
        "q": q,
        "states": State.choices,
        "can_record": record_nodes(actor=request.user).exists(),
        "querystring_prefix": querystring_without_page(request),
        "nav": "disputes",
    }
    return render(request, "appeals/dispute_list.html", context)


def dispute_new(request):
    nodes = record_nodes(actor=request.user)
    if request.method == "POST" and not nodes.exists():
        raise PermissionDenied(gettext("您不能登记纠纷。"))
    form = DisputeForm(
        request.POST or None, nodes=nodes, initial={"registered_on": timezone.localdate()}
    )

    def register(d):
        parties = [(d["party_a"], None, d["side_a"]), (d["party_b"], None, d["side_b"])]
        return services.dispute_register(
            actor=request.user,
            node=d["node"],
            title=d["title"],
            category=d["category"],
            description=d["description"],
            parties=parties,
            department=d["department"],
            registered_on=d["registered_on"],
        )

    done = handle_form(
        request,
        form,
        register,
        success_message=gettext("纠纷已登记。"),
        success_url=lambda x: reverse("appeals:dispute_detail", args=[x.pk]),
    )
    return done or render(request, "appeals/dispute_form.html", {"form": form, "nav": "disputes"})


def _forms(dispute):
    today = timezone.localdate()
    out = []
    for name, (form_class, states, _, _) in STEPS.items():
        if dispute.state in states:
            initial = {f: today for f in ("held_on", "agreed_on", "on", "followed_up_on")}
            form = form_class(initial=initial, prefix=name)
            out.append((name, gettext(LABELS[name]), form))
    return out


@require_GET
def dispute_detail(request, dispute_id: int):
    dispute = access_dispute(request.user, dispute_id)
    steps = _forms(dispute) if may_handle_dispute(actor=request.user, dispute=dispute) else []
    return _page(request, dispute, steps)


def _page(request, dispute, steps):
    context = {
        "dispute": dispute,
        "parties": list(dispute.parties.all()),
        "sessions": dispute_sessions(actor=request.user, dispute=dispute),
        "steps": steps,
        "nav": "disputes",
    }
    return render(request, "appeals/dispute_detail.html", context)


@require_POST
def dispute_step(request, dispute_id: int, step: str):
    dispute = access_dispute(request.user, dispute_id, write=True)
    form_class, _, run, message = STEPS[step]
    form = form_class(request.POST, prefix=step)
    if form.is_valid():
        try:
            run(request.user, dispute, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext(message))
            return redirect("appeals:dispute_detail", dispute.pk)
    steps = [(n, label, form if n == step else f) for n, label, f in _forms(dispute)]
    return _page(request, dispute, steps)
