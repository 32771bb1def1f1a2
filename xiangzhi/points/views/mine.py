"""我的积分: a villager's own points on the phone (elder mode honoured): the balance, the history
with its reasons, what the household can exchange, and its rank in the village."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiangzhi.core.web import paginate, querystring_without_page

from ..selectors.mine import HISTORY, my_points


@require_GET
def mine(request):
    context = my_points(actor=request.user)
    if context is None:
        return render(request, "points/mine.html", {"nav": "points_mine", "nothing": True})
    page = (
        paginate(request, context.pop("history"), per_page=HISTORY) if context["account"] else None
    )
    return render(
        request,
        "points/mine.html",
        {
            **context,
            "page_obj": page,
            "nav": "points_mine",
            "querystring_prefix": querystring_without_page(request),
        },
    )
