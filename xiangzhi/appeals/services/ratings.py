"""Rating a result: the requester on the phone, or staff from a follow-up call (回访)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.types import Actor

from ..models import Appeal, AppealRating
from ..workflow import UNSATISFIED_UP_TO, follow_up_refusal, handler_of
from .notices import notify_assignee
from .steps import appeal_step


def _rate(
    *,
    actor: Actor,
    appeal: Appeal,
    name: str,
    score: int | str,
    comment: str,
    at: dt.datetime | None,
    from_sheet: bool = False,
) -> Appeal:
    comment = (comment or "").strip()
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": gettext("请选择1到5分的评价。")})
    if len(comment) > 500:
        raise ValidationError({"comment": gettext("评价意见不能超过500字。")})
    via = AppealRating.Via.REQUESTER if name == "rate" else AppealRating.Via.FOLLOW_UP

    def apply(a: Appeal) -> dict:
        a.score = score
        handler = handler_of(a)
        # An imported sheet transcribes follow-up calls already made, by whoever keeps it.
        if via == AppealRating.Via.FOLLOW_UP and not from_sheet:
            if refused := follow_up_refusal(actor, a):
                raise ValidationError(refused)
        AppealRating.objects.create(
            appeal=a,
            round=a.reopen_count,
            score=score,
            comment=comment,
            via=via,
            rated_by=actor if getattr(actor, "pk", None) else None,
            node=a.node,
            department=a.department,
            handler_id=handler,
            created_at=at or timezone.now(),
        )
        return {"score": score, "via": via}

    done = appeal_step(actor=actor, appeal=appeal, name=name, note=comment, at=at, apply=apply)
    if score <= UNSATISFIED_UP_TO:
        notify_assignee(done, gettext("群众对诉求办理结果不满意"), "appeal.unsatisfied")
    return done


def appeal_rate(
    *, actor: Actor, appeal: Appeal, score: int, comment: str = "", at: dt.datetime | None = None
) -> Appeal:
    """The requester rates the reply (1-5 and a comment) on their phone."""
    return _rate(actor=actor, appeal=appeal, name="rate", score=score, comment=comment, at=at)


def appeal_follow_up(
    *,
    actor: Actor,
    appeal: Appeal,
    score: int,
    comment: str = "",
    at: dt.datetime | None = None,
    from_sheet: bool = False,
) -> Appeal:
    """Staff other than the handler record the rating the requester gave on a follow-up call
    (回访); `from_sheet`: an import transcribing a call already made."""
    return _rate(
        actor=actor,
        appeal=appeal,
        name="follow_up",
        score=score,
        comment=comment,
        at=at,
        from_sheet=from_sheet,
    )
