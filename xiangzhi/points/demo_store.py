"""The store's demo: each village of the first town puts items on its shelf, and a year of
redemptions is made at the counters through the services (stock, balance, audit, figures), by
the households that earned the points. At county scale the ledger first gets two million
entries in bulk (demo_scale.py), with their balances and period totals kept consistent.
"""

from __future__ import annotations

import datetime as dt

from xiangzhi.core.demo import DemoContext

SHELF = (
    # (name, kind, cost, stock) -- a policy reward has no stock
    ("“文明家庭”荣誉牌", "honor", 200, 20),
    ("“最美庭院”流动红旗", "honor", 150, 5),
    ("洗衣粉一袋", "material", 20, 300),
    ("食用油一桶", "material", 60, 120),
    ("电饭煲", "material", 300, 10),
    ("村集体项目务工优先", "policy", 100, None),
    ("评先评优优先推荐", "policy", 250, None),
)
REDEMPTIONS_PER_VILLAGE = 40


def load(context: DemoContext) -> dict[str, int]:
    from xiangzhi.accounts.models import User

    counts = {"point_rewards": 0, "point_redemptions": 0}
    if context.county:
        from .demo_scale import bulk_ledger

        with context.timed("积分明细（批量）", counts):
            counts["point_entries_bulk"] = bulk_ledger(context)
    towns = context.shared.get("grid.towns") or []
    if not towns:
        return counts
    _, town, villages = towns[0]
    chief = User.objects.filter(username="demo_shuji").first()
    if chief is None:
        return counts
    for village in villages:
        rewards = _shelf(chief, village)
        counts["point_rewards"] += len(rewards)
        counts["point_redemptions"] += _redemptions(context, chief, village, rewards)
    return counts


def _shelf(actor, village) -> list:
    from .models import PointReward
    from .services.store import reward_create

    known = list(PointReward.objects.filter(node=village).order_by("id"))
    if known:  # seed_demo is idempotent: a second run leaves the shelf as it is
        return known
    made = []
    for name, kind, cost, stock in SHELF:
        reward = reward_create(
            actor=actor, node=village, name=name, kind=kind, cost=cost, stock=stock
        )
        PointReward.objects.filter(pk=reward.pk).update(is_synthetic=True)
        made.append(reward)
    return made


def _redemptions(context: DemoContext, actor, village, rewards: list) -> int:
    """A year of redemptions in the village, spread over the days, oldest first."""
    from django.core.exceptions import ValidationError
    from django.db.models import Min

    from .models import PointAccount, PointRedemption
    from .services.store import redemption_create

    if PointRedemption.objects.filter(node__path__under=village.path).exists():
        return 0
    rng = context.rng
    accounts = list(
        PointAccount.objects.filter(
            node__path__under=village.path, resident__isnull=True, balance__gte=20
        )
        .annotate(first_on=Min("entries__occurred_on"))
        .select_related("node")
        .order_by("id")[:400]
    )
    if not accounts:
        return 0
    days = sorted(
        context.today - dt.timedelta(days=rng.randrange(0, 365))
        for _ in range(REDEMPTIONS_PER_VILLAGE)
    )
    made = 0
    for day in days:
        account = rng.choice(accounts)
        reward = rng.choice(rewards)
        try:
            redemption_create(
                actor=actor,
                reward=reward,
                account=account,
                quantity=1,
                # not before the household's first points: a redemption spends what was earned
                redeemed_on=max(day, account.first_on or day),
                is_synthetic=True,
            )
        except ValidationError:
            continue  # not enough points or stock: the counter says no, as it would
        made += 1
    return made
