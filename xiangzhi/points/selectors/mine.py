"""What a villager reads of their own points: the villager page (我的积分)."""

from __future__ import annotations

from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.people.models import Household

from ..access import home_board
from ..services.totals import period_label
from .board import current_periods, household_standings
from .store import _shelf_at, account_history, household_account

HISTORY = 20


def my_points(*, actor: Actor) -> dict | None:
    """What the villager page shows, for the actor's household."""
    ids = sorted(scope_for(actor).household_ids)
    household = (
        Household.objects.for_actor(actor).filter(pk__in=ids).select_related("node").first()
        if ids
        else None
    )
    if household is None:
        return None
    account = household_account(actor=actor, household=household)
    balance = account.balance if account else 0
    # The household was read through the actor's scope just above: no second check.
    shelf = list(_shelf_at(household.node)[:50])
    # Read with its node just above: not read again for the board (home_board takes it only
    # when it is all of the actor's households).
    village = home_board(actor, [household])
    now = current_periods()
    standings = []
    if village is not None:
        spans = [now[span] for span in ("month", "year")]
        found = household_standings(household_id=household.pk, node=village, periods=spans)
        standings = [{"label": period_label(p), "standing": found[p]} for p in spans]
    return {
        "household": household,
        "account": account,
        "balance": balance,
        "shelf": [(r, r.cost <= balance and (r.stock is None or r.stock > 0)) for r in shelf],
        "village": village,
        "standings": standings,
        "history": account_history(actor=actor, account=account) if account else None,
    }
