"""The points store's pages: the shelf, an item's form, the counter, redemptions, receipts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.pdf import Table, Text, render_pdf
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form, paginate, querystring_without_page
from xiangzhi.grid.access import access_node
from xiangzhi.people.access import access_household
from xiangzhi.people.selectors import household_list
from xiangzhi.people.services import resident_number_search

from ..access import access_point_redemption, access_point_reward
from ..selectors.store import (
    household_account,
    redemption_list,
    redemption_receipt,
    reward_list,
    shelf_for,
)
from ..services.store import may_run_store, redemption_create, reward_create, reward_update
from ..store_forms import RedeemForm, RewardEditForm, RewardNewForm


def _store_nodes(request):
    """The nodes whose stores the user runs, for the new item's form."""
    from xiangzhi.people.selectors import grid_choices

    return grid_choices(actor=request.user).filter(level__lte=2)


def _runs_a_store(user) -> bool:
    scope = scope_for(user)
    return scope.superuser or any(may_run_store(actor=user, path=p) for p in scope.read_paths)


@require_GET
def store(request):
    """积分超市: the items of the stores in scope, and the latest redemptions."""
    node = access_node(request.user, request.GET["node"]) if request.GET.get("node") else None
    q = request.GET.get("q", "").strip()
    page = paginate(request, reward_list(actor=request.user, node=node, search=q))
    return render(
        request,
        "points/store/store.html",
        {
            "page_obj": page,
            "q": q,
            "node": node,
            "can_run": _runs_a_store(request.user),
            "nav": "points_store",
            "querystring_prefix": querystring_without_page(request),
        },
    )


def reward_new(request):
    nodes = _store_nodes(request)
    if not any(may_run_store(actor=request.user, path=n.path) for n in nodes):
        # Refused when shown, not only when sent: no form its reader cannot use.
        raise PermissionDenied(gettext("只有村（镇）干部可以管理积分超市"))
    form = RewardNewForm(request.POST or None, nodes=nodes, initial={"kind": "material"})
    done = handle_form(
        request,
        form,
        lambda d: reward_create(actor=request.user, **d),
        success_message=lambda r: gettext("已上架：%(name)s") % {"name": r.name},
        success_url=reverse("points:store"),
    )
    return done or render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": gettext("上架商品"),
            "nav": "points_store",
            "cancel_url": reverse("points:store"),
        },
    )


def reward_edit(request, point_reward_id: int):
    reward = access_point_reward(request.user, point_reward_id, write=True)
    if request.method == "POST" and not may_run_store(actor=request.user, path=reward.node.path):
        raise PermissionDenied(gettext("只有村（镇）干部可以管理积分超市"))
    initial = {f: getattr(reward, f) for f in ("name", "kind", "cost", "stock", "description")}
    form = RewardEditForm(request.POST or None, initial={**initial, "is_active": reward.is_active})
    done = handle_form(
        request,
        form,
        lambda d: reward_update(actor=request.user, reward=reward, **d),
        success_message=gettext("商品已保存"),
        success_url=reverse("points:store"),
    )
    return done or render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": gettext("修改商品 · %(name)s") % {"name": reward.name},
            "nav": "points_store",
            "cancel_url": reverse("points:store"),
        },
    )


@require_GET
def counter(request):
    """兑换柜台: find the household (name, pinyin, number) that came to the counter."""
    q = request.GET.get("q", "").strip()
    if q:  # a number (ID, phone, 尾号) finds its owner: audited as on the registry's lists
        resident_number_search(actor=request.user, search=q)
    households = household_list(actor=request.user, search=q)[:20] if q else []
    return render(
        request,
        "points/store/counter.html",
        {"q": q, "households": households, "nav": "points_store"},
    )


def counter_household(request, household_id: int):
    """One household at the counter: its balance, what it can take, the redemption form."""
    household = access_household(request.user, household_id)
    account = household_account(actor=request.user, household=household)
    shelf = shelf_for(actor=request.user, household=household)
    form = RedeemForm(request.POST or None, rewards=shelf)
    if request.method == "POST" and not may_run_store(actor=request.user, path=household.node.path):
        raise PermissionDenied(gettext("只有村（镇）干部可以在积分超市办理兑换"))
    done = handle_form(
        request,
        form,
        _redeem(request, household, account),
        success_message=gettext("兑换成功，请打印兑换凭证"),
        success_url=lambda r: reverse("points:redemption_detail", args=[r.pk]),
    )
    return done or render(
        request,
        "points/store/counter_household.html",
        {
            "household": household,
            "account": account,
            "shelf": shelf,
            "form": form,
            "can_redeem": may_run_store(actor=request.user, path=household.node.path),
            "nav": "points_store",
        },
    )


@require_GET
def redemption_list_page(request):
    q = request.GET.get("q", "").strip()
    page = paginate(request, redemption_list(actor=request.user, search=q))
    return render(
        request,
        "points/store/redemption_list.html",
        {
            "page_obj": page,
            "q": q,
            "nav": "points_store",
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_GET
def redemption_detail(request, point_redemption_id: int):
    """The receipt on screen, with its printable PDF."""
    redemption = access_point_redemption(request.user, point_redemption_id)
    context = redemption_receipt(actor=request.user, redemption=redemption)
    return render(request, "points/store/receipt.html", {**context, "nav": "points_store"})


@require_GET
def redemption_receipt_pdf(request, point_redemption_id: int):
    """积分兑换凭证 as a PDF, to print at the counter (two copies: the household's and the
    store's)."""
    redemption = access_point_redemption(request.user, point_redemption_id)
    c = redemption_receipt(actor=request.user, redemption=redemption)
    r = c["redemption"]
    rows = [
        [gettext("凭证号"), f"DH{r.pk:08d}"],
        [gettext("兑换日期"), r.redeemed_on.isoformat()],
        [gettext("积分超市"), c["store"].name],
        [gettext("户号"), c["household"].number],
        [gettext("户主"), c["head_name"]],
        [gettext("兑换商品"), f"{r.reward.name} × {r.quantity}"],
        [gettext("奖励类别"), r.reward.get_kind_display()],
        [gettext("消耗积分"), str(r.points)],
        [gettext("兑换后余额"), str(c["balance_after"])],
        [gettext("经办人"), r.redeemed_by.display_name if r.redeemed_by else ""],
    ]
    blocks = [
        Table([gettext("项目"), gettext("内容")], rows, (0.3, 0.7)),
        Text(gettext("兑换人签字：＿＿＿＿＿＿　　经办人签字：＿＿＿＿＿＿")),
    ]
    data = render_pdf(title=gettext("积分兑换凭证"), blocks=blocks, footer=c["store"].name)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{r.pk}.pdf"'
    return response


def _redeem(request, household, account):
    """The counter's redemption for the household's own account."""

    def run(data):
        if account is None:
            raise ValidationError({"reward": gettext("该户还没有积分，不能兑换")})
        return redemption_create(actor=request.user, account=account, **data)

    return run
