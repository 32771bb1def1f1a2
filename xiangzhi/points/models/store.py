"""The points store (积分超市): rewards and redemptions; and the public lists' tables: each
account's totals per period (kept by the ledger's posts) and each village's board settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiangzhi.core.scope import ScopedModel


class PointReward(ScopedModel):
    """An item of a store: what it costs, how many are left (none kept for a policy reward)."""

    class Kind(models.TextChoices):
        HONOR = "honor", "精神奖励"
        MATERIAL = "material", "物质奖励"
        POLICY = "policy", "政策奖励"

    # The node whose store offers it: a village's, the township's (every village's), or a
    # hamlet's own; an account under that node may redeem it.
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("奖励类别", max_length=10, choices=Kind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    cost = models.PositiveIntegerField("所需积分")
    # None: not counted (a policy reward such as priority in a selection has no stock).
    stock = models.PositiveIntegerField("库存", null=True, blank=True)
    is_active = models.BooleanField("上架", default=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("上架时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"

    class Meta:
        verbose_name = "积分超市商品"
        verbose_name_plural = "积分超市商品"
        ordering = ["cost", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="point_reward_cost_positive"),
            # The last defence against overselling: a stock never goes below zero.
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0),
                name="point_reward_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="policy") | Q(stock__isnull=True),
                name="point_reward_policy_has_no_stock",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PointRedemption(ScopedModel):
    """A redemption (兑换) at the store counter: the reward, the account debited, its entry."""

    reward = models.ForeignKey(
        PointReward, verbose_name="兑换商品", on_delete=models.PROTECT, related_name="redemptions"
    )
    account = models.ForeignKey(
        "points.PointAccount",
        verbose_name="积分账户",
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    # Denormalised from the account, like the entries: scope, figures and lists need no join.
    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField("数量", default=1)
    points = models.PositiveIntegerField("消耗积分")
    entry = models.OneToOneField(
        "points.PointEntry",
        verbose_name="积分明细",
        on_delete=models.PROTECT,
        related_name="redemption",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    redeemed_on = models.DateField("兑换日期", db_index=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("兑换时间", auto_now_add=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "积分兑换"
        verbose_name_plural = "积分兑换"
        ordering = ["-id"]
        indexes = [models.Index(fields=["node", "redeemed_on"], name="point_redemption_node_day")]

    def __str__(self) -> str:
        return f"兑换{self.reward.name}×{self.quantity}"


class PointPeriodTotal(ScopedModel):
    """An account's totals over one period: a month ('2026-11'), a quarter ('2026-Q4') or a
    year ('2026'). Kept in the ledger's post, under the account's row lock, so that a ranking
    reads one row per account instead of summing its entries."""

    account = models.ForeignKey(
        "points.PointAccount",
        verbose_name="积分账户",
        on_delete=models.PROTECT,
        related_name="period_totals",
    )
    # Denormalised from the account, like the entries: a ranking reads this table and the
    # grid's path range, and a household's own rows need no join.
    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("期间", max_length=7)
    # What the lists rank: every entry of the period but the store's (a redemption spends, it
    # does not lower a household's standing).
    score = models.IntegerField("期间积分", default=0)
    earned = models.IntegerField("获得积分", default=0)  # positive entries, reversals excepted
    deducted = models.IntegerField("扣减积分", default=0)  # negative entries, reversals excepted
    redeemed = models.IntegerField("兑换积分", default=0)  # spent at the store, net of refunds

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "积分期间汇总"
        verbose_name_plural = "积分期间汇总"
        ordering = ["period", "-score", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="point_total_account_period")
        ]
        indexes = [
            # A ranking: one period's rows of the nodes in a path range, by score.
            models.Index(fields=["node", "period", "-score"], name="point_total_node_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period}：{self.score}分"


class PointBoardSetting(models.Model):
    """How a village shows its public lists (公示栏): names, and whether deductions are listed.

    A configuration row of one village, read by its public board and changed only through
    `board_setting_update` after `access_node(..., write=True)` of the village; it is no scoped
    record (a village's level-5 grids could hold none), so the scope walk's snapshot does not
    list it and tests/points/test_board.py checks its authorization instead."""

    class NameDisplay(models.TextChoices):
        FULL = "full", "显示全名"
        MASKED = "masked", "部分隐藏（如张*三）"
        NUMBER = "number", "只显示户号"

    node = models.OneToOneField(
        "grid.GridNode", verbose_name="村", on_delete=models.PROTECT, related_name="+"
    )
    name_display = models.CharField(
        "姓名显示方式", max_length=10, choices=NameDisplay.choices, default=NameDisplay.MASKED
    )
    show_deductions = models.BooleanField("公示扣分明细", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "积分公示设置"
        verbose_name_plural = "积分公示设置"

    def __str__(self) -> str:
        return f"{self.node.name}积分公示设置"
