"""The overdue board and the satisfaction tables (staff)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import paginate

from ..selectors import overdue_board, satisfaction


def _staff_only(user) -> None:
    scope = scope_for(user)
    if not (scope.superuser or scope.read_paths or scope.department_ids):
        raise PermissionDenied(gettext("只有干部和部门人员可以查看"))


@require_GET
def overdue(request):
    _staff_only(request.user)
    board = overdue_board(actor=request.user)
    board["page_obj"] = paginate(request, board.pop("rows"))
    return render(request, "appeals/overdue.html", {**board, "nav": "appeals"})


@require_GET
def satisfaction_view(request):
    _staff_only(request.user)
    return render(
        request,
        "appeals/satisfaction.html",
        {**satisfaction(actor=request.user), "nav": "appeals"},
    )
