"""三会一课 and 主题党日: plan meetings, record them as held with who came, or cancel them."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_record
from xiangzhi.core.files import files_undone_on_failure, stored
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions import OrgLifeAction
from ..models import Attendance, Meeting, MeetingAttachment, MeetingKind, PartyMember
from ..models.meetings import EVERY_MONTHS, KINDS_BY_LEVEL, period_of
from ._checks import past_day, require_write, text

ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
# What each type's first bytes are: a file is what its content says, not its name (an .exe named
# .pdf is refused). Word and Excel: the OLE container (.doc, .xls) or a zip (.docx, .xlsx).
OLE, ZIP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
ATTACHMENT_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (OLE,),
    ".xls": (OLE,),
    ".docx": (ZIP,),
    ".xlsx": (ZIP,),
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
PLAN_DAY = 15  # a planned meeting's day of its month; the branch moves it when it holds it


def kinds_for(organisation: GridNode) -> tuple[str, ...]:
    """The kinds of meeting an organisation holds: a branch (or a village's 党总支) the branch's
    meetings, a hamlet group its group meeting."""
    return (
        KINDS_BY_LEVEL[3] if organisation.level == 2 else KINDS_BY_LEVEL.get(organisation.level, ())
    )


def expected_members(organisation: GridNode) -> QuerySet[PartyMember]:
    """The members a meeting of the organisation lists: those in it or in its groups, in the
    register, whose relation has not moved out."""
    return (
        PartyMember.objects.filter(
            organisation__path__under=organisation.path,
            status=PartyMember.Status.ACTIVE,
            resident__status="active",
        )
        .select_related("resident")
        .order_by("resident__name", "pk")
    )


def _check_kind(organisation: GridNode, kind: str) -> None:
    if kind not in kinds_for(organisation):
        raise ValidationError(
            {"kind": gettext("%(org)s不召开这类会议") % {"org": organisation.name}}
        )


@transaction.atomic
def meeting_plan(
    *,
    actor: Actor,
    organisation: GridNode,
    kind: str,
    planned_on: dt.date | None,
    topic: str = "",
) -> Meeting:
    require_write(actor=actor, path=organisation.path, message=gettext("您不能为该党组织安排会议"))
    _check_kind(organisation, kind)
    if planned_on is None:
        raise ValidationError({"planned_on": gettext("请填写计划日期")})
    if not 2000 <= planned_on.year <= 2100:
        raise ValidationError({"planned_on": gettext("计划日期应在2000年至2100年之间")})
    topic = text(topic, "topic", gettext("主题"), required=False, limit=100)
    meeting = Meeting.objects.create(
        organisation=organisation, kind=kind, planned_on=planned_on, topic=topic
    )
    audit_record(
        actor=actor,
        action=OrgLifeAction.MEETING_PLAN,
        obj=meeting,
        changes={"kind": kind, "planned_on": planned_on, "topic": topic},
    )
    return meeting


@transaction.atomic
def meeting_plan_year(*, actor: Actor, organisation: GridNode, year: int) -> int:
    """Plan every meeting of the year at the frequencies of DOMAIN.md (a quarterly one in the
    quarter's middle month), skipping periods that already have one; the number planned."""
    require_write(actor=actor, path=organisation.path, message=gettext("您不能为该党组织安排会议"))
    if not kinds_for(organisation):
        raise ValidationError(
            {"organisation": gettext("请选择党支部或屋场党小组（党总支按党支部安排）")}
        )
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": gettext("年份应在2000至2100之间")})
    have = {
        (kind, period_of(kind, day)[0])
        for kind, day in Meeting.objects.filter(
            organisation=organisation, planned_on__year=year
        ).values_list("kind", "planned_on")
    }
    new = []
    for kind in kinds_for(organisation):
        months = EVERY_MONTHS[MeetingKind(kind)]
        for first in range(1, 13, months):
            start = dt.date(year, first, 1)
            if (kind, start) in have:
                continue
            middle = first + months // 2
            new.append(
                Meeting(
                    organisation=organisation,
                    kind=kind,
                    planned_on=dt.date(year, middle, PLAN_DAY),
                )
            )
    Meeting.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action=OrgLifeAction.MEETING_PLAN_YEAR,
            node=organisation,
            changes={"year": year, "rows": len(new)},
        )
    return len(new)


def _check_attachments(attachments: list[UploadedFile], kept: int = 0) -> None:
    """Each file's type and size, and how many a meeting keeps; the message names the file."""
    if kept + len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": gettext("每次会议最多%(max)d个附件，还可上传%(room)d个")
                % {"max": MAX_ATTACHMENTS, "room": max(MAX_ATTACHMENTS - kept, 0)}
            }
        )
    for attachment in attachments:
        name = PurePath(attachment.name).name
        if PurePath(name).suffix.lower() not in ATTACHMENT_TYPES:
            raise ValidationError(
                {
                    "attachments": gettext("“%(name)s”不是PDF、图片、Word或Excel文件")
                    % {"name": name}
                }
            )
        if attachment.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError({"attachments": gettext("“%(name)s”超过10MB") % {"name": name}})
        head = attachment.read(8)
        attachment.seek(0)
        if not head.startswith(ATTACHMENT_MAGIC[PurePath(name).suffix.lower()]):
            raise ValidationError(
                {
                    "attachments": gettext("“%(name)s”的内容与文件类型不符，请上传原文件")
                    % {"name": name}
                }
            )


