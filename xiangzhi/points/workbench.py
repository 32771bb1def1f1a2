"""The points app's workbench panels: claims waiting for review and objections for cadres;
the household's points and the village's notices for villagers."""

from __future__ import annotations

from xiangzhi.core.types import Actor
from xiangzhi.core.workbench import Desk

from .access import home_board
from .selectors import (
    claims_to_review,
    household_balance,
    notice_list,
    objections_open,
    own_households,
)
from .selectors.board import current_periods, household_standing

SHOWN = 8


def _first(qs) -> tuple[list, int]:
    """The first SHOWN rows and the total, counted only when there are more."""
    rows = list(qs[: SHOWN + 1])
    return rows[:SHOWN], (len(rows) if len(rows) <= SHOWN else qs.count())


def review_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """积分待审核 and 公示异议, for the cadres who review."""
    if not obj.leads:
        return None
    claims, total = _first(claims_to_review(actor=actor))
    objections, objection_total = _first(objections_open(actor=actor))
    return {
        "claims": claims,
        "total": total,
        "objections": objections,
        "objection_total": objection_total,
    }


def household_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """我家的积分 (the one points card: the store's 我的积分 page has the rest): the balance, the
    household's rank in the village this year, the way to apply and to the notices."""
    if not obj.in_household:
        return None
    household = own_households(actor=actor).first()
    if household is None:
        return None
    village = home_board(actor)
    year = current_periods()["year"]
    standing = (
        household_standing(household_id=household.pk, node=village, period=year)
        if village is not None
        else None
    )
    return {
        "balance": household_balance(actor=actor, household=household),
        "rank": standing["rank"] if standing else None,
        "notices": notice_list(actor=actor).count(),
    }


def register_panels() -> None:
    from xiangzhi.core.registry import register_panel

    register_panel("workbench", "points_review", "points/panels/review.html", review_panel, 25)
    register_panel(
        "workbench", "points_household", "points/panels/household.html", household_panel, 15
    )
