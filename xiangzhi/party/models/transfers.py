"""组织关系转接: a member's organisational relation moved in or out, kept as their history."""

from __future__ import annotations

from django.db import models

from xiangzhi.core.scope import ScopedModel


class MembershipTransfer(ScopedModel):
    class Direction(models.TextChoices):
        IN = "in", "转入"
        OUT = "out", "转出"

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    transferred_on = models.DateField("转接日期")
    from_organisation = models.CharField("转出党组织", max_length=100, blank=True)
    to_organisation = models.CharField("转入党组织", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "member__resident__node__path"
    SCOPE_HOUSEHOLD = "member__resident__household_id"

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_direction_display()} {self.transferred_on}"
