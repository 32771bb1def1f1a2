"""The points API (/api/v1/points/): rules, claims and ledger entries listed within the caller's
scope only (甲村's token sees nothing of 乙村 and back); a claim recorded through the API with its
refusals as a JSON answer in Chinese; nobody approves a claim they recorded; the list routes
cost the same number of queries whatever the number of rows."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiangzhi.accounts.services import api_token_create
from xiangzhi.points.models import PointAccount, PointClaim, PointRedemption
from xiangzhi.points.services import entry_post
from xiangzhi.points.services.claims import claim_record
from xiangzhi.points.services.store import redemption_create, reward_create

from .helpers import township_rule, village_rule

S = PointClaim.Status


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _get(client, token, url, **params):
    return client.get(url, params, **_auth(token))


def _post(client, token, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **_auth(token))


def _text(response) -> str:
    """The answer as text, Chinese unescaped (JSON escapes it)."""
    return json.dumps(response.json(), ensure_ascii=False)


def _token(user) -> str:
    return api_token_create(actor=user, name="接口测试")[1]


def _today() -> str:
    return timezone.localdate().isoformat()


# --- lists within scope --------------------------------------------------------------------


@pytest.mark.parametrize("route", ["rules", "claims", "entries"])
def test_a_village_lists_its_own_records_and_nothing_of_its_sibling(client, world, route):
    village_rule(world, v="b", title="乙村庭院整洁")
    shared = township_rule(world)
    for own, other, mark, foreign in (
        (world.a, world.b, "甲", "乙"),
        (world.b, world.a, "乙", "甲"),
    ):
        response = _get(client, own.token, f"/api/v1/points/{route}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"]) > 0
        text = _text(response)
        assert mark in text and foreign not in text
        households = {row.get("household_id") for row in body["items"]} - {None}
        assert other.household.pk not in households and other.other_household.pk not in households
        nodes = {row.get("node_id") for row in body["items"]}
        assert other.node.pk not in nodes
    rules = _get(client, world.a.token, "/api/v1/points/rules").json()["items"]
    if route == "rules":  # the township's catalogue is both villages'
        assert shared.pk in [r["id"] for r in rules]


def test_the_claim_and_the_ledger_of_a_sibling_village_are_not_found(client, world):
    claim = PointClaim.objects.filter(household=world.a.household).first()
    url = f"/api/v1/points/claims/{claim.pk}"
    assert _get(client, world.a.token, url).json()["id"] == claim.pk
    assert _get(client, world.b.token, url).status_code == 404
    entries = f"/api/v1/points/entries?household_id={world.a.household.pk}"
    own = _get(client, world.a.token, entries)
    assert own.status_code == 200 and {e["household_id"] for e in own.json()["items"]} == {
        world.a.household.pk
    }
    assert _get(client, world.b.token, entries).status_code == 404


def test_a_villager_lists_their_households_claims_and_entries_only(client, world):
    token = _token(world.a.villager)
    for route in ("claims", "entries"):
        items = _get(client, token, f"/api/v1/points/{route}").json()["items"]
        assert items and {row["household_id"] for row in items} == {world.a.household.pk}
    rules = _get(client, token, "/api/v1/points/rules").json()["items"]
    assert rules and all(r["node_id"] in (world.a.node.pk, world.township.pk) for r in rules)


# --- recording a claim ---------------------------------------------------------------------


def _claim_body(world) -> dict:
    """A claim the services accept: a village rule needing a note, for village A's household."""
    rule = village_rule(world, evidence="note")
    return {
        "household_id": world.a.household.pk,
        "rule_id": rule.pk,
        "occurred_on": _today(),
        "note": "甲村清扫门前",
    }


