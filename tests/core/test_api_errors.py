"""The API answers in Chinese JSON also where no route of its own runs: an address no route has
(Django's 404, which rendered the site's HTML page) and a method a route does not take
(django-ninja's plain English "Method not allowed")."""

from __future__ import annotations

import pytest
from django.test import Client

from xiangzhi.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def _client(world) -> Client:
    token = api_token_create(actor=world.a.cadre, name="接口测试")[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_address_no_route_has_is_a_chinese_json_404(world):
    response = _client(world).get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "没有这个接口，请对照接口文档检查地址。"}


def test_a_page_that_does_not_exist_is_still_the_html_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.a.cadre)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_a_route_does_not_take_is_a_chinese_json_405(world):
    response = _client(world).delete("/api/v1/households")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail.startswith("该接口不支持 DELETE 请求，可用：")
    assert "GET" in detail and "GET" in response["Allow"]
