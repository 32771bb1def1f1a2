"""Reads of the points store: its shelf, the counter's household, the redemptions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import PointAccount, PointEntry, PointRedemption, PointReward


def reward_list(
    *, actor: Actor, node: GridNode | None = None, search: str = "", active_only: bool = False
) -> QuerySet[PointReward]:
    """The items of the stores in the actor's scope (a cadre's shelf management)."""
    qs = PointReward.objects.for_actor(actor).select_related("node")
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if search:
        qs = qs.filter(name__contains=search.strip())
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("node__path", "cost", "id")


def shelf_for(*, actor: Actor, household: Household) -> QuerySet[PointReward]:
    """What a household may exchange: the active items of the stores at its node or above.

    The shelf is public to the village (a poster at the store says as much), so a villager, whose
    scope is their own household, reads it through that household: nothing unless the actor may
    see the household."""
    if not Household.objects.for_actor(actor).filter(pk=household.pk).exists():
        return PointReward.objects.none()
    return _shelf_at(household.node)


def _shelf_at(node: GridNode) -> QuerySet[PointReward]:
    """The active items of the stores at this node or above, unchecked: only for a caller of
    this package that has read the household through the actor's scope (我的积分); every other
    caller uses shelf_for (scope rule 1)."""
    paths = [*node.ancestor_paths(), node.path]
    return (
        PointReward.objects.filter(node__path__in=paths, is_active=True)
        .select_related("node")
        .order_by("cost", "id")
    )


def household_account(*, actor: Actor, household: Household) -> PointAccount | None:
    """The household's own account (not a member's), if the actor may see it."""
    return (
        PointAccount.objects.for_actor(actor)
        .filter(household=household, resident__isnull=True)
        .select_related("node")
        .first()
    )


def account_history(*, actor: Actor, account: PointAccount) -> QuerySet[PointEntry]:
    """An account's entries, newest first, as the actor may see them."""
    return (
        PointEntry.objects.for_actor(actor)
        .filter(account=account)
        .select_related("rule_version")
        .order_by("-id")
    )


def redemption_list(
    *, actor: Actor, node: GridNode | None = None, search: str = ""
) -> QuerySet[PointRedemption]:
    """The redemptions in scope, newest first; search by item, household number or head."""
    qs = PointRedemption.objects.for_actor(actor).select_related(
        "reward", "household__head", "node", "redeemed_by"
    )
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if search:
        s = search.strip()
        qs = qs.filter(
            Q(reward__name__contains=s) | Q(household__number=s) | Q(household__head__name=s)
        )
    return qs.order_by("-id")


def redemption_receipt(*, actor: Actor, redemption: PointRedemption) -> dict:
    """What a receipt prints: the redemption, its household, the balance left, the store."""
    entry = redemption.entry
    return {
        "redemption": redemption,
        "household": redemption.household,
        "head_name": redemption.household.head.name if redemption.household.head_id else "",
        "balance_after": entry.balance_after,
        "store": redemption.reward.node,
    }
