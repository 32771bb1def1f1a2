"""The points store: items of three kinds, redemptions at the counter that move the stock and the
balance together, and never oversell or overspend, whatever the concurrency."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection

from xiangzhi.core.models import AuditEvent
from xiangzhi.points.models import (
    PointAccount,
    PointEntry,
    PointPeriodTotal,
    PointRedemption,
    PointReward,
)
from xiangzhi.points.services import account_for, entry_post
from xiangzhi.points.services.store import redemption_create, reward_create, reward_update
from xiangzhi.points.services.totals import periods_of

CLAIM = PointEntry.Source.CLAIM


def _funded(world, points: int, v: str = "a") -> PointAccount:
    """The village's first household's account, holding exactly `points`."""
    village = getattr(world, v)
    account = account_for(household=village.household)
    account.refresh_from_db()
    entry_post(
        actor=village.cadre,
        account=account,
        amount=points - account.balance,
        reason="甲村清扫",
        source=CLAIM,
    )
    account.refresh_from_db()
    return account


def _oil(world, stock: int | None = 10, cost: int = 30, v: str = "a") -> PointReward:
    village = getattr(world, v)
    return reward_create(
        actor=village.cadre,
        node=village.node,
        name="食用油",
        kind="material",
        cost=cost,
        stock=stock,
    )


def test_a_policy_reward_has_no_stock_and_a_material_one_must_have_one(world):
    with pytest.raises(ValidationError) as err:
        reward_create(
            actor=world.a.cadre,
            node=world.a.node,
            name="务工优先",
            kind="policy",
            cost=50,
            stock=3,
        )
    assert "stock" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        reward_create(actor=world.a.cadre, node=world.a.node, name="毛巾", kind="material", cost=5)
    assert "stock" in err.value.message_dict
    policy = reward_create(
        actor=world.a.cadre, node=world.a.node, name="务工优先", kind="policy", cost=50
    )
    assert policy.stock is None and not PointReward.objects.filter(name="毛巾").exists()


def test_a_redemption_moves_stock_balance_entry_totals_and_audit_together(world):
    account = _funded(world, 100)
    oil = _oil(world)
    redemption = redemption_create(actor=world.a.cadre, reward=oil, account=account, quantity=2)
    account.refresh_from_db()
    oil.refresh_from_db()
    assert account.balance == 40 and oil.stock == 8
    assert redemption.points == 60 and redemption.entry.amount == -60
    assert redemption.entry.source == PointEntry.Source.REDEMPTION
    assert "食用油" in redemption.entry.reason
    month, _, year = periods_of(redemption.redeemed_on)
    totals = PointPeriodTotal.objects.get(account=account, period=month)
    # Spending does not lower the household's standing: the score keeps what was earned.
    before = PointPeriodTotal.objects.get(account=account, period=year)
    redemption_create(actor=world.a.cadre, reward=oil, account=account)
    totals_after = PointPeriodTotal.objects.get(account=account, period=month)
    assert totals_after.score == totals.score and totals_after.redeemed == totals.redeemed + 30
    year_after = PointPeriodTotal.objects.get(account=account, period=year)
    assert year_after.redeemed == before.redeemed + 30
    event = AuditEvent.objects.filter(
        action="points.redemption_create", object_id=str(redemption.pk)
    ).get()
    assert event.changes["points"] == 60 and event.node_id == world.a.grid.pk


def test_a_redemption_beyond_the_balance_changes_nothing(world):
    account = _funded(world, 20)
    oil = _oil(world)
    with pytest.raises(ValidationError, match="余额不足"):
        redemption_create(actor=world.a.cadre, reward=oil, account=account)
    account.refresh_from_db()
    oil.refresh_from_db()
    assert account.balance == 20 and oil.stock == 10
    assert not PointRedemption.objects.filter(reward=oil).exists()
    assert not PointEntry.objects.filter(account=account, amount=-30).exists()


def test_the_last_unit_goes_once_and_a_policy_reward_never_runs_out(world):
    account = _funded(world, 500)
    oil = _oil(world, stock=1)
    redemption_create(actor=world.a.cadre, reward=oil, account=account)
    with pytest.raises(ValidationError, match="库存不足"):
        redemption_create(actor=world.a.cadre, reward=oil, account=account)
    priority = reward_create(
        actor=world.a.cadre, node=world.a.node, name="评优优先", kind="policy", cost=100
    )
    for _ in range(3):
        redemption_create(actor=world.a.cadre, reward=priority, account=account)
    account.refresh_from_db()
    assert account.balance == 500 - 30 - 300
    assert PointReward.objects.get(pk=priority.pk).stock is None


def test_an_item_off_the_shelf_or_of_another_village_is_refused(world):
    account = _funded(world, 100)
    oil = _oil(world)
    reward_update(
        actor=world.a.cadre,
        reward=oil,
        name="食用油",
        kind="material",
        cost=30,
        stock=10,
        is_active=False,
    )
    with pytest.raises(ValidationError, match="已下架"):
        redemption_create(actor=world.a.cadre, reward=oil, account=account)
    other = _oil(world, v="b")
    with pytest.raises(ValidationError, match="不属于"):
        redemption_create(actor=world.a.cadre, reward=other, account=account)
    assert not PointRedemption.objects.filter(reward__in=[oil, other]).exists()


def test_a_township_store_serves_every_village(world):
    account = _funded(world, 100)
    flag = reward_create(
        actor=world.chief, node=world.township, name="文明家庭牌", kind="honor", cost=80, stock=2
    )
    redemption_create(actor=world.a.cadre, reward=flag, account=account)
    assert PointReward.objects.get(pk=flag.pk).stock == 1


@pytest.mark.parametrize("who", ["worker", "auditor", "group_leader", "villager", "member_user"])
def test_only_cadres_redeem_at_the_counter(world, who):
    account = _funded(world, 100)
    oil = _oil(world)
    with pytest.raises(PermissionDenied):
        redemption_create(actor=getattr(world.a, who), reward=oil, account=account)
    account.refresh_from_db()
    assert account.balance == 100 and PointReward.objects.get(pk=oil.pk).stock == 10


def test_the_sibling_villages_cadre_can_neither_redeem_nor_stock_the_shelf(world):
    account = _funded(world, 100)
    oil = _oil(world)
    with pytest.raises(PermissionDenied):
        redemption_create(actor=world.b.cadre, reward=oil, account=account)
    with pytest.raises(PermissionDenied):
        reward_create(
            actor=world.b.cadre,
            node=world.a.node,
            name="甲村毛巾",
            kind="material",
            cost=5,
            stock=1,
        )
    with pytest.raises(PermissionDenied):
        reward_update(actor=world.b.cadre, reward=oil, name="x", kind="material", cost=1, stock=99)
    oil.refresh_from_db()
    assert (oil.name, oil.stock) == ("食用油", 10)


def _race(n: int, act) -> tuple[list, list]:
    """Run act() in n threads released together; (successes, refusals)."""
    done, refused, failed = [], [], []
    start = threading.Barrier(n)

    def run():
        try:
            start.wait()
            act()
            done.append(1)
        except ValidationError:
            refused.append(1)
        except Exception as exc:  # noqa: BLE001 - a deadlock or a lock error fails the test
            failed.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    return done, refused


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_redemptions_never_overspend_one_account(world):
    account = _funded(world, 300)  # ten bottles' worth
    oil = _oil(world, stock=100)
    done, refused = _race(
        50, lambda: redemption_create(actor=world.a.cadre, reward=oil, account=account)
    )
    account.refresh_from_db()
    oil.refresh_from_db()
    assert (len(done), len(refused)) == (10, 40)
    assert account.balance == 0 and oil.stock == 90
    assert PointRedemption.objects.filter(reward=oil).count() == 10
    assert sum(PointEntry.objects.filter(account=account).values_list("amount", flat=True)) == 0


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_redemptions_of_the_last_unit_never_oversell(world):
    oil = _oil(world, stock=1, cost=1)
    accounts = []
    for v in (world.a, world.b):
        for household in (v.household, v.other_household):
            account = account_for(household=household)
            entry_post(actor=v.cadre, account=account, amount=5, reason="清扫", source=CLAIM)
            accounts.append(account)
    before = sum(a.balance for a in PointAccount.objects.all())
    flag = reward_create(
        actor=world.chief, node=world.township, name="最后一面锦旗", kind="honor", cost=1, stock=1
    )
    turn = iter(range(50))

    def redeem():
        i = next(turn)
        account = accounts[i % len(accounts)]
        actor = world.a.cadre if i % 4 < 2 else world.b.cadre
        redemption_create(actor=actor, reward=flag, account=account)

    done, refused = _race(50, redeem)
    flag.refresh_from_db()
    assert (len(done), len(refused), flag.stock) == (1, 49, 0)
    assert PointRedemption.objects.filter(reward=flag).count() == 1
    assert sum(a.balance for a in PointAccount.objects.all()) == before - 1
    assert PointReward.objects.get(pk=oil.pk).stock == 1


def test_the_points_redeemed_figure_is_kept_at_the_village_as_redemptions_are_made(world):
    from xiangzhi.core import figures
    from xiangzhi.core.models import FigureCount

    account = _funded(world, 100)
    oil = _oil(world)

    def redeemed() -> int:
        rows = FigureCount.objects.filter(
            key="points_redeemed", period=figures.current_period(), node_id=world.a.node.pk
        )
        return sum(rows.values_list("value", flat=True))

    before = redeemed()
    redemption_create(actor=world.a.cadre, reward=oil, account=account, quantity=2)
    assert redeemed() == before + 60
    assert figures.verify() == []


@pytest.mark.django_db
def test_a_search_by_a_number_at_the_counter_is_audited(client, world):
    """A whole phone number found its owner's household at the counter and left no trace, as
    it does on the registry's lists."""
    client.force_login(world.a.cadre)
    searches = AuditEvent.objects.filter(action="people.resident_number_search")
    before = searches.count()
    page = client.get("/points/store/counter/", {"q": "13800001111"}).content.decode()
    assert world.a.household.number in page
    client.get("/points/store/counter/", {"q": "甲"})  # a name is not audited
    assert searches.count() == before + 1
