"""The service menu (菜单式服务): offerings a village publishes and villagers request."""

from __future__ import annotations

from django.db import models

from xiangzhi.core.scope import ScopedModel


class ServiceOffering(ScopedModel):
    """One service a village offers (代办, 代购生活物资, 接送就医, 政策咨询 ...)."""

    class Category(models.TextChoices):
        ERRAND = "errand", "代办"
        SHOPPING = "shopping", "代购"
        MEDICAL_RIDE = "medical_ride", "接送就医"
        POLICY = "policy", "政策咨询"
        CARE = "care", "上门照料"
        OTHER = "other", "其他"

    node = models.ForeignKey(
        "grid.GridNode", verbose_name="发布网格", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("服务名称", max_length=60)
    category = models.CharField("服务类别", max_length=20, choices=Category.choices)
    description = models.CharField("服务说明", max_length=500, blank=True)
    provider = models.CharField(
        "服务提供", max_length=60, blank=True, help_text="例如：村便民服务站、党员志愿者。"
    )
    # The working days a request of it should be answered in (the appeal's deadline).
    days = models.PositiveSmallIntegerField("办理时限（工作日）", default=3)
    active = models.BooleanField("上架", default=True)
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    SCOPE_PATH = "node__path"

    class Meta:
        ordering = ["node__path", "category", "name"]
        verbose_name = "菜单式服务"
        verbose_name_plural = "菜单式服务"
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="uniq_offering_name_per_node")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(ScopedModel):
    """The link of an appeal (source 菜单式服务) to the offering it asked for."""

    appeal = models.OneToOneField(
        "appeals.Appeal", verbose_name="诉求", on_delete=models.CASCADE, related_name="menu_request"
    )
    offering = models.ForeignKey(
        ServiceOffering,
        verbose_name="服务项目",
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # What the requester added to the offering's name (the appeal's text holds both).
    note = models.CharField("申请说明", max_length=1000, blank=True)

    SCOPE_PATH = "appeal__node__path"
    SCOPE_HOUSEHOLD = "appeal__household_id"
    SCOPE_DEPARTMENT = "appeal__department_id"

    class Meta:
        verbose_name = "服务申请"
        verbose_name_plural = "服务申请"

    def __str__(self) -> str:
        return f"{self.offering.name}：{self.appeal.number}"
