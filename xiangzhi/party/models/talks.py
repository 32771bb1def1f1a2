"""屋场恳谈会: a meeting in a hamlet to hear opinions; each opinion is followed to an outcome."""

from __future__ import annotations

from django.db import models

from xiangzhi.core.scope import ScopedModel


class HamletTalk(ScopedModel):
    """A hamlet talk held on a grid node (a hamlet group, usually)."""

    node = models.ForeignKey(
        "grid.GridNode", verbose_name="屋场", on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField("召开日期")
    place = models.CharField("地点", max_length=60, blank=True)
    host = models.CharField("主持人", max_length=40, blank=True)
    topics = models.TextField("议题", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "node__path"
    # A resident of the registry who came (and their household) sees the talk.
    SCOPE_HOUSEHOLD = "attendees__resident__household_id"

    class Meta:
        verbose_name = "屋场恳谈会"
        verbose_name_plural = "屋场恳谈会"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topics[:20]}"


class TalkAttendee(ScopedModel):
    """Someone who came: a resident of the registry, or a name typed in (a visitor)."""

    talk = models.ForeignKey(
        HamletTalk, verbose_name="恳谈会", on_delete=models.CASCADE, related_name="attendees"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=40)

    SCOPE_PATH = "talk__node__path"
    # Those who came see who else came (as they saw it at the talk).
    SCOPE_HOUSEHOLD = "talk__attendees__resident__household_id"

    class Meta:
        verbose_name = "恳谈会参会人"
        verbose_name_plural = "恳谈会参会人"
        ordering = ["talk_id", "id"]

    def __str__(self) -> str:
        return self.name


class OpinionOutcome(models.TextChoices):
    ANSWERED = "answered", "当场答复"
    NEED = "need", "转为群众诉求"
    VILLAGE_MATTER = "village_matter", "转为村级事项"
    NO_ACTION = "no_action", "不予处理（说明理由）"


class TalkOpinion(ScopedModel):
    """An opinion heard at a talk, open until an outcome is given.

    An opinion that becomes a need (or a village matter) waits in AWAITING until the app that
    handles it takes it over (`opinion_take`, called by appeals or decisions, never the reverse).
    """

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        AWAITING = "awaiting", "待转办"
        CLOSED = "closed", "已办结"

    talk = models.ForeignKey(
        HamletTalk, verbose_name="恳谈会", on_delete=models.CASCADE, related_name="opinions"
    )
    raised_by = models.CharField("提出人", max_length=40, blank=True)
    content = models.TextField("意见内容", max_length=1000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(
        "处理结果", max_length=20, choices=OpinionOutcome.choices, blank=True
    )
    outcome_note = models.TextField("答复或理由", max_length=1000, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    taken_by = models.CharField("承接记录", max_length=60, blank=True)
    taken_at = models.DateTimeField("承接时间", null=True, blank=True)

    SCOPE_PATH = "talk__node__path"
    SCOPE_HOUSEHOLD = "talk__attendees__resident__household_id"

    class Meta:
        verbose_name = "恳谈意见"
        verbose_name_plural = "恳谈意见"
        ordering = ["talk_id", "id"]
        indexes = [models.Index(fields=["status"], name="party_opinion_status")]

    def __str__(self) -> str:
        return self.content[:30]
