"""Each account's totals per month, quarter and year (PointPeriodTotal), kept by the ledger.

`totals_add(entry)` is called by `entry_post` in its transaction, after the entry is written and
while the account's row is locked: two posts on one account never run it at once, so an UPDATE
by addition, then an INSERT of the periods that had no row yet, cannot lose a post. The lists
then read one row per account and period instead of summing two million entries.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from ..models import PointEntry, PointPeriodTotal


def periods_of(day: dt.date) -> tuple[str, str, str]:
    """The month, quarter and year a day belongs to: ('2026-11', '2026-Q4', '2026')."""
    return (
        f"{day.year:04d}-{day.month:02d}",
        f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}",
        str(day.year),
    )


def period_label(period: str) -> str:
    """'2026-11' -> 2026年11月, '2026-Q4' -> 2026年第4季度, '2026' -> 2026年."""
    from django.utils.translation import gettext

    if "-Q" in period:
        year, quarter = period.split("-Q")
        return gettext("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}
    if "-" in period:
        year, month = period.split("-")
        return gettext("%(year)s年%(month)d月") % {"year": year, "month": int(month)}
    return gettext("%(year)s年") % {"year": period}


def contribution(entry: PointEntry, reversed_source: str | None = None) -> dict[str, int]:
    """What an entry adds to its periods' totals, by column.

    A redemption (and the reversal of one, a refund) moves `redeemed` only; every other entry
    moves `score`, and `earned` or `deducted` unless it is a reversal (a reversal corrects the
    score; the earned and deducted columns tell what was recorded).
    """
    amount = entry.amount
    if entry.source == PointEntry.Source.REDEMPTION:
        return {"redeemed": -amount}
    if entry.source == PointEntry.Source.REVERSAL:
        if reversed_source == PointEntry.Source.REDEMPTION:
            return {"redeemed": -amount}
        return {"score": amount}
    if amount > 0:
        return {"score": amount, "earned": amount}
    return {"score": amount, "deducted": -amount}


def totals_add(entry: PointEntry) -> None:
    """Add a new entry to its account's month, quarter and year totals (the caller holds the
    account's row lock)."""
    reversed_source = None
    if entry.source == PointEntry.Source.REVERSAL and entry.reversal_of_id:
        reversed_source = (
            PointEntry.objects.filter(pk=entry.reversal_of_id)
            .values_list("source", flat=True)
            .first()
        )
    adds = contribution(entry, reversed_source)
    periods = periods_of(entry.occurred_on)
    rows = PointPeriodTotal.objects.filter(account_id=entry.account_id, period__in=periods)
    found = set(rows.values_list("period", flat=True))
    if found:
        rows.filter(period__in=found).update(**{k: F(k) + v for k, v in adds.items()})
    missing = [p for p in periods if p not in found]
    if missing:
        PointPeriodTotal.objects.bulk_create(
            PointPeriodTotal(
                account_id=entry.account_id,
                household_id=entry.household_id,
                node_id=entry.node_id,
                period=p,
                **adds,
            )
            for p in missing
        )


COLUMNS = ("score", "earned", "deducted", "redeemed")
CHUNK = 2000  # accounts verified per round: memory stays bounded at two million entries


def totals_differing(*, accounts: QuerySet | None = None) -> list[tuple[int, str, dict, dict]]:
    """(account id, period, stored, counted) for each total that is not what its entries add up
    to (verify_points reports them), counted in SQL by account, month, source and sign."""
    from ..models import PointAccount

    ids = (PointAccount.objects.all() if accounts is None else accounts).order_by("pk")
    ids = list(ids.values_list("pk", flat=True))
    out = []
    for start in range(0, len(ids), CHUNK):
        out += _differing_in(ids[start : start + CHUNK])
    return out


def _differing_in(ids: list[int]) -> list[tuple[int, str, dict, dict]]:
    grouped = (
        PointEntry.objects.filter(account_id__in=ids)
        .annotate(
            y=ExtractYear("occurred_on"),
            m=ExtractMonth("occurred_on"),
            positive=Case(When(amount__gt=0, then=Value(1)), default=Value(0)),
        )
        .values("account_id", "y", "m", "source", "reversal_of__source", "positive")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    counted: dict[tuple[int, str], dict[str, int]] = {}
    for row in grouped:
        sample = PointEntry(amount=row["total"], source=row["source"])
        adds = contribution(sample, row["reversal_of__source"])
        for period in periods_of(dt.date(row["y"], row["m"], 1)):
            bucket = counted.setdefault((row["account_id"], period), {})
            for key, value in adds.items():
                bucket[key] = bucket.get(key, 0) + value
    out, seen = [], set()
    stored_rows = PointPeriodTotal.objects.filter(account_id__in=ids).values(
        "account_id", "period", *COLUMNS
    )
    for row in stored_rows:
        key = (row["account_id"], row["period"])
        seen.add(key)
        stored = {c: row[c] for c in COLUMNS}
        want = {c: counted.get(key, {}).get(c, 0) for c in COLUMNS}
        if stored != want:
            out.append((*key, stored, want))
    for key, values in counted.items():
        if key not in seen and any(values.values()):
            out.append((*key, {}, {c: values.get(c, 0) for c in COLUMNS}))
    return out


def totals_rebuild(*, accounts: QuerySet | None = None) -> int:
    """Write every differing total as its entries add up to; how many rows were written."""
    from ..models import PointAccount

    differing = totals_differing(accounts=accounts)
    for account_id, period, stored, want in differing:
        if stored:
            PointPeriodTotal.objects.filter(account_id=account_id, period=period).update(**want)
        else:
            account = PointAccount.objects.get(pk=account_id)
            PointPeriodTotal.objects.create(
                account=account,
                household_id=account.household_id,
                node_id=account.node_id,
                period=period,
                **want,
            )
    return len(differing)
