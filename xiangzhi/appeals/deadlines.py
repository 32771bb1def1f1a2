"""Deadlines of appeals in working days on the Chinese calendar (core.workdays)."""

from __future__ import annotations

import datetime as dt

from xiangzhi.core.workdays import workday_deadline, workdays_between

from .models import AppealDeadlineRule, Kind

# Used when a kind has no row in the admin table (AppealDeadlineRule): a reply in 5 working days,
# a reminder 1 working day before.
DEFAULT_REPLY_DAYS = 5
DEFAULT_REMIND_DAYS = 1


def rule_for(kind: str) -> AppealDeadlineRule:
    """The deadline rule of a kind: the admin's row, or the defaults."""
    rule = AppealDeadlineRule.objects.filter(kind=kind).first()
    return rule or AppealDeadlineRule(
        kind=kind, reply_days=DEFAULT_REPLY_DAYS, remind_days=DEFAULT_REMIND_DAYS
    )


def deadline_for(kind: str, start: dt.datetime, days: int | None = None) -> dt.datetime:
    """The end of the working day by which an appeal of this kind raised at `start` is replied:
    after the kind's working days, or `days` when it has its own (a service offering's 办理时限)."""
    return workday_deadline(start, rule_for(kind).reply_days if days is None else days)


def remind_due(kind: str, deadline: dt.datetime, today: dt.date) -> bool:
    """Whether the assignee should be reminded today: the deadline is at most the kind's
    reminder lead (in working days) away."""
    return workdays_between(today, deadline.date()) <= rule_for(kind).remind_days


__all__ = ["Kind", "deadline_for", "remind_due", "rule_for"]
