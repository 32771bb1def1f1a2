from __future__ import annotations

from django.db import models

from xiangzhi.core.scope import ScopedModel


class PartyMember(ScopedModel):
    """The party profile of a resident: full or probationary, since when, in which organisation."""

    class Category(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        TRANSFERRED_OUT = "transferred_out", "已转出"

    resident = models.OneToOneField(
        "people.Resident",
        verbose_name="居民",
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    category = models.CharField(
        "党员类别", max_length=20, choices=Category.choices, default=Category.FULL
    )
    joined_on = models.DateField("入党时间")
    organisation = models.ForeignKey(
        "grid.GridNode",
        verbose_name="所在党组织",
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    # A member whose 组织关系 moved out stays on record (their history), off the roster.
    status = models.CharField(
        "组织关系状态", max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "resident__node__path"
    SCOPE_HOUSEHOLD = "resident__household_id"

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.resident.name
