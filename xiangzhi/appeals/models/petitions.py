"""Petitions (信访) with the legal time limits of 信访工作条例.

Decide acceptance within 15 days of receipt; finish within 60 days of acceptance; one extension
of at most 30 days. The limits are calendar days, as the regulation counts them; the services
compute the dates and refuse what the limits forbid.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel

ACCEPT_DAYS = 15
FINISH_DAYS = 60
MAX_EXTENSION_DAYS = 30


class Petition(ScopedModel):
    class State(models.TextChoices):
        RECEIVED = "received", "待决定受理"
        ACCEPTED = "accepted", "已受理办理中"
        REFUSED = "refused", "不予受理"
        FINISHED = "finished", "已办结"

    class Channel(models.TextChoices):
        VISIT = "visit", "走访"
        LETTER = "letter", "来信"
        PHONE = "phone", "来电"
        ONLINE = "online", "网上信访"

    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="+"
    )
    petitioner = models.CharField("信访人", max_length=40)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField("信访形式", max_length=20, choices=Channel.choices)
    subject = models.CharField("信访事项", max_length=100)
    content = models.TextField("主要诉求", max_length=4000)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="办理部门",
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.RECEIVED)
    received_on = models.DateField("收到日期")
    decide_by = models.DateField("受理决定期限")
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_note = models.TextField("受理意见", blank=True)
    finish_by = models.DateField("办结期限", null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField("延期天数", default=0)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    finished_on = models.DateField("办结日期", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    # The limit (decide_by or finish_by) whose passing was last announced: the sweep tells the
    # department once per limit, however often it runs.
    overdue_notified = models.DateField("已提醒超期的期限", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    SCOPE_PATH = "node__path"
    SCOPE_DEPARTMENT = "department_id"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        indexes = [models.Index(fields=["node", "state"], name="petition_node_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended_days__lte=MAX_EXTENSION_DAYS),
                name="petition_extension_at_most_30",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    def due(self) -> dt.date | None:
        """The date the next step is due: the decision, then the finish."""
        if self.state == self.State.RECEIVED:
            return self.decide_by
        if self.state == self.State.ACCEPTED:
            return self.finish_by
        return None

    def days_left(self, today: dt.date) -> int | None:
        """The countdown: days to the next limit (negative when past it)."""
        due = self.due()
        return None if due is None else (due - today).days
