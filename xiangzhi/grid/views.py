from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.accounts.selectors import account_find
from xiangzhi.core.audit import audit_record
from xiangzhi.core.registry import FIGURES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form, xlsx_response
from xiangzhi.core.xlsx import Column, write_xlsx

from . import selectors, services
from .access import access_node
from .actions import GridAction
from .forms import NodeForm, NodeMoveForm, StaffForm
from .models import level_name
from .rollup import rollup_children


def _detail_url(node) -> str:
    return reverse("grid:node_detail", args=[node.pk])


def _form_page(request, form, node, title: str):
    return render(
        request,
        "grid/node_form.html",
        {
            "form": form,
            "node": node,
            "nav": "grid",
            "title": title,
        },
    )


@require_GET
def index(request):
    roots = selectors.node_roots(actor=request.user)
    if len(roots) == 1:
        return redirect("grid:node_detail", node_id=roots[0].pk)
    rows = [rollup_children(root, [])[0] for root in roots]
    return render(request, "grid/index.html", {"rows": rows, "counters": FIGURES, "nav": "grid"})


@require_GET
def node_detail(request, node_id: int):
    node = access_node(request.user, node_id)
    ctx = selectors.node_overview(actor=request.user, node=node)
    scope = scope_for(request.user)
    ctx.update(
        {
            "counters": FIGURES,
            "nav": "grid",
            "can_admin": scope.can_admin_grid(node.path),
            "can_write": scope.can_write_path(node.path),
        }
    )
    return render(request, "grid/node_detail.html", ctx)


def node_create(request, node_id: int):
    parent = access_node(request.user, node_id, admin=True)
    form = NodeForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: services.node_create(actor=request.user, parent=parent, **d),
        success_message=lambda node: gettext("已新建网格：%(name)s") % {"name": node.name},
        success_url=_detail_url(parent),
    )
    return done or _form_page(request, form, parent, f"在{parent.name}下新建网格")


def node_edit(request, node_id: int):
    node = access_node(request.user, node_id, admin=True)
    form = NodeForm(request.POST or None, initial={"name": node.name, "code": node.code})
    done = handle_form(
        request,
        form,
        lambda d: services.node_update(actor=request.user, node=node, **d),
        success_message=gettext("网格信息已保存"),
        success_url=_detail_url(node),
    )
    return done or _form_page(request, form, node, f"修改网格：{node.name}")


def node_move(request, node_id: int):
    node = access_node(request.user, node_id, admin=True)
    parents = selectors.node_move_targets(actor=request.user, node=node)
    form = NodeMoveForm(request.POST or None, parents=parents)
    done = handle_form(
        request,
        form,
        lambda d: services.node_move(actor=request.user, node=node, new_parent=d["new_parent"]),
        success_message=lambda moved: (
            gettext("已将%(name)s移动到%(name2)s之下")
            % {"name": moved.name, "name2": moved.parent.name}
        ),
        success_url=_detail_url(node),
        prefix_map={"parent": "new_parent"},
    )
    return done or _form_page(request, form, node, f"移动网格：{node.name}")


def node_staff(request, node_id: int):
    node = access_node(request.user, node_id, admin=True)
    form = StaffForm(request.POST or None)

    def assign(d):
        user = account_find(actor=request.user, username=d["username"])
        if user is None:
            raise ValidationError({"username": gettext("在您管理的账号中找不到该账号")})
        services.node_staff_assign(
            actor=request.user, node=node, user=user, as_leader=d["as_leader"]
        )
        return user

    done = handle_form(
        request,
        form,
        assign,
        success_message=lambda user: (
            gettext("已将%(user)s设为%(name)s的网格员") % {"user": user, "name": node.name}
        ),
        success_url=_detail_url(node),
    )
    return done or _form_page(request, form, node, f"{node.name}：指定网格长/网格员")


@require_GET
def node_export(request, node_id: int):
    """The children table of the grid page as a sheet, with the same roll-ups."""
    node = access_node(request.user, node_id)
    overview = selectors.node_overview(actor=request.user, node=node)
    levels = sorted({lvl for r in overview["children"] for lvl in r.levels})
    columns = [Column("name", "网格"), Column("level", "层级"), Column("code", "区划代码")]
    columns += [Column(f"l{lvl}", f"下辖{level_name(lvl)}") for lvl in levels]
    columns += [Column(c.key, c.label) for c in FIGURES] + [Column("staff", "网格长/网格员")]

    def rows():
        for r in [overview["total"], *overview["children"]]:
            staff = overview["staff"].get(r.node.pk, [])
            yield [
                r.node.name,
                r.node.level_name,
                r.node.code or "",
                *[r.levels.get(lvl, 0) for lvl in levels],
                *[r.counts.get(c.key, 0) for c in FIGURES],
                "、".join(f"{ra.user}{'（网格长）' if ra.is_grid_leader else ''}" for ra in staff),
            ]

    def write(target):
        count = write_xlsx(
            target, columns, rows(), title="网格汇总表", unit=node.name, text_columns=["code"]
        )
        audit_record(
            actor=request.user, action=GridAction.NODE_EXPORT, obj=node, changes={"rows": count}
        )

    return xlsx_response(write, f"{node.name}-网格汇总-{timezone.localdate():%Y%m%d}.xlsx")
