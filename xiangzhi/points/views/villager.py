"""The villager's pages, for the phone in elder mode: apply in three taps, read the notices,
object to one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from xiangzhi.core.web import apply_errors, handle_form, paginate, querystring_without_page

from ..access import access_point_claim_on_notice
from ..forms import ApplyForm, ObjectionForm
from ..selectors import notice_list as notice_list_selector
from ..selectors import own_households, rules_for_household
from ..selectors.board import name_on_notice
from ..services.claims import claim_submit, objection_raise


def _rules(request, household):
    if household is None:
        return []
    return [
        r
        for r in rules_for_household(actor=request.user, household=household)
        if "villager" in r.recorders
    ]


def apply(request):
    """积分申报 in three taps: pick a rule (1), add a photo or a note if wanted (2), 提交 (3).

    The rule travels as a parameter: without one (or with one that is not the household's),
    a GET and a POST both show the list of rules."""
    household = own_households(actor=request.user).first()
    rules = _rules(request, household)
    chosen = {str(r.pk): r for r in rules}.get(request.GET.get("rule") or request.POST.get("rule"))
    if chosen is None:
        return render(
            request,
            "points/apply.html",
            {"household": household, "rules": rules, "nav": "points_apply"},
        )
    form = ApplyForm(request.POST or None, request.FILES or None, evidence=chosen.evidence)
    if request.method == "POST" and form.is_valid():
        try:
            claim_submit(
                actor=request.user,
                household=household,
                rule=chosen,
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("已提交，村里审核后会公示。"))
            return redirect("points:apply")
    return render(
        request,
        "points/apply_rule.html",
        {"household": household, "rule": chosen, "form": form, "nav": "points_apply"},
    )


def notice_list(request):
    """积分公示: the claims on notice in the user's village (or grids), with 我有异议."""
    page = paginate(request, notice_list_selector(actor=request.user))
    page.object_list = list(page.object_list)
    name_on_notice(page.object_list)
    return render(
        request,
        "points/notice_list.html",
        {
            "page_obj": page,
            "querystring_prefix": querystring_without_page(request),
            "may_object": own_households(actor=request.user).exists(),
            "nav": "points_notices",
        },
    )


def objection_new(request, point_claim_id: int):
    """提出异议 on a claim under notice in one's own village."""
    claim = access_point_claim_on_notice(request.user, point_claim_id)
    name_on_notice([claim])  # named as on the notice list, as the village chose
    form = ObjectionForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: objection_raise(actor=request.user, claim=claim, reason=d["reason"]),
        success_message=gettext("异议已提交，村里将重新审核。"),
        success_url=lambda _o: redirect("points:notice_list").url,
    )
    return done or render(
        request,
        "points/objection_form.html",
        {"claim": claim, "form": form, "nav": "points_notices"},
    )
