"""The deadline sweep the worker runs: reminders before a deadline, overdue and escalation after.

Idempotent: each appeal is reminded once (`reminded_at`) and marked overdue once (`overdue`),
under a lock on its row, so two sweeps at once (or a sweep run again) do nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record

from ..actions import AppealAction
from ..deadlines import remind_due
from ..models import OPEN_STATES, STEP_OVERDUE, STEP_REMIND, Appeal, AppealEvent
from .notices import notify_assignee, notify_handlers
from .steps import appeal_escalate

# An overdue appeal below the village climbs to its parent node; at the village it stays there
# (the village answers for it) and the township sees it on its overdue board.
ESCALATE_BELOW_LEVEL = 2
REMIND_WINDOW = dt.timedelta(days=30)  # wider than any reminder lead an admin would set


def _remind(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=pk)
        if appeal.reminded_at or appeal.overdue or appeal.state not in OPEN_STATES:
            return False
        appeal.reminded_at = now
        appeal.save(update_fields=["reminded_at", "updated_at"])
        AppealEvent.objects.create(
            appeal=appeal,
            at=now,
            action=STEP_REMIND,
            note=gettext("办理时限将到，已提醒承办人。"),
            internal=True,
        )
        audit_record(actor=None, action=AppealAction.APPEAL_REMIND, obj=appeal, changes={})
        notify_assignee(appeal, gettext("诉求办理时限将到"), "appeal.due_soon")
    return True


def _mark_overdue(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic(), figures.batch():
        appeal = Appeal.objects.select_for_update().get(pk=pk)
        if appeal.overdue or appeal.state not in OPEN_STATES:
            return False
        appeal.overdue = True
        appeal.save(update_fields=["overdue", "updated_at"])
        AppealEvent.objects.create(
            appeal=appeal,
            at=now,
            action=STEP_OVERDUE,
            note=gettext("已超过办理时限。"),
            internal=True,
        )
        figures.touch(appeal.node)
        audit_record(actor=None, action=AppealAction.APPEAL_OVERDUE, obj=appeal, changes={})
        if appeal.node.level > ESCALATE_BELOW_LEVEL:
            appeal_escalate(
                actor=None, appeal=appeal, note=gettext("超过办理时限，自动上报上级网格。"), at=now
            )
        else:
            notify_handlers(appeal, gettext("诉求已超期"), "appeal.overdue")
    return True


def appeal_deadline_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the assignees of appeals coming due, mark overdue ones and escalate them."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_ = Appeal.objects.filter(state__in=OPEN_STATES, overdue=False, deadline__isnull=False)
    reminded = overdue = 0
    due = open_.filter(reminded_at=None, deadline__gte=now, deadline__lt=now + REMIND_WINDOW)
    for pk, kind, deadline in due.values_list("pk", "kind", "deadline").iterator():
        if remind_due(kind, timezone.localtime(deadline), today) and _remind(pk, now):
            reminded += 1
    for pk in open_.filter(deadline__lt=now).values_list("pk", flat=True).iterator():
        if _mark_overdue(pk, now):
            overdue += 1
    return {"reminded": reminded, "overdue": overdue}
