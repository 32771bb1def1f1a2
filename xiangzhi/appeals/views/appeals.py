"""The appeal pages: the list, the villager's page, a cadre's record form, one appeal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import apply_errors, paginate, querystring_without_page
from xiangzhi.party.access import access_talk_opinion

from ..access import access_appeal, access_appeal_photo, access_visit_need
from ..forms import RecordForm, SubmitForm
from ..models import Kind
from ..selectors import (
    FILTER_STATES,
    appeal_list,
    appeal_timeline,
    household_appeals,
    household_by_number,
    record_node_choices,
)
from ..selectors.appeals import may_read_appeal
from ..selectors.routing import routing_for_steps
from ..services import appeal_from_need, appeal_from_opinion, appeal_submit
from ..services.submit import own_resident
from ..workflow import allowed
from .steps import step_forms


def _is_staff(user) -> bool:
    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths) or bool(scope.department_ids)


@require_GET
def appeal_list_view(request):
    """Staff: every appeal of their scope, filtered; a villager: their household's."""
    if not _is_staff(request.user):
        page = paginate(request, household_appeals(actor=request.user))
        return render(request, "appeals/mine.html", {"page_obj": page, "nav": "appeals"})
    filters = {k: request.GET.get(k, "") for k in ("state", "kind", "q", "mine")}
    qs = appeal_list(
        actor=request.user,
        state=filters["state"],
        kind=filters["kind"],
        search=filters["q"],
        mine=filters["mine"] == "1",
    )
    return render(
        request,
        "appeals/list.html",
        {
            "page_obj": paginate(request, qs),
            "filters": filters,
            "filtered": any(filters.values()),
            "states": FILTER_STATES,
            "kinds": Kind.choices,
            "querystring_prefix": querystring_without_page(request),
            "can_record": scope_for(request.user).writes_anywhere,
            "nav": "appeals",
        },
    )


def appeal_new(request):
    """The villager's own page: a big text box, a photo button and 提交 (three taps)."""
    mine = own_resident(actor=request.user)
    if mine is None or not mine.household_id:
        if request.method == "POST":
            raise PermissionDenied(gettext("您的账号没有关联到户，不能在这里提出诉求。"))
        if scope_for(request.user).writes_anywhere:
            return redirect("appeals:record")
        return render(request, "appeals/new.html", {"form": None, "nav": "appeals"})
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = appeal_submit(
                actor=request.user,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("已收到您的诉求（编号%(n)s），我们会尽快联系您。") % {"n": appeal.number},
            )
            return redirect("appeals:detail", appeal.pk)
    return render(request, "appeals/new.html", {"form": form, "resident": mine, "nav": "appeals"})


def appeal_record(request):
    """A cadre or grid worker records an appeal for a villager or from a patrol."""
    if not scope_for(request.user).writes_anywhere:
        raise PermissionDenied(gettext("您的角色不能登记诉求"))
    form = RecordForm(
        request.POST or None, request.FILES or None, nodes=record_node_choices(actor=request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = None
            if data["household_number"]:
                household = household_by_number(
                    actor=request.user, number=data["household_number"], node=data["node"]
                )
                if household is None:
                    raise ValidationError(
                        {"household_number": gettext("您管辖范围内没有这个户编号。")}
                    )
            appeal = appeal_submit(
                actor=request.user,
                text=data["text"],
                kind=data["kind"],
                source=data["source"],
                household=household,
                resident=household.head if household else None,
                node=None if household else data["node"],
                photos=data["photos"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("诉求已登记：%(n)s") % {"n": appeal.number})
            return redirect("appeals:detail", appeal.pk)
    return render(
        request,
        "appeals/record.html",
        {"form": form, "nav": "appeals", "cancel_url": reverse("appeals:list")},
    )


@require_GET
def appeal_detail(request, appeal_id: int):
    appeal = access_appeal(request.user, appeal_id)
    steps = allowed(request.user, appeal)
    suggestion = routing_for_steps(actor=request.user, appeal=appeal, steps=steps)
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "timeline": appeal_timeline(actor=request.user, appeal=appeal),
            "photos": list(appeal.photos.all()),
            "steps": step_forms(request.user, appeal, steps, suggestion.initial),
            "suggestion": suggestion,
            # The appeal it was merged into may be another household's: linked only when the
            # reader may open it, else named with how far it has got.
            "merged_readable": bool(appeal.duplicate_of_id)
            and may_read_appeal(actor=request.user, pk=appeal.duplicate_of_id),
            "nav": "appeals",
        },
    )


@require_GET
def appeal_photo(request, appeal_photo_id: int):
    photo = access_appeal_photo(request.user, appeal_photo_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _one_tap(request, make):
    """An appeal made in one tap (from a need or an opinion): its page, or home with the reason."""
    try:
        appeal = make()
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("home")
    messages.success(request, gettext("已转为诉求：%(n)s") % {"n": appeal.number})
    return redirect("appeals:detail", appeal.pk)


@require_POST
def appeal_from_opinion_view(request, talk_opinion_id: int):
    """One tap: a hamlet talk's opinion handed on as a need becomes an appeal of its hamlet."""
    opinion = access_talk_opinion(request.user, talk_opinion_id, write=True)
    return _one_tap(request, lambda: appeal_from_opinion(actor=request.user, opinion=opinion))


@require_POST
def appeal_from_need_view(request, visit_need_id: int):
    """One tap: a visit's open need becomes an appeal of its household."""
    need = access_visit_need(request.user, visit_need_id)
    if not scope_for(request.user).can_write_path(need.household.node.path):
        raise PermissionDenied(gettext("您对该走访诉求只有查看权限"))
    return _one_tap(request, lambda: appeal_from_need(actor=request.user, need=need))
