"""The points store's writes: items on the shelf, redemptions at the counter, board settings.

A redemption locks two rows, always in this order: the reward's row (its stock), then the
account's row (its balance, locked by `entry_post`). Every path that locks both takes them in
this order and no path takes an account before a reward, so two counters never deadlock; the
audit chain's head is locked after both (by `audit_record`), as every other write does. Under
the locks the stock and the balance are read again, so fifty simultaneous redemptions of the
last unit, or against one balance, leave neither below zero (a CHECK constraint on the stock
is the last defence). On SQLite the transaction is IMMEDIATE (settings): writers queue at BEGIN.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record, diff, snapshot
from xiangzhi.core.roles import CADRE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions import StoreAction
from ..models import PointAccount, PointBoardSetting, PointEntry, PointRedemption, PointReward
from .ledger import entry_post

REWARD_FIELDS = ["name", "kind", "description", "cost", "stock", "is_active"]
MAX_QUANTITY = 99


def may_run_store(*, actor: Actor, path: str | None) -> bool:
    """Whether the actor runs the store there: a cadre of the node or above (not a grid worker,
    not a read-only role)."""
    return scope_for(actor).allows(CADRE_ROLES, path)


def _reward_errors(
    *, name: str, kind: str, cost: int | None, stock: int | None, node: GridNode | None
) -> dict:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写商品名称")
    if kind not in PointReward.Kind.values:
        errors["kind"] = _("奖励类别只能是精神奖励、物质奖励或政策奖励")
    if cost is None or cost <= 0:
        errors["cost"] = _("所需积分应为正整数")
    if kind == PointReward.Kind.POLICY and stock is not None:
        errors["stock"] = _("政策奖励不计库存，请留空")
    elif kind != PointReward.Kind.POLICY and (stock is None or stock < 0):
        errors["stock"] = _("请填写库存（不小于0）")
    if node is None:
        errors["node"] = _("请选择所属网格")
    return errors


@transaction.atomic
def reward_create(
    *,
    actor: Actor,
    node: GridNode | None,
    name: str,
    kind: str,
    cost: int | None,
    stock: int | None = None,
    description: str = "",
) -> PointReward:
    """Put an item on a store's shelf."""
    if node is not None and not may_run_store(actor=actor, path=node.path):
        raise PermissionDenied(_("只有村（镇）干部可以管理积分超市"))
    errors = _reward_errors(name=name, kind=kind, cost=cost, stock=stock, node=node)
    if errors:
        raise ValidationError(errors)
    reward = PointReward.objects.create(
        node=node,
        name=name.strip(),
        kind=kind,
        cost=cost,
        stock=stock,
        description=(description or "").strip(),
    )
    audit_record(
        actor=actor,
        action=StoreAction.REWARD_CREATE,
        obj=reward,
        changes={f: getattr(reward, f) for f in REWARD_FIELDS},
    )
    return reward


@transaction.atomic
def reward_update(
    *,
    actor: Actor,
    reward: PointReward,
    name: str,
    kind: str,
    cost: int | None,
    stock: int | None,
    description: str = "",
    is_active: bool = True,
) -> PointReward:
    """Change an item: its name, cost, stock (a restock sets the new count) or shelf state."""
    if not may_run_store(actor=actor, path=reward.node.path):
        raise PermissionDenied(_("只有村（镇）干部可以管理积分超市"))
    errors = _reward_errors(name=name, kind=kind, cost=cost, stock=stock, node=reward.node)
    if errors:
        raise ValidationError(errors)
    # The counter may be selling the item now: lock its row before reading what to change.
    locked = PointReward.objects.select_for_update().select_related("node").get(pk=reward.pk)
    before = snapshot(locked, REWARD_FIELDS)
    locked.name, locked.kind, locked.cost = name.strip(), kind, cost
    locked.stock, locked.description, locked.is_active = stock, description.strip(), is_active
    locked.save()
    audit_record(
        actor=actor,
        action=StoreAction.REWARD_UPDATE,
        obj=locked,
        changes=diff(locked, before, REWARD_FIELDS),
    )
    return locked


