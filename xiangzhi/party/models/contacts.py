"""党员联系户: which party member keeps in touch with which household, and the township's rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xiangzhi.core.scope import ScopedModel


class ContactSettings(models.Model):
    """A township's rules for contact work: how many households a hamlet group covers, and how
    often a linked household must be visited. Without a row the defaults below apply."""

    VILLAGE_GROUP_QUOTA = 30
    COMMUNITY_GROUP_QUOTA = 60
    VISIT_INTERVAL_DAYS = 90
    FOLLOW_UP_DAYS = 15

    township = models.OneToOneField(
        "grid.GridNode",
        verbose_name="乡镇",
        on_delete=models.CASCADE,
        related_name="contact_settings",
    )
    village_group_quota = models.PositiveIntegerField(
        "村党小组覆盖户数上限", default=VILLAGE_GROUP_QUOTA
    )
    community_group_quota = models.PositiveIntegerField(
        "社区党小组覆盖户数上限", default=COMMUNITY_GROUP_QUOTA
    )
    visit_interval_days = models.PositiveIntegerField("走访周期（天）", default=VISIT_INTERVAL_DAYS)
    follow_up_days = models.PositiveIntegerField("变动回访期限（天）", default=FOLLOW_UP_DAYS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "联系户设置"
        verbose_name_plural = "联系户设置"

    def __str__(self) -> str:
        return str(self.township)


class ContactLink(ScopedModel):
    """A party member's link to a household they contact (primary: one per household)."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "主要联系人"
        SECOND = "second", "第二联系人"

    household = models.ForeignKey(
        "people.Household",
        verbose_name="联系户",
        on_delete=models.PROTECT,
        related_name="contact_links",
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="联系党员",
        on_delete=models.PROTECT,
        related_name="contact_links",
    )
    role = models.CharField("联系类型", max_length=10, choices=Role.choices, default=Role.PRIMARY)
    # The group the household was linked for (个体工商户, 种养大户), when a link was made by tag.
    tag = models.ForeignKey(
        "people.Tag",
        verbose_name="联系群体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_on = models.DateField("联系开始日期")
    ended_on = models.DateField("联系结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=100, blank=True)
    # The household's last visit by anyone, copied here by visit_record so that the overdue
    # count is a range on an indexed date, whatever today is.
    last_visit_on = models.DateField("最近走访日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "household__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        verbose_name = "党员联系户"
        verbose_name_plural = "党员联系户"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["household", "ended_on"], name="party_link_household"),
            models.Index(fields=["member", "ended_on"], name="party_link_member"),
            models.Index(fields=["ended_on", "role", "last_visit_on"], name="party_link_overdue"),
        ]
        constraints = [
            # One primary contact per household at a time; a member links a household once.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True, role="primary"),
                name="party_link_one_primary",
            ),
            models.UniqueConstraint(
                fields=["household", "member"],
                condition=Q(ended_on__isnull=True),
                name="party_link_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.household}"