def test_a_grid_worker_records_a_claim_through_the_api(client, world):
    body = _claim_body(world)
    response = _post(client, _token(world.a.worker), "/api/v1/points/claims", body)
    assert response.status_code == 201, response.content
    claim = PointClaim.objects.get(pk=response.json()["id"])
    assert claim.status == S.SUBMITTED and claim.recorded_by == world.a.worker
    assert claim.points == 5 and claim.note == "甲村清扫门前"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"note": ""}, "该规则需要文字说明"),
        ({"occurred_on": "2999-01-01"}, "发生日期不能晚于今天"),
        ({"occurred_on": "2000-01-01"}, "发生日期不能早于一年前"),
        ({"occurred_on": None}, "请求内容有误，请检查：发生日期"),
        ({"occurred_on": "上周三"}, "请求内容有误，请检查：发生日期"),
        ({"household_id": "甲"}, "请求内容有误，请检查：户"),
        ({"rule_id": None, "occurred_on": None}, "积分规则、发生日期"),
    ],
)
def test_a_claim_the_services_refuse_is_a_400_in_chinese(client, world, change, message):
    body = _claim_body(world)
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = PointClaim.objects.count()
    response = _post(client, world.a.token, "/api/v1/points/claims", body)
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert PointClaim.objects.count() == before


def test_a_body_that_is_not_json_is_a_400_in_chinese(client, world):
    response = _post(client, world.a.token, "/api/v1/points/claims", "{not json")
    assert response.status_code == 400 and "不是有效的JSON" in response.json()["detail"]


def test_a_claim_for_another_village_or_under_its_rule_is_not_found(client, world):
    own_rule, their_rule = village_rule(world), village_rule(world, v="b")
    before = PointClaim.objects.count()
    for household, rule in ((world.b.household, own_rule), (world.a.household, their_rule)):
        body = {"household_id": household.pk, "rule_id": rule.pk, "occurred_on": _today()}
        assert _post(client, world.a.token, "/api/v1/points/claims", body).status_code == 404
    assert PointClaim.objects.count() == before


def test_a_read_only_user_or_a_recorder_the_rule_excludes_gets_a_403_in_chinese(client, world):
    rule = village_rule(world, recorders=["village_cadre"])
    body = {"household_id": world.a.household.pk, "rule_id": rule.pk, "occurred_on": _today()}
    before = PointClaim.objects.count()
    auditor = _post(client, _token(world.a.auditor), "/api/v1/points/claims", body)
    assert auditor.status_code == 403 and auditor["Content-Type"].startswith("application/json")
    worker = _post(client, _token(world.a.worker), "/api/v1/points/claims", body)
    assert worker.status_code == 403 and "按该规则，您不能登记积分" in worker.json()["detail"]
    assert PointClaim.objects.count() == before


# --- review --------------------------------------------------------------------------------


