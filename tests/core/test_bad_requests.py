"""A request that cannot be taken is a Chinese 400, never a 500 nor Django's English page.

A NUL character in a query string or a posted form: PostgreSQL keeps no NUL in text, and every
search box, filter and Open311 field that handed one to a query answered a 500 there (pages, the
API and Open311; SQLite took it). A malformed upload or a request of too many fields: Django's
English "Bad Request (400)" page, also on the API, whose answers are Chinese JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xiangzhi.accounts.services import api_token_create
from xiangzhi.appeals.models import Appeal
from xiangzhi.appeals.services.open311 import open311_key_issue

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "请求中含有不能保存的空字符"


def _api(user) -> Client:
    token = api_token_create(actor=user, name="接口测试")[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")


def _detail(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/households?search=甲%00",
        "/api/v1/residents?search=%00",
        "/api/v1/appeals?search=%00",
        "/api/v1/points/claims?status=%00",
        "/api/v1/points/rules?category=%00",
        "/api/v1/party/meetings?kind=%00",
        "/api/v1/households?tag=%00",
    ],
)
def test_a_nul_in_an_api_query_is_a_chinese_400(world, url):
    r = _api(world.a.cadre).get(url)
    assert r.status_code == 400
    assert NUL_MESSAGE in _detail(r)


def test_a_nul_in_a_page_search_is_the_chinese_400_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.a.cadre, backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/people/households/?q=%00", "/appeals/?q=甲%00", "/points/claims/?q=%00"):
        r = client.get(url)
        assert r.status_code == 400, url
        body = r.content.decode()
        assert "请求有误" in body and NUL_MESSAGE in body and "Bad Request" not in body


def test_open311_refuses_a_nul_in_a_query_or_a_posted_field_and_files_nothing(world):
    _, key = open311_key_issue(actor=world.admin, name="甲村小程序", user=world.a.cadre)
    client = Client(raise_request_exception=False)
    r = client.get("/open311/v2/requests.json", {"api_key": key, "service_code": "re\x00port"})
    assert r.status_code == 400
    before = Appeal.objects.count()
    form = {"api_key": key, "service_code": "report", "description": "路灯\x00坏了"}
    r = client.post("/open311/v2/requests.json", form)  # multipart, as the test client posts
    assert r.status_code == 400
    assert NUL_MESSAGE in r.content.decode()
    body = "&".join(f"{k}={v}" for k, v in form.items()).replace("\x00", "%00")
    r = client.post(
        "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 400
    assert Appeal.objects.count() == before


def test_a_malformed_upload_to_the_api_is_a_chinese_json_400(world):
    visit = world.a.household.visits.order_by("pk").first()
    r = _api(world.a.cadre).post(
        f"/api/v1/party/visits/{visit.pk}/photos",
        b"photos=1",
        content_type="multipart/form-data",  # no boundary: Django cannot read it
    )
    assert r.status_code == 400
    assert "请求内容无法读取" in _detail(r)


def test_too_many_fields_on_a_page_is_the_chinese_400_page(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client(raise_request_exception=False)
    client.force_login(world.a.cadre, backend="django.contrib.auth.backends.ModelBackend")
    r = client.get("/people/households/?" + "&".join(f"f{i}=1" for i in range(20)))
    assert r.status_code == 400
    body = r.content.decode()
    assert "请求有误" in body and "Bad Request" not in body


def test_a_disallowed_host_gets_the_chinese_400_page(db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    r = Client(raise_request_exception=False).get("/login/", HTTP_HOST="evil.example")
    assert r.status_code == 400
    body = r.content.decode()
    assert "请求有误" in body and "Bad Request" not in body and "evil.example" not in body
