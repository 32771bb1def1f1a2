"""The date cell reader: a date cell, an Excel serial, or what a cadre typed (1990年1月1日,
19900115), and dates known only to the month (出生年月: 1990.01, 1990年1月)."""

from __future__ import annotations

import datetime as dt
import re

from .cells import CellError, ErrorCell, clip, compact

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# Ledgers often keep 出生年月 only: 1990.01, 1990年1月, 1990-1, 199001.
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")  # 1990/1/15 0:00:00


class MonthOnly(dt.date):
    """A date known to the month (出生年月: 1990.01, 1990年1月); its day 1 stands in. The
    registry takes the day from the ID number when the year and month agree, and never guesses
    one without it. `months` holds every month the cell may mean (1962.1 typed as a number is
    January or October: Excel dropped the 0 of 1962.10), `typed` what the cell showed."""

    months: tuple[int, ...]
    typed: str

    def __repr__(self) -> str:
        return f"MonthOnly({self.year}, {self.months})"


class FirstOfMonth(dt.date):
    """The first day of a month from a date cell. A cell formatted yyyy年m月 holds the 1st
    whatever day was meant (the format is not read), so the registry lets the ID number give
    the day when year and month agree; with no ID it is the date it says."""


def _month(year: int, months: tuple[int, ...], shown: object) -> MonthOnly:
    """Make the MonthOnly of a year and the months a cell may mean, or refuse a month past 12."""
    if not all(1 <= m <= 12 for m in months):
        raise CellError(f"日期不存在：{shown}")
    value = MonthOnly(year, months[0], 1)
    value.months, value.typed = months, str(shown)
    return value


def _number_date(value: float) -> dt.date:
    """A date from a number cell: an Excel serial, or what a cadre typed as a number (19900115,
    199001, 1990.01)."""
    whole = float(value).is_integer()
    if 1900 <= value < 2100:
        # A number of the years of births is no serial (those are dates of 1905): 1962.03
        # is 出生年月 typed into a number cell, 1962 a year alone.
        if whole:
            raise CellError(
                f"出生日期只写了年份（{int(value)}），请写完整日期，如 {int(value)}-01-15"
            )
        year = int(value)
        digits = f"{value:.6f}".split(".")[1].rstrip("0")
        if len(digits) == 2:
            return _month(year, (int(digits),), f"{year}.{digits}")
        if len(digits) == 1:
            d = int(digits)
            return _month(year, (d, 10) if d == 1 else (d,), f"{year}.{digits}")
        raise CellError(f"无法识别的日期：{value}")
    if whole and (19000101 <= value <= 21001231 or 190001 <= value <= 210012):
        return date(str(int(value)))  # 19900115 or 199001 typed as a number
    if value < 100 and not whole:
        raise CellError(f"出生日期请写四位年份（如 1962-03-15），当前为 {value}")
    if 1 <= value < 80000:
        return _first_of_month(EXCEL_EPOCH + dt.timedelta(days=int(value)))
    raise CellError(f"无法识别的日期：{value}")


def _first_of_month(value: dt.date) -> dt.date:
    """Mark a date on the 1st as a FirstOfMonth: its cell may have shown the month only."""
    return FirstOfMonth(value.year, value.month, 1) if value.day == 1 else value


def date(value) -> dt.date | None:
    """A date from a date cell, an Excel serial number, or text such as 1990年1月1日; a date known
    only to the month (1990.01, 1990年1月, 199001) is a MonthOnly."""
    if value is None or value == "":
        return None
    if isinstance(value, ErrorCell):
        raise CellError(value.message())
    if isinstance(value, dt.datetime):
        return _first_of_month(value.date())
    if isinstance(value, dt.date):
        return _first_of_month(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_date(value)
    s = compact(_TIME_SUFFIX.sub("", value.strip()) if isinstance(value, str) else value)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise CellError(f"日期不存在：{clip(s)}") from exc
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(s)
        if m:
            return _month(int(m.group(1)), (int(m.group(2)),), s)
    raise CellError(f"无法识别的日期：{clip(s)}（可写作 1990-01-01、1990/1/1 或 1990年1月1日）")
