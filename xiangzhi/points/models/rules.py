"""Rules (积分规则): the township's limits, the catalogue and its versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    """The five categories of DOMAIN.md; a rule of another kind is "custom" with its own name."""

    LIVING_ENVIRONMENT = "living_environment", "人居环境整治"
    PUBLIC_WORKS = "public_works", "公共基础设施建设"
    FAMILY_VIRTUE = "family_virtue", "家庭美德"
    CUSTOMS_REFORM = "customs_reform", "移风易俗"
    ENTERPRISE = "enterprise", "兴业致富"
    CUSTOM = "custom", "自定义"


class Evidence(models.TextChoices):
    NONE = "none", "无需证明"
    NOTE = "note", "需文字说明"
    PHOTO = "photo", "需照片"
    PHOTO_AND_NOTE = "photo_and_note", "需照片和文字说明"


class CapPeriod(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


# Who may record a claim under a rule (besides a villager applying for their own household).
RECORDER_CHOICES = (
    ("village_cadre", "村干部"),
    ("grid_worker", "网格员"),
    ("villager", "村民本人申报"),
)


class PointPolicy(models.Model):
    """The limits a township sets for its own and its villages' rules, and its notice period.

    Configuration of a township, not a record of its people: read by the services, set through
    `policy_set` by the township's leaders (no scope of its own, like tags and departments)."""

    node = models.OneToOneField(
        "grid.GridNode",
        verbose_name="乡镇",
        on_delete=models.PROTECT,
        related_name="point_policy",
    )
    villages_may_add = models.BooleanField("允许村级自定规则", default=True)
    max_points = models.PositiveIntegerField("单条规则最高加分", default=50)
    max_deduction = models.PositiveIntegerField("单条规则最多扣分", default=20)
    # The category keys villages may use ("custom" included when they may name their own).
    categories = models.JSONField("村级可用类别", default=list, blank=True)
    # The lowest balance a deduction or a reversal may leave (a redemption never goes below 0).
    min_balance = models.IntegerField("最低余额", default=-100)
    notice_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "积分制度设置"
        verbose_name_plural = "积分制度设置"

    def __str__(self) -> str:
        return f"{self.node.name}积分制度设置"


class PointRule(models.Model):
    """A rule of a township's or a village's catalogue; its current terms are its last version.

    A catalogue entry, not a record of the grid below its unit: every grid of the township (of
    the village) applies it, so it is read through `selectors.rule_list` (the rules of the units
    at and above the actor's grids, and of their subtrees) and loaded through
    `access.access_point_rule`, never through a node's scope alone. Its unit's path: `node__path`."""

    node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="制定单位",
        on_delete=models.PROTECT,
        related_name="point_rules",
    )
    code = models.CharField("编号", max_length=20, blank=True)
    title = models.CharField("规则名称", max_length=100)
    category = models.CharField(
        "类别", max_length=30, choices=Category.choices, default=Category.LIVING_ENVIRONMENT
    )
    custom_category = models.CharField("自定义类别名称", max_length=30, blank=True)
    points = models.IntegerField("分值")
    evidence = models.CharField(
        "证明材料", max_length=20, choices=Evidence.choices, default=Evidence.NONE
    )
    cap_points = models.PositiveIntegerField("每户每期上限", null=True, blank=True)
    cap_period = models.CharField(
        "上限周期", max_length=10, choices=CapPeriod.choices, default=CapPeriod.MONTH
    )
    recorders = models.JSONField("可登记人", default=list, blank=True)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["node__path", "code", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="point_rule_points_nonzero"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def category_label(self) -> str:
        if self.category == Category.CUSTOM and self.custom_category:
            return self.custom_category
        return self.get_category_display()


class PointRuleVersion(models.Model):
    """The terms of a rule from one change to the next; claims and entries keep the version."""

    rule = models.ForeignKey(
        PointRule, verbose_name="积分规则", on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField("版本")
    title = models.CharField("规则名称", max_length=100)
    category = models.CharField("类别", max_length=30, choices=Category.choices)
    custom_category = models.CharField("自定义类别名称", max_length=30, blank=True)
    points = models.IntegerField("分值")
    evidence = models.CharField("证明材料", max_length=20, choices=Evidence.choices)
    cap_points = models.PositiveIntegerField("每户每期上限", null=True, blank=True)
    cap_period = models.CharField("上限周期", max_length=10, choices=CapPeriod.choices)
    recorders = models.JSONField("可登记人", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分规则版本"
        verbose_name_plural = "积分规则版本"
        ordering = ["rule_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="point_rule_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def category_label(self) -> str:
        if self.category == Category.CUSTOM and self.custom_category:
            return self.custom_category
        return self.get_category_display()
