"""The public board (积分公示栏): rankings, the red list, the deductions a village lists, the
monthly notice as a printable PDF, and the village's board settings."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.pdf import QRCode, Table, Text, render_pdf
from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form
from xiangzhi.grid.access import access_node

from ..access import access_board, home_board
from ..models import PointBoardSetting
from ..selectors.board import (
    board_nodes,
    board_settings,
    current_periods,
    deduction_list,
    household_standing,
    parse_period,
    red_list,
    subtree_totals,
)
from ..services.store import board_setting_update, may_run_store
from ..services.totals import period_label
from ..store_forms import BoardSettingForm

BOARD_ROWS = 50


@require_GET
def board_home(request):
    """The board of the user's own village (or township)."""
    node = home_board(request.user)
    if node is None:
        return render(request, "points/board/none.html", {"nav": "points_board"})
    return redirect("points:board", node_id=node.pk)


def _own_households(user) -> list[int]:
    return sorted(scope_for(user).household_ids)


@require_GET
def board(request, node_id: int):
    node = access_board(request.user, node_id)
    period = parse_period(request.GET.get("period"))
    settings = board_settings({node.path} if node.level == 2 else set())
    mine = [
        household_standing(household_id=h, node=node, period=period)
        for h in _own_households(request.user)
    ]
    now = current_periods()
    return render(
        request,
        "points/board/board.html",
        {
            "node": node,
            "period": period,
            "period_label": period_label(period),
            "periods": [(now[s], period_label(now[s])) for s in ("month", "quarter", "year")],
            "rows": red_list(node=node, period=period, limit=BOARD_ROWS, settings=settings),
            "deductions": deduction_list(node=node, period=period, settings=settings),
            "mine": [m for m in mine if m],
            "boards": board_nodes(node=node),
            "children": subtree_totals(actor=request.user, node=node, period=period)
            if scope_for(request.user).can_read_path(node.path)
            else [],
            "setting": settings.get(node.path),
            "can_set": node.level == 2 and may_run_store(actor=request.user, path=node.path),
            "nav": "points_board",
        },
    )


@require_GET
def board_pdf(request, node_id: int):
    """积分公示 of a month (or quarter, year), printable, with a QR code to the online board."""
    node = access_board(request.user, node_id)
    period = parse_period(request.GET.get("period"))
    label = period_label(period)
    rows = red_list(node=node, period=period, limit=200)
    blocks = [
        Text(
            gettext("%(node)s%(period)s积分排行如下，公示期间如有异议，请向村民委员会反映。")
            % {"node": node.name, "period": label}
        ),
        Table(
            [gettext("名次"), gettext("户"), gettext("积分")],
            [[r.rank, r.name, r.score] for r in rows] or [["—", gettext("本期暂无积分"), "—"]],
            (0.2, 0.55, 0.25),
        ),
    ]
    deductions = deduction_list(node=node, period=period, limit=200)
    if deductions:
        blocks += [
            Text(gettext("扣分明细")),
            Table(
                [gettext("日期"), gettext("户"), gettext("事由"), gettext("分值")],
                [[d["day"].isoformat(), d["name"], d["reason"], d["amount"]] for d in deductions],
                (0.18, 0.22, 0.45, 0.15),
            ),
        ]
    url = request.build_absolute_uri(reverse("points:board", args=[node.pk]))
    blocks.append(QRCode(url, caption=gettext("扫码查看在线积分公示栏（需登录）")))
    data = render_pdf(
        title=gettext("%(node)s%(period)s积分公示") % {"node": node.name, "period": label},
        blocks=blocks,
        footer=node.name,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="points-{node.pk}-{period}.pdf"'
    return response


def board_setting(request, node_id: int):
    """The village's choice: how names show, and whether deductions are listed."""
    node = access_node(request.user, node_id, write=True)
    current = board_settings({node.path}).get(node.path) or PointBoardSetting()
    form = BoardSettingForm(
        request.POST or None,
        initial={"name_display": current.name_display, "show_deductions": current.show_deductions},
    )
    done = handle_form(
        request,
        form,
        lambda d: board_setting_update(actor=request.user, node=node, **d),
        success_message=gettext("公示设置已保存"),
        success_url=reverse("points:board", args=[node.pk]),
    )
    return done or render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": gettext("积分公示设置 · %(name)s") % {"name": node.name},
            "nav": "points_board",
            "cancel_url": reverse("points:board", args=[node.pk]),
        },
    )
