"""A visit's open need (party.VisitNeed), or a hamlet talk's opinion handed on as a need
(party.TalkOpinion), becomes an appeal in one step."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from xiangzhi.core.types import Actor
from xiangzhi.party.models import OpinionOutcome, TalkOpinion, VisitNeed
from xiangzhi.party.services import need_take, opinion_take

from ..models import Appeal, Kind, Source
from .submit import appeal_submit


@transaction.atomic
def appeal_from_need(*, actor: Actor, need: VisitNeed) -> Appeal:
    """Raise the need as an appeal of its household (source: 入户走访) and mark the need taken
    over by it; both or neither."""
    if need.status != VisitNeed.Status.OPEN:
        raise ValidationError(gettext("该走访诉求已转办或办结。"))
    household = need.household
    appeal = appeal_submit(
        actor=actor,
        text=need.text,
        kind=Kind.HELP,
        source=Source.VISIT_NEED,
        household=household,
        resident=household.head,
    )
    need_take(actor=actor, need=need, by=gettext("群众诉求%(n)s") % {"n": appeal.number})
    return appeal


@transaction.atomic
def appeal_from_opinion(*, actor: Actor, opinion: TalkOpinion) -> Appeal:
    """Raise an opinion that a hamlet talk handed on as a need (转为群众诉求) as an appeal of the
    talk's hamlet (source: 屋场恳谈会), and record the opinion taken over by it; both or neither."""
    if opinion.status != TalkOpinion.Status.AWAITING or opinion.outcome != OpinionOutcome.NEED:
        raise ValidationError(gettext("该意见不是待转办的群众诉求。"))
    who = f"{opinion.raised_by}：" if opinion.raised_by else ""
    appeal = appeal_submit(
        actor=actor,
        text=f"{who}{opinion.content}",
        kind=Kind.HELP,
        source=Source.HAMLET_TALK,
        node=opinion.talk.node,
    )
    opinion_take(actor=actor, opinion=opinion, by=gettext("群众诉求%(n)s") % {"n": appeal.number})
    return appeal
