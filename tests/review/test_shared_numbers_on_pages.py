"""Villages number their own households, so a township's user may see one 户编号 in two villages.
The sheets ask for 所属网格 then; the pages took whichever household came first: a claim
recorded on the 登记积分 or 活动批量登记 page, or an appeal recorded by number, could go to the
other village's household. Now the points pages refuse such a number and the appeal's record
page looks for it under the chosen 所在网格."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.points.helpers import township_rule
from xiangzhi.appeals.models import Appeal
from xiangzhi.people.models import Household
from xiangzhi.points.models import PointClaim

pytestmark = pytest.mark.django_db

SHARED = "共用-001"


@pytest.fixture
def shared(world):
    Household.objects.filter(pk__in=[world.a.household.pk, world.b.household.pk]).update(
        number=SHARED
    )
    return world


def test_the_points_pages_never_guess_which_village_a_shared_number_means(client, shared):
    rule = township_rule(shared)
    client.force_login(shared.chief)
    before = PointClaim.objects.count()
    day = timezone.localdate().isoformat()
    one = client.post(
        reverse("points:claim_new"),
        {"household": SHARED, "rule": rule.pk, "occurred_on": day},
    )
    many = client.post(
        reverse("points:claim_batch"),
        {
            "households": f"{SHARED}\n{shared.a.other_household.number}",
            "rule": rule.pk,
            "occurred_on": day,
        },
    )
    for response in (one, many):
        assert response.status_code == 200
        assert "在您管辖的范围内不止一户" in response.content.decode()
    assert PointClaim.objects.count() == before


def test_an_appeal_recorded_by_a_shared_number_goes_to_the_household_of_the_chosen_grid(
    client, shared
):
    client.force_login(shared.chief)
    body = {"text": "共用编号的诉求", "kind": "help", "source": "phone", "household_number": SHARED}
    refused = client.post(reverse("appeals:record"), body)
    assert refused.status_code == 200 and "请在“所在网格”中选择" in refused.content.decode()
    assert not Appeal.objects.filter(text="共用编号的诉求").exists()
    done = client.post(reverse("appeals:record"), {**body, "node": shared.b.node.pk})
    assert done.status_code == 302
    assert Appeal.objects.get(text="共用编号的诉求").household_id == shared.b.household.pk
