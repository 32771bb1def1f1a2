"""What a hostile API client sends that a database cannot keep is refused with a Chinese answer
naming the field, and nothing is written: a NUL character (PostgreSQL refuses it in text) and a
lone UTF-16 surrogate from a JSON escape (no UTF-8 database encodes it; SQLite raised too).
Both were a 500 on every JSON write route before read_body refused them."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from xiangzhi.accounts.services import api_token_create
from xiangzhi.appeals.models import Appeal, AppealEvent
from xiangzhi.party.models import Meeting, Visit

pytestmark = pytest.mark.django_db

NUL = "路灯\x00坏了"
SURROGATE = "路灯\ud800坏了"


def _client(user) -> Client:
    token = api_token_create(actor=user, name="接口测试")[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client: Client, url: str, body: dict):
    # ensure_ascii (the default) writes the surrogate as the escape a client would send.
    return client.post(url, json.dumps(body), content_type="application/json")


def _refused(response, *names: str) -> None:
    assert response.status_code in (400, 422), response.content[:300]
    text = json.dumps(response.json(), ensure_ascii=False)
    for name in names:
        assert name in text, text


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_an_appeal_with_unstorable_text_is_refused_and_not_kept(world, bad):
    client = _client(world.a.villager)
    before = Appeal.objects.count()
    _refused(_post(client, "/api/v1/appeals", {"text": bad}), "诉求内容")
    assert Appeal.objects.count() == before


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_a_step_note_a_meeting_and_a_visit_with_unstorable_text_are_refused(
    world, visited_earlier, bad
):
    a = world.a
    client = _client(a.cadre)
    events = AppealEvent.objects.filter(appeal=a.appeal).count()
    r = _post(client, f"/api/v1/appeals/{a.appeal.pk}/comment", {"note": bad})
    _refused(r, "说明")
    assert AppealEvent.objects.filter(appeal=a.appeal).count() == events

    meetings = Meeting.objects.count()
    body = {"organisation_id": a.branch.pk, "kind": "branch_committee", "planned_on": "2030-03-01"}
    _refused(_post(client, "/api/v1/party/meetings", {**body, "topic": bad}), "主题")
    assert Meeting.objects.count() == meetings

    visits = Visit.objects.count()
    today = timezone.localdate().isoformat()
    visit = {"visited_on": today, "met": "户主", "learned": "收成好", "needs": ["修路", bad]}
    r = _post(client, f"/api/v1/party/households/{a.household.pk}/visits", visit)
    _refused(r, "群众诉求")
    assert Visit.objects.count() == visits


def test_unstorable_text_in_a_key_or_nested_deep_is_refused_not_a_500(world):
    client = _client(world.a.villager)
    r = _post(client, "/api/v1/appeals", {"text": "路灯坏了", "x\x00": 1})
    _refused(r)
    deep = "[" * 900 + '"\\u0000"' + "]" * 900
    body = '{"text": "路灯坏了", "kind": ' + deep + "}"
    r = client.post("/api/v1/appeals", body, content_type="application/json")
    _refused(r)
