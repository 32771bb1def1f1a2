"""Two million ledger entries for the county demo (`seed_demo --scale county`), in bulk.

Written village by village like the registry's county data (core/synthetic.py, people/demo.py):
each household gets an account and its share of the entries over the last year, oldest first,
with `balance_after` running, the account's balance and earned total, and the month, quarter and
year totals (PointPeriodTotal) computed from the same entries, so `verify_points` passes. The
entries carry no audit events (synthetic data, like the registry's bulk households).

A village's first bulk entry carries the key `demo-bulk:<village id>`: a second run of seed_demo
skips the villages already written (an interrupted run resumes). The demo's year of activity
through the services (demo.py) also writes synthetic entries, so "any synthetic entry" cannot
be the test; it was, and the county got none of the two million.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xiangzhi.core.demo import DemoContext

TOTAL_ENTRIES = 2_000_000
REASONS = (
    (3, "参加人居环境整治"),
    (5, "庭院整洁，评为清洁户"),
    (2, "参加义务劳动"),
    (10, "参与公共基础设施建设"),
    (5, "孝老爱亲，家庭和睦"),
    (4, "红白喜事简办"),
    (8, "带动邻里发展产业"),
    (-3, "乱堆乱放，经劝导整改"),
    (-5, "违反村规民约焚烧秸秆"),
)


COUNTY_VILLAGES = 300  # the county scale's 20 towns of 15 villages
PER_HOUSEHOLD_SMALL = 50  # a smaller county (the tests' three towns) gets this many per household


def bulk_ledger(context: DemoContext, total: int | None = None) -> int:
    """The county's two million entries; a county smaller than the county scale's 300 villages
    (a test's) gets PER_HOUSEHOLD_SMALL per household instead of two million among a few."""
    from xiangzhi.people.models import Household

    villages = [v for _, _, vs in context.shared["grid.towns"] for v in vs]
    households = Household.objects.filter(status=Household.Status.ACTIVE).count()
    if not households:
        return 0
    if total is None:
        small = len(villages) < COUNTY_VILLAGES
        total = households * PER_HOUSEHOLD_SMALL if small else TOTAL_ENTRIES
    base, extra = divmod(total, households)
    made, index = 0, 0
    for village in villages:
        made_here, index = _village(context, village, base, extra, index)
        made += made_here
    return made


def bulk_key(village) -> str:
    """The key of a village's first bulk entry: its ledger has been written."""
    return f"demo-bulk:{village.pk}"


def _village(context: DemoContext, village, base: int, extra: int, index: int) -> tuple[int, int]:
    from django.db import transaction

    from xiangzhi.people.models import Household

    from .models import PointAccount, PointEntry

    rng, today = context.rng, context.today
    homes = list(
        Household.objects.filter(node__path__under=village.path, status=Household.Status.ACTIVE)
        .values_list("pk", "node_id")
        .order_by("pk")
    )
    if not homes or PointEntry.objects.filter(external_key=bulk_key(village)).exists():
        return 0, index + len(homes)
    have = set(
        PointAccount.objects.filter(
            household_id__in=[h for h, _ in homes], resident__isnull=True
        ).values_list("household_id", flat=True)
    )
    PointAccount.objects.bulk_create(
        [PointAccount(household_id=h, node_id=n) for h, n in homes if h not in have],
        batch_size=2000,
    )
    accounts, start = {}, {}
    for pk, household_id, balance, earned in PointAccount.objects.filter(
        household_id__in=[h for h, _ in homes], resident__isnull=True
    ).values_list("pk", "household_id", "balance", "earned"):
        accounts[household_id] = pk
        start[pk] = (balance, earned)
    entries, made = [], 0
    per_account: dict[int, tuple[int, int]] = {}
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    nodes: dict[int, tuple[int, int]] = {}
    for household_id, node_id in homes:
        count = base + (1 if index < extra else 0)
        index += 1
        account_id = accounts[household_id]
        nodes[account_id] = (household_id, node_id)
        days = sorted(today - dt.timedelta(days=rng.randrange(0, 365)) for _ in range(count))
        balance, earned = start[account_id]  # a running balance on top of any earlier posts
        for day in days:
            amount, reason = rng.choice(REASONS)
            if balance + amount < 0:
                amount, reason = REASONS[0]
            balance += amount
            earned += max(amount, 0)
            entries.append(
                PointEntry(
                    account_id=account_id,
                    household_id=household_id,
                    node_id=node_id,
                    amount=amount,
                    balance_after=balance,
                    reason=reason,
                    source=PointEntry.Source.CLAIM,
                    occurred_on=day,
                    is_synthetic=True,
                )
            )
            for period in _periods(day):
                row = totals[(account_id, period)]
                row[0] += amount
                row[1 if amount > 0 else 2] += abs(amount)
        per_account[account_id] = (balance, earned)
        made += count
    if entries:
        entries[0].external_key = bulk_key(village)
    with transaction.atomic():  # a village's entries, balances and totals, or none of them
        PointEntry.objects.bulk_create(entries, batch_size=5000)
        _accounts_and_totals(per_account, totals, nodes)
    return made, index


def _periods(day: dt.date) -> tuple[str, str, str]:
    from .services.totals import periods_of

    return periods_of(day)


def _accounts_and_totals(per_account: dict, totals: dict, nodes: dict) -> None:
    """The accounts' balances and earned totals (running on from any earlier posts), and the
    period totals, added to the rows a service may already have written."""
    from django.db.models import F

    from .models import PointAccount, PointPeriodTotal

    PointAccount.objects.bulk_update(
        [PointAccount(pk=a, balance=b, earned=e) for a, (b, e) in per_account.items()],
        ["balance", "earned"],
        batch_size=1000,
    )
    known = {
        (a, p): pk
        for pk, a, p in PointPeriodTotal.objects.filter(
            account_id__in=list(per_account)
        ).values_list("pk", "account_id", "period")
    }
    new = []
    for (account_id, period), (score, plus, minus) in totals.items():
        if (account_id, period) in known:
            PointPeriodTotal.objects.filter(pk=known[(account_id, period)]).update(
                score=F("score") + score, earned=F("earned") + plus, deducted=F("deducted") + minus
            )
            continue
        household_id, node_id = nodes[account_id]
        new.append(
            PointPeriodTotal(
                account_id=account_id,
                household_id=household_id,
                node_id=node_id,
                period=period,
                score=score,
                earned=plus,
                deducted=minus,
            )
        )
    PointPeriodTotal.objects.bulk_create(new, batch_size=5000)
