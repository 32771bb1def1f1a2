import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.registry import list_filters
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import (
    apply_errors,
    handle_form,
    paginate,
    querystring_without_page,
    xlsx_response,
)
from xiangzhi.core.xlsx import period_text
from xiangzhi.grid.access import access_node

from . import selectors, services
from .access import access_household, access_resident
from .exports import KINDS, export_list
from .forms import (
    HeadChangeForm,
    HeadChoiceForm,
    HouseholdForm,
    HouseholdRegisterForm,
    LeaveForm,
    ResidentAddForm,
    ResidentForm,
    RevealForm,
    SplitForm,
)
from .models import Household, HouseholdChange, Resident
from .relations import relations_after_head_change

HEAD_ERRORS = {
    f"head_{k}": k for k in ["name", "gender", "birth_date", "id_number", "phone", "tags"]
}


def _node_filter(request):
    node_id = request.GET.get("node")
    return access_node(request.user, node_id) if node_id else None


@require_GET
def household_list(request):
    node, q, tag, qs = _household_query(request)
    return render(
        request,
        "people/household_list.html",
        {
            "page_obj": paginate(request, qs),
            "node": node,
            "q": q,
            "tag": tag,
            "tags": selectors.tag_list(),
            "nav": "households",
            "can_import": scope_for(request.user).writes_anywhere,
            "querystring_prefix": querystring_without_page(request),
        },
    )


def _resident_query(request):
    """The resident list's filters: subtree, search, status, gender, age band, tag and the
    filters other apps registered (党员); the workbench links here with these parameters."""
    get = request.GET
    node = _node_filter(request)
    q = get.get("q", "").strip()
    chosen_status = get.get("status", "")
    status_known = {*Resident.Status.values, selectors.STATUS_ALL}.__contains__
    status = selectors.status_filter(chosen_status, searching=bool(q))
    gender = get.get("gender", "") if get.get("gender") in Resident.Gender.values else ""
    band = selectors.parse_age_band(get.get("age", ""))
    extra, chosen = Q(), {}
    for f in list_filters("people.resident"):
        value = get.get(f.key, "")
        if value in dict(f.choices):
            extra &= f.q(value)
            chosen[f.key] = value
    filters = {
        "q": q,
        "status": chosen_status if status_known(chosen_status) else "",
        "gender": gender,
        "age": get.get("age", "") if band else "",
        "tag": get.get("tag", "").strip(),
        **chosen,
    }
    services.resident_number_search(actor=request.user, search=q)
    qs = selectors.resident_list(
        actor=request.user,
        node=node,
        search=q,
        status=status,
        tag=filters["tag"],
        gender=gender,
        age=band,
        extra=extra,
    )
    return node, filters, qs


def _household_query(request):
    node = _node_filter(request)
    q = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "")
    services.resident_number_search(actor=request.user, search=q)
    return node, q, tag, selectors.household_list(actor=request.user, node=node, search=q, tag=tag)


def _date_param(request, name: str, label: str, errors: list[str]):
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(
            gettext("%(label)s“%(value)s”不是有效日期，请写作 2026-11-01")
            % {"label": label, "value": value[:20]}
        )
        return None


# What the ledger lists: every change of the population (表格建档 is not one).
LEDGER_CHOICES = [c for c in HouseholdChange.Kind.choices if c[0] != HouseholdChange.Kind.IMPORT]
LEDGER_KINDS = frozenset(k for k, _ in LEDGER_CHOICES)


def _change_query(request):
    """人口变动台账's filters: subtree, kind, and a date range (a month for the usual report)."""
    node = _node_filter(request)
    kind = request.GET.get("kind", "")
    if kind not in LEDGER_KINDS:
        kind = ""
    errors: list[str] = []
    since = _date_param(request, "since", "开始日期", errors)
    until = _date_param(request, "until", "结束日期", errors)
    if "since" not in request.GET and "until" not in request.GET:
        # The ledger opens on this month (the usual report); empty dates ask for all of it.
        _, since, until = _months(timezone.localdate())[0]
    if since and until and since > until:
        errors.append(gettext("开始日期不能晚于结束日期"))
        until = None
    qs = selectors.household_change_list(
        actor=request.user, node=node, kind=kind, since=since, until=until
    )
    if errors:  # a range that could not be read lists nothing rather than more than was asked
        qs = qs.none()
    return node, {"kind": kind, "since": since, "until": until}, errors, qs


