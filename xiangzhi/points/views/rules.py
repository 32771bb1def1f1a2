"""The rule catalogue's pages and the township's policy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.web import handle_form, paginate, querystring_without_page

from ..access import access_point_rule
from ..forms import PolicyForm, RuleForm
from ..models import Category
from ..selectors import rule_list as rule_list_selector
from ..selectors import rule_units, township_of_actor
from ..services.rules import may_set_rules, policy_set, rule_create, rule_retire, rule_revise


@require_GET
def rule_list(request):
    """积分规则: the township's catalogue and the village's own rules."""
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    page = paginate(
        request,
        rule_list_selector(actor=request.user, active_only=False, search=q, category=category),
    )
    return render(
        request,
        "points/rule_list.html",
        {
            "page_obj": page,
            "querystring_prefix": querystring_without_page(request),
            "rules": [(r, may_set_rules(actor=request.user, node=r.node)) for r in page],
            "q": q,
            "category": category,
            "categories": Category.choices,
            "units": rule_units(actor=request.user),
            "township": township_of_actor(actor=request.user),
            "nav": "points_rules",
        },
    )


def _terms(d: dict) -> dict:
    return {
        "title": d["title"],
        "category": d["category"],
        "custom_category": d["custom_category"],
        "points": d["points"],
        "evidence": d["evidence"],
        "cap_points": d["cap_points"],
        "cap_period": d["cap_period"],
        "recorders": d["recorders"],
    }


def rule_new(request):
    """新增积分规则 for a unit the user sets rules for (their township or village)."""
    units = rule_units(actor=request.user)
    if not units:
        raise PermissionDenied(gettext("您不能制定积分规则"))
    chosen = {str(u.pk): u for u in units}.get(request.GET.get("unit", ""), units[0])
    form = RuleForm(
        request.POST or None, initial={"recorders": ["village_cadre", "grid_worker", "villager"]}
    )
    done = handle_form(
        request,
        form,
        lambda d: rule_create(
            actor=request.user,
            node=chosen,
            code=d["code"],
            description=d["description"],
            **_terms(d),
        ),
        success_message=gettext("积分规则已保存"),
        success_url=reverse("points:rule_list"),
    )
    return done or render(
        request,
        "points/form.html",
        {
            "form": form,
            "title": gettext("新增积分规则 · %(unit)s") % {"unit": chosen.name},
            "units": units,
            "unit": chosen,
            "nav": "points_rules",
        },
    )


def _rule_setter(request) -> None:
    """Refuse, before anything is read, whoever sets no unit's rules."""
    if not rule_units(actor=request.user):
        raise PermissionDenied(gettext("您不能制定积分规则"))


def rule_edit(request):
    """修改积分规则 (?rule=): a change of terms is a new version; what was earned keeps its
    version. The rule is a parameter: rules are a township's catalogue, not a grid's records."""
    _rule_setter(request)
    rule = access_point_rule(
        request.user, request.POST.get("rule") or request.GET.get("rule"), write=True
    )
    initial = {**_terms(rule.__dict__), "code": rule.code, "description": rule.description}
    form = RuleForm(request.POST or None, initial=initial)
    done = handle_form(
        request,
        form,
        lambda d: rule_revise(
            actor=request.user, rule=rule, code=d["code"], description=d["description"], **_terms(d)
        ),
        success_message=gettext("积分规则已修改"),
        success_url=reverse("points:rule_list"),
    )
    return done or render(
        request,
        "points/form.html",
        {
            "form": form,
            "title": gettext("修改积分规则 · 第%(v)d版") % {"v": rule.version},
            "help": gettext("修改分值等内容会生成新版本，已登记的积分仍按原版本。"),
            "nav": "points_rules",
        },
    )


@require_POST
def rule_retire_view(request):
    _rule_setter(request)
    rule = access_point_rule(request.user, request.POST.get("rule"), write=True)
    rule_retire(actor=request.user, rule=rule)
    messages.success(request, gettext("规则已停用"))
    return redirect("points:rule_list")


def policy_edit(request):
    """积分制度设置 of the user's township: limits for villages' rules, notice period."""
    township = township_of_actor(actor=request.user, leading=True)
    if township is None:
        raise PermissionDenied(gettext("只有乡镇领导可以设置积分制度"))
    policy = getattr(township, "point_policy", None)
    initial = {
        "villages_may_add": True,
        "max_points": 50,
        "max_deduction": 20,
        "min_balance": -100,
        "notice_days": 5,
    }
    if policy is not None:
        initial = {k: getattr(policy, k) for k in (*initial, "categories")}
    form = PolicyForm(request.POST or None, initial=initial)
    done = handle_form(
        request,
        form,
        lambda d: policy_set(actor=request.user, node=township, **d),
        success_message=gettext("积分制度已保存"),
        success_url=reverse("points:rule_list"),
    )
    return done or render(
        request,
        "points/form.html",
        {
            "form": form,
            "title": gettext("积分制度设置 · %(t)s") % {"t": township.name},
            "nav": "points_rules",
        },
    )
