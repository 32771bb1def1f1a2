"""屋场恳谈会: record a talk with who came, the opinions heard, and follow each to an outcome.

An opinion that becomes a need (诉求) or a village matter waits as AWAITING until the app that
handles it (appeals, decisions: higher apps) calls `opinion_take`; party never calls them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_record
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from ..actions import OrgLifeAction
from ..models import HamletTalk, OpinionOutcome, TalkAttendee, TalkOpinion
from ._checks import past_day, require_write, text

# Outcomes that close an opinion at once, and those that hand it to another module.
CLOSING = {OpinionOutcome.ANSWERED, OpinionOutcome.NO_ACTION}
HANDED_ON = {OpinionOutcome.NEED, OpinionOutcome.VILLAGE_MATTER}


def _names(free_text: str) -> list[str]:
    """Names typed one a line or separated by commas (，、,)."""
    for sep in (",", ";", "，", "、", "；"):
        free_text = free_text.replace(sep, "\n")
    return [n.strip() for n in free_text.splitlines() if n.strip()]


def _match_residents(
    village_path: str, residents: list[Resident], names: list[str]
) -> tuple[list[Resident], list[str]]:
    """Tie each typed name to the village's one resident in the register of that name; a name
    that no one or several bear stays as typed."""
    found: dict[str, list[Resident]] = {}
    for r in Resident.objects.filter(
        node__path__under=village_path, status=Resident.Status.ACTIVE, name__in=set(names)
    ).select_related("node"):
        found.setdefault(r.name, []).append(r)
    typed = []
    for name in names:
        match = found.get(name, [])
        if len(match) == 1 and match[0] not in residents:
            residents.append(match[0])
        elif len(match) != 1:
            typed.append(name)
    return residents, typed


@transaction.atomic
def hamlet_talk_record(
    *,
    actor: Actor,
    node: GridNode,
    held_on: dt.date | None,
    topics: str,
    host: str = "",
    place: str = "",
    residents: list[Resident] = (),
    other_attendees: str = "",
) -> HamletTalk:
    """Record a talk held in a hamlet, with its attendees from the registry and typed names."""
    require_write(actor=actor, path=node.path, message=gettext("您不能记录该网格的屋场恳谈会"))
    if node.level < 2:
        raise ValidationError({"node": gettext("屋场恳谈会应在村、党支部或屋场召开")})
    held_on = past_day(held_on, "held_on", gettext("召开日期"))
    topics = text(topics, "topics", gettext("议题"), limit=2000)
    host = text(host, "host", gettext("主持人"), required=False, limit=40)
    place = text(place, "place", gettext("地点"), required=False, limit=60)
    village_path = node.ancestor_path_at(2)
    for r in residents:
        if not r.node.path.startswith(village_path):
            raise ValidationError({"residents": gettext("参会居民应为本村居民")})
    names = _names(other_attendees)
    if any(len(n) > 40 for n in names):
        raise ValidationError({"other_attendees": gettext("每个姓名不能超过40个字")})
    residents, names = _match_residents(village_path, list(residents), names)
    talk = HamletTalk.objects.create(
        node=node, held_on=held_on, topics=topics, host=host, place=place
    )
    TalkAttendee.objects.bulk_create(
        [TalkAttendee(talk=talk, resident=r, name=r.name) for r in residents]
        + [TalkAttendee(talk=talk, name=n) for n in names]
    )
    audit_record(
        actor=actor,
        action=OrgLifeAction.HAMLET_TALK_RECORD,
        obj=talk,
        changes={"held_on": held_on, "topics": topics, "rows": len(residents) + len(names)},
    )
    return talk


@transaction.atomic
def opinion_add(
    *, actor: Actor, talk: HamletTalk, content: str, raised_by: str = ""
) -> TalkOpinion:
    require_write(actor=actor, path=talk.node.path, message=gettext("您不能记录该恳谈会的意见"))
    content = text(content, "content", gettext("意见内容"), limit=1000)
    raised_by = text(raised_by, "raised_by", gettext("提出人"), required=False, limit=40)
    opinion = TalkOpinion.objects.create(talk=talk, content=content, raised_by=raised_by)
    audit_record(
        actor=actor,
        action=OrgLifeAction.OPINION_ADD,
        obj=opinion,
        changes={"content": content, "raised_by": raised_by},
    )
    return opinion


@transaction.atomic
def opinion_resolve(
    *, actor: Actor, opinion: TalkOpinion, outcome: str, note: str = ""
) -> TalkOpinion:
    """Give an open opinion its outcome: answered on the spot (the answer), no action (the reason
    is required), or handed on as a need or a village matter (then it awaits `opinion_take`)."""
    require_write(
        actor=actor, path=opinion.talk.node.path, message=gettext("您不能处理该恳谈会的意见")
    )
    if outcome not in OpinionOutcome.values:
        raise ValidationError({"outcome": gettext("请选择处理结果")})
    outcome = OpinionOutcome(outcome)
    required = outcome in CLOSING
    label = (
        gettext("不予处理的理由") if outcome == OpinionOutcome.NO_ACTION else gettext("答复内容")
    )
    note = text(note, "note", label if required else gettext("说明"), required=required, limit=1000)
    locked = TalkOpinion.objects.select_for_update().get(pk=opinion.pk)
    if locked.status != TalkOpinion.Status.OPEN:
        raise ValidationError(gettext("该意见已经处理过了"))
    locked.outcome, locked.outcome_note = outcome, note
    locked.status = TalkOpinion.Status.CLOSED if required else TalkOpinion.Status.AWAITING
    locked.resolved_at = timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action=OrgLifeAction.OPINION_RESOLVE,
        obj=locked,
        changes={"outcome": outcome, "outcome_note": note, "status": locked.status},
    )
    return locked


@transaction.atomic
def opinion_take(*, actor: Actor, opinion: TalkOpinion, by: str) -> TalkOpinion:
    """The hook for the module that takes a handed-on opinion over (appeals makes an appeal of a
    need, decisions a matter): `by` names what it became ("appeal:123"). Taken once only."""
    require_write(
        actor=actor, path=opinion.talk.node.path, message=gettext("您不能承接该恳谈会的意见")
    )
    by = text(by, "by", gettext("承接记录"), limit=60)
    locked = TalkOpinion.objects.select_for_update().get(pk=opinion.pk)
    if locked.status != TalkOpinion.Status.AWAITING:
        raise ValidationError(gettext("该意见不在待转办状态，不能承接"))
    locked.status = TalkOpinion.Status.CLOSED
    locked.taken_by, locked.taken_at = by, timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action=OrgLifeAction.OPINION_TAKE,
        obj=locked,
        changes={"taken_by": by, "status": locked.status},
    )
    return locked
