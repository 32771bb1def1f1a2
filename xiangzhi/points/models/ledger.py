"""The ledger (积分明细): accounts with a kept balance, and append-only entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiangzhi.core.scope import ScopedModel, ScopedQuerySet

# Far past any real rule, item, entry or balance, well inside the database's 32-bit integer
# columns: a longer number is an error naming the field, not an overflow (a server error).
POINTS_LIMIT = 1_000_000


class AppendOnlyQuerySet(ScopedQuerySet):
    """Entries are never changed or removed: a correction is a reversal entry."""

    def delete(self):
        raise PermissionError("积分明细只能追加，不能删除")

    def update(self, **kwargs):
        raise PermissionError("积分明细只能追加，不能修改")


class PointAccount(ScopedModel):
    """A household's account, or one resident's; `balance` is the sum of its entries."""

    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Denormalised from the household (services keep it equal): scope and rankings need no join.
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    balance = models.IntegerField("余额", default=0)
    earned = models.IntegerField("累计获得", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(resident__isnull=True),
                name="point_account_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(resident__isnull=False),
                name="point_account_one_per_resident",
            ),
        ]

    def __str__(self) -> str:
        if self.resident_id:
            return f"{self.resident.name}的积分账户"
        return f"{self.household.number or self.household_id}户积分账户"


class PointEntry(ScopedModel):
    """One append-only line of an account: points earned, deducted, spent or reversed."""

    class Source(models.TextChoices):
        CLAIM = "claim", "积分申报"
        REDEMPTION = "redemption", "积分兑换"
        REVERSAL = "reversal", "冲正"
        IMPORT = "import", "历史台账导入"
        ADJUSTMENT = "adjustment", "调整"

    account = models.ForeignKey(
        PointAccount, verbose_name="积分账户", on_delete=models.PROTECT, related_name="entries"
    )
    # Denormalised from the account: a household's history and the scope filter read one table.
    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.IntegerField("分值")
    balance_after = models.IntegerField("变动后余额")
    reason = models.CharField("事由", max_length=200)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    occurred_on = models.DateField("日期", db_index=True)
    rule_version = models.ForeignKey(
        "points.PointRuleVersion",
        verbose_name="积分规则",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    claim = models.OneToOneField(
        "points.PointClaim",
        verbose_name="积分申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry",
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name="冲正的明细",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    # A key that makes a repeated post (an import's row read again) a no-op.
    external_key = models.CharField("外部编号", max_length=80, null=True, blank=True, unique=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记账人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "积分明细"
        verbose_name_plural = "积分明细"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "id"], name="point_entry_account"),
            models.Index(fields=["node", "occurred_on"], name="point_entry_node_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="point_entry_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}（{self.amount:+d}分）"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("积分明细只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("积分明细只能追加，不能删除")
