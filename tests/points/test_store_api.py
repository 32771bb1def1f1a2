"""The store's API: a counter app redeems for a household with a cadre's token; nobody else
can, and a refusal changes nothing; the board answers its village's people only."""

from __future__ import annotations

import json

import pytest

from xiangzhi.accounts.services import api_token_create
from xiangzhi.points.models import PointAccount, PointRedemption, PointReward
from xiangzhi.points.services.store import reward_create


def _call(client, token, method, url, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "post":
        return client.post(url, json.dumps(data), content_type="application/json", **headers)
    return client.get(url, data or {}, **headers)


def _soap(world):
    return reward_create(
        actor=world.a.cadre, node=world.a.node, name="甲村肥皂", kind="material", cost=1, stock=3
    )


def test_a_cadre_redeems_through_the_api_and_the_balance_and_stock_follow(client, world):
    soap = _soap(world)
    account = PointAccount.objects.get(household=world.a.household, resident__isnull=True)
    assert account.balance >= 2  # the world's household has points to spend
    payload = {"reward_id": soap.pk, "household_id": world.a.household.pk, "quantity": 2}
    response = _call(client, world.a.token, "post", "/api/v1/points/redemptions", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["points"] == 2 and body["balance_after"] == account.balance - 2
    assert PointReward.objects.get(pk=soap.pk).stock == 1
    listed = _call(client, world.a.token, "get", "/api/v1/points/redemptions").json()
    assert body["id"] in [r["id"] for r in listed["items"]]


def test_a_refused_redemption_answers_in_chinese_and_changes_nothing(client, world):
    soap = _soap(world)
    payload = {"reward_id": soap.pk, "household_id": world.a.household.pk, "quantity": 9}
    response = _call(client, world.a.token, "post", "/api/v1/points/redemptions", payload)
    assert response.status_code == 422 and "库存不足" in response.json()["detail"]
    assert PointReward.objects.get(pk=soap.pk).stock == 3


@pytest.mark.parametrize("who", ["auditor", "worker", "villager"])
def test_no_one_but_a_cadre_redeems_through_the_api(client, world, who):
    soap = _soap(world)
    _, token = api_token_create(actor=getattr(world.a, who), name="柜台")
    before = list(PointAccount.objects.values_list("pk", "balance"))
    payload = {"reward_id": soap.pk, "household_id": world.a.household.pk}
    response = _call(client, token, "post", "/api/v1/points/redemptions", payload)
    assert response.status_code in (403, 404)
    assert list(PointAccount.objects.values_list("pk", "balance")) == before
    assert not PointRedemption.objects.filter(reward=soap).exists()


def test_the_sibling_villages_token_finds_neither_the_household_nor_the_board(client, world):
    soap = _soap(world)
    payload = {"reward_id": soap.pk, "household_id": world.a.household.pk}
    response = _call(client, world.b.token, "post", "/api/v1/points/redemptions", payload)
    assert response.status_code == 404
    board = _call(client, world.b.token, "get", f"/api/v1/points/board/{world.a.node.pk}")
    assert board.status_code == 404
    own = _call(client, world.a.token, "get", f"/api/v1/points/board/{world.a.node.pk}")
    assert own.status_code == 200 and own.json()["rows"]
