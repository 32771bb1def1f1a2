"""Reads of 三会一课: the meetings, a meeting's roll, a member's attendance, the overdue branches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from xiangzhi.core.types import Actor
from xiangzhi.grid.labels import grid_labels
from xiangzhi.grid.models import GridNode

from ..models import Attendance, Meeting, MeetingKind, PartyMember
from ..models.meetings import WATCHED_KINDS, period_of


def meeting_organisations(*, actor: Actor, node: GridNode | None = None) -> QuerySet[GridNode]:
    """The party organisations in scope that hold meetings: villages, branches, hamlet groups."""
    qs = GridNode.objects.for_actor(actor).filter(level__in=(2, 3, 4))
    if node is not None:
        qs = qs.filter(path__under=node.path)
    return qs.order_by("path")


def meeting_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
) -> QuerySet[Meeting]:
    """The meetings in scope with their attendance counts, latest first."""
    qs = Meeting.objects.for_actor(actor).select_related("organisation")
    if node is not None:
        qs = qs.filter(organisation__path__under=node.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(planned_on__year=year)
    return qs.annotate(
        present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)),
        leave=Count("attendances", filter=Q(attendances__status=Attendance.Status.LEAVE)),
        absent=Count("attendances", filter=Q(attendances__status=Attendance.Status.ABSENT)),
    ).order_by("-planned_on", "organisation__path", "pk")


def meeting_roll(*, actor: Actor, meeting: Meeting) -> list[tuple[PartyMember, Attendance | None]]:
    """The members a meeting lists (its organisation's, pre-listed) with what was recorded."""
    members = (
        PartyMember.objects.for_actor(actor)
        .filter(
            organisation__path__under=meeting.organisation.path,
            status=PartyMember.Status.ACTIVE,
            resident__status="active",
        )
        .select_related("resident")
        .order_by("resident__name", "pk")
    )
    recorded = {
        a.member_id: a
        for a in Attendance.objects.for_actor(actor)
        .filter(meeting=meeting)
        .select_related("member__resident")
    }
    roll = [(m, recorded.pop(m.pk, None)) for m in members]
    # Members recorded then who left since (a transfer out) still show on the meeting's roll.
    roll += [(a.member, a) for a in recorded.values()]
    return roll


def member_attendance(*, actor: Actor, member: PartyMember, limit: int = 10) -> dict:
    """A member's attendance: counts over the last twelve months and the latest meetings."""
    qs = Attendance.objects.for_actor(actor).filter(member=member)
    since = timezone.localdate() - dt.timedelta(days=365)
    counts = qs.filter(meeting__held_on__gte=since).aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in Attendance.Status.values}
    )
    latest = list(
        qs.select_related("meeting__organisation").order_by("-meeting__held_on", "-pk")[:limit]
    )
    return {"counts": counts, "latest": latest}


@dataclass
class BranchStatus:
    """A branch with the watched kinds it missed in their last complete period."""

    branch: GridNode
    village: str
    missed: list[tuple[str, str]] = field(default_factory=list)  # (kind label, period text)
    last: dict[str, dt.date | None] = field(default_factory=dict)


def last_complete_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The month (or quarter) before the one that holds today."""
    start, _ = period_of(kind, today)
    return period_of(kind, start - dt.timedelta(days=1))


def _period_text(kind: str, start: dt.date) -> str:
    if kind == MeetingKind.PARTY_LECTURE:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def overdue_branches(
    *, actor: Actor, node: GridNode, today: dt.date, only_overdue: bool = True
) -> list[BranchStatus]:
    """Each branch (level 3) under `node` that held no monthly committee meeting or theme day in
    the last complete month, or no lecture in the last complete quarter. Three queries whatever
    the number of branches: the branches, their villages' names, and the last held meeting of
    each watched kind per branch (one grouped query)."""
    branches = list(
        GridNode.objects.for_actor(actor)
        .filter(level=3, path__under=node.path)
        .select_related("parent")
        .order_by("path")
    )
    last = {
        (org, kind): day
        for org, kind, day in Meeting.objects.for_actor(actor)
        .filter(
            organisation__level=3,
            organisation__path__under=node.path,
            status=Meeting.Status.HELD,
            kind__in=WATCHED_KINDS,
            held_on__lte=today,
        )
        .values("organisation_id", "kind")
        .annotate(last=Max("held_on"))
        .values_list("organisation_id", "kind", "last")
    }
    periods = {kind: last_complete_period(kind, today) for kind in WATCHED_KINDS}
    out = []
    for b in branches:
        status = BranchStatus(b, b.parent.name if b.parent_id else "")
        for kind in WATCHED_KINDS:
            day = last.get((b.pk, kind))
            status.last[kind] = day
            start, end = periods[kind]
            # Held in the period, or later (a branch that caught up this month is not overdue).
            if day is None or day < start:
                status.missed.append((MeetingKind(kind).label, _period_text(kind, start)))
        if status.missed or not only_overdue:
            out.append(status)
    return out


def meeting_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    """The 三会一课 ledger's rows in MEETING_COLUMNS order."""
    labels = grid_labels(actor=actor)
    kinds = dict(MeetingKind.choices)
    statuses = dict(Meeting.Status.choices)
    for i, m in enumerate(queryset.iterator(chunk_size=2000), start=1):
        yield [
            i,
            labels.get(m.organisation.path, m.organisation.name),
            kinds.get(m.kind, ""),
            m.planned_on,
            m.held_on,
            m.topic,
            m.host,
            m.place,
            m.present + m.leave + m.absent if m.status == Meeting.Status.HELD else None,
            m.present if m.status == Meeting.Status.HELD else None,
            m.leave if m.status == Meeting.Status.HELD else None,
            m.absent if m.status == Meeting.Status.HELD else None,
            statuses.get(m.status, ""),
        ]
