"""Reads of the ledger."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import PointAccount, PointEntry


def entry_list(
    *,
    actor: Actor,
    household: Household | None = None,
    node: GridNode | None = None,
    source: str = "",
) -> QuerySet[PointEntry]:
    """积分明细 in the actor's scope (a villager: their household's), newest first."""
    qs = PointEntry.objects.for_actor(actor).select_related(
        "household", "rule_version", "node", "account__resident"
    )
    if household is not None:
        qs = qs.filter(household=household)
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("-id")


def reversed_among(ids: list[int]) -> set[int]:
    """Which of these entries have been reversed (an entry is reversed once)."""
    return set(
        PointEntry.objects.filter(reversal_of__in=ids).values_list("reversal_of_id", flat=True)
    )


def account_of(*, actor: Actor, household: Household) -> PointAccount | None:
    """The household's own account, if the actor may see it."""
    return (
        PointAccount.objects.for_actor(actor)
        .filter(household=household, resident__isnull=True)
        .first()
    )


def household_balance(*, actor: Actor, household: Household) -> int:
    account = account_of(actor=actor, household=household)
    return account.balance if account else 0
