"""The 三会一课 API: a cadre lists and records meetings of their village with a token; another
village's meeting is a 404 and a read-only user's record a 403, with nothing changed."""

from __future__ import annotations

import json

import pytest

from xiangzhi.accounts.services import api_token_create
from xiangzhi.party.models import Meeting

pytestmark = pytest.mark.django_db


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_cadre_lists_and_records_a_meeting_of_their_village(client, world):
    a = world.a
    r = client.get("/api/v1/party/meetings", **_auth(a.token))
    assert r.status_code == 200
    topics = [m["topic"] for m in r.json()["items"]]
    assert topics == ["甲村党小组会"]
    meeting = Meeting.objects.get(topic="甲村党小组会")
    body = {
        "held_on": "2024-03-16",
        "topic": "甲村党小组会（补记）",
        "host": "甲村党小组长",
        "attendance": [{"member_id": a.party_member.pk, "status": "leave", "reason": ""}],
    }
    url = f"/api/v1/party/meetings/{meeting.pk}/record"
    r = client.post(url, json.dumps(body), content_type="application/json", **_auth(a.token))
    assert r.status_code == 400
    assert "请填写" in json.dumps(r.json(), ensure_ascii=False)
    body["attendance"][0]["reason"] = "外出务工"
    r = client.post(url, json.dumps(body), content_type="application/json", **_auth(a.token))
    assert r.status_code == 200
    assert r.json()["roll"] == [
        {
            "member_id": a.party_member.pk,
            "name": a.party_member.resident.name,
            "status": "leave",
            "reason": "外出务工",
        }
    ]


def test_another_village_gets_404_and_a_read_only_user_403(client, world):
    meeting = Meeting.objects.get(topic="甲村党小组会")
    url = f"/api/v1/party/meetings/{meeting.pk}/record"
    body = json.dumps({"held_on": "2024-03-16", "topic": "越权", "host": "越权"})
    assert (
        client.get(f"/api/v1/party/meetings/{meeting.pk}", **_auth(world.b.token)).status_code
        == 404
    )
    r = client.post(url, body, content_type="application/json", **_auth(world.b.token))
    assert r.status_code == 404
    _, token = api_token_create(actor=world.a.auditor, name="审计令牌")
    r = client.post(url, body, content_type="application/json", **_auth(token))
    assert r.status_code == 403
    meeting.refresh_from_db()
    assert meeting.topic == "甲村党小组会"


def test_a_cadre_plans_a_meeting_and_a_reader_or_neighbour_cannot(client, world):
    a, b = world.a, world.b
    body = {"organisation_id": a.branch.pk, "kind": "theme_day", "planned_on": "2026-03-05"}
    url = "/api/v1/party/meetings"
    r = client.post(url, json.dumps(body), content_type="application/json", **_auth(a.token))
    assert r.status_code == 201, r.content
    assert (r.json()["kind_label"], r.json()["status"]) == ("主题党日", "planned")
    assert Meeting.objects.filter(organisation=a.branch, planned_on="2026-03-05").count() == 1
    wrong = {**body, "kind": "no_such_kind"}
    r = client.post(url, json.dumps(wrong), content_type="application/json", **_auth(a.token))
    assert r.status_code == 400 and "kind" in r.json()["errors"]
    far = {**body, "planned_on": "9999-12-31"}
    r = client.post(url, json.dumps(far), content_type="application/json", **_auth(a.token))
    assert r.status_code == 400 and "2000年至2100年" in r.json()["errors"]["planned_on"][0]
    bad = {"organisation_id": "甲", "kind": "theme_day"}  # no day, and an id that is no number
    r = client.post(url, json.dumps(bad), content_type="application/json", **_auth(a.token))
    assert r.status_code == 422
    assert r.json()["detail"] == "会议安排有误：党组织、计划日期"
    _, reader = api_token_create(actor=a.auditor, name="手机")
    r = client.post(url, json.dumps(body), content_type="application/json", **_auth(reader))
    assert r.status_code == 403 and "detail" in r.json()  # JSON, not the site's HTML page
    _, neighbour = api_token_create(actor=b.cadre, name="手机")
    r = client.post(url, json.dumps(body), content_type="application/json", **_auth(neighbour))
    assert r.status_code == 404
    assert Meeting.objects.filter(organisation=a.branch, planned_on="2026-03-05").count() == 1


def test_a_cadre_cancels_a_planned_meeting_and_others_cannot(client, world):
    import datetime as dt

    from xiangzhi.party.services import meeting_plan

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 12, 20)
    )
    url = f"/api/v1/party/meetings/{meeting.pk}/cancel"

    def post(token, body):
        return client.post(url, json.dumps(body), content_type="application/json", **_auth(token))

    _, auditor = api_token_create(actor=a.auditor, name="审计")
    refused = post(auditor, {"reason": "下雪"})
    assert refused.status_code == 403 and "只有查看权限" in refused.json()["detail"]
    assert post(world.b.token, {"reason": "下雪"}).status_code == 404
    empty = post(a.token, {})
    assert empty.status_code == 422 and empty.json()["detail"] == "取消会议的内容有误：取消原因"
    done = post(a.token, {"reason": "大雪封路，改期召开"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = post(a.token, {"reason": "再取消"})
    assert again.status_code == 400 and "只能取消尚未召开的会议" in json.dumps(
        again.json(), ensure_ascii=False
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("cancelled", "大雪封路，改期召开")


def test_a_meeting_held_before_2000_is_refused_and_stays_planned(client, world):
    """Hostile review of the API: a planned meeting recorded as held on 0001-01-01 was accepted,
    which took it off the overdue list without counting it in any period."""
    import datetime as dt

    from xiangzhi.party.services import meeting_plan

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 12, 20)
    )
    body = {"held_on": "0001-01-01", "topic": "主题党日", "host": "甲村书记"}
    r = client.post(
        f"/api/v1/party/meetings/{meeting.pk}/record",
        json.dumps(body),
        content_type="application/json",
        **_auth(a.token),
    )
    assert r.status_code == 400
    assert r.json()["errors"]["held_on"] == ["召开日期应在2000年以后"]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == ("planned", None)
