"""The account pages of a township or village leader: list, create, account, reset, switch
off and on, roles, and the party members' accounts in one go. Thin: every rule is in
services.org_accounts; a one-time password is rendered in the answer to the POST that made it
and nowhere else (no redirect, no session, no message). A form that makes accounts or passwords
carries a `once` token: sent again (a refresh of that answer), it makes nothing."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.roles import Role
from xiangzhi.core.scope import access_object, scope_for
from xiangzhi.core.web import (
    apply_errors,
    once_spend,
    once_used,
    paginate,
    querystring_without_page,
)

from .access import access_account, access_role_assignment
from .forms import AccountCreateForm, RoleForm, grantable_roles
from .selectors import ACCOUNT_STATUSES, account_list, account_nodes
from .services.org_accounts import (
    account_create,
    account_deactivate,
    account_password_reset,
    account_reactivate,
    account_role_add,
    party_member_accounts_create,
    person_load,
    person_search,
    role_revoke,
)


def may_manage_accounts(user) -> bool:
    """Whether the user runs anyone's accounts (the navigation entry, the pages)."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.account_paths)


def _require_manager(request) -> None:
    """A page naming no account refuses whoever runs none (one naming an account is a 404 for
    them: access_account finds none of it in their subtree, like a missing one)."""
    if not may_manage_accounts(request.user):
        raise PermissionDenied(_("只有总网格长、镇干部和村党组织书记可以管理账号"))


def _sent_twice(request, to: str, *args):
    """The answer to a form sent a second time (a refresh of the page showing new passwords)."""
    messages.info(
        request,
        _(
            "这张表已经提交过，没有再次创建。一次性密码只显示一次；如果没有记下，请在账号页面重新重置密码。"
        ),
    )
    return redirect(to, *args)


def _node(request, value):
    return access_object(apps.get_model("grid", "GridNode"), request.user, value)


@require_GET
def account_index(request):
    _require_manager(request)
    node_id = request.GET.get("node")
    node = _node(request, node_id) if node_id else None
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    qs = account_list(actor=request.user, search=q, role=role, status=status, node=node)
    return render(
        request,
        "accounts/account_list.html",
        {
            "page_obj": paginate(request, qs),
            "q": q,
            "role": role,
            "status": status,
            "node": node,
            "roles": Role.choices,
            "statuses": ACCOUNT_STATUSES.items(),
            "querystring_prefix": querystring_without_page(request),
            "nav": "accounts",
        },
    )


def account_new(request):
    """The create form; ?q= finds a resident of the subtree to link, ?person= picks one."""
    _require_manager(request)
    data = request.POST if request.method == "POST" else None
    person_id = (data or request.GET).get("person")
    person = person_load(actor=request.user, pk=person_id) if person_id else None
    q = request.GET.get("q", "").strip()
    found = person_search(actor=request.user, text=q) if q and person is None else []
    form = AccountCreateForm(data, actor=request.user, person=person)
    if data is not None and person_id and person is None:
        form.add_error(None, _("该居民不在您的辖区内，或已经有账号"))
    elif data is not None and once_used(request):
        return _sent_twice(request, "accounts:account_list")
    elif data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            user, otp = account_create(
                actor=request.user,
                display_name=d["display_name"],
                username=d["username"],
                role=d["role"],
                node=d["node"],
                department=d["department"],
                person_id=person.pk if person else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"person": "__all__"})  # the hidden field shows no errors
        else:
            once_spend(request)
            return _one_time(request, [(user, otp)], _("账号已创建"))
    return render(
        request,
        "accounts/account_new.html",
        {"form": form, "person": person, "q": q, "found": found, "nav": "accounts"},
    )


def _one_time(request, made, title: str, node=None):
    """The one-time passwords, on the answer to the POST that made them (printable)."""
    return render(
        request,
        "accounts/account_passwords.html",
        {"made": made, "title": title, "node": node, "nav": "accounts"},
    )


@require_GET
def account_detail(request, user_id: int):
    account = access_account(request.user, user_id)
    if account.pk == request.user.pk:
        return redirect("accounts:profile")  # one's own account is run on 我的
    roles = account.role_assignments.select_related("node", "department").order_by("node__path")
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "roles": roles,
            "role_form": RoleForm(actor=request.user),
            "nav": "accounts",
        },
    )


@require_POST
def account_reset(request, user_id: int):
    account = access_account(request.user, user_id)
    if once_used(request):
        return _sent_twice(request, "accounts:account_detail", account.pk)
    otp = account_password_reset(actor=request.user, user=account)
    once_spend(request)
    return _one_time(request, [(account, otp)], _("密码已重置"))


@require_POST
def account_switch(request, user_id: int):
    """Deactivate (enabled=0) or reactivate (enabled=1) an account."""
    account = access_account(request.user, user_id)
    enable = request.POST.get("enabled") == "1"
    service = account_reactivate if enable else account_deactivate
    try:
        service(actor=request.user, user=account)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("账号已启用。") if enable else _("账号已停用，所有设备上的登录已退出。")
        )
    return redirect("accounts:account_detail", user_id=account.pk)


@require_POST
def account_role_new(request, user_id: int):
    account = access_account(request.user, user_id)
    form = RoleForm(request.POST, actor=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            account_role_add(
                actor=request.user,
                user=account,
                role=d["role"],
                node=d["node"],
                department=d["department"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("角色已添加。"))
    return redirect("accounts:account_detail", user_id=account.pk)


@require_POST
def account_role_remove(request, role_assignment_id: int):
    ra = access_role_assignment(request.user, role_assignment_id)
    try:
        role_revoke(actor=request.user, assignment=ra)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("角色已取消。"))
    return redirect("accounts:account_detail", user_id=ra.user_id)


def party_accounts(request):
    """Create the missing accounts of a village's party members, with a printable list."""
    _require_manager(request)
    if request.method == "POST":
        node = _node(request, request.POST.get("node"))
        if once_used(request):
            return _sent_twice(request, "accounts:account_list")
        made = party_member_accounts_create(actor=request.user, node=node)
        once_spend(request)
        return _one_time(request, made, _("党员账号已批量创建"), node=node)
    # Villages, branches and 屋场党小组 (level 4), as the page says; not a 党员中心户 (level 5).
    nodes = [n for n in account_nodes(actor=request.user) if n.level <= 4]
    return render(
        request,
        "accounts/party_accounts.html",
        {"nodes": nodes, "can_grant": Role.PARTY_MEMBER in dict(grantable_roles(request.user))},
    )
