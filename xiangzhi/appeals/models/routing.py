"""Routing suggestion: the keyword rules admins edit and the trained models the worker stores."""

from __future__ import annotations

import re

from django.db import models

from .appeals import Kind


class RoutingRule(models.Model):
    """Keywords -> a kind and a department, used while there is too little history to learn."""

    keywords = models.CharField(
        "关键词",
        max_length=200,
        help_text="多个关键词用顿号、逗号或空格分开，任一出现即匹配。",
    )
    kind = models.CharField("诉求类型", max_length=20, choices=Kind.choices, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="留空表示由村里办理。",
    )
    priority = models.PositiveSmallIntegerField("优先级", default=100, help_text="数字小的先匹配。")
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = "分派关键词规则"
        verbose_name_plural = "分派关键词规则"

    def __str__(self) -> str:
        return self.keywords

    def words(self) -> list[str]:
        return [w for w in re.split(r"[\s,，、;；]+", self.keywords) if w]


class RoutingModelRecord(models.Model):
    """One trained routing model: the joblib blob, when, on how much history, how well."""

    trained_at = models.DateTimeField("训练时间", auto_now_add=True)
    samples = models.PositiveIntegerField("样本数")
    # The training set's fingerprint: the worker trains again only when the history changed.
    data_key = models.CharField("数据指纹", max_length=64, unique=True)
    accuracy = models.JSONField("留出集准确率", default=dict)
    blob = models.BinaryField("模型")
    size = models.PositiveIntegerField("模型大小（字节）")

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = "分派模型"
        verbose_name_plural = "分派模型"

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M}（{self.samples}）"
