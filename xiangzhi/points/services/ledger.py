"""The ledger's writes: post an entry, reverse one, fix a stored balance. No update, no delete."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_lock_many, audit_record
from xiangzhi.core.registry import households_of
from xiangzhi.core.roles import CADRE_ROLES
from xiangzhi.core.scope import Scope, scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household, Resident

from ..actions import PointsAction
from ..models import (
    POINTS_LIMIT,
    PointAccount,
    PointClaim,
    PointEntry,
    PointPolicy,
    PointRuleVersion,
)
from .totals import totals_add


def account_for(*, household: Household, resident: Resident | None = None) -> PointAccount:
    """The account of a household (or of one of its residents), opened on first use."""
    if resident is not None and resident.household_id != household.pk:
        raise ValidationError({"resident": _("该居民不属于此户")})
    account, _created = PointAccount.objects.get_or_create(
        household=household,
        resident=resident,
        defaults={"node_id": household.node_id},
    )
    return account


def balance_floor(account: PointAccount, source: str) -> int:
    """The lowest balance an entry may leave: 0 for a redemption, else the township's limit."""
    if source == PointEntry.Source.REDEMPTION:
        return 0
    policy = policy_for(account.node)
    return policy.min_balance if policy else PointPolicy._meta.get_field("min_balance").default


def policy_for(node: GridNode) -> PointPolicy | None:
    """The policy of the township (level 1) above or at this node, if it set one."""
    path = node.path or ""
    prefixes = [path[:i] for i in range(5, len(path) + 1, 5)]
    return PointPolicy.objects.filter(node__level=1, node__path__in=prefixes).first()


def _check_balance(locked: PointAccount, amount: int, source: str, floor: int | None) -> None:
    """Refuse a negative entry that would leave the balance below `floor` (by default the rules':
    0 for a redemption, the township's 最低余额 for the rest)."""
    if amount >= 0:
        return
    lowest = balance_floor(locked, source) if floor is None else floor
    if locked.balance + amount < lowest:
        raise ValidationError(
            {
                "amount": _(
                    "余额不足：当前余额%(balance)d分，本次%(amount)d分，不得低于%(floor)d分。"
                )
                % {"balance": locked.balance, "amount": amount, "floor": lowest}
            }
        )