def _check_redemption(
    *, actor: Actor, reward: PointReward, account: PointAccount, quantity: int
) -> None:
    if not may_run_store(actor=actor, path=account.node.path):
        raise PermissionDenied(_("只有村（镇）干部可以在积分超市办理兑换"))
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": _("兑换数量应为1到99之间的整数")})
    if not account.node.path.startswith(reward.node.path):
        raise ValidationError({"reward": _("该商品不属于此户所在村（镇）的积分超市")})
    if account.household.status != account.household.Status.ACTIVE:
        raise ValidationError({"account": _("该户已迁出或注销，不能兑换")})


def redemption_create(
    *,
    actor: Actor,
    reward: PointReward,
    account: PointAccount,
    quantity: int = 1,
    note: str = "",
    redeemed_on: dt.date | None = None,
    is_synthetic: bool = False,
) -> PointRedemption:
    """Exchange points for a reward at the counter: the stock and the balance go down together.

    Locks the reward's row, then the account's (entry_post): see the module's note.
    """
    _check_redemption(actor=actor, reward=reward, account=account, quantity=quantity)
    with transaction.atomic(), figures.batch():
        locked = PointReward.objects.select_for_update().get(pk=reward.pk)
        if not locked.is_active:
            raise ValidationError({"reward": _("该商品已下架")})
        if locked.stock is not None and locked.stock < quantity:
            raise ValidationError(
                {"quantity": _("库存不足：仅剩%(stock)d件") % {"stock": locked.stock}}
            )
        points = locked.cost * quantity
        entry = entry_post(
            actor=actor,
            account=account,
            amount=-points,
            reason=_("在积分超市兑换%(name)s×%(quantity)d")
            % {"name": locked.name, "quantity": quantity},
            source=PointEntry.Source.REDEMPTION,
            occurred_on=redeemed_on,
            audit=False,
            is_synthetic=is_synthetic,
        )
        if locked.stock is not None:
            PointReward.objects.filter(pk=locked.pk).update(stock=F("stock") - quantity)
        redemption = PointRedemption.objects.create(
            reward=locked,
            account_id=account.pk,
            household_id=account.household_id,
            node_id=account.node_id,
            quantity=quantity,
            points=points,
            entry=entry,
            note=(note or "").strip()[:200],
            redeemed_on=entry.occurred_on,
            redeemed_by=actor if getattr(actor, "pk", None) else None,
            is_synthetic=is_synthetic,
        )
        # entry_post's touch is deferred by the batch and counts the redemption too.
        figures.touch(account.node)
        audit_record(
            actor=actor,
            action=StoreAction.REDEMPTION_CREATE,
            obj=redemption,
            changes={
                "reward": locked.pk,
                "quantity": quantity,
                "points": points,
                "balance_after": entry.balance_after,
            },
        )
    return redemption


@transaction.atomic
def board_setting_update(
    *, actor: Actor, node: GridNode, name_display: str, show_deductions: bool
) -> PointBoardSetting:
    """Set how a village's public lists show names, and whether they list deductions."""
    if not scope_for(actor).allows(CADRE_ROLES, node.path):
        raise PermissionDenied(_("只有村（镇）干部可以修改公示设置"))
    if node.level != 2:
        raise ValidationError({"node": _("公示设置按村设定")})
    if name_display not in PointBoardSetting.NameDisplay.values:
        raise ValidationError({"name_display": _("请选择姓名显示方式")})
    setting, _created = PointBoardSetting.objects.select_for_update().get_or_create(node=node)
    fields = ["name_display", "show_deductions"]
    before = snapshot(setting, fields)
    setting.name_display, setting.show_deductions = name_display, bool(show_deductions)
    setting.save()
    audit_record(
        actor=actor,
        action=StoreAction.BOARD_SETTING_UPDATE,
        obj=setting,
        changes=diff(setting, before, fields)
        if not _created
        else {f: getattr(setting, f) for f in fields},
    )
    return setting
