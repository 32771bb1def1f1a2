"""The ledger: append-only entries, a balance kept under the account's row lock."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection

from xiangzhi.points.models import PointAccount, PointEntry, PointPolicy
from xiangzhi.points.services import account_for, entry_post, entry_reverse

CLAIM = PointEntry.Source.CLAIM
SPEND = PointEntry.Source.REDEMPTION


def _account(world):
    return account_for(household=world.a.household, resident=world.a.child)  # a person's


def test_a_posted_entry_moves_the_balance_and_records_its_reason(world):
    account = _account(world)
    entry = entry_post(
        actor=world.a.cadre, account=account, amount=10, reason="甲村清扫", source=CLAIM
    )
    account.refresh_from_db()
    assert account.balance == 10 and entry.balance_after == 10
    assert entry.household_id == world.a.household.pk and entry.node_id == account.node_id


def test_entries_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = entry_post(
        actor=world.a.cadre, account=_account(world), amount=5, reason="甲村", source=CLAIM
    )
    entry.amount = 500
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        PointEntry.objects.filter(pk=entry.pk).update(amount=500)
    with pytest.raises(PermissionError):
        PointEntry.objects.filter(pk=entry.pk).delete()
    assert PointEntry.objects.get(pk=entry.pk).amount == 5


def test_a_redemption_never_takes_the_balance_below_zero(world):
    account = _account(world)
    entry_post(actor=world.a.cadre, account=account, amount=8, reason="甲村", source=CLAIM)
    with pytest.raises(ValidationError, match="余额不足"):
        entry_post(actor=world.a.cadre, account=account, amount=-9, reason="兑换", source=SPEND)
    account.refresh_from_db()
    assert account.balance == 8 and PointEntry.objects.filter(account=account).count() == 1


def test_a_deduction_may_go_down_to_the_townships_lowest_balance_and_no_further(world):
    PointPolicy.objects.create(node=world.township, min_balance=-5)
    account = _account(world)
    entry_post(actor=world.a.cadre, account=account, amount=-5, reason="甲村违规", source=CLAIM)
    with pytest.raises(ValidationError, match="不得低于-5分"):
        entry_post(actor=world.a.cadre, account=account, amount=-1, reason="甲村", source=CLAIM)
    account.refresh_from_db()
    assert account.balance == -5


def test_a_correction_is_a_reversal_entry_with_its_reason_and_only_one(world):
    account = _account(world)
    entry = entry_post(actor=world.a.cadre, account=account, amount=7, reason="甲村", source=CLAIM)
    reversal = entry_reverse(actor=world.a.secretary, entry=entry, reason="重复登记")
    account.refresh_from_db()
    assert account.balance == 0
    assert reversal.amount == -7 and reversal.reversal_of == entry and "重复登记" in reversal.reason
    with pytest.raises(ValidationError, match="已冲正"):
        entry_reverse(actor=world.a.secretary, entry=entry, reason="再来一次")
    with pytest.raises(ValidationError, match="原因"):
        entry_reverse(actor=world.a.secretary, entry=entry, reason=" ")
    assert PointEntry.objects.filter(account=account).count() == 2


def test_nobody_posts_to_an_account_outside_their_write_scope(world):
    account = _account(world)
    for actor in (world.b.cadre, world.a.auditor, world.a.villager):
        with pytest.raises(PermissionDenied):
            entry_post(actor=actor, account=account, amount=3, reason="甲村", source=CLAIM)
    account.refresh_from_db()
    assert account.balance == 0 and not PointEntry.objects.filter(account=account).exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_spends_never_overspend_the_account(world):
    account = _account(world)
    entry_post(actor=world.a.cadre, account=account, amount=20, reason="甲村", source=CLAIM)
    errors, done = [], []
    start = threading.Barrier(50)

    def spend():
        try:
            start.wait()
            entry_post(actor=world.a.cadre, account=account, amount=-1, reason="兑换", source=SPEND)
            done.append(1)
        except ValidationError:
            errors.append(1)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    account = PointAccount.objects.get(pk=account.pk)
    assert len(done) == 20 and len(errors) == 30
    assert account.balance == 0
    assert sum(PointEntry.objects.filter(account=account).values_list("amount", flat=True)) == 0


def test_verify_points_names_an_account_whose_balance_differs_and_fixes_it(world):
    from io import StringIO

    from django.core.management import call_command

    account = _account(world)
    entry_post(actor=world.a.cadre, account=account, amount=6, reason="甲村", source=CLAIM)
    out = StringIO()
    call_command("verify_points", stdout=out)
    assert "一致" in out.getvalue()
    PointAccount.objects.filter(pk=account.pk).update(balance=60)  # a silent change
    out = StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("verify_points", stdout=out)
    assert caught.value.code == 1
    assert (
        f"账户 {account.pk}（户编号 a-001，居民 甲小朵" in out.getvalue()
        and "余额 60，明细之和 6" in out.getvalue()
    )
    call_command("verify_points", "--fix", stdout=StringIO())
    account.refresh_from_db()
    assert account.balance == 6
    from xiangzhi.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="points.balance_fix").count() == 1


@pytest.mark.django_db
def test_a_household_an_import_moves_to_another_grid_takes_its_accounts_along(world, tmp_path):
    """Its new grid's worker sees its points and it ranks where it lives; the entries stay
    where they were earned, and every figure still matches the records."""
    from xiangzhi.core import figures
    from xiangzhi.people.services.imports import registry_import
    from xiangzhi.points.models import PointPeriodTotal

    from ..xlsx_helpers import make_sheet

    a = world.a
    account = _account(world)
    entry = entry_post(actor=a.cadre, account=account, amount=5, reason="清扫", source=CLAIM)
    seen = PointAccount.objects.for_actor
    assert not seen(a.sibling_worker).filter(pk=account.pk).exists()
    path = "甲村/甲村第一党支部/甲村枫树屋场党小组/" + a.sibling_grid.name
    rows = [
        ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
        [a.household.number, a.head.name, a.head.id_number, a.household.address, path],
    ]
    report = registry_import(
        actor=a.cadre, kind="households", path=make_sheet(tmp_path / "h.xlsx", rows)
    )
    assert report.updated == 1 and not report.errors, report.errors
    account.refresh_from_db()
    assert account.node_id == a.sibling_grid.pk
    assert set(PointPeriodTotal.objects.filter(account=account).values_list("node", flat=True)) == {
        a.sibling_grid.pk
    }
    assert seen(a.sibling_worker).filter(pk=account.pk).exists()
    assert PointEntry.objects.get(pk=entry.pk).node_id == a.grid.pk
    assert figures.verify() == []