def entry_post(
    *,
    actor: Actor,
    account: PointAccount,
    amount: int,
    reason: str,
    source: str,
    rule_version: PointRuleVersion | None = None,
    claim: PointClaim | None = None,
    reversal_of: PointEntry | None = None,
    occurred_on: datetime.date | None = None,
    external_key: str | None = None,
    floor: int | None = None,
    audit: bool = True,
    is_synthetic: bool = False,
) -> PointEntry:
    """Append one entry and move the account's balance with it, under the account's row lock.

    Refuses an entry that would leave the balance below `floor` (by default what the rules
    allow: 0 for a redemption, the township's 最低余额 for the rest). Callers check the actor's
    right to the account; this only refuses an account outside their scope for writing.
    """
    if actor is not None and not scope_for(actor).can_write_path(account.node.path):
        raise PermissionDenied(_("您不能为该户记积分"))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValidationError({"amount": _("分值应为非零整数")})
    if abs(amount) > POINTS_LIMIT:  # an old ledger's typo, never an integer overflow
        raise ValidationError(
            {"amount": _("分值应在正负%(limit)s以内") % {"limit": f"{POINTS_LIMIT:,}"}}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写事由")})
    if source not in PointEntry.Source.values:
        raise ValidationError({"source": _("来源不正确")})
    with transaction.atomic(), figures.batch():
        audit_lock(account.node_id)  # before the account: the order an import takes them in
        locked = PointAccount.objects.select_for_update().select_related("node").get(pk=account.pk)
        _check_balance(locked, amount, source, floor)
        entry = PointEntry(
            account=locked,
            household_id=locked.household_id,
            node_id=locked.node_id,
            amount=amount,
            balance_after=locked.balance + amount,
            reason=reason[:200],
            source=source,
            occurred_on=occurred_on or timezone.localdate(),
            rule_version=rule_version,
            claim=claim,
            reversal_of=reversal_of,
            external_key=external_key,
            is_synthetic=is_synthetic,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        entry.save(force_insert=True)
        totals_add(entry)  # the month, quarter and year totals the public lists rank
        earned = (
            F("earned") + amount
            if amount > 0 and source != PointEntry.Source.REVERSAL
            else F("earned")
        )
        PointAccount.objects.filter(pk=locked.pk).update(
            balance=F("balance") + amount, earned=earned, updated_at=timezone.now()
        )
        account.balance = locked.balance + amount
        if audit:
            audit_record(
                actor=actor,
                action=PointsAction.ENTRY_POST,
                obj=entry,
                changes={"amount": amount, "reason": entry.reason, "source": source},
            )
        figures.touch(locked.node)
    return entry


def reversal_refusal(
    entry: PointEntry, *, scope: Scope, own: set[int]
) -> PermissionDenied | ValidationError | None:
    """Why this actor (`scope`, `own`: their households) may not reverse this entry, whatever
    the reason they give (None: they may, unless it was reversed already). The ledger page asks
    it of each row to offer 冲正 only where entry_reverse would take it."""
    if not scope.allows(CADRE_ROLES, entry.node.path):
        return PermissionDenied(_("只有村干部可以冲正积分明细"))
    if entry.household_id in own:
        # As no one reviews their own home's claim, no one corrects their own home's points.
        return PermissionDenied(_("不能冲正自己家的积分明细，请由其他村干部办理"))
    if entry.source == PointEntry.Source.REVERSAL:
        return ValidationError({"entry": _("冲正明细不能再冲正")})
    if entry.source == PointEntry.Source.REDEMPTION:
        # Undoing a redemption is the store's matter (its stock, its receipt), not a ledger
        # correction: a reversal here would refund points and count them as issued.
        return ValidationError({"entry": _("兑换明细不能在积分明细中冲正")})
    return None


def entry_reverse(*, actor: Actor, entry: PointEntry, reason: str) -> PointEntry:
    """Correct an entry by appending its opposite, with the reason; an entry is reversed once."""
    refused = reversal_refusal(entry, scope=scope_for(actor), own=households_of(actor))
    if isinstance(refused, PermissionDenied):
        raise refused
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("冲正必须填写原因")})
    if refused is not None:
        raise refused
    with transaction.atomic():
        # The account's lock (taken by entry_post) also serialises two reversals of one entry;
        # the township's audit head first, as entry_post takes them.
        audit_lock(entry.node_id)
        PointAccount.objects.select_for_update().filter(pk=entry.account_id).first()
        if PointEntry.objects.filter(reversal_of=entry).exists():
            raise ValidationError({"entry": _("该明细已冲正")})
        reversal = entry_post(
            actor=actor,
            account=entry.account,
            amount=-entry.amount,
            reason=_("冲正：%(reason)s") % {"reason": reason},
            source=PointEntry.Source.REVERSAL,
            rule_version=entry.rule_version,
            reversal_of=entry,
            audit=False,
        )
        audit_record(
            actor=actor,
            action=PointsAction.ENTRY_REVERSE,
            obj=reversal,
            changes={"reversal_of": entry.pk, "amount": reversal.amount, "reason": reason},
        )
    return reversal


def balances_differing(
    *, accounts: QuerySet[PointAccount] | None = None
) -> list[tuple[PointAccount, int]]:
    """Each account whose stored balance is not the sum of its entries, with that sum."""
    qs = PointAccount.objects.all() if accounts is None else accounts
    sums = dict(
        PointEntry.objects.filter(account__in=qs)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
        .order_by()
    )
    out = []
    for account in qs.select_related("household", "resident", "node").order_by("pk").iterator():
        counted = sums.get(account.pk, 0) or 0
        if account.balance != counted:
            out.append((account, counted))
    return out


def balances_fix(*, actor: Actor | None, differing: list[tuple[PointAccount, int]]) -> int:
    """Set each differing account's balance to the sum of its entries, audited; the count."""
    fixed = 0
    with transaction.atomic():
        # The accounts' townships' heads first, in key order (core.audit.audit_lock_many), as
        # every other writer of points accounts takes the head before the account.
        audit_lock_many(account.node_id for account, _counted in differing)
        for account, _counted in differing:
            locked = PointAccount.objects.select_for_update().get(pk=account.pk)
            total = PointEntry.objects.filter(account=locked).aggregate(t=Sum("amount"))["t"] or 0
            if locked.balance == total:
                continue
            PointAccount.objects.filter(pk=locked.pk).update(balance=total)
            audit_record(
                actor=actor,
                action=PointsAction.BALANCE_FIX,
                obj=locked,
                changes={"balance": [locked.balance, total]},
            )
            fixed += 1
    return fixed