def test_no_one_approves_a_claim_they_recorded_through_the_api(client, world):
    rule = village_rule(world)
    body = {"household_id": world.a.household.pk, "rule_id": rule.pk, "occurred_on": _today()}
    created = _post(client, world.a.token, "/api/v1/points/claims", body)
    assert created.status_code == 201, created.content
    url = f"/api/v1/points/claims/{created.json()['id']}/review"
    for decision in ({"approve": True}, {"approve": False, "note": "甲村重复登记"}):
        response = _post(client, world.a.token, url, decision)
        assert response.status_code == 403, response.content
        assert "不能审核自己登记的" in response.json()["detail"]
    claim = PointClaim.objects.get(pk=created.json()["id"])
    assert claim.status == S.SUBMITTED and claim.reviewed_by is None
    # Another cadre of the village reviews it.
    response = _post(client, _token(world.a.secretary), url, {"approve": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.ON_NOTICE and response.json()["notice_until"]


def test_a_review_out_of_scope_is_a_404_whatever_the_body_and_a_rejection_needs_a_reason(
    client, world
):
    claim = claim_record(
        actor=world.a.worker,
        household=world.a.household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    url = f"/api/v1/points/claims/{claim.pk}/review"
    assert _post(client, world.b.token, url, "{not json").status_code == 404
    assert _post(client, world.b.token, url, {"approve": True}).status_code == 404
    auditor = _post(client, _token(world.a.auditor), url, {"approve": True})
    assert auditor.status_code == 403
    refused = _post(client, world.a.token, url, {"approve": False})
    assert refused.status_code == 400 and "请填写不通过的理由" in refused.json()["detail"]
    assert PointClaim.objects.get(pk=claim.pk).status == S.SUBMITTED
    rejected = _post(client, world.a.token, url, {"approve": False, "note": "甲村未见成效"})
    assert rejected.status_code == 200 and rejected.json()["status"] == S.REJECTED


# --- the store's create route answers in Chinese too ----------------------------------------


def test_a_redemption_body_with_a_missing_field_is_a_400_in_chinese(client, world):
    response = _post(client, world.a.token, "/api/v1/points/redemptions", {"quantity": 1})
    assert response.status_code == 400
    assert "兑换商品" in response.json()["detail"] and "户" in response.json()["detail"]


# --- query counts --------------------------------------------------------------------------


def _queries(client, token, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = _get(client, token, url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _more_rules(world, n):
    for i in range(n):
        village_rule(world, title=f"甲村规则{i}")


def _more_claims(world, n):
    rule = village_rule(world, title="甲村义务劳动")
    for i in range(n):
        claim_record(
            actor=world.a.worker,
            household=world.a.household,
            rule=rule,
            occurred_on=timezone.localdate(),
            note=f"甲村第{i}次",
        )


def _more_entries(world, n):
    account = PointAccount.objects.get(household=world.a.household, resident__isnull=True)
    for i in range(n):
        entry_post(
            actor=world.a.cadre, account=account, amount=1, reason=f"甲村{i}", source="claim"
        )


def _more_redemptions(world, n):
    account = PointAccount.objects.get(household=world.a.household, resident__isnull=True)
    entry_post(actor=world.a.cadre, account=account, amount=n, reason="甲村补记", source="claim")
    soap = reward_create(
        actor=world.a.cadre, node=world.a.node, name="甲村肥皂", kind="material", cost=1, stock=n
    )
    for _ in range(n):
        redemption_create(actor=world.a.cadre, reward=soap, account=account, quantity=1)


@pytest.mark.parametrize(
    ("route", "grow"),
    [
        ("rules", _more_rules),
        ("claims", _more_claims),
        ("entries", _more_entries),
        ("redemptions", _more_redemptions),
    ],
)
def test_a_list_route_costs_the_same_queries_whatever_its_rows(client, world, route, grow):
    url = f"/api/v1/points/{route}"
    before = _get(client, world.a.token, url).json()["count"]
    few = _queries(client, world.a.token, url)
    grow(world, 30)
    assert _get(client, world.a.token, url).json()["count"] >= before + 30
    assert _queries(client, world.a.token, url) == few
    # A household's filter (the ledger's) costs the same too.
    if route == "entries":
        one = f"{url}?household_id={world.a.household.pk}"
        assert _queries(client, world.a.token, one) <= few + 1


def test_the_redemption_list_reads_its_balance_from_the_entry(client, world):
    _more_redemptions(world, 2)
    items = _get(client, world.a.token, "/api/v1/points/redemptions").json()["items"]
    assert len(items) >= 2
    for row in items:
        assert row["balance_after"] == PointRedemption.objects.get(pk=row["id"]).entry.balance_after


# --- notes longer than they are kept are refused, not cut ----------------------------------


def test_a_claims_note_and_a_reviews_note_longer_than_kept_are_refused_not_cut(client, world):
    rule = village_rule(world)
    body = {"household_id": world.a.household.pk, "rule_id": rule.pk, "occurred_on": _today()}
    before = PointClaim.objects.count()
    long_note = _post(client, world.a.token, "/api/v1/points/claims", {**body, "note": "说" * 501})
    assert long_note.status_code == 400 and "说明不能超过500字" in _text(long_note)
    assert PointClaim.objects.count() == before
    created = _post(client, world.a.token, "/api/v1/points/claims", {**body, "note": "说" * 500})
    assert created.status_code == 201, created.content
    url = f"/api/v1/points/claims/{created.json()['id']}/review"
    reviewer = _token(world.a.secretary)
    for decision in ({"approve": True}, {"approve": False}):
        refused = _post(client, reviewer, url, {**decision, "note": "审" * 201})
        assert refused.status_code == 400 and "审核意见不能超过200字" in _text(refused)
    claim = PointClaim.objects.get(pk=created.json()["id"])
    assert claim.status == S.SUBMITTED and claim.review_note == ""
    approved = _post(client, reviewer, url, {"approve": True, "note": "审" * 200})
    assert approved.status_code == 200, approved.content
    assert PointClaim.objects.get(pk=claim.pk).review_note == "审" * 200
