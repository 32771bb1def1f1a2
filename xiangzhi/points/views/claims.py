"""Cadres' and grid workers' pages: claims, their review, recording one or a whole activity."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import apply_errors, handle_form, paginate, querystring_without_page

from ..access import access_point_claim, access_point_claim_photo
from ..forms import STATUS_CHOICES, BatchForm, ClaimRecordForm, ReviewForm
from ..models import PointClaim
from ..selectors import claim_list as claim_list_selector
from ..selectors import numbers_not_unique, rule_list, village_households
from ..services.claims import (
    claim_approve,
    claim_record,
    claim_record_batch,
    claim_reject,
    claim_withdraw,
    may_review,
)


def _writer(request) -> None:
    """Pages that record claims: refused before anything is read to whoever writes nowhere."""
    if not scope_for(request.user).writes_anywhere:
        raise PermissionDenied(gettext("您没有登记积分的权限"))


@require_GET
def claim_list(request):
    """积分申报: the claims of the user's grids, by status."""
    status = request.GET.get("status", "")
    status = status if status in PointClaim.Status.values else ""
    q = request.GET.get("q", "").strip()
    qs = claim_list_selector(actor=request.user, status=status, search=q)
    return render(
        request,
        "points/claim_list.html",
        {
            "page_obj": paginate(request, qs),
            "status": status,
            "q": q,
            "statuses": STATUS_CHOICES,
            "querystring_prefix": querystring_without_page(request),
            "may_record": scope_for(request.user).writes_anywhere,
            "nav": "points",
        },
    )


@require_GET
def claim_detail(request, point_claim_id: int):
    claim = access_point_claim(request.user, point_claim_id)
    return render(
        request,
        "points/claim_detail.html",
        {
            "claim": claim,
            "photos": list(claim.photos.all()),
            "objections": list(claim.objections.select_related("household").all()),
            "review_form": ReviewForm() if may_review(actor=request.user, claim=claim) else None,
            "may_withdraw": claim.status == PointClaim.Status.SUBMITTED
            and claim.recorded_by_id == request.user.pk,
            "nav": "points",
        },
    )


@require_POST
def claim_review(request, point_claim_id: int):
    claim = access_point_claim(request.user, point_claim_id, write=True)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                claim_approve(actor=request.user, claim=claim, note=data["note"])
                messages.success(request, gettext("已审核通过，进入公示"))
            else:
                claim_reject(actor=request.user, claim=claim, reason=data["note"])
                messages.success(request, gettext("已审核为不通过"))
            return redirect("points:point_claim_detail", point_claim_id=claim.pk)
        except ValidationError as exc:
            apply_errors(form, exc, {"reason": "note", "claim": "__all__"})
    return render(
        request,
        "points/claim_detail.html",
        {
            "claim": claim,
            "photos": list(claim.photos.all()),
            "objections": list(claim.objections.all()),
            "review_form": form,
            "nav": "points",
        },
        status=400,
    )


@require_POST
def claim_withdraw_view(request, point_claim_id: int):
    claim = access_point_claim(request.user, point_claim_id)
    try:
        claim_withdraw(actor=request.user, claim=claim)
    except ValidationError as exc:  # reviewed meanwhile (a stale page, a second tap)
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("申报已撤回"))
    return redirect("points:point_claim_detail", point_claim_id=claim.pk)


def _household_of(request, number: str):
    found, missing, shared = village_households(actor=request.user, numbers=[number.strip()])
    if shared:
        raise ValidationError({"household": numbers_not_unique(shared)})
    if missing:
        raise ValidationError(
            {"household": gettext("没有找到户编号为“%(n)s”的在册户") % {"n": number}}
        )
    return found[0]


def claim_new(request):
    """登记积分: a grid worker or cadre records points for a household."""
    _writer(request)
    form = ClaimRecordForm(
        request.POST or None, request.FILES or None, rules=rule_list(actor=request.user)
    )
    done = handle_form(
        request,
        form,
        lambda d: claim_record(
            actor=request.user,
            household=_household_of(request, d["household"]),
            rule=d["rule"],
            occurred_on=d["occurred_on"],
            note=d["note"],
            photos=d["photos"],
        ),
        success_message=gettext("已登记，等待审核"),
        success_url=lambda claim: reverse("points:point_claim_detail", args=[claim.pk]),
    )
    return done or render(
        request,
        "points/form.html",
        {"form": form, "title": gettext("登记积分"), "multipart": True, "nav": "points"},
    )


def claim_batch(request):
    """活动批量登记: one rule, one date, the households that took part."""
    _writer(request)
    form = BatchForm(
        request.POST or None, request.FILES or None, rules=rule_list(actor=request.user)
    )

    def record(d):
        households, missing, shared = village_households(
            actor=request.user, numbers=d["households"]
        )
        if shared:
            raise ValidationError({"households": numbers_not_unique(shared)})
        if missing:
            raise ValidationError(
                {"households": gettext("没有找到这些户编号：%(n)s") % {"n": "、".join(missing)}}
            )
        return claim_record_batch(
            actor=request.user,
            rule=d["rule"],
            households=households,
            occurred_on=d["occurred_on"],
            note=d["note"],
            photos=d["photos"],
        )

    done = handle_form(
        request,
        form,
        record,
        success_message=lambda claims: gettext("已为%(n)d户登记，等待审核") % {"n": len(claims)},
        success_url=lambda claims: reverse("points:claim_list") + "?q=&status=submitted",
    )
    return done or render(
        request,
        "points/form.html",
        {
            "form": form,
            "title": gettext("活动批量登记积分"),
            "multipart": True,
            "help": gettext("一次活动（如卫生大扫除）按同一条规则为多户登记，照片共用。"),
            "nav": "points",
        },
    )


@require_GET
def claim_photo(request, point_claim_photo_id: int):
    """A claim's photo, served only after the scope check (never as public media)."""
    photo = access_point_claim_photo(request.user, point_claim_photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("照片文件不存在")) from None
    return FileResponse(handle, content_type=_content_type(photo.image.name))


def _content_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp"}.get(suffix, "image/jpeg")