def _attendance_rows(meeting: Meeting, attendance: dict[int, tuple[str, str]]) -> list[Attendance]:
    """Every expected member's row: as given, absent where nothing was given."""
    expected = {m.pk: m for m in expected_members(meeting.organisation)}
    unknown = set(attendance) - set(expected)
    if unknown:
        raise ValidationError(gettext("出勤名单中有不属于该党组织的党员"))
    rows = []
    for pk, member in expected.items():
        status, reason = attendance.get(pk, (Attendance.Status.ABSENT, ""))
        reason = (reason or "").strip()
        if status not in Attendance.Status.values:
            raise ValidationError(
                {f"status_{pk}": gettext("%(name)s的出勤情况无效") % {"name": member.resident.name}}
            )
        if status == Attendance.Status.LEAVE and not reason:
            raise ValidationError(
                {
                    f"reason_{pk}": gettext("请填写%(name)s的请假事由")
                    % {"name": member.resident.name}
                }
            )
        if len(reason) > 100:
            raise ValidationError({f"reason_{pk}": gettext("请假事由不能超过100个字")})
        if "\x00" in reason:  # the page's multipart form reaches here unread by NulRefused
            raise ValidationError(
                {f"reason_{pk}": gettext("请假事由中含有不能保存的空字符，请删除后重试。")}
            )
        rows.append(Attendance(meeting=meeting, member=member, status=status, reason=reason))
    return rows


@files_undone_on_failure
@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    meeting: Meeting,
    held_on: dt.date | None,
    topic: str,
    host: str,
    place: str = "",
    minutes: str = "",
    attendance: dict[int, tuple[str, str]],
    attachments: list[UploadedFile] | None = None,
) -> Meeting:
    """Record that a meeting was held: its day, topic, host, minutes and each member's attendance
    (present, on leave with a reason, absent) and its files; recording again corrects it (and
    adds the files given, up to the limit of attachments per meeting)."""
    require_write(
        actor=actor, path=meeting.organisation.path, message=gettext("您不能记录该党组织的会议")
    )
    locked = Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)
    if locked.status == Meeting.Status.CANCELLED:
        raise ValidationError(gettext("该会议已取消"))
    held_on = past_day(held_on, "held_on", gettext("召开日期"))
    if held_on.year < 2000:  # as a plan's day: a meeting "held" in year 1 left the overdue list
        raise ValidationError({"held_on": gettext("召开日期应在2000年以后")})
    topic = text(topic, "topic", gettext("主题"), limit=100)
    host = text(host, "host", gettext("主持人"), limit=40)
    place = text(place, "place", gettext("地点"), required=False, limit=60)
    minutes = text(minutes, "minutes", gettext("会议记录"), required=False, limit=20000)
    attachments = [a for a in attachments or [] if a]
    _check_attachments(attachments, kept=locked.attachments.count())
    rows = _attendance_rows(locked, attendance)
    locked.held_on, locked.topic, locked.host = held_on, topic, host
    locked.place, locked.minutes, locked.status = place, minutes, Meeting.Status.HELD
    locked.save()
    for attachment in attachments:
        # Kept under a name of ours (an uploaded name of 4-byte characters can pass the disk's
        # 255 bytes); the uploaded one is what the download is named.
        name = PurePath(attachment.name).name[-120:]
        attachment.name = f"{secrets.token_hex(8)}{PurePath(name).suffix.lower()}"
        kept = MeetingAttachment.objects.create(meeting=locked, file=attachment, name=name)
        stored(kept.file)
    Attendance.objects.filter(meeting=locked).delete()
    Attendance.objects.bulk_create(rows)
    counts = {s: sum(r.status == s for r in rows) for s in Attendance.Status.values}
    audit_record(
        actor=actor,
        action=OrgLifeAction.MEETING_RECORD,
        obj=locked,
        changes={
            "held_on": held_on,
            "topic": topic,
            "host": host,
            **counts,
            **({"attachments": len(attachments)} if attachments else {}),
        },
    )
    return locked


@transaction.atomic
def meeting_attachment_delete(*, actor: Actor, attachment: MeetingAttachment) -> None:
    """Take a meeting's file down (a wrong or sensitive one): by whoever may record the meeting;
    the stored file is removed once the deletion commits."""
    meeting = attachment.meeting
    require_write(
        actor=actor, path=meeting.organisation.path, message=gettext("您不能修改该党组织的会议")
    )
    stored, name = attachment.file.name, attachment.name
    storage = attachment.file.storage
    attachment.delete()
    audit_record(
        actor=actor,
        action=OrgLifeAction.MEETING_ATTACHMENT_DELETE,
        obj=meeting,
        changes={"attachment": name},
    )
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    require_write(
        actor=actor, path=meeting.organisation.path, message=gettext("您不能取消该党组织的会议")
    )
    reason = text(reason, "reason", gettext("取消原因"), limit=200)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != Meeting.Status.PLANNED:
        raise ValidationError(gettext("只能取消尚未召开的会议"))
    locked.status = Meeting.Status.CANCELLED
    locked.minutes = reason
    locked.save(update_fields=["status", "minutes", "updated_at"])
    audit_record(
        actor=actor,
        action=OrgLifeAction.MEETING_CANCEL,
        obj=locked,
        changes={"status": locked.status, "reason": reason},
    )
    return locked
