"""Disputes (矛盾纠纷) and their mediation records (调解)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel


class Dispute(ScopedModel):
    """A dispute between parties, mediated in sessions, settled by an agreement and followed up."""

    class Category(models.TextChoices):
        NEIGHBOUR = "neighbour", "邻里纠纷"
        FAMILY = "family", "婚姻家庭"
        LAND = "land", "土地山林"
        HOMESTEAD = "homestead", "宅基地"
        WAGES = "wages", "劳资纠纷"
        DAMAGE = "damage", "损害赔偿"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        OPEN = "open", "调解中"
        SETTLED = "settled", "已达成协议"
        FAILED = "failed", "调解不成"
        CLOSED = "closed", "已回访结案"

    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所在网格", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("纠纷名称", max_length=100)
    category = models.CharField("纠纷类别", max_length=20, choices=Category.choices)
    description = models.TextField("纠纷经过", max_length=2000)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="协办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name="来源诉求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    agreement = models.TextField("调解协议", blank=True)
    agreed_on = models.DateField("协议日期", null=True, blank=True)
    follow_up = models.TextField("回访情况", blank=True)
    followed_up_on = models.DateField("回访日期", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField("登记日期")

    SCOPE_PATH = "node__path"
    SCOPE_DEPARTMENT = "department_id"

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = "矛盾纠纷"
        verbose_name_plural = "矛盾纠纷"
        indexes = [models.Index(fields=["node", "state"], name="dispute_node_state")]

    def __str__(self) -> str:
        return self.title


class DisputeParty(ScopedModel):
    """One party of a dispute: a registered resident or a name (someone from elsewhere)."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="parties"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("当事人", max_length=40)
    side = models.CharField("诉求或说法", max_length=300, blank=True)

    SCOPE_PATH = "dispute__node__path"
    SCOPE_DEPARTMENT = "dispute__department_id"

    class Meta:
        ordering = ["id"]
        verbose_name = "纠纷当事人"
        verbose_name_plural = "纠纷当事人"

    def __str__(self) -> str:
        return self.name


class MediationSession(ScopedModel):
    """One mediation session: when, where, who mediated, what was said and the outcome."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField("调解日期")
    place = models.CharField("调解地点", max_length=100, blank=True)
    mediators = models.CharField("调解人", max_length=200)
    notes = models.TextField("调解记录", max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    SCOPE_PATH = "dispute__node__path"
    SCOPE_DEPARTMENT = "dispute__department_id"

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = "调解记录"
        verbose_name_plural = "调解记录"

    def __str__(self) -> str:
        return f"{self.dispute.title} {self.held_on}"