def _months(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """本月 and 上月, as (label, first day, last day), for the ledger's quick links."""
    first = today.replace(day=1)
    last_month_end = first - dt.timedelta(days=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return [
        (gettext("本月"), first, next_first - dt.timedelta(days=1)),
        (gettext("上月"), last_month_end.replace(day=1), last_month_end),
    ]


@require_GET
def change_list(request):
    node, filters, errors, qs = _change_query(request)
    counts = selectors.household_change_counts(qs)
    return render(
        request,
        "people/change_list.html",
        {
            "page_obj": paginate(request, qs),
            "node": node,
            "filters": filters,
            "errors": errors,
            "kinds": LEDGER_CHOICES,
            "counts": [(label, counts.get(k, 0)) for k, label in LEDGER_CHOICES],
            "months": _months(timezone.localdate()),
            "nav": "households",
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_GET
def change_export(request):
    node, filters, errors, qs = _change_query(request)
    if errors:
        # Back to the ledger with the same filters: it names the bad date on the page.
        return redirect(f"{reverse('people:change_list')}?{request.GET.urlencode()}")
    return _export(request, "changes", node, qs, period_text(filters["since"], filters["until"]))


def _export(request, kind: str, node, qs, period: str = ""):
    """The list as the user sees it (scope, filters, masks), as a sheet titled like the export."""
    title = KINDS[kind][2]
    return xlsx_response(
        lambda f: export_list(
            actor=request.user, kind=kind, queryset=qs, target=f, node=node, period=period
        ),
        f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
    )


@require_GET
def household_export(request):
    node, _, _, qs = _household_query(request)
    return _export(request, "households", node, qs)


@require_GET
def resident_export(request):
    node, _, qs = _resident_query(request)
    return _export(request, "residents", node, qs)


@require_GET
def resident_list(request):
    node, filters, qs = _resident_query(request)
    return render(
        request,
        "people/resident_list.html",
        {
            "page_obj": paginate(request, qs.values(*selectors.RESIDENT_ROW_FIELDS)),
            "node": node,
            "q": filters["q"],
            "filters": filters,
            "filtered": any(v for k, v in filters.items() if k != "status"),
            "more": bool(node) or any(v for k, v in filters.items() if k != "q"),
            "statuses": [(selectors.STATUS_ALL, gettext("全部")), *Resident.Status.choices],
            "genders": Resident.Gender.choices,
            "ages": selectors.AGE_BANDS,
            "tags": selectors.tag_list(),
            "grids": selectors.grid_choices(actor=request.user),
            "extra_filters": [(f, filters.get(f.key, "")) for f in list_filters("people.resident")],
            "nav": "residents",
            "can_import": scope_for(request.user).writes_anywhere,
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_GET
def household_detail(request, household_id: int):
    household = access_household(request.user, household_id)
    ctx = selectors.household_detail(actor=request.user, household=household)
    scope = scope_for(request.user)
    ctx.update({"nav": "households", "can_write": scope.can_write_path(household.node.path)})
    return render(request, "people/household_detail.html", ctx)


def _form_page(request, form, title: str, cancel_url: str, nav: str, help_text: str = ""):
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": title,
            "nav": nav,
            "cancel_url": cancel_url,
            "help": help_text,
        },
    )


def _household_url(household) -> str:
    return reverse("people:household_detail", args=[household.pk])


def _resident_url(resident) -> str:
    return reverse("people:resident_detail", args=[resident.pk])


def household_register(request, node_id: int):
    node = access_node(request.user, node_id, write=True)
    form = HouseholdRegisterForm(request.POST or None, node=node)
    done = handle_form(
        request,
        form,
        lambda d: services.household_register(
            actor=request.user,
            node=node,
            address=d["address"],
            number=d["number"],
            head=form.to_data(),
            occurred_on=d["occurred_on"],
        ),
        success_message=lambda h: (
            gettext("已登记迁入户：%(address)s（户编号 %(number)s）")
            % {"address": h.address, "number": h.number}
        ),
        success_url=_household_url,
        prefix_map=HEAD_ERRORS,
    )
    return done or _form_page(
        request,
        form,
        f"登记迁入户 · {node.name}",
        reverse("grid:node_detail", args=[node.pk]),
        "households",
    )


def household_edit(request, household_id: int):
    household = access_household(request.user, household_id, write=True)
    initial = {
        "address": household.address,
        "number": household.number,
        "note": household.note,
        "is_central_household": household.is_central_household,
        "tags": [t.code for t in household.tags.all()],
    }
    form = HouseholdForm(request.POST or None, initial=initial)
    done = handle_form(
        request,
        form,
        lambda d: services.household_update(actor=request.user, household=household, **d),
        success_message=gettext("户信息已保存"),
        success_url=_household_url,
    )
    return done or _form_page(
        request, form, f"修改户信息 · {household.title}", _household_url(household), "households"
    )


def household_split(request, household_id: int):
    household = access_household(request.user, household_id, write=True)
    members = household.members.filter(status=Resident.Status.ACTIVE).exclude(pk=household.head_id)
    form = SplitForm(request.POST or None, members=members)

    def with_others() -> bool:  # the new head takes other members along: check relations
        return len(form.cleaned_data["members"]) > 1

    done = handle_form(
        request,
        form,
        lambda d: services.household_split(
            actor=request.user,
            household=household,
            members=list(d["members"]),
            new_head=d["new_head"],
            address=d["address"],
            occurred_on=d["occurred_on"],
        ),
        success_message=lambda new: (
            gettext("分户完成，新户住址：%(address)s") % {"address": new.address}
            + (gettext("，成员与新户主的关系已按常见情况调整，请核对") if with_others() else "")
        ),
        success_url=lambda new: (
            reverse("people:household_head", args=[new.pk]) + f"?new_head={new.head_id}"
            if with_others()
            else _household_url(new)
        ),
    )
    return done or _form_page(
        request,
        form,
        f"分户 · {household.title}",
        _household_url(household),
        "households",
        "选择要分出的成员并指定新户户主。原户主不能分出；原户至少保留一人。",
    )


def household_head(request, household_id: int):
    """户主变更 in two steps: choose the new head (GET), then check every other member's relation
    to them, suggested from their relations to the old head (POST saves)."""
    household = access_household(request.user, household_id, write=True)
    if household.status != Household.Status.ACTIVE:
        raise Http404(gettext("该户已不在册"))
    members = household.members.filter(status=Resident.Status.ACTIVE).order_by("id")
    choice = HeadChoiceForm(
        request.GET if "new_head" in request.GET else None,
        members=selectors.head_candidates(members) | members.filter(pk=household.head_id),
        initial={"new_head": household.head_id},
    )
    form = None
    if choice.is_bound and choice.is_valid():
        new_head = choice.cleaned_data["new_head"]
        everyone = list(members)
        form = HeadChangeForm(
            request.POST or None,
            members=everyone,
            new_head=new_head,
            suggested=relations_after_head_change(new_head, everyone),
        )
        changing = new_head.pk != household.head_id
        if not changing:
            del form.fields["occurred_on"]
        done = handle_form(
            request,
            form,
            lambda d: services.household_change_head(
                actor=request.user,
                household=household,
                new_head=new_head,
                relations=form.relations(),
                occurred_on=d.get("occurred_on"),
                note=d["note"],
            ),
            success_message=(
                gettext("户主已变更为%(name)s") % {"name": new_head.name}
                if changing
                else gettext("成员与户主的关系已保存")
            ),
            success_url=_household_url(household),
        )
        if done:
            return done
    return render(
        request,
        "people/household_head.html",
        {
            "household": household,
            "choice": choice,
            "form": form,
            "nav": "households",
            "cancel_url": _household_url(household),
        },
    )


def resident_add(request, household_id: int):
    household = access_household(request.user, household_id, write=True)
    form = ResidentAddForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: services.resident_add(
            actor=request.user,
            household=household,
            data=form.to_data(),
            kind=d["kind"],
            occurred_on=d["occurred_on"],
        ),
        success_message=lambda r: gettext("已登记：%(name)s") % {"name": r.name},
        success_url=_household_url(household),
    )
    return done or _form_page(
        request, form, f"登记出生/迁入 · {household.title}", _household_url(household), "households"
    )


@require_GET
def resident_detail(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    scope = scope_for(request.user)
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "nav": "residents",
            "tags": list(resident.tags.all()),
            "can_write": scope.can_write_path(resident.node.path),
            "can_reveal": scope.can_reveal_path(resident.node.path),
            "reveal_form": RevealForm(),
        },
    )


def resident_edit(request, resident_id: int):
    resident = access_resident(request.user, resident_id, write=True)
    form = ResidentForm(request.POST or None, initial=ResidentForm.initial_from(resident))
    form.keep_masks()
    form.head_only_through_head_change(resident.household.head_id == resident.pk)
    done = handle_form(
        request,
        form,
        lambda d: services.resident_update(
            actor=request.user, resident=resident, data=form.to_data(keep=resident)
        ),
        success_message=gettext("居民信息已保存"),
        success_url=_resident_url,
    )
    return done or _form_page(
        request, form, f"修改居民信息 · {resident.name}", _resident_url(resident), "residents"
    )


def _leave_view(request, resident_id: int, kind: str, title: str, done_text: str):
    resident = access_resident(request.user, resident_id, write=True)
    others = selectors.resident_housemates(actor=request.user, resident=resident)
    candidates = selectors.head_candidates(others)
    form = LeaveForm(request.POST or None, kind=kind, others=candidates)
    is_head = resident.household.head_id == resident.pk
    head_leaves = is_head and candidates.exists()
    only_newborns = is_head and not head_leaves and others.exists()

    def leave(d):
        common = {"occurred_on": d["occurred_on"], "note": d["note"], "new_head": d["new_head"]}
        if kind == HouseholdChange.Kind.DEATH:
            return services.resident_record_death(
                actor=request.user, resident=resident, cause=d["reason"], **common
            )
        return services.resident_move_out(
            actor=request.user,
            resident=resident,
            destination=d["destination"],
            reason=d["reason"],
            **common,
        )

    done = handle_form(
        request,
        form,
        leave,
        success_message=lambda r: (
            gettext(
                "%(name)s%(done_text)s。户主已改为%(name2)s，其他成员与户主的关系已按常见情况调整，请核对"
            )
            % {"name": r.name, "done_text": done_text, "name2": form.cleaned_data["new_head"].name}
            if head_leaves
            else gettext(
                "%(name)s%(done_text)s。户里只剩未满周岁的孩子，暂无户主：有亲属迁入或孩子满周岁后，"
                "请办理户主变更"
            )
            % {"name": r.name, "done_text": done_text}
            if only_newborns
            else f"{r.name}{done_text}"
        ),
        success_url=lambda r: (
            reverse("people:household_head", args=[r.household_id])
            + f"?new_head={form.cleaned_data['new_head'].pk}"
            if head_leaves
            else reverse("people:household_detail", args=[r.household_id])
        ),
    )
    return done or _form_page(
        request, form, f"{title} · {resident.name}", _resident_url(resident), "residents"
    )


def resident_move_out(request, resident_id: int):
    return _leave_view(
        request, resident_id, HouseholdChange.Kind.MOVE_OUT, "登记迁出", "已登记迁出"
    )


def resident_death(request, resident_id: int):
    return _leave_view(request, resident_id, HouseholdChange.Kind.DEATH, "登记死亡", "已登记死亡")


def resident_reveal(request, resident_id: int):
    resident = access_resident(request.user, resident_id, reveal=True)
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.resident_reveal(
                actor=request.user,
                resident=resident,
                field_name=form.cleaned_data["field"],
                purpose=form.cleaned_data["purpose"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "people/reveal.html",
        {
            "resident": resident,
            "form": form,
            "value": value,
            "nav": "residents",
            "field_label": dict(form.fields["field"].choices).get(form.data.get("field", "")),
        },
    )
