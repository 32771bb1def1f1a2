"""The working-day calendar every deadline counts on (公示期, 办理时限, 信访期限).

Three sources, the first that knows a day wins: the admin-editable table
`core.WorkdayOverride` (local changes, and the holidays of a year the library does not know
yet), the `chinese_calendar` library (statutory holidays and make-up workdays as the State
Council publishes them), and, past the library's data, Monday to Friday. The workbench tells
administrators to enter a year's holidays while `years_needing_holidays` is not empty.

The table is read once and kept per process: saving or deleting a row clears the copy at once
and again when the transaction commits (signals in `connect_signals`); other processes reload
theirs within `CACHE_SECONDS`. While a change is not committed yet, each call reads the table
again instead of keeping it, so a rolled-back change is never remembered.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import connection, transaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)
CACHE_SECONDS = 300  # how soon another process (app server, worker) sees an admin's change
NEXT_YEAR_FROM = (11, 1)  # from 1 November on, admins are asked for next year's holidays too


@dataclass(frozen=True)
class _Table:
    overrides: dict[dt.date, bool]
    entered_years: frozenset[int]


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.table: _Table | None = None
        self.loaded_at = 0.0
        self.pending = False  # a change was saved and its transaction has not ended yet

    def clear(self) -> None:
        with self.lock:
            self.table = None


_cache = _Cache()


def _read_table() -> _Table:
    from .models import WorkdayOverride, WorkdayYear

    overrides = dict(WorkdayOverride.objects.values_list("day", "is_workday"))
    years = frozenset(WorkdayYear.objects.values_list("year", flat=True))
    return _Table(overrides, years)


def _table() -> _Table:
    """The override table, from this process's copy when it is fresh (one read otherwise)."""
    if _cache.pending and not connection.in_atomic_block:
        # The transaction that saved a change has ended (committed, or rolled back).
        _cache.pending = False
        _cache.clear()
    with _cache.lock:
        table = _cache.table
        if table is not None and time.monotonic() - _cache.loaded_at < CACHE_SECONDS:
            return table
    table = _read_table()
    if not _cache.pending:
        with _cache.lock:
            _cache.table, _cache.loaded_at = table, time.monotonic()
    return table


def clear_cache() -> None:
    """Forget this process's copy of the override table (tests, and the signals below)."""
    _cache.pending = False
    _cache.clear()


def _changed(**kwargs) -> None:
    _cache.pending = connection.in_atomic_block
    _cache.clear()
    transaction.on_commit(clear_cache)


def connect_signals() -> None:
    """Clear the copy whenever an override or an entered year is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    from .models import WorkdayOverride, WorkdayYear

    for model in (WorkdayOverride, WorkdayYear):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"xz-workdays-{signal}-{model}")


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _is_workday(day: dt.date, table: _Table) -> bool:
    found = table.overrides.get(day)
    if found is not None:
        return found
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # past (or before) the library's data
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day: the override table, then the library, then Mon-Fri."""
    return _is_workday(day, _table())


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start`; for n == 0, `start` if it is one, else the next."""
    if n < 0:
        raise ValueError("n must not be negative")
    table = _table()
    day = start
    if n == 0:
        while not _is_workday(day, table):
            day += dt.timedelta(days=1)
        return day
    while n:
        day += dt.timedelta(days=1)
        if _is_workday(day, table):
            n -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end]; the negative of (end, start] if end < start."""
    if end < start:
        return -workdays_between(end, start)
    table = _table()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += _is_workday(day, table)
    return count


def workday_deadline(start: dt.datetime, n: int) -> dt.datetime:
    """The end (23:59:59, Asia/Shanghai) of the n-th working day after the day of `start`.

    An aware `start` is taken on Shanghai's calendar (an appeal received at 01:00 UTC was
    received that morning in China); a naive one is taken as Shanghai time already.
    """
    if start.tzinfo is not None:
        start = start.astimezone(SHANGHAI)
    day = add_workdays(start.date(), n)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def calendar_known(year: int) -> bool:
    """Whether the holidays of `year` are known: the library has them, or an admin entered them."""
    return _library_knows(year) or year in _table().entered_years


def years_needing_holidays(today: dt.date) -> list[int]:
    """The years whose holidays admins should enter: this year, and next year from 1 November."""
    years = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_FROM:
        years.append(today.year + 1)
    return [year for year in years if not calendar_known(year)]
