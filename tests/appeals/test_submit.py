"""Raising an appeal: the villager's own page, a cadre's or grid worker's record, the API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import PNG
from xiangzhi.appeals.models import Appeal, AppealPhoto, Source, State

pytestmark = pytest.mark.django_db


def test_a_villager_raises_an_appeal_with_a_photo_from_their_own_page(client, world):
    a = world.a
    client.force_login(a.villager)
    page = client.get(reverse("appeals:submit"))
    assert page.status_code == 200
    assert 'name="text"' in page.content.decode() and 'accept="image/*"' in page.content.decode()
    photo = SimpleUploadedFile("灯.png", PNG, content_type="image/png")
    r = client.post(reverse("appeals:submit"), {"text": "村口的路灯坏了好几天", "photos": photo})
    appeal = Appeal.objects.get(text="村口的路灯坏了好几天")
    assert r.status_code == 302 and r["Location"] == reverse("appeals:detail", args=[appeal.pk])
    assert (appeal.household, appeal.resident, appeal.node) == (a.household, a.head, a.grid)
    assert appeal.source == Source.H5 and appeal.state == State.SUBMITTED
    assert appeal.deadline is not None
    assert AppealPhoto.objects.filter(appeal=appeal, content_type="image/png").count() == 1
    detail = client.get(r["Location"]).content.decode()
    assert appeal.number in detail and "待受理" in detail


def test_a_file_that_is_no_picture_is_refused_and_nothing_is_kept(client, world):
    client.force_login(world.a.villager)
    fake = SimpleUploadedFile("灯.png", b"MZ not a picture", content_type="image/png")
    before = Appeal.objects.count()
    r = client.post(reverse("appeals:submit"), {"text": "路灯坏了", "photos": fake})
    assert r.status_code == 200 and "照片只能是" in r.content.decode()
    assert Appeal.objects.count() == before


def test_an_empty_appeal_is_refused_with_the_field_named(client, world):
    client.force_login(world.a.villager)
    before = Appeal.objects.count()
    r = client.post(reverse("appeals:submit"), {"text": "   "})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert Appeal.objects.count() == before


def test_a_grid_worker_records_a_chat_message_for_a_household_by_its_number(client, world):
    a = world.a
    client.force_login(a.worker)
    r = client.post(
        reverse("appeals:record"),
        {
            "text": "【网格群】张婶：我家门口的水管爆了",
            "kind": "help",
            "source": "group_chat",
            "household_number": a.household.number,
        },
    )
    appeal = Appeal.objects.get(text__startswith="【网格群】")
    assert r.status_code == 302
    assert (appeal.household, appeal.source, appeal.created_by) == (
        a.household,
        Source.GROUP_CHAT,
        a.worker,
    )


def test_a_patrol_finding_is_recorded_on_a_node_without_a_household(client, world):
    a = world.a
    client.force_login(a.cadre)
    r = client.post(
        reverse("appeals:record"),
        {"text": "巡查发现桥栏杆松动", "kind": "report", "source": "patrol", "node": a.group.pk},
    )
    assert r.status_code == 302
    appeal = Appeal.objects.get(text="巡查发现桥栏杆松动")
    assert appeal.household is None and appeal.node == a.group


def test_a_household_number_of_another_village_is_not_found(client, world):
    client.force_login(world.a.worker)
    before = Appeal.objects.count()
    r = client.post(
        reverse("appeals:record"),
        {
            "text": "越界登记",
            "kind": "help",
            "source": "phone",
            "household_number": world.b.household.number,
        },
    )
    assert r.status_code == 200 and "没有这个户编号" in r.content.decode()
    assert Appeal.objects.count() == before


@pytest.mark.parametrize("who", ["auditor", "group_leader", "department_user"])
def test_read_only_users_cannot_record_an_appeal(client, world, who):
    client.force_login(getattr(world.a, who))
    before = Appeal.objects.count()
    r = client.post(reverse("appeals:record"), {"text": "越权", "node": world.a.group.pk})
    assert r.status_code == 403
    assert Appeal.objects.count() == before


def test_the_api_submits_lists_and_shows_an_appeal_with_its_timeline(client, world):
    a = world.a
    auth = {"HTTP_AUTHORIZATION": f"Bearer {a.token}"}  # the cadre's token
    r = client.post(
        "/api/v1/appeals",
        json.dumps(
            {"text": "电话反映：低保卡丢了", "source": "phone", "household_id": a.household.pk}
        ),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    listed = client.get("/api/v1/appeals?search=低保卡", **auth).json()
    assert [row["id"] for row in listed["items"]] == [pk]
    r = client.post(
        f"/api/v1/appeals/{pk}/accept",
        json.dumps({"note": "已受理"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    detail = client.get(f"/api/v1/appeals/{pk}", **auth).json()
    assert [e["action"] for e in detail["timeline"]] == ["submit", "accept"]
    assert "assign" in detail["steps"]
    r = client.post(
        f"/api/v1/appeals/{pk}/close", json.dumps({}), content_type="application/json", **auth
    )
    assert r.status_code == 400 and "不能办结" in r.json()["detail"]


def test_the_api_hides_another_villages_appeal(client, world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.a.token}"}
    assert client.get(f"/api/v1/appeals/{world.b.appeal.pk}", **auth).status_code == 404
    r = client.post(
        f"/api/v1/appeals/{world.b.appeal.pk}/accept",
        json.dumps({}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 404
    assert Appeal.objects.get(pk=world.b.appeal.pk).state == State.SUBMITTED
