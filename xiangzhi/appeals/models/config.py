"""Settings of the appeals app that administrators edit (admin pages)."""

from __future__ import annotations

from django.db import models

from .appeals import Kind


class AppealDeadlineRule(models.Model):
    """The default deadline of one kind of appeal, in working days (core.workdays)."""

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, unique=True)
    accept_days = models.PositiveSmallIntegerField("受理时限（工作日）", default=1)
    reply_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=5)
    remind_days = models.PositiveSmallIntegerField("提前提醒（工作日）", default=1)

    class Meta:
        ordering = ["kind"]
        verbose_name = "诉求办理时限"
        verbose_name_plural = "诉求办理时限"

    def __str__(self) -> str:
        return self.get_kind_display()
