"""The points store's records of a village in the test world (tests/conftest.py `_village`):
both households earn points and redeem an item, one from the village's store and one from the
store of the sibling grid, so that the scope walk has a reward, a redemption and period totals
under every target (the village, its party group and the sibling grid), each naming the village.
"""

from __future__ import annotations

from xiangzhi.points.models import PointEntry
from xiangzhi.points.services import account_for, entry_post
from xiangzhi.points.services.store import redemption_create, reward_create


def store_records(admin, *, name: str, node, sibling, households) -> None:
    shelf = [
        reward_create(
            actor=admin, node=node, name=f"{name}食用油", kind="material", cost=5, stock=10
        ),
        reward_create(
            actor=admin, node=sibling, name=f"{name}隔壁锦旗", kind="honor", cost=3, stock=4
        ),
    ]
    for household, reward in zip(households, shelf, strict=True):
        account = account_for(household=household)
        # As much as the item costs: the household's balance is as the rest of the world left it.
        entry_post(
            actor=admin,
            account=account,
            amount=reward.cost,
            reason=f"{name}环境整治",
            source=PointEntry.Source.CLAIM,
        )
        redemption_create(actor=admin, reward=reward, account=account, note=f"{name}柜台兑换")
