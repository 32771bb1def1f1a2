"""Claims (积分申报/登记), their photos, and objections (异议) raised during public notice."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel


class PointClaim(ScopedModel):
    """Points asked for a household (or one of its residents) under a rule version.

    submitted → (review) → on_notice → (the period ends) → final, with its ledger entry;
    a rejection ends it; an objection during notice sends it back to submitted.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ON_NOTICE = "on_notice", "公示中"
        FINAL = "final", "已生效"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    class Channel(models.TextChoices):
        SELF = "self", "村民申报"
        RECORDED = "recorded", "干部登记"
        BATCH = "batch", "活动批量登记"

    rule_version = models.ForeignKey(
        "points.PointRuleVersion",
        verbose_name="积分规则",
        on_delete=models.PROTECT,
        related_name="claims",
    )
    household = models.ForeignKey(
        "people.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    # Set for a person's own points (a resident account); empty for the household's.
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Denormalised from the household: scope filters, figures and the notice board need no join.
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField("分值")
    occurred_on = models.DateField("发生日期")
    note = models.TextField("说明", blank=True)
    channel = models.CharField(
        "来源", max_length=10, choices=Channel.choices, default=Channel.RECORDED
    )
    batch = models.CharField("活动批次", max_length=40, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    notice_from = models.DateTimeField("公示开始", null=True, blank=True)
    notice_until = models.DateTimeField("公示截止", null=True, blank=True, db_index=True)
    final_at = models.DateTimeField("生效时间", null=True, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "积分申报"
        verbose_name_plural = "积分申报"
        ordering = ["-id"]
        indexes = [models.Index(fields=["node", "status"], name="point_claim_node_status")]

    def __str__(self) -> str:
        return f"{self.rule_version.title}（{self.points:+d}分）"


def claim_photo_path(photo: PointClaimPhoto, filename: str) -> str:
    """Store photos under a random name: the uploaded name may hold a person's name."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"points/claims/{uuid.uuid4().hex}{suffix}"


class PointClaimPhoto(ScopedModel):
    """A photo proving a claim (a cleaned courtyard, the clean-up day)."""

    claim = models.ForeignKey(
        PointClaim, verbose_name="积分申报", on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField("照片", upload_to=claim_photo_path)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "claim__node__path"
    SCOPE_HOUSEHOLD = "claim__household_id"

    class Meta:
        verbose_name = "申报照片"
        verbose_name_plural = "申报照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"申报照片{self.pk}"


class PointObjection(ScopedModel):
    """A villager's objection (异议) to a claim on public notice; it sends the claim back."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    claim = models.ForeignKey(
        PointClaim, verbose_name="积分申报", on_delete=models.PROTECT, related_name="objections"
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="提出异议的户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("异议理由")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    answer = models.CharField("处理意见", max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("处理时间", null=True, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    SCOPE_PATH = "claim__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "积分异议"
        verbose_name_plural = "积分异议"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"对“{self.claim.rule_version.title}”的异议"
