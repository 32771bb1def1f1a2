"""The county demo's bulk ledger (`seed_demo --scale county`: two million entries) keeps every
stored balance equal to its entries and every period total equal to what they add up to; here
with a few hundred entries on the test world, on top of the entries the services wrote."""

from __future__ import annotations

from xiangzhi.core.demo import SCALES, DemoContext
from xiangzhi.points.demo_scale import bulk_ledger
from xiangzhi.points.models import PointAccount, PointEntry
from xiangzhi.points.services.ledger import balances_differing
from xiangzhi.points.services.totals import totals_differing


def test_the_bulk_ledger_writes_the_entries_asked_for_and_stays_consistent(world):
    context = DemoContext(seed=1, scale=SCALES["county"], county=True)
    context.shared["grid.towns"] = [(1, world.township, [world.a.node, world.b.node])]
    before = PointEntry.objects.count()
    made = bulk_ledger(context, total=401)
    assert made == 401 and PointEntry.objects.count() == before + 401
    assert PointAccount.objects.filter(resident__isnull=True).count() == 4  # every household
    assert balances_differing() == []
    assert totals_differing() == []
    # Entries in order never go below zero, as the services would have refused.
    for account in PointAccount.objects.all():
        afters = PointEntry.objects.filter(account=account).order_by("id")
        assert min(afters.values_list("balance_after", flat=True)) >= 0
    # A second run adds nothing (seed_demo may run again on the same database).
    assert bulk_ledger(context, total=401) == 0


def test_the_bulk_ledger_is_written_after_the_demos_year_of_synthetic_activity(world):
    # seed_demo runs the year of points through the services first (demo.py), whose entries are
    # synthetic too: the bulk ledger still writes its entries, once.
    from xiangzhi.points.services import account_for, entry_post

    account = account_for(household=world.a.household)
    entry_post(
        actor=world.a.cadre,
        account=account,
        amount=4,
        reason="甲村演示积分",
        source="claim",
        is_synthetic=True,
    )
    context = DemoContext(seed=1, scale=SCALES["county"], county=True)
    context.shared["grid.towns"] = [(1, world.township, [world.a.node, world.b.node])]
    before = PointEntry.objects.count()
    assert bulk_ledger(context, total=40) == 40
    assert PointEntry.objects.count() == before + 40
    assert balances_differing() == [] and totals_differing() == []
    assert bulk_ledger(context, total=40) == 0
    assert PointEntry.objects.count() == before + 40


def test_verify_points_names_a_period_total_changed_behind_the_ledger_and_fixes_it(world):
    import io

    import pytest
    from django.core.management import call_command

    from xiangzhi.points.models import PointPeriodTotal

    row = PointPeriodTotal.objects.order_by("pk").first()
    PointPeriodTotal.objects.filter(pk=row.pk).update(score=row.score + 7)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_points", stdout=out)
    assert f"账户 {row.account_id} 的 {row.period} 期间汇总" in out.getvalue()
    call_command("verify_points", "--fix", stdout=io.StringIO())
    assert PointPeriodTotal.objects.get(pk=row.pk).score == row.score
    assert totals_differing() == []


def test_a_county_smaller_than_the_county_scale_gets_entries_per_household(world):
    """Two million entries are the county scale's (300 villages); the tests' small counties get
    PER_HOUSEHOLD_SMALL per household, or every small-county seed would write two million."""
    from xiangzhi.people.models import Household
    from xiangzhi.points.demo_scale import PER_HOUSEHOLD_SMALL

    context = DemoContext(seed=1, scale=SCALES["county"], county=True)
    context.shared["grid.towns"] = [(1, world.township, [world.a.node, world.b.node])]
    households = Household.objects.filter(status="active").count()
    assert bulk_ledger(context) == households * PER_HOUSEHOLD_SMALL
    assert balances_differing() == [] and totals_differing() == []
