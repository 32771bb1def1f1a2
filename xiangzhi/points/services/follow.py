"""What points does when the registry moves households and people: core's `households_moved`
(a registry import puts a household on another grid node) and `residents_moved` (分户 takes
people into a new household). Accounts, their period totals and the claims not yet reviewed
follow; the entries, and the claims already reviewed, keep the household and grid they were
earned and counted in: that is the old household's history, and nothing of it is rewritten."""

from __future__ import annotations

from django.db.models import QuerySet

from xiangzhi.core.audit import audit_lock, audit_record, township_key
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..actions import PointsAction
from ..models import PointAccount, PointClaim, PointPeriodTotal

# A claim not yet reviewed is reviewed, capped and put on notice where its household lives now;
# one on notice or decided stays where it was counted and published.
FOLLOWING = (PointClaim.Status.SUBMITTED,)


def accounts_follow(moves: dict[int, int]) -> None:
    """Households moved to other grid nodes (a registry import: {household id: node id}): their
    accounts, period totals and claims not yet reviewed follow them, so that the new grid's
    cadres see and review them and they rank where they live. The entries keep the node they
    were earned at (the figures of points issued stay where they were issued), and a claim on
    notice the board it was published on."""
    by_node: dict[int, list[int]] = {}
    for household, node in moves.items():
        by_node.setdefault(node, []).append(household)
    for node, households in by_node.items():
        PointAccount.objects.filter(household_id__in=households).update(node_id=node)
        PointPeriodTotal.objects.filter(household_id__in=households).update(node_id=node)
        PointClaim.objects.filter(household_id__in=households, status__in=FOLLOWING).update(
            node_id=node
        )


def _lock_heads(node_ids: set[int]) -> None:
    """Take the audit heads of these nodes' townships, in key order, before any account row:
    the order every ledger writer takes them in (entry_post, a claim's review)."""
    townships = {township_key(n): n for n in GridNode.objects.filter(pk__in=node_ids)}
    for key in sorted(townships):
        audit_lock(townships[key])


def person_accounts_follow(*, actor: Actor, moves: dict[int, int]) -> None:
    """People split off into other households (分户: {resident id: household id}): each one's
    own account follows them with its period totals (their points are theirs in the new home:
    its grid's cadres keep the account, its villagers see it), and so do their claims not yet
    reviewed (the per-household cap is counted where they now live). Their entries keep the old
    household and grid: its history stays as it was. Each move is an audit event."""
    homes = dict(Household.objects.filter(pk__in=set(moves.values())).values_list("pk", "node_id"))
    accounts: QuerySet[PointAccount] = PointAccount.objects.filter(resident_id__in=moves)
    claims = PointClaim.objects.filter(resident_id__in=moves, status__in=FOLLOWING)
    found = list(accounts.values_list("node_id", flat=True)) + list(
        claims.values_list("node_id", flat=True)
    )
    if not found:
        return
    _lock_heads({*found, *homes.values()})
    for account in accounts.select_for_update().order_by("pk"):
        household = moves[account.resident_id]
        if account.household_id == household:
            continue
        node = homes[household]
        before = (account.household_id, account.node_id)
        PointAccount.objects.filter(pk=account.pk).update(household_id=household, node_id=node)
        PointPeriodTotal.objects.filter(account_id=account.pk).update(
            household_id=household, node_id=node
        )
        account.household_id, account.node_id = household, node
        audit_record(
            actor=actor,
            action=PointsAction.ACCOUNT_FOLLOW,
            obj=account,
            changes={"household": [before[0], household], "node": [before[1], node]},
        )
    for claim in claims.select_for_update().order_by("pk"):
        household = moves[claim.resident_id]
        if claim.household_id == household:
            continue
        before = (claim.household_id, claim.node_id)
        claim.household_id, claim.node_id = household, homes[household]
        claim.save(update_fields=["household", "node", "updated_at"])
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_FOLLOW,
            obj=claim,
            changes={"household": [before[0], household], "node": [before[1], claim.node_id]},
        )
