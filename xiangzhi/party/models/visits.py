"""入户走访: visits, the needs they raise and the follow-ups a household change asks for."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel


def photo_path(instance: VisitPhoto, filename: str) -> str:
    """Photos are kept by household and date; the name is the service's, never the uploader's."""
    return f"visit_photos/{instance.visit.household_id}/{filename}"


class Visit(ScopedModel):
    """One visit to a household: who was met, what was learned, what follows (信息台账)."""

    household = models.ForeignKey(
        "people.Household", verbose_name="走访户", on_delete=models.PROTECT, related_name="visits"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="走访党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField("走访日期")
    met = models.CharField("见到的人", max_length=100)
    learned = models.TextField("了解的情况", max_length=1000)
    follow_up = models.CharField("后续跟进", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "household__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="party_visit_household"),
            models.Index(fields=["member", "visited_on"], name="party_visit_member"),
            models.Index(fields=["visited_on"], name="party_visit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"


class VisitPhoto(ScopedModel):
    """A photo of a visit (up to the service's limit), served after the visit's scope check."""

    visit = models.ForeignKey(
        Visit, verbose_name="走访", on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to=photo_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "visit__household__node__path"
    SCOPE_HOUSEHOLD = "visit__household_id"

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.visit} 照片"


class VisitNeed(ScopedModel):
    """A need raised in a visit; an appeals module takes it over (need_take)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        TAKEN = "taken", "已转办"
        CLOSED = "closed", "已办结"

    visit = models.ForeignKey(
        Visit, verbose_name="走访", on_delete=models.PROTECT, related_name="needs"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="visit_needs"
    )
    text = models.CharField("诉求内容", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    taken_by = models.CharField("转办去向", max_length=100, blank=True)
    outcome = models.CharField("办理结果", max_length=300, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "household__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "走访诉求"
        verbose_name_plural = "走访诉求"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "household"], name="party_need_status")]

    def __str__(self) -> str:
        return self.text


class FollowUp(ScopedModel):
    """A household change (birth, death, move, split, head change) calls for a visit by a date."""

    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="follow_ups"
    )
    change = models.OneToOneField(
        "people.HouseholdChange",
        verbose_name="人口变动",
        on_delete=models.PROTECT,
        related_name="follow_up",
    )
    due_on = models.DateField("回访期限")
    done_on = models.DateField("回访日期", null=True, blank=True)
    visit = models.ForeignKey(
        Visit,
        verbose_name="回访记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "household__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "变动回访"
        verbose_name_plural = "变动回访"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="party_follow_up_due")]

    def __str__(self) -> str:
        return f"{self.household} {self.due_on}"
