from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from xiangzhi.accounts.models import User
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import apply_errors

from . import selectors, services
from .access import access_node
from .forms import NodeForm, NodeMoveForm, StaffForm
from .models import GridNode
from .rollup import COUNTERS, rollup_children


@require_GET
def index(request):
    roots = selectors.node_roots(actor=request.user)
    if len(roots) == 1:
        return redirect("grid:node_detail", node_id=roots[0].pk)
    rows = []
    for root in roots:
        total, _ = rollup_children(root, [])
        rows.append(total)
    return render(request, "grid/index.html", {"rows": rows, "counters": COUNTERS, "nav": "grid"})


@require_GET
def node_detail(request, node_id: int):
    node = access_node(request.user, node_id)
    ctx = selectors.node_overview(actor=request.user, node=node)
    scope = scope_for(request.user)
    ctx.update(
        {
            "counters": COUNTERS,
            "nav": "grid",
            "can_admin": scope.can_admin_grid(node.path),
            "can_write": scope.can_write_path(node.path),
        }
    )
    return render(request, "grid/node_detail.html", ctx)


def node_create(request, node_id: int):
    parent = access_node(request.user, node_id, write=True)
    if not scope_for(request.user).can_admin_grid(parent.path):
        raise PermissionDenied("您没有调整该网格的权限")
    form = NodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已新建网格:{node.name}")
            return redirect("grid:node_detail", node_id=parent.pk)
    return render(
        request,
        "grid/node_form.html",
        {"form": form, "parent": parent, "nav": "grid", "title": f"在{parent.name}下新建网格"},
    )


def node_edit(request, node_id: int):
    node = access_node(request.user, node_id, write=True)
    form = NodeForm(request.POST or None, initial={"name": node.name, "code": node.code})
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "网格信息已保存")
            return redirect("grid:node_detail", node_id=node.pk)
    return render(
        request,
        "grid/node_form.html",
        {"form": form, "node": node, "nav": "grid", "title": f"修改网格:{node.name}"},
    )


def node_move(request, node_id: int):
    node = access_node(request.user, node_id, write=True)
    parents = (
        GridNode.objects.for_actor(request.user)
        .filter(level=node.level - 1)
        .exclude(pk=node.parent_id)
    )
    form = NodeMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_move(
                actor=request.user, node=node, new_parent=form.cleaned_data["new_parent"]
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"parent": "new_parent"})
        else:
            messages.success(
                request, f"已将{node.name}移动到{form.cleaned_data['new_parent'].name}之下"
            )
            return redirect("grid:node_detail", node_id=node.pk)
    return render(
        request,
        "grid/node_form.html",
        {"form": form, "node": node, "nav": "grid", "title": f"移动网格:{node.name}"},
    )


def node_staff(request, node_id: int):
    node = access_node(request.user, node_id, write=True)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"], is_active=True).first()
        if user is None:
            form.add_error("username", "找不到该账号")
        else:
            try:
                services.node_staff_assign(
                    actor=request.user,
                    node=node,
                    user=user,
                    as_leader=form.cleaned_data["as_leader"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已将{user}设为{node.name}的网格员")
                return redirect("grid:node_detail", node_id=node.pk)
    return render(
        request,
        "grid/node_form.html",
        {"form": form, "node": node, "nav": "grid", "title": f"{node.name}:指定网格长/网格员"},
    )
