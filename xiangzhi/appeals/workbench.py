"""The appeals panels of each role's workbench (core.workbench): a villager's own appeals, a
cadre's or grid worker's to-dos, what is dispatched to a department, the township's overdue and
supervised appeals. Each panel costs a count and a short list, whatever the number of rows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from xiangzhi.core.roles import WRITE_ROLES
from xiangzhi.core.scope import department_q, path_q
from xiangzhi.core.types import Actor
from xiangzhi.core.workbench import Desk

from .models import OPEN_STATES, Appeal, State
from .selectors import awaiting_opinions, open_needs
from .workflow import TOWNSHIP_ROLES

SHOWN = 5
RELATED = ("node", "resident", "department", "assignee")


def _block(title: str, qs: QuerySet, help_text: str, link: str) -> dict:
    rows = list(qs.select_related(*RELATED).order_by("deadline", "id")[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else qs.count()
    return {"title": title, "rows": rows, "count": count, "help": help_text, "link": link}


def mine_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """A villager's own appeals and the 我要说事 button."""
    if not obj.in_household:
        return None
    qs = (
        Appeal.objects.for_actor(actor)
        .filter(household_id__in=sorted(obj.scope.household_ids))
        .select_related("node")
        .order_by("-created_at", "-id")
    )
    return {"rows": list(qs[:SHOWN])}


def handler_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """A cadre's or grid worker's appeals: to accept, assigned to them, overdue."""
    paths = obj.paths(WRITE_ROLES)
    if not (paths or obj.scope.superuser):
        return None
    writable = Appeal.objects.for_actor(actor)
    if not obj.scope.superuser:
        writable = writable.filter(path_q(paths, "node__path"))
    blocks = [
        _block(
            gettext("待受理"),
            writable.filter(state=State.SUBMITTED),
            gettext("群众新提出的诉求，受理后交办或派单。"),
            "?state=submitted",
        ),
        _block(
            gettext("交办给我的"),
            Appeal.objects.filter(assignee_id=actor.pk, state__in=OPEN_STATES),
            gettext("请在时限内办理并答复。"),
            "?mine=1&state=open",
        ),
        _block(
            gettext("已超期"),
            writable.filter(state__in=OPEN_STATES, overdue=True),
            gettext("超过办理时限仍未答复。"),
            "?state=overdue",
        ),
    ]
    needs = open_needs(actor=actor)
    opinions = awaiting_opinions(actor=actor)
    return {
        "blocks": blocks,
        "key": "handler",
        "heading": gettext("群众诉求"),
        "needs": list(needs[:SHOWN]),
        "opinions": list(opinions[:SHOWN]),
        "can_record": True,
    }


def department_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """What is dispatched to the user's departments and still open."""
    if not obj.in_department:
        return None
    ours = Appeal.objects.filter(
        department_q(obj.scope, "department_id", "node__path"), state__in=OPEN_STATES
    )
    blocks = [
        _block(gettext("派到本部门的"), ours, gettext("请受理后办理并答复。"), "?state=open"),
        _block(
            gettext("其中已超期"),
            ours.filter(overdue=True),
            gettext("超过办理时限仍未答复。"),
            "?state=overdue",
        ),
    ]
    return {"blocks": blocks, "key": "department", "heading": gettext("部门诉求")}


def township_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """The township's overdue appeals and those it supervises (督办)."""
    paths = [p for role, p, level in obj.scope.bindings if role in TOWNSHIP_ROLES and level <= 1]
    if not paths:
        return None
    under = Appeal.objects.for_actor(actor).filter(path_q(paths, "node__path"))
    blocks = [
        _block(
            gettext("超期诉求"),
            under.filter(state__in=OPEN_STATES, overdue=True),
            gettext("可在诉求页面督办。"),
            "?state=overdue",
        ),
        _block(
            gettext("督办中"),
            under.filter(supervised=True).exclude(state__in=(State.CLOSED, State.MERGED)),
            gettext("镇里督办、尚未办结的诉求。"),
            "?state=open",
        ),
    ]
    return {"blocks": blocks, "key": "township", "heading": gettext("督办")}


def register_panels() -> None:
    from xiangzhi.core.registry import register_panel

    register_panel("workbench", "appeals_mine", "appeals/panels/mine.html", mine_panel, order=15)
    register_panel(
        "workbench", "appeals_township", "appeals/panels/blocks.html", township_panel, order=16
    )
    register_panel(
        "workbench", "appeals_handler", "appeals/panels/handler.html", handler_panel, order=17
    )
    register_panel(
        "workbench",
        "appeals_department",
        "appeals/panels/department.html",
        department_panel,
        order=18,
    )
