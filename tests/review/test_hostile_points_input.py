"""Hostile input to the points pages: a crafted period or an oversized integer answers a page
(or a form error naming the field), never a server error (500), and writes nothing."""

import pytest

from xiangzhi.points.models import PointPolicy, PointReward, PointRule

HUGE = "99999999999999999999"  # past a 64-bit integer: SQLite raises OverflowError


@pytest.fixture
def quiet(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("period", ["0000", "9999", "9999-12", "9999-Q4"])
def test_a_villager_opening_the_board_for_a_year_out_of_range_gets_no_server_error(
    quiet, world, period
):
    quiet.force_login(world.a.villager)
    page = quiet.get(f"/points/board/{world.a.node.pk}/?period={period}")
    pdf = quiet.get(f"/points/board/{world.a.node.pk}/notice.pdf?period={period}")
    assert (page.status_code, pdf.status_code) == (200, 200)


def test_a_cadre_putting_an_item_with_a_huge_cost_gets_a_form_error_and_nothing_is_shelved(
    quiet, world
):
    quiet.force_login(world.a.cadre)
    before = PointReward.objects.count()
    answer = quiet.post(
        "/points/store/rewards/new/",
        {"node": world.a.node.pk, "name": "大米", "kind": "material", "cost": HUGE, "stock": "1"},
    )
    assert answer.status_code == 200, answer.status_code
    assert PointReward.objects.count() == before


def test_a_cadre_making_a_rule_worth_a_huge_number_of_points_gets_a_form_error(quiet, world):
    quiet.force_login(world.a.cadre)
    before = PointRule.objects.count()
    answer = quiet.post(
        "/points/rules/new/",
        {
            "title": "捐资修路",
            "category": "custom",
            "custom_category": "捐资",
            "points": HUGE,
            "evidence": "none",
            "cap_period": "year",
            "recorders": ["village_cadre"],
        },
    )
    assert answer.status_code == 200, answer.status_code
    assert PointRule.objects.count() == before


def test_a_township_policy_with_a_huge_minimum_balance_gets_a_form_error(quiet, world):
    quiet.force_login(world.admin)
    before = list(PointPolicy.objects.values_list("min_balance", flat=True))
    answer = quiet.post(
        f"/points/policy/?unit={world.township.pk}",
        {"max_points": HUGE, "max_deduction": "1", "min_balance": "-" + HUGE, "notice_days": "5"},
    )
    assert answer.status_code == 200, answer.status_code
    assert list(PointPolicy.objects.values_list("min_balance", flat=True)) == before
