"""Importing past appeals from a ledger sheet (历史诉求台账): each row through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_lock
from xiangzhi.core.notify import notifications_muted
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import Appeal, Kind, Source
from .ratings import appeal_follow_up
from .steps import appeal_accept, appeal_close, appeal_reply
from .submit import appeal_submit

KIND_BY_LABEL = {str(label): value for value, label in Kind.choices}
SOURCE_BY_LABEL = {str(label): value for value, label in Source.choices}
NOON = dt.time(12, 0)


def _choice(value: str, table: dict[str, str], field: str, default: str) -> str:
    if not value:
        return default
    if value in table:
        return table[value]
    if value in table.values():
        return value
    raise ValidationError(
        {field: gettext("不认识“%(v)s”，可填：%(all)s") % {"v": value, "all": "、".join(table)}}
    )


@contextmanager
def _errors_of(field: str) -> Iterator[None]:
    """Raise what a step refuses as an error of `field` (a sheet's column)."""
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        raise ValidationError({field: messages}) from None


# A ledger of last year's appeals is history: replaying it tells no handler (nor the village's
# group chat) of a 新诉求待受理 or an unsatisfied rating for each row.
@notifications_muted()
@transaction.atomic
def appeal_import(
    *,
    actor: Actor,
    day: dt.date,
    text: str,
    household: Household | None,
    node: GridNode | None,
    kind: str = "",
    source: str = "",
    reply: str = "",
    replied_on: dt.date | None = None,
    score: int | None = None,
) -> tuple[Appeal, bool]:
    """One past appeal, replayed through the services at its own dates: raised, accepted and
    replied (when the sheet has a reply), rated from the follow-up (a score) and closed. A row
    already imported (the same place, day and text) is left as it is."""
    kind = _choice(kind, KIND_BY_LABEL, "kind", Kind.HELP)
    source = _choice(source, SOURCE_BY_LABEL, "source", Source.WALK_IN)
    tz, today = timezone.get_current_timezone(), timezone.localdate()
    if day > today:
        raise ValidationError({"day": gettext("提出日期不能晚于今天。")})
    # Noon of a past day; today's rows at the day's start, which is past whatever the hour of
    # the import and the same at a re-run (that finds the row by it).
    at = dt.datetime.combine(day, NOON if day < today else dt.time(0, 0), tzinfo=tz)
    place = household.node if household else node
    if place is not None:
        # The township's audit head first (an import holds it to its commit): another import of
        # the same ledger at once has committed its appeals when this one looks for them.
        audit_lock(place)
        same = Appeal.objects.filter(node=place, created_at=at, text=text.strip())
        if household is not None:
            same = same.filter(household=household)
        if (found := same.first()) is not None:
            return found, False
    try:
        appeal = appeal_submit(
            actor=actor,
            text=text,
            kind=kind,
            source=source,
            household=household,
            resident=household.head if household else None,
            node=node,
            at=at,
        )
    except PermissionDenied as exc:
        # The column the row named its place in: the household's number, or else the grid.
        raise ValidationError({"household" if household else "node": str(exc)}) from None
    if reply:
        replied_on = replied_on or day
        if replied_on < day:
            raise ValidationError({"replied_on": gettext("答复日期不能早于提出日期。")})
        if replied_on > today:
            raise ValidationError({"replied_on": gettext("答复日期不能晚于今天。")})
        # Noon of its day, or now when the reply was today and it is not noon yet.
        when = max(at, min(dt.datetime.combine(replied_on, NOON, tzinfo=tz), timezone.now()))
        # The steps' own errors (a reply too long, a step the actor may not take) are the
        # reply's, and the score's: the columns of the sheet that asked for them.
        with _errors_of("reply"):
            appeal_accept(actor=actor, appeal=appeal, at=at)
            appeal_reply(actor=actor, appeal=appeal, note=reply, at=when)
        if score is not None:
            with _errors_of("score"):
                appeal_follow_up(actor=actor, appeal=appeal, score=score, at=when, from_sheet=True)
                appeal_close(actor=actor, appeal=appeal, at=when)
    elif score is not None:
        raise ValidationError({"score": gettext("没有答复内容的诉求不能有评分。")})
    return appeal, True
