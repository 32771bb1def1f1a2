"""三会一课 and 主题党日: meetings of a party organisation (a branch or a hamlet group) and who came."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from xiangzhi.core.scope import ScopedModel


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    BRANCH_COMMITTEE = "branch_committee", "支部委员会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"


# How often each kind is held (DOMAIN.md): months per period.
EVERY_MONTHS = {
    MeetingKind.BRANCH_ASSEMBLY: 3,
    MeetingKind.BRANCH_COMMITTEE: 1,
    MeetingKind.GROUP_MEETING: 1,
    MeetingKind.PARTY_LECTURE: 3,
    MeetingKind.THEME_DAY: 1,
}
# The kinds a branch (level 3) and a hamlet group (level 4) hold.
KINDS_BY_LEVEL = {
    3: (
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.THEME_DAY,
    ),
    4: (MeetingKind.GROUP_MEETING,),
}
# What the township's page checks a branch for (the issue: monthly committee, monthly theme day,
# quarterly lecture).
WATCHED_KINDS = (
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.THEME_DAY,
    MeetingKind.PARTY_LECTURE,
)


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month (or quarter, for a quarterly kind) that holds `day`: its first and last day."""
    months = EVERY_MONTHS[MeetingKind(kind)]
    first_month = (day.month - 1) // months * months + 1
    start = day.replace(month=first_month, day=1)
    end_month = first_month + months
    end = (
        dt.date(day.year + 1, 1, 1) if end_month > 12 else dt.date(day.year, end_month, 1)
    ) - dt.timedelta(days=1)
    return start, end


def attachment_storage() -> FileSystemStorage:
    """Attachments live under var/, never under a served static folder: a scoped view serves them."""
    return FileSystemStorage(location=settings.XIANGZHI_ATTACHMENT_DIR)


class Meeting(ScopedModel):
    """One meeting, planned and then recorded as held (or cancelled)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    organisation = models.ForeignKey(
        "grid.GridNode",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("会议类别", max_length=20, choices=MeetingKind.choices)
    planned_on = models.DateField("计划日期")
    held_on = models.DateField("召开日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    topic = models.CharField("主题", max_length=100, blank=True)
    host = models.CharField("主持人", max_length=40, blank=True)
    place = models.CharField("地点", max_length=60, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "organisation__path"
    # A member (and their household) sees the meetings whose roll lists them.
    SCOPE_HOUSEHOLD = "attendances__member__resident__household_id"

    class Meta:
        verbose_name = "组织生活会议"
        verbose_name_plural = "组织生活会议"
        ordering = ["-planned_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "kind", "held_on"], name="party_meeting_held"),
            models.Index(fields=["planned_on"], name="party_meeting_planned"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.topic or self.planned_on}"


class MeetingAttachment(ScopedModel):
    """A file of a meeting (sign-in sheet, minutes scan, photo), served after the meeting's scope
    check, downloaded under the name it was uploaded with."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="meetings/%Y/%m/", storage=attachment_storage)
    name = models.CharField("文件名", max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "meeting__organisation__path"
    SCOPE_HOUSEHOLD = "meeting__attendances__member__resident__household_id"

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Attendance(ScopedModel):
    """A member's attendance of a held meeting: present, on leave (with a reason) or absent."""

    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField("出勤", max_length=10, choices=Status.choices)
    reason = models.CharField("请假事由", max_length=100, blank=True)

    SCOPE_PATH = "meeting__organisation__path"
    SCOPE_HOUSEHOLD = "member__resident__household_id"

    class Meta:
        verbose_name = "会议出勤"
        verbose_name_plural = "会议出勤"
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"
