"""The demo township's year of points, made through the services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Min

from xiangzhi.points.models import PointClaim, PointEntry, PointObjection, PointRedemption
from xiangzhi.points.services.ledger import balances_differing


@pytest.mark.django_db
def test_the_demo_has_a_year_of_claims_notices_objections_and_reversals(tiny_demo):
    months = {d.strftime("%Y-%m") for d in PointEntry.objects.values_list("occurred_on", flat=True)}
    assert len(months) >= 10
    assert PointClaim.objects.filter(status="on_notice").exists()
    assert PointClaim.objects.filter(status="rejected").exists()
    assert PointEntry.objects.filter(source="reversal").count() >= 2
    assert set(PointObjection.objects.values_list("status", flat=True)) == {"upheld", "dismissed"}
    assert (
        not PointClaim.objects.exclude(reviewed_by=None)
        .filter(reviewed_by_id=F("recorded_by_id"))
        .exists()
    )
    # The store's demo runs at the end of the ledger's: it redeems points the claims earned,
    # never before the household's first entry.
    redemptions = PointRedemption.objects.select_related("account")
    assert redemptions.exists()
    first = dict(
        PointEntry.objects.exclude(source="redemption")
        .values("account_id")
        .annotate(on=Min("occurred_on"))
        .values_list("account_id", "on")
        .order_by()
    )
    assert all(r.redeemed_on >= first[r.account_id] for r in redemptions)
    assert balances_differing() == []
    call_command("verify_points", stdout=StringIO())
